/**
 * Producers and consumers separated (issue 19 item 2): only the decrypt function's role and the operators may send to
 * the output queue and the failure queue; a principal with a broad `sqs:SendMessage` in its own IAM policy (a
 * consumer, say) cannot inject a "verified" mail. The deny is in the queues' resource policies, so it holds whatever
 * the sender's IAM policy says. `sqs:SendMessage` also covers `SendMessageBatch` (SQS has no separate permission for
 * batches: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api.html).
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { logicalId, synthStack } from '../support/synth';

const OPERATOR = 'arn:aws:iam::111122223333:role/mail-operator';
let consumer: iam.Role | undefined;
const { stack, template } = synthStack({ operatorRoleArns: OPERATOR }, (fresh) => {
  consumer = new iam.Role(fresh, 'Consumer', { assumedBy: new iam.AccountRootPrincipal() });
  fresh.pipeline.grantConsume(consumer);
});
const functionRoleArn = {
  'Fn::GetAtt': [logicalId(stack.pipeline.node.findChild('Decrypt').node.findChild('FunctionRole')), 'Arn'],
};

function queuePolicyOf(queue: { node: { defaultChild?: unknown } }): Array<Record<string, unknown>> {
  const queueId = logicalId(queue);
  const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')).filter(
    (p) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: queueId }]),
  );
  expect(policies).toHaveLength(1);
  return policies[0]?.Properties.PolicyDocument.Statement ?? [];
}

const onlyProducersSend = (queueArn: unknown) => ({
  Sid: 'OnlyTheFunctionAndOperatorsSend',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 'sqs:SendMessage',
  Resource: queueArn,
  Condition: { ArnNotEquals: { 'aws:PrincipalArn': [functionRoleArn, OPERATOR] } },
});

it.each(['outputQueue', 'failureQueue'] as const)(
  'denies sqs:SendMessage on the %s to everyone but the function and the operators',
  (name) => {
    const queue = stack.pipeline[name];
    const statements = queuePolicyOf(queue);
    expect(statements).toContainEqual(onlyProducersSend({ 'Fn::GetAtt': [logicalId(queue), 'Arn'] }));
  },
);

it('gives a grantConsume consumer no sqs:SendMessage and no kms:GenerateDataKey, in any policy that names it', () => {
  const consumerId = logicalId(consumer as iam.Role);
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(consumerId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
  const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
  expect(actions.length).toBeGreaterThan(0);
  expect(actions.filter((a) => /^sqs:(SendMessage|\*)|^kms:(GenerateDataKey|\*)|^\*$/.test(a))).toEqual([]);
});

it('lets only the function and the operators generate data keys with the delivery key', () => {
  const keyPolicy = template.toJSON().Resources[logicalId(stack.pipeline.deliveryKey)].Properties.KeyPolicy
    .Statement as Array<Record<string, any>>;
  const generating = keyPolicy.filter(
    (s) => s.Effect === 'Allow' && [s.Action].flat().some((a: string) => /^kms:(GenerateDataKey|\*)/.test(a)),
  );
  expect(generating.map((s) => s.Condition?.ArnEquals?.['aws:PrincipalArn'])).toEqual([[functionRoleArn, OPERATOR]]);
});
