/**
 * Records S3 never writes, from whoever may send to the work queue or invoke the function: a message or an event
 * holding one is not run at all (a message returns to the queue and ends on its dead-letter queue; a direct invocation
 * fails), so a version id the SDK reads as the genuine one cannot spell a second identity for the same mail, and a
 * message of thousands of records cannot hold a batch past its timeout. S3 writes one record per notification.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import {
  createHandler,
  RECORD_START_MARGIN_MILLIS,
  RetryableRecordsError,
} from '../../lambda/decrypt-function/handler';
import { MAX_RECORDS_PER_MESSAGE } from '../../lambda/decrypt-function/object-created-record';
import { MAX_MESSAGES_PER_BATCH } from '../../lambda/decrypt-function/trigger-event';
import { WORK_QUEUE_BATCH_SIZE } from '../../lib/trigger/work-queue-settings';
import { MAIL_BUCKET, mockedFunctionWorld, OUTPUT } from '../support/mocked-function';
import { s3Event, sesObject } from '../support/ses-objects';
import { workQueueBatch, workQueueMessage } from '../support/work-queue-events';

const { keyArn, kms, s3Mock, sqsMock, clients, baseEnv, put, sent } = mockedFunctionWorld();

const MAIL = Buffer.from('From: someone@example.org\r\nSubject: forged\r\n\r\nHello.\r\n');

/** The genuine event for a stored mail (version v1), and a copy with `edit` applied to its object fields. */
async function genuineAndForged(id: string, edit: (object: Record<string, unknown>) => void) {
  const object = put(await sesObject(kms, keyArn, MAIL, id), 'v1');
  const genuine = s3Event([{ bucket: MAIL_BUCKET, key: object.key, size: object.body.length, versionId: 'v1' }]);
  const forged = structuredClone(genuine);
  edit(forged.Records[0]?.s3.object as unknown as Record<string, unknown>);
  return { genuine, forged };
}

const forgeries: Array<[string, (object: Record<string, unknown>) => void]> = [
  ['a version id in an array (the SDK sends it as the same version)', (o) => Object.assign(o, { versionId: ['v1'] })],
  ['a version id that is a number', (o) => Object.assign(o, { versionId: 1 })],
  ['a size that is text', (o) => Object.assign(o, { size: String(o.size) })],
  ['a negative size', (o) => Object.assign(o, { size: -1 })],
  ['a fractional size', (o) => Object.assign(o, { size: 1.5 })],
  ['a sequencer that is an object', (o) => Object.assign(o, { sequencer: { v: 1 } })],
  ['an ETag that is a number', (o) => Object.assign(o, { eTag: 7 })],
  ['a key holding a lone surrogate (no UTF-8 name does)', (o) => Object.assign(o, { key: `${o.key}\ud800` })],
  ['a key longer than S3 keeps (1,025 bytes)', (o) => Object.assign(o, { key: `${o.key}${'a'.repeat(1025)}` })],
  ['a version id longer than S3 writes', (o) => Object.assign(o, { versionId: 'v'.repeat(1025) })],
  ['a sequencer longer than S3 writes', (o) => Object.assign(o, { sequencer: '0'.repeat(1025) })],
  ['an ETag longer than S3 writes', (o) => Object.assign(o, { eTag: 'e'.repeat(1025) })],
];

describe('a work-queue message holding a record S3 does not write', () => {
  it.each(forgeries)('%s: returned unread, the mail sent once by its genuine event', async (_, edit) => {
    const { genuine, forged } = await genuineAndForged('forgedrecord', edit);
    const handle = createHandler({ env: baseEnv(), clients });
    expect(await handle(workQueueBatch(workQueueMessage('m-genuine', genuine)))).toEqual({ batchItemFailures: [] });
    const reads = s3Mock.commandCalls(GetObjectCommand).length;
    expect(await handle(workQueueBatch(workQueueMessage('m-forged', forged)))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-forged' }],
    });
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(reads);
    expect(sent(OUTPUT)).toHaveLength(1);
  });

  it(`returns a message of more than ${MAX_RECORDS_PER_MESSAGE} records unread; ${MAX_RECORDS_PER_MESSAGE} are run`, async () => {
    const object = put(await sesObject(kms, keyArn, MAIL, 'manyrecords'), 'v1');
    const record = { bucket: MAIL_BUCKET, key: object.key, size: object.body.length, versionId: 'v1' };
    const handle = createHandler({ env: baseEnv(), clients });
    const tooMany = s3Event(Array.from({ length: MAX_RECORDS_PER_MESSAGE + 1 }, () => record));
    expect(await handle(workQueueBatch(workQueueMessage('m-many', tooMany)))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-many' }],
    });
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
    const enough = s3Event(Array.from({ length: MAX_RECORDS_PER_MESSAGE }, () => record));
    expect(await handle(workQueueBatch(workQueueMessage('m-enough', enough)))).toEqual({ batchItemFailures: [] });
    expect(sent(OUTPUT)).toHaveLength(1);
  });
});

describe('a direct invocation holding a record S3 does not write', () => {
  it.each(forgeries)(
    '%s: runs nothing and fails (Lambda retries, then its on-failure destination)',
    async (_, edit) => {
      const { forged } = await genuineAndForged('forgeddirect', edit);
      const error = await createHandler({ env: baseEnv(), clients })(forged).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetryableRecordsError);
      expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
      expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
    },
  );

  it.each([
    ['no Records', {}],
    ['an empty Records', { Records: [] }],
    ['Records that is not a list', { Records: 'raw/abc' }],
  ])('%s (S3 never invokes the function with no record): fails, so a person sees it', async (_, event) => {
    const error = await createHandler({ env: baseEnv(), clients })(event as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableRecordsError);
  });

  it("an unversioned bucket's null version and an absent size are S3's own: the mail is delivered", async () => {
    const { forged } = await genuineAndForged('nullversion', (o) => {
      o.versionId = null;
      delete o.size;
    });
    expect(await createHandler({ env: baseEnv(), clients })(forged)).toMatchObject({ forwarded: 1 });
    expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({ VersionId: undefined });
  });
});

describe('more than a batch', () => {
  it("counts a batch as the stack's mapping does", () => {
    expect(MAX_MESSAGES_PER_BATCH).toBe(WORK_QUEUE_BATCH_SIZE);
  });

  it('a direct invocation dressed as a work-queue batch of more than 10 messages runs nothing and fails', async () => {
    const object = put(await sesObject(kms, keyArn, MAIL, 'dressedbatch'), 'v1');
    const event = s3Event([{ bucket: MAIL_BUCKET, key: object.key, size: object.body.length, versionId: 'v1' }]);
    const messages = Array.from({ length: MAX_MESSAGES_PER_BATCH + 1 }, (_, i) => workQueueMessage(`m${i}`, event));
    const error = await createHandler({ env: baseEnv(), clients })(workQueueBatch(...messages)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RetryableRecordsError);
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it(`starts no record with under ${RECORD_START_MARGIN_MILLIS / 1000} s left: its message returns unread`, async () => {
    const objects = await Promise.all(
      ['late-1', 'late-2'].map(async (id) => put(await sesObject(kms, keyArn, MAIL, id))),
    );
    const messages = objects.map((o, i) =>
      workQueueMessage(`m${i}`, s3Event([{ bucket: MAIL_BUCKET, key: o.key, size: o.body.length }])),
    );
    // The first record starts with a minute left; by the second's start the invocation is nearly over.
    const left = [60_000, RECORD_START_MARGIN_MILLIS - 1];
    const context = { getRemainingTimeInMillis: () => left.shift() ?? 0 } as unknown as Context;
    const answer = await createHandler({ env: baseEnv(), clients })(workQueueBatch(...messages), context);
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(s3Mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual([objects[0]?.key]);
    expect(sent(OUTPUT)).toHaveLength(1);
  });
});
