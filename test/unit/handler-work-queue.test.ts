/**
 * The handler fed by the work queue (issue 20, item 1): SQS batches whose bodies are S3 events, S3's test event, and
 * the partial batch response: a transient failure returns only its message (batchItemFailures), a permanent one is
 * recorded on the failure queue and its message deleted, as with direct invocation.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sdkStreamMixin } from '@smithy/util-stream';
import { createHandler } from '../../lambda/decrypt-function/handler';
import type { SesStoredObject } from '../../local/ses-simulator';
import { FAILURE, MAIL_BUCKET, mockedFunctionWorld, OUTPUT } from '../support/mocked-function';
import { s3Event, sesObject } from '../support/ses-objects';
import { watchedRead } from '../support/watched-read';
import { S3_TEST_EVENT, workQueueBatch, workQueueMessage } from '../support/work-queue-events';

const { keyArn, kms, s3Mock, sqsMock, clients, baseEnv, put, eventFor, sent, failureRecords } = mockedFunctionWorld();

const MAIL = Buffer.from('From: someone@example.org\r\nSubject: queued\r\n\r\nHello.\r\n');

function messageFor(id: string, object: SesStoredObject) {
  return workQueueMessage(id, eventFor(object));
}

const forwardedIds = () => sent(OUTPUT).map((m) => m.MessageAttributes?.SesMessageId?.StringValue);

it('forwards every mail of a batch and returns no message', async () => {
  const a = put(await sesObject(kms, keyArn, MAIL, 'queued-a'));
  const b = put(await sesObject(kms, keyArn, MAIL, 'queued-b'));
  const answer = await createHandler({ env: baseEnv(), clients })(
    workQueueBatch(messageFor('m-a', a), messageFor('m-b', b)),
  );
  expect(answer).toEqual({ batchItemFailures: [] });
  expect(forwardedIds().sort()).toEqual(['queued-a', 'queued-b']);
});

/** Makes the object's reads wait `millis`, counting how many are under way at once. */
function slowReads(objects: readonly SesStoredObject[], millis: number): { widest: () => number } {
  let now = 0;
  let widest = 0;
  for (const object of objects) {
    s3Mock.on(GetObjectCommand, { Key: object.key }).callsFake(async () => {
      now += 1;
      widest = Math.max(widest, now);
      await new Promise((resolve) => setTimeout(resolve, millis));
      now -= 1;
      return {
        Body: sdkStreamMixin(Readable.from([object.body])),
        ContentLength: object.body.length,
        Metadata: object.metadata,
      };
    });
  }
  return { widest: () => widest };
}

it("takes a batch's small mails together: their reads overlap, and each is forwarded once", async () => {
  const objects = await Promise.all(['t-1', 't-2', 't-3'].map((id) => sesObject(kms, keyArn, MAIL, `queued-${id}`)));
  const reads = slowReads(objects, 20);
  const answer = await createHandler({ env: baseEnv(), clients })(
    workQueueBatch(...objects.map((o, i) => messageFor(`m-${i}`, o))),
  );
  expect(answer).toEqual({ batchItemFailures: [] });
  expect(reads.widest()).toBe(3);
  expect(forwardedIds().sort()).toEqual(['queued-t-1', 'queued-t-2', 'queued-t-3']);
});

it('takes the same object named twice in one batch one after the other, and sends it once', async () => {
  const object = await sesObject(kms, keyArn, MAIL, 'queued-twice');
  const reads = slowReads([object], 20);
  // One event sent twice, as S3's duplicates are (the same sequencer).
  const event = eventFor(object);
  const answer = await createHandler({ env: baseEnv(), clients })(
    workQueueBatch(workQueueMessage('m-first', event), workQueueMessage('m-again', event)),
  );
  expect(answer).toEqual({ batchItemFailures: [] });
  expect(reads.widest()).toBe(1);
  expect(forwardedIds()).toEqual(['queued-twice']);
});

it('reads a mail larger than the budget alone', async () => {
  // 9 MiB (more than CONCURRENT_OBJECT_BYTES), then a small one.
  const large = Buffer.concat([MAIL, Buffer.alloc(9 * 1024 * 1024, 'a')]);
  const objects = [await sesObject(kms, keyArn, large, 'queued-l-1'), await sesObject(kms, keyArn, MAIL, 'queued-l-2')];
  const reads = slowReads(objects, 20);
  const answer = await createHandler({ env: baseEnv(), clients })(
    workQueueBatch(...objects.map((o, i) => messageFor(`m-${i}`, o))),
  );
  expect(answer).toEqual({ batchItemFailures: [] });
  expect(reads.widest()).toBe(1);
  expect(forwardedIds().sort()).toEqual(['queued-l-1', 'queued-l-2']);
});

it('does not read a large mail whose event announces it small beside small ones: its message returns unread', async () => {
  // A forged event (whoever may send to the work queue writes it) would have the schedule run it with the others.
  const large = await sesObject(kms, keyArn, Buffer.concat([MAIL, Buffer.alloc(9 * 1024 * 1024, 'a')]), 'queued-s-1');
  const small = put(await sesObject(kms, keyArn, MAIL, 'queued-s-2'));
  const read = watchedRead(large);
  s3Mock.on(GetObjectCommand, { Key: large.key }).callsFake(read.answer);
  const understated = s3Event([{ bucket: MAIL_BUCKET, key: large.key, size: 1024 }]);
  const answer = await createHandler({ env: baseEnv(), clients })(
    workQueueBatch(workQueueMessage('m-understated', understated), messageFor('m-small', small)),
  );
  expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-understated' }] });
  expect(read.pulled()).toBe(false);
  expect(forwardedIds()).toEqual(['queued-s-2']);
});

it("drops S3's test event: nothing sent, nothing recorded, the message not returned", async () => {
  const answer = await createHandler({ env: baseEnv(), clients })(
    workQueueBatch(workQueueMessage('m-test', S3_TEST_EVENT)),
  );
  expect(answer).toEqual({ batchItemFailures: [] });
  expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
});

it('returns only the message whose read failed transiently; the others are forwarded, nothing is recorded', async () => {
  const ok = put(await sesObject(kms, keyArn, MAIL, 'queued-ok'));
  const flaky = put(await sesObject(kms, keyArn, MAIL, 'queued-flaky'));
  let reads = 0;
  s3Mock.on(GetObjectCommand, { Key: flaky.key }).callsFake(async () => {
    reads += 1;
    if (reads === 1) throw Object.assign(new Error('x'), { name: 'ServiceUnavailable', $fault: 'server' });
    return {
      Body: sdkStreamMixin(Readable.from([flaky.body])),
      ContentLength: flaky.body.length,
      Metadata: flaky.metadata,
    };
  });
  const handle = createHandler({ env: baseEnv(), clients });
  const answer = await handle(workQueueBatch(messageFor('m-ok', ok), messageFor('m-flaky', flaky)));
  expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-flaky' }] });
  expect(forwardedIds()).toEqual(['queued-ok']);
  expect(sent(FAILURE)).toHaveLength(0);

  // Redelivered after the visibility timeout, it passes.
  expect(await handle(workQueueBatch(workQueueMessage('m-flaky', eventFor(flaky), 2)))).toEqual({
    batchItemFailures: [],
  });
  expect(forwardedIds()).toEqual(['queued-ok', 'queued-flaky']);
});

it('records a permanent failure on the failure queue and deletes its message, as direct invocation does', async () => {
  const good = put(await sesObject(kms, keyArn, MAIL, 'queued-good'));
  const bare = put({ ...(await sesObject(kms, keyArn, MAIL, 'queued-bare')), metadata: {} });
  s3Mock
    .on(GetObjectCommand, { Key: 'raw/queued-bare.instruction' })
    .rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $fault: 'client' }));
  const answer = await createHandler({ env: baseEnv(), clients })(
    workQueueBatch(messageFor('m-good', good), messageFor('m-bare', bare)),
  );
  expect(answer).toEqual({ batchItemFailures: [] });
  expect(failureRecords().map((r) => [r.key, r.reason])).toEqual([['raw/queued-bare', 'NOT_ENCRYPTED']]);
  expect(forwardedIds()).toEqual(['queued-good']);
});

it('returns a message whose rejection could not be recorded, so it is never lost', async () => {
  put({ ...(await sesObject(kms, keyArn, MAIL, 'queued-norecord')), metadata: {} });
  sqsMock.on(SendMessageCommand).rejects(Object.assign(new Error('x'), { name: 'InternalError', $fault: 'server' }));
  const answer = await createHandler({ env: baseEnv(), clients })(
    workQueueBatch(
      workQueueMessage('m-norecord', s3Event([{ bucket: MAIL_BUCKET, key: 'raw/queued-norecord', size: 100 }])),
    ),
  );
  expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-norecord' }] });
});

it('returns a message whose body is not an S3 event (it ends on the dead-letter queue, never guessed at)', async () => {
  const answer = await createHandler({ env: baseEnv(), clients })(
    workQueueBatch(workQueueMessage('m-junk', 'not json'), workQueueMessage('m-empty', { Records: [] })),
  );
  expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-junk' }, { itemIdentifier: 'm-empty' }] });
  expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
});

it("still answers S3's own event (direct invocation) with its summary", async () => {
  const object = put(await sesObject(kms, keyArn, MAIL, 'direct'));
  expect(await createHandler({ env: baseEnv(), clients })(eventFor(object))).toEqual({
    forwarded: 1,
    skipped: 0,
    rejected: 0,
  });
});
