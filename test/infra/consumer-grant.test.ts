/**
 * What `grantConsume` gives a consumer, pinned exactly: the output queue, the payloads and `kms:Decrypt` on the
 * delivery key through SQS and S3, in its IAM policy and in a key-policy statement of its own; never
 * `kms:GenerateDataKey` (receiving and downloading need only Decrypt), nothing of the mail key or the mail bucket.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { logicalId, synthStack } from '../support/synth';

let consumer: iam.Role | undefined;
const { stack, template } = synthStack({}, (fresh) => {
  consumer = new iam.Role(fresh, 'Consumer', { assumedBy: new iam.AccountRootPrincipal() });
  fresh.pipeline.grantConsume(consumer);
});
const consumerId = logicalId(consumer as iam.Role);
const deliveryKeyId = logicalId(stack.pipeline.deliveryKey);
const consumerStatements = Object.values(template.findResources('AWS::IAM::Policy'))
  .filter((p) => JSON.stringify(p.Properties.Roles).includes(consumerId))
  .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>);

it('gives a consumer the queue and the payloads, nothing of the mail key or the mail bucket', () => {
  expect(JSON.stringify(consumerStatements)).not.toContain(logicalId(stack.pipeline.mailKey));
  expect(JSON.stringify(consumerStatements)).not.toContain(logicalId(stack.pipeline.mailBucket));
  expect(consumerStatements).toContainEqual(
    expect.objectContaining({ Action: expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']) }),
  );
  expect(JSON.stringify(consumerStatements)).toContain('/payloads/*');
});

it('lets a consumer decrypt with the delivery key and nothing more: no GenerateDataKey in its policy or the key policy', () => {
  const consumerArn = { 'Fn::GetAtt': [consumerId, 'Arn'] };
  const kmsStatements = consumerStatements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('kms:')));
  expect(kmsStatements).toEqual([
    {
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: { 'Fn::GetAtt': [deliveryKeyId, 'Arn'] },
      Condition: {
        StringEquals: { 'kms:ViaService': ['sqs.eu-west-1.amazonaws.com', 's3.eu-west-1.amazonaws.com'] },
      },
    },
  ]);
  const keyPolicy = template.toJSON().Resources[deliveryKeyId].Properties.KeyPolicy.Statement as any[];
  const naming = keyPolicy.filter((s) => JSON.stringify(s.Condition ?? {}).includes(JSON.stringify(consumerArn)));
  expect(naming).toEqual([
    {
      Sid: 'ConsumersDecryptThroughSqsAndS3',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEquals: {
          'kms:CallerAccount': '111122223333',
          'kms:ViaService': ['sqs.eu-west-1.amazonaws.com', 's3.eu-west-1.amazonaws.com'],
        },
        ArnEquals: { 'aws:PrincipalArn': [consumerArn] },
      },
    },
  ]);
});

describe('grantConsume returns an iam.Grant and refuses principals it cannot name', () => {
  it('returns one successful iam.Grant holding every statement it added to the consumer', () => {
    const { stack: other } = synthStack({}, (fresh) => {
      const reader = new iam.Role(fresh, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
      const grant = fresh.pipeline.grantConsume(reader);
      expect(grant).toBeInstanceOf(iam.Grant);
      expect(grant.success).toBe(true);
      const actions = grant.principalStatements.flatMap((s) => s.actions);
      expect(actions).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 's3:GetObject', 'kms:Decrypt']));
    });
    expect(other).toBeDefined();
  });

  it.each([
    ['the account root', () => new iam.AccountRootPrincipal()],
    ['an account', () => new iam.AccountPrincipal('111122223333')],
    ['a service', () => new iam.ServicePrincipal('lambda.amazonaws.com')],
    ['an ARN of no role or user', () => new iam.ArnPrincipal('arn:aws:iam::111122223333:root')],
  ])('refuses %s with one clear error', (_name, principal) => {
    expect(() => synthStack({}, (fresh) => fresh.pipeline.grantConsume(principal()))).toThrow(
      /^grantConsume takes an IAM role or user/,
    );
  });
});
