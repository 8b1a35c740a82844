/**
 * The delivery records' table in the stack: on by default (standard and FIFO output queues alike), its own customer
 * managed key, on-demand, TTL on Powertools' expiry attribute, point-in-time recovery, the stack's removal policy;
 * the function told its name and the records' lifetime, and allowed exactly four item actions on it; off with
 * `deliveryRecords=false`.
 */
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { deliveryRecordLifetime } from '../../lib/delivery/delivery-record-lifetime';
import { synthStack } from '../support/synth';

type Json = any;

function functionOf(template: ReturnType<typeof synthStack>['template']): Json {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { Description: Match.stringLikeRegexp('^Decrypts SES mail') },
  });
  return Object.values(functions)[0];
}

describe('on by default', () => {
  const { template } = synthStack();

  it('has one table: on-demand, keyed on id, TTL on expiration, point-in-time recovery, its own key', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table')) as Json[];
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
    const keyId = table.Properties.SSESpecification.KMSMasterKeyId['Fn::GetAtt'][0];
    expect(template.toJSON().Resources[keyId].Properties.EnableKeyRotation).toBe(true);
    expect(template.toJSON().Resources[keyId].Properties.Description).toMatch(/delivery records/);
    // As the stack's other stateful resources (removalPolicy, retained except when a creation fails): its key too.
    expect(table.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(template.toJSON().Resources[keyId].DeletionPolicy).toBe('RetainExceptOnCreate');
  });

  it('lets DynamoDB use the key for this account only, and no one directly', () => {
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table')) as Json[];
    const keyId = table.Properties.SSESpecification.KMSMasterKeyId['Fn::GetAtt'][0];
    const statements: Json[] = template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement;
    const uses = statements.filter((s) =>
      [s.Action].flat().some((a: string) => /Decrypt|Encrypt|GenerateDataKey/.test(a)),
    );
    expect(uses).toHaveLength(1);
    expect(uses[0].Condition.StringEquals).toEqual({
      'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com',
      'kms:CallerAccount': '111122223333',
    });
  });

  it("tells the function the table and a lifetime past the work queue's: its retention and its dead-letter queue's, plus a day", () => {
    const variables = functionOf(template).Properties.Environment.Variables;
    expect(variables.DELIVERY_RECORDS_TABLE).toEqual({ Ref: expect.stringMatching(/DeliveryRecords/) });
    // Read from the template: a message keeps its first enqueue time on the dead-letter queue (standard queues).
    const retention = (match: RegExp) =>
      Object.entries(template.findResources('AWS::SQS::Queue'))
        .filter(([id]) => match.test(id))
        .map(([, queue]) => queue.Properties.MessageRetentionPeriod as number);
    const [work] = retention(/WorkQueue(?!Key)[0-9A-F]{8}$/);
    const [dead] = retention(/WorkDeadLetterQueue[0-9A-F]{8}$/);
    expect([work, dead]).toEqual([4 * 86_400, 14 * 86_400]);
    expect(variables.DELIVERY_RECORD_LIFETIME_SECONDS).toBe(String((work as number) + (dead as number) + 86_400));
  });

  it('with direct invocation, two days (six hours of asynchronous retries, plus a day)', () => {
    const direct = functionOf(synthStack({ directInvocation: 'true' }).template).Properties.Environment.Variables;
    expect(direct.DELIVERY_RECORD_LIFETIME_SECONDS).toBe(String(2 * 86_400));
  });

  it('grants the function get, put, update and delete on that table and nothing else of DynamoDB', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Json[];
    const dynamo = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[])
      .filter((s) => [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(1);
    expect([dynamo[0].Action].flat().sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(dynamo[0].Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/DeliveryRecords/), 'Arn'] });
    const roles = policies.filter((p) =>
      (p.Properties.PolicyDocument.Statement as Json[]).some((s) => [s.Action].flat().includes('dynamodb:PutItem')),
    );
    expect(roles).toHaveLength(1);
    expect(roles[0].Properties.Roles).toEqual([{ Ref: expect.stringMatching(/FunctionRole/) }]);
  });
});

it('keeps the table for a FIFO output queue too: its deduplication lasts five minutes, retries come later', () => {
  synthStack({ fifo: 'true' }).template.resourceCountIs('AWS::DynamoDB::Table', 1);
});

it('has no table, no variable and no grant with deliveryRecords=false', () => {
  const { template } = synthStack({ deliveryRecords: 'false' });
  template.resourceCountIs('AWS::DynamoDB::Table', 0);
  expect(functionOf(template).Properties.Environment.Variables.DELIVERY_RECORDS_TABLE).toBeUndefined();
  expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('dynamodb:');
});

describe('the lifetime', () => {
  it('is the longest redelivery path in whole days plus one', () => {
    expect(deliveryRecordLifetime({ asyncMaxEventAge: Duration.hours(6) }).toDays()).toBe(2);
    // A work queue of 4 days with a 14-day dead-letter queue: a message redriven on its last day lives 4 more.
    expect(
      deliveryRecordLifetime({
        asyncMaxEventAge: Duration.hours(6),
        workQueue: { retentionDays: 4, deadLetterQueueDays: 14 },
      }).toDays(),
    ).toBe(19);
    expect(deliveryRecordLifetime({ asyncMaxEventAge: Duration.hours(30) }).toDays()).toBe(3);
  });
});
