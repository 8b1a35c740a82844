/**
 * The quarantine in the stack: its prefix with a lifecycle of its own, the function's right to copy there and nothing
 * more, operators alone able to read (release) or delete it, the actions in both functions' settings, and the alarm.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { logicalId, synthStack } from '../support/synth';

const OPERATOR = 'arn:aws:iam::111122223333:role/mail-operator';
const { stack, template } = synthStack({ operatorRoleArns: OPERATOR, quarantineRetentionDays: 14 });
const functionRoleArn = { 'Fn::GetAtt': [logicalId(stack.pipeline.function.role ?? stack.pipeline.function), 'Arn'] };
const bucketId = logicalId(stack.pipeline.mailBucket);
const quarantineObjects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/quarantine/*']] };

function bucketStatements(): Array<Record<string, unknown>> {
  const policies = template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucketId } } });
  return Object.values(policies).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }).Properties.PolicyDocument
        .Statement,
  );
}

it('keeps quarantined mail under quarantine/ for quarantineRetentionDays, apart from the mail prefix', () => {
  template.hasResourceProperties('AWS::S3::Bucket', {
    LifecycleConfiguration: {
      Rules: Match.arrayWith([
        Match.objectLike({ Prefix: 'raw/', ExpirationInDays: 30 }),
        Match.objectLike({ Id: 'QuarantinedMail', Prefix: 'quarantine/', ExpirationInDays: 14, Status: 'Enabled' }),
      ]),
    },
  });
});

it('lets the function copy into quarantine/ and denies writes there to everyone else', () => {
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        { Sid: 'CopyRefusedMailToQuarantine', Effect: 'Allow', Action: 's3:PutObject', Resource: quarantineObjects },
      ]),
    },
  });
  expect(bucketStatements()).toContainEqual(
    expect.objectContaining({
      Sid: 'DenyWritesToQuarantineExceptByTheFunction',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:PutObject',
      Resource: quarantineObjects,
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': functionRoleArn } },
    }),
  );
});

it('lets only operator roles read (release) or delete quarantined mail, the function not', () => {
  expect(bucketStatements()).toContainEqual(
    expect.objectContaining({
      Sid: 'DenyReadingQuarantineExceptOperators',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:GetObject', 's3:GetObjectVersion'],
      Resource: quarantineObjects,
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [OPERATOR] } },
    }),
  );
  // Without operators, nobody may read it.
  const { template: none } = synthStack();
  const statements = Object.values(none.findResources('AWS::S3::BucketPolicy')).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }).Properties.PolicyDocument
        .Statement,
  );
  const deny = statements.find((s) => s.Sid === 'DenyReadingQuarantineExceptOperators');
  expect(deny).toBeDefined();
  expect(deny?.Condition).toBeUndefined();
});

it('gives both functions the actions, and the function the policy and prefix', () => {
  const env = (fn: unknown) =>
    template.toJSON().Resources[logicalId(fn as never)].Properties.Environment.Variables as Record<string, unknown>;
  const actions =
    '{"DKIM":"quarantine","DMARC":"quarantine","SPAM":"quarantine","SPF":"quarantine","VIRUS":"quarantine"}';
  expect(env(stack.pipeline.verdictGateFunction)).toMatchObject({ VERDICT_ACTIONS: actions });
  expect(env(stack.pipeline.function)).toMatchObject({
    VERDICT_ACTIONS: actions,
    QUARANTINE_PREFIX: 'quarantine/',
    REFUSE_VIRUS: 'true',
    REFUSE_DMARC_FAIL: 'false',
  });
  const { stack: stopping, template: stopTemplate } = synthStack({
    virusAction: 'stop',
    dmarcFailAction: 'deliver-marked',
  });
  const gateEnv = stopTemplate.toJSON().Resources[logicalId(stopping.pipeline.verdictGateFunction)].Properties
    .Environment.Variables as Record<string, string>;
  expect(JSON.parse(gateEnv.VERDICT_ACTIONS as string)).toMatchObject({ VIRUS: 'stop', DMARC: 'deliver-marked' });
});

it('refuses deliver-marked for virus mail, an unknown action and a mail prefix overlapping quarantine/', () => {
  expect(() => synthStack({ virusAction: 'deliver-marked' })).toThrow(/virus mail is never forwarded/);
  expect(() => synthStack({ spamAction: 'drop' })).toThrow(/must be one of stop, quarantine, deliver-marked/);
  expect(() => synthStack({ objectKeyPrefix: 'quarantine/raw/' })).toThrow(/must not overlap the quarantine prefix/);
});

it('alarms when quarantine grows faster than quarantineAlarmThreshold an hour', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'SesEncryptedInbound',
    MetricName: 'QuarantinedMail',
    Dimensions: [{ Name: 'service', Value: 'ses-encrypted-inbound' }],
    Statistic: 'Sum',
    Period: 3600,
    Threshold: 10,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  });
  const { template: custom } = synthStack({ quarantineAlarmThreshold: 3 });
  custom.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'QuarantinedMail', Threshold: 3 });
});
