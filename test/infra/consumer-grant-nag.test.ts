/**
 * The cdk-nag acknowledgement a user's consumer needs for grantConsume's `payloads/*` grant (issue 19 item 6c): a
 * user stack run through AwsSolutionsChecks reports AwsSolutions-IAM5 on the consumer's policy with exactly the
 * finding id the README shows, and the README's acknowledgement clears it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EncryptedInboundMail } from '../../lib/encrypted-inbound-mail';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
// The README's code, verbatim: a template string there.
const FINDING = ['AwsSolutions-IAM5[Resource::<$', '{payloadBucketId}.Arn>/payloads/*]'].join('');

function consumerFindings(acknowledge: boolean): string[] {
  const outdir = mkdtempSync(join(tmpdir(), 'nag-consumer-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'MyMail', { env: { account: '111122223333', region: 'eu-west-1' } });
    const mail = new EncryptedInboundMail(stack, 'InboundMail', { recipients: ['inbox@mail.example.org'] });
    const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    mail.grantConsume(consumer);
    const payloadBucketId = Stack.of(mail).resolve((mail.payloadBucket.node.defaultChild as CfnElement).logicalId);
    if (acknowledge) {
      // As the README shows it.
      Validations.of(consumer.node.findChild('DefaultPolicy')).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${payloadBucketId}.Arn>/payloads/*]`,
        reason: 'Consumers read and delete payload objects named by SES message ids, unknown in advance.',
      });
    }
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    try {
      app.synth();
    } catch {
      // The report is written before synthesis fails on a finding.
    }
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    return JSON.stringify(report).match(/AwsSolutions-IAM5\[Resource::<[^\]]*\/payloads\/\*\]/g) ?? [];
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

it('reports AwsSolutions-IAM5 on the payloads/* grant with the id the README acknowledges, and the README clears it', () => {
  expect(README).toContain(FINDING);
  const before = consumerFindings(false);
  expect(before.length).toBeGreaterThan(0);
  expect(consumerFindings(true)).toEqual([]);
});
