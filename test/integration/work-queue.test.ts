/**
 * The local pipeline goes through the work queue, as deployed (local/pipeline.ts, local/event-source.ts): S3's
 * notification is a message on the work queue, the event source invokes the real handler with an SQS batch of them,
 * deletes what it did not name in `batchItemFailures`, returns what it named, and the queue's redrive policy (the
 * stack's receive count) moves a message that never succeeds to the dead-letter queue. A refused mail is recorded on
 * the failure queue and its message deleted, as the handler does.
 */
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { readForwardedMail } from '../../lambda/consumer/read-forwarded-mail';
import type { FailureRecord } from '../../lambda/contract/message-contract';
import { createAwsClients } from '../../lambda/decrypt-function/aws-clients';
import type { createHandler as CreateHandler } from '../../lambda/decrypt-function/handler';
import { FullJitterBackoff, RETRY_SETTINGS } from '../../lambda/decrypt-function/retry-strategy';
import { MAX_RECEIVE_COUNT, WORK_QUEUE_BATCH_SIZE } from '../../lib/trigger/work-queue-settings';
import { runEventSource } from '../../local/event-source';
import { LOCAL_PAYLOAD_BUCKET, LOCAL_REGION, type LocalStack, startLocalStack } from '../../local/local-stack';
import { deliverThroughWorkQueue, drainQueue, putObject, runMail, storeMail } from '../../local/pipeline';
import { notifyWorkQueue } from '../../local/s3-notification';
import { queueDepth } from '../../local/work-queue';

const MIME = Buffer.from('From: someone@example.org\r\nSubject: through the work queue\r\n\r\nhello\r\n');
let stack: LocalStack;
let createHandler: typeof CreateHandler;

beforeAll(async () => {
  stack = await startLocalStack();
  Object.assign(process.env, stack.env);
  ({ createHandler } = await import('../../lambda/decrypt-function/handler'));
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});
// Each test starts with empty queues, whatever the one before left.
afterEach(async () => {
  for (const url of [stack.outputQueueUrl, stack.failureQueueUrl, stack.workQueue.deadLetterQueueUrl]) {
    await drainQueue(stack, url, 0);
  }
});

async function depths(): Promise<{ work: number; deadLetter: number }> {
  return {
    work: await queueDepth(stack.clients.sqs, stack.workQueue.url),
    deadLetter: await queueDepth(stack.clients.sqs, stack.workQueue.deadLetterQueueUrl),
  };
}

it("creates the work queue with the stack's receive count and its own dead-letter queue", async () => {
  const [work, dlq] = await Promise.all(
    [stack.workQueue.url, stack.workQueue.deadLetterQueueUrl].map((url) =>
      stack.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })),
    ),
  );
  expect(JSON.parse(work?.Attributes?.RedrivePolicy as string)).toEqual({
    deadLetterTargetArn: dlq?.Attributes?.QueueArn,
    maxReceiveCount: MAX_RECEIVE_COUNT,
  });
  expect(work?.Attributes?.QueueArn).toBe(stack.workQueue.arn);
});

it("runMail: the mail's S3 notification is received from the work queue once, in an SQS event, then deleted", async () => {
  const handler = createHandler();
  const events: SQSEvent[] = [];
  const report = await runMail(
    stack,
    (event, context) => {
      events.push(event);
      return handler(event, context);
    },
    MIME,
  );
  expect(report).toMatchObject({ outcome: 'delivered', identical: true, workQueue: { receives: 1 } });
  expect(events).toHaveLength(1);
  const [record] = events[0]?.Records ?? [];
  expect(record).toMatchObject({
    eventSource: 'aws:sqs',
    eventSourceARN: stack.workQueue.arn,
    awsRegion: LOCAL_REGION,
    attributes: { ApproximateReceiveCount: '1' },
  });
  expect(record?.messageId).toBe(report.outcome === 'delivered' ? report.workQueue.messageId : '');
  expect(typeof record?.receiptHandle).toBe('string');
  // The body is S3's event notification for the stored object.
  const body = JSON.parse(record?.body as string);
  expect(body.Records[0]).toMatchObject({
    eventSource: 'aws:s3',
    eventName: 'ObjectCreated:Put',
    s3: { object: { key: `raw/${report.messageId}` } },
  });
  expect(await depths()).toEqual({ work: 0, deadLetter: 0 });
});

it('a record that fails transiently is returned alone from its batch and delivered on its second receive', async () => {
  const first = await storeMail(stack, Buffer.from('Subject: first\r\n\r\none\r\n'));
  const second = await storeMail(stack, Buffer.from('Subject: second\r\n\r\ntwo\r\n'));
  // KMS throttles the first record's Decrypt as many times as the clients attempt, so it is returned
  // (batchItemFailures); the second, running beside it, is forwarded and its message deleted. No backoff waits here.
  const handler = createHandler({ clients: createAwsClients({ backoff: () => new FullJitterBackoff(() => 0) }) });
  stack.kms.throttleNext(RETRY_SETTINGS.maxAttempts, first.messageId);
  const { messageIds, report } = await deliverThroughWorkQueue(stack, handler, [first, second], { retryDelay: 0 });
  expect(report.batchSizes).toEqual([2, 1]);
  expect(report.returnedMessages).toBe(1);
  expect(report.deleted).toEqual([
    { messageId: messageIds[1], receiveCount: 1 },
    { messageId: messageIds[0], receiveCount: 2 },
  ]);
  const delivered = await drainQueue(stack, stack.outputQueueUrl, 1);
  expect(delivered.map((m) => m.MessageAttributes?.SesMessageId?.StringValue)).toEqual([
    second.messageId,
    first.messageId,
  ]);
  for (const [message, stored] of [
    [delivered[0], second],
    [delivered[1], first],
  ] as const) {
    const mail = await readForwardedMail(message as never, {
      s3: stack.clients.s3,
      payloadBucket: LOCAL_PAYLOAD_BUCKET,
    });
    expect(mail.mime.equals(stored.plaintext)).toBe(true);
  }
  expect(await drainQueue(stack, stack.failureQueueUrl, 0)).toHaveLength(0);
  expect(await depths()).toEqual({ work: 0, deadLetter: 0 });
});

it('a finished message whose deletion SQS refuses is counted, received again and then deleted, not reported deleted twice', async () => {
  const stored = await storeMail(stack, MIME);
  const [messageId] = await notifyWorkQueue(stack.clients.sqs, stack.workQueue.url, [stored]);
  // The first DeleteMessageBatch answers every entry Failed and deletes nothing, as SQS may (an expired receipt handle).
  let refuse = true;
  const sqs = new Proxy(stack.clients.sqs, {
    get: (target, property) =>
      property === 'send'
        ? async (command: { input: { Entries?: { Id: string }[] } }) => {
            if (refuse && command instanceof DeleteMessageBatchCommand) {
              refuse = false;
              const failed = (command.input.Entries ?? []).map(({ Id }) => ({ Id, SenderFault: false, Code: 'x' }));
              return { Successful: [], Failed: failed };
            }
            return target.send(command as never);
          }
        : Reflect.get(target, property),
  });
  const report = await runEventSource({
    sqs,
    queueUrl: stack.workQueue.url,
    queueArn: stack.workQueue.arn,
    region: LOCAL_REGION,
    containers: [createHandler()],
    visibilityTimeout: 1,
    deadlineMillis: 30_000,
  });
  expect(report.undeletedMessages).toBe(1);
  expect(report.deleted).toEqual([{ messageId, receiveCount: 2 }]);
  // Received twice, sent once: the container remembers what it forwarded.
  expect(await drainQueue(stack, stack.outputQueueUrl, 1)).toHaveLength(1);
  expect(await depths()).toEqual({ work: 0, deadLetter: 0 });
}, 60_000);

it("a batch is at most the stack's batch size", async () => {
  const stored = [];
  for (let i = 0; i < WORK_QUEUE_BATCH_SIZE + 2; i += 1) stored.push(await storeMail(stack, MIME));
  const { report } = await deliverThroughWorkQueue(stack, createHandler(), stored);
  expect(Math.max(...report.batchSizes)).toBe(WORK_QUEUE_BATCH_SIZE);
  expect(report.deleted).toHaveLength(WORK_QUEUE_BATCH_SIZE + 2);
  expect(await drainQueue(stack, stack.outputQueueUrl, 1)).toHaveLength(WORK_QUEUE_BATCH_SIZE + 2);
});

it("a message the handler returns on every receive ends on the work queue's dead-letter queue", async () => {
  // Not an S3 event: the handler does not guess, it returns the message (trigger-event.ts) every time.
  const body = JSON.stringify({ note: 'not an S3 event' });
  await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.workQueue.url, MessageBody: body }));
  const report = await runEventSource({
    sqs: stack.clients.sqs,
    queueUrl: stack.workQueue.url,
    queueArn: stack.workQueue.arn,
    region: LOCAL_REGION,
    containers: [createHandler()],
    retryDelay: 0,
    deadlineMillis: 30_000,
  });
  expect(report.invocations).toBe(MAX_RECEIVE_COUNT);
  expect(report.returnedMessages).toBe(MAX_RECEIVE_COUNT);
  expect(report.deleted).toEqual([]);
  expect(await depths()).toEqual({ work: 0, deadLetter: 1 });
  const deadLettered = await drainQueue(stack, stack.workQueue.deadLetterQueueUrl, 1);
  expect(deadLettered.map((m) => m.Body)).toEqual([body]);
  expect(await depths()).toEqual({ work: 0, deadLetter: 0 });
}, 60_000);

it('a mail that cannot be decrypted is recorded on the failure queue and its message deleted, not retried', async () => {
  const stored = await storeMail(stack, MIME);
  const damaged = await storeMail(stack, MIME);
  // The same object with one ciphertext byte flipped: its AES-GCM tag cannot verify.
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: 'inbound-mail', Key: damaged.key }));
  const bytes = Buffer.from(
    await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
  bytes[0] = (bytes[0] as number) ^ 1;
  await putObject(stack, damaged.key, bytes, object.Metadata ?? {});
  const { messageIds, report } = await deliverThroughWorkQueue(stack, createHandler(), [damaged, stored]);
  expect(report.returnedMessages).toBe(0);
  expect(report.deleted).toEqual([
    { messageId: messageIds[0], receiveCount: 1 },
    { messageId: messageIds[1], receiveCount: 1 },
  ]);
  const failures = (await drainQueue(stack, stack.failureQueueUrl, 0)).map((m) => JSON.parse(m.Body as string));
  expect(failures as FailureRecord[]).toEqual([
    expect.objectContaining({ key: damaged.key, reason: 'AUTHENTICATION_FAILED' }),
  ]);
  expect(await drainQueue(stack, stack.outputQueueUrl, 1)).toHaveLength(1);
  expect(await depths()).toEqual({ work: 0, deadLetter: 0 });
});
