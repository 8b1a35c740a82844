/**
 * A payload object must outlive every pointer to it. The longest a pointer can live is worked out here from the
 * template's own queue settings and SQS's documented rules, never from the construct's code:
 * - a standard queue's message keeps its original enqueue timestamp when SQS moves it to the dead-letter queue, so it
 *   lives at most max(output retention, dead-letter retention) from when it was sent;
 * - a FIFO queue's message gets a fresh timestamp when moved, so it lives up to output retention + dead-letter
 *   retention (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html).
 * One day more covers the seconds between the payload's upload and the message's send.
 */
import { logicalId, synthStack } from '../support/synth';

const DAY = 86_400;
/** SQS's default retention, for a queue whose template leaves MessageRetentionPeriod out. */
const SQS_DEFAULT_RETENTION = 4 * DAY;

type Resources = Record<string, any>;

function longestPointerLifeDays(resources: Resources): number {
  const queues = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SQS::Queue');
  // The queues pointers travel on: under the delivery key, with a redrive policy (the work queue carries none).
  const outputs = queues.filter(
    ([, r]) =>
      r.Properties?.RedrivePolicy !== undefined &&
      String(r.Properties?.KmsMasterKeyId?.['Fn::GetAtt']?.[0] ?? '').includes('DeliveryKey'),
  );
  expect(outputs).toHaveLength(1);
  const [, output] = outputs[0] as [string, Resources];
  const dlqId: string = output.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0];
  const dlq = resources[dlqId];
  expect(dlq.Type).toBe('AWS::SQS::Queue');
  const retention = (queue: Resources) => Number(queue.Properties?.MessageRetentionPeriod ?? SQS_DEFAULT_RETENTION);
  const fifo = output.Properties.FifoQueue === true;
  expect(dlq.Properties?.FifoQueue === true).toBe(fifo);
  const seconds = fifo ? retention(output) + retention(dlq) : Math.max(retention(output), retention(dlq));
  return Math.ceil(seconds / DAY) + 1;
}

function payloadExpirationDays(result: ReturnType<typeof synthStack>): number {
  const bucket = result.template.toJSON().Resources[logicalId(result.stack.pipeline.payloadBucket)];
  const rules = bucket.Properties.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;
  const expiring = rules.filter((rule) => rule.ExpirationInDays !== undefined && rule.Status === 'Enabled');
  expect(expiring.length).toBeGreaterThan(0);
  // The soonest any rule removes a current payload.
  return Math.min(...expiring.map((rule) => Number(rule.ExpirationInDays)));
}

describe.each([
  ['the defaults', {}],
  ['FIFO', { fifo: 'true' }],
  ['a one-day queue', { queueRetentionDays: '1' }],
  ['a fourteen-day queue', { queueRetentionDays: '14' }],
  ['a fourteen-day FIFO queue', { queueRetentionDays: '14', fifo: 'true' }],
])('with %s', (_name, context) => {
  const result = synthStack(context);

  it('keeps payloads at least as long as the longest-lived pointer to them, dead-letter queue included', () => {
    const resources = result.template.toJSON().Resources;
    expect(payloadExpirationDays(result)).toBeGreaterThanOrEqual(longestPointerLifeDays(resources));
  });

  it('keeps a standard dead-letter queue at least as long as the output queue (AWS best practice)', () => {
    const resources = result.template.toJSON().Resources;
    const output = resources[logicalId(result.stack.pipeline.outputQueue)];
    const dlq = resources[logicalId(result.stack.pipeline.outputDeadLetterQueue)];
    expect(dlq.Properties.MessageRetentionPeriod).toBeGreaterThanOrEqual(output.Properties.MessageRetentionPeriod);
  });
});

it('ties the output queue retention to queueRetentionDays', () => {
  const result = synthStack({ queueRetentionDays: '9' });
  const output = result.template.toJSON().Resources[logicalId(result.stack.pipeline.outputQueue)];
  expect(output.Properties.MessageRetentionPeriod).toBe(9 * DAY);
});
