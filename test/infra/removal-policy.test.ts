/**
 * Keys and buckets are kept when the stack is deleted or a resource is replaced, but not when the very deployment that
 * created them rolls back: CloudFormation's RetainExceptOnCreate deletes "newly created resources" on a rolled-back
 * create (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html),
 * so a failed first deploy leaves no orphaned key or empty bucket to collide with the retry.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EncryptedInboundMail } from '../../lib/encrypted-inbound-mail';
import { synthStack, TEST_ENV } from '../support/synth';

const STATEFUL = ['AWS::KMS::Key', 'AWS::S3::Bucket'];

function stateful(template: Template) {
  return Object.entries(template.toJSON().Resources as Record<string, Record<string, unknown>>).filter(([, r]) =>
    STATEFUL.includes(r.Type as string),
  );
}

function withRemovalPolicy(removalPolicy: RemovalPolicy | undefined): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'S', { env: TEST_ENV });
  new EncryptedInboundMail(stack, 'Mail', { recipients: ['inbox@example.com'], auditTrail: true, removalPolicy });
  return Template.fromStack(stack);
}

it('keeps every key and bucket on delete and replacement, except on the rollback of their own create (the stack)', () => {
  const { template } = synthStack({ auditTrail: 'true' });
  const resources = stateful(template);
  // The mail and delivery keys, the audit key; the mail, payload, access-log and audit buckets.
  // (and the work queue's and delivery records' keys)
  expect(resources.map(([, r]) => r.Type).sort()).toEqual([
    'AWS::KMS::Key',
    'AWS::KMS::Key',
    'AWS::KMS::Key',
    'AWS::KMS::Key',
    'AWS::KMS::Key',
    'AWS::S3::Bucket',
    'AWS::S3::Bucket',
    'AWS::S3::Bucket',
    'AWS::S3::Bucket',
  ]);
  for (const [id, resource] of resources) {
    expect({ id, DeletionPolicy: resource.DeletionPolicy, UpdateReplacePolicy: resource.UpdateReplacePolicy }).toEqual({
      id,
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
  }
});

it.each([
  ['left out', undefined],
  ['RETAIN', RemovalPolicy.RETAIN],
  ['RETAIN_ON_UPDATE_OR_DELETE', RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE],
])('reads removalPolicy %s as retain except on a rolled-back create (the construct)', (_name, removalPolicy) => {
  for (const [, resource] of stateful(withRemovalPolicy(removalPolicy))) {
    expect(resource.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
  }
});

it('still deletes them when removalPolicy is DESTROY', () => {
  for (const [, resource] of stateful(withRemovalPolicy(RemovalPolicy.DESTROY))) {
    expect(resource.DeletionPolicy).toBe('Delete');
  }
});
