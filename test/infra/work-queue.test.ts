/**
 * The buffered trigger (issue 20, item 1), pinned setting by setting: S3 notifies the work queue, never the function;
 * the queue is SSE-KMS with its own key, TLS-only, with a dead-letter queue; the event source mapping reports batch
 * item failures with a bounded concurrency; the visibility timeout is six times the function timeout; alarms on the
 * oldest message's age and the dead-letter queue. `directInvocation` gives back 0.2's S3 → Lambda trigger.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { logicalId, synthStack } from '../support/synth';

const { stack, template } = synthStack();
const work = stack.pipeline.node.findAll().find((c) => c.node.path.endsWith('Trigger/WorkQueue')) as never;
const workQueueId = logicalId(work);
const deadLetterId = logicalId(
  stack.pipeline.node.findAll().find((c) => c.node.path.endsWith('Trigger/WorkDeadLetterQueue')) as never,
);
const workKeyId = logicalId(
  stack.pipeline.node.findAll().find((c) => c.node.path.endsWith('Trigger/WorkQueueKey')) as never,
);
const functionId = logicalId(stack.pipeline.function);

it('sends the mail bucket’s object-created notifications under the prefix to the work queue, none to the function', () => {
  template.hasResourceProperties('Custom::S3BucketNotifications', {
    NotificationConfiguration: {
      QueueConfigurations: [
        {
          Events: ['s3:ObjectCreated:*'],
          QueueArn: { 'Fn::GetAtt': [workQueueId, 'Arn'] },
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'raw/' }] } },
        },
      ],
    },
  });
  expect(
    JSON.stringify(template.findResources('Custom::S3BucketNotifications')).includes('LambdaFunctionConfigurations'),
  ).toBe(false);
});

it('keeps S3’s permission to invoke the function (this bucket, this account only) for the upgrade from 0.2.0', () => {
  // S3 applies a changed notification configuration within about five minutes: mail stored meanwhile may still be
  // announced to the function (lib/upgrades/s3-invoke-permission.ts).
  const permissions = Object.values(
    template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 's3.amazonaws.com' } }),
  );
  expect(permissions).toHaveLength(1);
  expect(permissions[0]?.Properties).toEqual({
    Action: 'lambda:InvokeFunction',
    FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
    Principal: 's3.amazonaws.com',
    SourceAccount: '111122223333',
    SourceArn: { 'Fn::GetAtt': [logicalId(stack.pipeline.mailBucket), 'Arn'] },
  });
});

it('encrypts the work queue and its dead-letter queue with their own key, keeps DLQ messages longer, and requires TLS', () => {
  const queues = template.findResources('AWS::SQS::Queue');
  const workQueue = queues[workQueueId]?.Properties;
  expect(workQueue.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [workKeyId, 'Arn'] });
  expect(queues[deadLetterId]?.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [workKeyId, 'Arn'] });
  // 6 × the function's 120 s timeout.
  expect(workQueue.VisibilityTimeout).toBe(720);
  template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 120 });
  expect(workQueue.MessageRetentionPeriod).toBe(4 * 86_400);
  expect(queues[deadLetterId]?.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
  expect(workQueue.RedrivePolicy).toEqual({
    deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] },
    maxReceiveCount: 10,
  });
  for (const id of [workQueueId, deadLetterId]) {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: id }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  }
});

it('lets only S3, for the mail bucket of this account, send to the work queue', () => {
  template.hasResourceProperties('AWS::SQS::QueuePolicy', {
    Queues: [{ Ref: workQueueId }],
    PolicyDocument: {
      Statement: Match.arrayWith([
        {
          Sid: 'MailBucketNotifies',
          Effect: 'Allow',
          Principal: { Service: 's3.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': [workQueueId, 'Arn'] },
          Condition: {
            ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(stack.pipeline.mailBucket), 'Arn'] } },
            StringEquals: { 'aws:SourceAccount': '111122223333' },
          },
        },
      ]),
    },
  });
});

it('lets S3 encrypt with the work key as AWS documents it (no condition), and the function decrypt only through SQS', () => {
  const statements = template.findResources('AWS::KMS::Key')[workKeyId]?.Properties.KeyPolicy.Statement;
  expect(statements).toEqual(
    expect.arrayContaining([
      {
        Sid: 'S3SendsNotificationsToTheWorkQueue',
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
      },
      expect.objectContaining({
        Sid: 'FunctionReceivesThroughSqs',
        Action: 'kms:Decrypt',
        Condition: expect.objectContaining({ StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } }),
      }),
    ]),
  );
  template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, PendingWindowInDays: 30 });
});

it('consumes the work queue with partial batch responses, batches of 10, no window, and at most 10 instances', () => {
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    FunctionName: { Ref: functionId },
    EventSourceArn: { 'Fn::GetAtt': [workQueueId, 'Arn'] },
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    BatchSize: 10,
    MaximumBatchingWindowInSeconds: 0,
    ScalingConfig: { MaximumConcurrency: 10 },
  });
  synthStack({ workQueueMaxConcurrency: '50' }).template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    ScalingConfig: { MaximumConcurrency: 50 },
  });
  for (const bad of ['1', '1001', '2.5']) {
    expect(() => synthStack({ workQueueMaxConcurrency: bad })).toThrow('workQueueMaxConcurrency must be');
  }
});

it('alarms when the oldest work-queue message is 30 minutes old and on any dead-lettered message', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApproximateAgeOfOldestMessage',
    Namespace: 'AWS/SQS',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [workQueueId, 'QueueName'] } }],
    Statistic: 'Maximum',
    Threshold: 1800,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetterId, 'QueueName'] } }],
    Threshold: 1,
  });
});

it('with directInvocation, S3 invokes the function as in 0.2, and there is no work queue', () => {
  const direct = synthStack({ directInvocation: 'true' }).template;
  direct.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
  direct.hasResourceProperties('AWS::Lambda::Permission', { Principal: 's3.amazonaws.com' });
  direct.hasResourceProperties('Custom::S3BucketNotifications', {
    NotificationConfiguration: { LambdaFunctionConfigurations: Match.anyValue() },
  });
  expect(Object.keys(direct.findResources('AWS::SQS::Queue'))).toHaveLength(3);
  // No work queue, so no output names its dead-letter queue (the CLI's --stack finds none either).
  expect(Object.keys(direct.findOutputs('*')).filter((name) => name.includes('WorkDeadLetter'))).toEqual([]);
});

it('lets operator roles, and nobody else, use the work key through SQS to read and redrive the dead-letter queue', () => {
  const operator = 'arn:aws:iam::111122223333:role/mail-operator';
  const withOperators = synthStack({ operatorRoleArns: operator }).template;
  const keys = withOperators.findResources('AWS::KMS::Key');
  const workKey = Object.entries(keys).find(([id]) => id.includes('WorkQueueKey'))?.[1];
  const statements = workKey?.Properties.KeyPolicy.Statement as Array<Record<string, any>>;
  expect(statements.find((s) => s.Sid === 'OperatorsRedriveThroughSqs')).toEqual({
    Sid: 'OperatorsRedriveThroughSqs',
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::111122223333:root' },
    Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
    Resource: '*',
    Condition: {
      StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' },
      ArnEquals: { 'aws:PrincipalArn': [operator] },
    },
  });
  // Without operators, no statement names them.
  const defaultWorkKey = Object.entries(template.findResources('AWS::KMS::Key')).find(([id]) =>
    id.includes('WorkQueueKey'),
  )?.[1];
  expect(JSON.stringify(defaultWorkKey?.Properties.KeyPolicy)).not.toContain('OperatorsRedriveThroughSqs');
});

it("lets only S3 and the operator roles send to the work queue: SQS needs each sender's own kms:GenerateDataKey", () => {
  // SQS calls KMS with each sender's credentials (data keys are kept per caller:
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html), and the key
  // policy gives the account administration only, so no IAM policy can let another principal send.
  const operator = 'arn:aws:iam::111122223333:role/mail-operator';
  const keys = synthStack({ operatorRoleArns: operator }).template.findResources('AWS::KMS::Key');
  const workKey = Object.entries(keys).find(([id]) => id.includes('WorkQueueKey'))?.[1];
  const statements = workKey?.Properties.KeyPolicy.Statement as Array<Record<string, any>>;
  const encrypts = (action: string) => action === 'kms:*' || action.startsWith('kms:GenerateDataKey');
  const senders = statements
    .filter((s) => s.Effect === 'Allow' && [s.Action].flat().some(encrypts))
    .map((s) => s.Sid)
    .sort();
  expect(senders).toEqual(['OperatorsRedriveThroughSqs', 'S3SendsNotificationsToTheWorkQueue']);
});
