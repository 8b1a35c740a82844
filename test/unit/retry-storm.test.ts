/**
 * A fault storm through the handler (issue 20, item 3): S3 and SQS refuse one request in four, KMS throttles every
 * third call, and every object's first read is cut half-way. The clients are the function's own (createAwsClients,
 * its retry strategy) with the backoff's random source at 0, so no retry sleeps. Work-queue batches are redelivered
 * as the event source mapping would (batchItemFailures back on the queue): no mail may fail permanently (nothing on
 * the failure queue, nothing past the queue's receive count), and every mail arrives.
 */
import { createAwsClients } from '../../lambda/decrypt-function/aws-clients';
import { createHandler } from '../../lambda/decrypt-function/handler';
import { FullJitterBackoff } from '../../lambda/decrypt-function/retry-strategy';
import { KmsEmulator } from '../../local/kms-emulator';
import { fakeAws } from '../support/fake-aws';
import { FAILURE, functionEnv, MAIL_BUCKET, OUTPUT } from '../support/mocked-function';
import { s3Event, sesObject } from '../support/ses-objects';
import { workQueueBatch, workQueueMessage } from '../support/work-queue-events';

const MAILS = 40;
/** The work queue's maxReceiveCount (lib/trigger/work-queue.ts): a message received more often is dead-lettered. */
const MAX_RECEIVE_COUNT = 10;
const CONTAINERS = 3;

/** A seeded generator (mulberry32), so the storm is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const saved = { ...process.env };
beforeAll(() => {
  Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  delete process.env.AWS_USE_FIPS_ENDPOINT;
});
afterAll(() => {
  process.env = { ...saved };
});

it('fails no mail permanently: every transient failure returns to the queue and succeeds on redelivery', async () => {
  const emulator = new KmsEmulator();
  const keyArn = emulator.createKey();
  const aws = fakeAws(emulator);
  const setup = createAwsClients();
  aws.attach(setup);
  const messageIds: string[] = [];
  for (let i = 0; i < MAILS; i += 1) {
    const object = await sesObject(setup.kms, keyArn, Buffer.from(`Subject: storm ${i}\r\n\r\nbody ${i}\r\n`));
    aws.stored.set(object.key, { body: object.body, metadata: object.metadata });
    messageIds.push(object.messageId);
  }

  const random = seeded(20);
  let kmsCalls = 0;
  const readsSeen = new Set<string>();
  const env = functionEnv(keyArn);
  const handlers = Array.from({ length: CONTAINERS }, () => {
    const clients = createAwsClients({ backoff: () => new FullJitterBackoff(() => 0) });
    aws.attach(clients, {
      refuse: () => random() < 0.25,
      throttleKms: () => {
        kmsCalls += 1;
        return kmsCalls % 3 === 0;
      },
      cutRead: (key) => !readsSeen.has(key) && readsSeen.add(key) !== undefined,
    });
    return createHandler({ env, clients });
  });
  aws.sent.length = 0;

  // The work queue: one message per mail, and every tenth mail's event delivered twice (S3 may repeat an event).
  type Queued = { id: string; body: object; receives: number };
  let queue: Queued[] = messageIds.flatMap((messageId, i) => {
    const size = aws.stored.get(`raw/${messageId}`)?.body.length as number;
    const body = s3Event([{ bucket: MAIL_BUCKET, key: `raw/${messageId}`, size }]);
    const copies = i % 10 === 0 ? 2 : 1;
    return Array.from({ length: copies }, (_, c) => ({ id: `msg-${i}-${c}`, body, receives: 0 }));
  });
  let returned = 0;
  const deadLettered: Queued[] = [];
  for (let round = 0; queue.length > 0; round += 1) {
    const next: Queued[] = [];
    for (let start = 0; start < queue.length; start += 10) {
      const batch = queue.slice(start, start + 10);
      for (const message of batch) message.receives += 1;
      const handler = handlers[(start / 10 + round) % CONTAINERS] as (typeof handlers)[number];
      const answer = await handler(workQueueBatch(...batch.map((m) => workQueueMessage(m.id, m.body, m.receives))));
      const failed = new Set(answer.batchItemFailures.map((f) => f.itemIdentifier));
      returned += failed.size;
      for (const message of batch) {
        if (!failed.has(message.id)) continue;
        (message.receives >= MAX_RECEIVE_COUNT ? deadLettered : next).push(message);
      }
    }
    queue = next;
  }

  expect(aws.sent.filter((m) => m.QueueUrl === FAILURE)).toEqual([]);
  expect(deadLettered).toEqual([]);
  const delivered = new Set(
    aws.sent.filter((m) => m.QueueUrl === OUTPUT).map((m) => m.MessageAttributes?.SesMessageId?.StringValue),
  );
  expect([...delivered].sort()).toEqual([...messageIds].sort());
  // The storm did happen, and reached the handler: every first read was cut, so every mail came back at least once.
  expect(aws.calls.faults).toBeGreaterThan(MAILS * 2);
  expect(returned).toBeGreaterThanOrEqual(MAILS);
});
