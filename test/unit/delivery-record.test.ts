/**
 * Delivery records (lambda/decrypt-function/delivery-record.ts) with every SDK client mocked: DynamoDB answered by a
 * small table that keeps Powertools' conditional put, so two handlers (two containers) share it. Each record's
 * calls, what a repeat costs, and what each failure leaves: a failed send deletes the record, a crash after the send
 * leaves one that a redelivery takes over after the invocation's deadline.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { CopyObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { readDeliveryRecordSettings } from '../../lambda/decrypt-function/delivery-record';
import { createHandler, RetryableRecordsError } from '../../lambda/decrypt-function/handler';
import { CLEAN_VERDICTS } from '../../local/ses-simulator';
import { MAIL_BUCKET, mockedFunctionWorld, OUTPUT } from '../support/mocked-function';
import { s3Event, sesObject } from '../support/ses-objects';
import { workQueueBatch, workQueueMessage } from '../support/work-queue-events';

const world = mockedFunctionWorld();
const { kms, keyArn, clients, s3Mock, sqsMock, put, sent, baseEnv } = world;
const ddbMock = mockClient(DynamoDBClient);
const TABLE = 'delivery-records';
const LIFETIME = 15 * 86_400;
const MAIL = Buffer.from('From: sender@example.org\r\nTo: rcpt@example.com\r\nSubject: once\r\n\r\nthe body\r\n');

/** The table: items by id; a put succeeds only as Powertools' condition allows. */
const items = new Map<string, Record<string, unknown>>();
/** Makes the next completion fail, as a crash between the send and the completion would leave the table. */
let crashBeforeNextCompletion = false;

beforeEach(() => {
  items.clear();
  crashBeforeNextCompletion = false;
  ddbMock.reset();
  ddbMock.on(PutItemCommand).callsFake(async (input) => {
    const item = unmarshall(input.Item);
    const old = items.get(item.id);
    const now = Date.now();
    const free =
      old === undefined ||
      (old.expiration as number) < now / 1000 ||
      (old.status === 'INPROGRESS' &&
        old.in_progress_expiration !== undefined &&
        (old.in_progress_expiration as number) < now);
    if (!free) {
      throw new ConditionalCheckFailedException({ message: 'taken', $metadata: {}, Item: marshall(old) });
    }
    items.set(item.id, item);
    return {};
  });
  ddbMock.on(UpdateItemCommand).callsFake(async (input) => {
    if (crashBeforeNextCompletion) {
      crashBeforeNextCompletion = false;
      throw Object.assign(new Error('crashed'), { name: 'Crash' });
    }
    const id = unmarshall(input.Key).id as string;
    const values = unmarshall(input.ExpressionAttributeValues);
    items.set(id, {
      ...items.get(id),
      id,
      status: values[':status'],
      expiration: values[':expiry'],
      data: values[':response_data'],
    });
    return {};
  });
  ddbMock.on(DeleteItemCommand).callsFake(async (input) => {
    items.delete(unmarshall(input.Key).id as string);
    return {};
  });
});
afterAll(() => ddbMock.restore());

function env(extra: Record<string, string> = {}) {
  return baseEnv({ DELIVERY_RECORDS_TABLE: TABLE, DELIVERY_RECORD_LIFETIME_SECONDS: String(LIFETIME), ...extra });
}

function context(remainingMillis: number): Context {
  return { getRemainingTimeInMillis: () => remainingMillis } as Context;
}

async function stored(id: string) {
  const object = put(await sesObject(kms, keyArn, MAIL, id), 'v1');
  return s3Event([{ bucket: MAIL_BUCKET, key: object.key, size: object.body.length, versionId: 'v1' }]);
}

describe('one work-queue batch, one event twice', () => {
  it('runs the two records one after the other: the second finds the completed record, nothing returns', async () => {
    const event = await stored('twiceinbatch');
    const answer = await createHandler({ env: env(), clients })(
      workQueueBatch(workQueueMessage('m-first', event), workQueueMessage('m-again', event)),
      context(120_000),
    );
    // Run together, the second would find the first's INPROGRESS record and return its message to the queue.
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(sent(OUTPUT)).toHaveLength(1);
    expect([...items.values()].map((item) => item.status)).toEqual(['COMPLETED']);
  });
});

describe('two containers, one event', () => {
  it('sends once: the second container finds the completed record and reads nothing', async () => {
    const event = await stored('twocontainers');
    const first = createHandler({ env: env(), clients });
    const second = createHandler({ env: env(), clients });

    expect(await first(event, context(120_000))).toEqual({ forwarded: 1, skipped: 0, rejected: 0 });
    const reads = s3Mock.commandCalls(GetObjectCommand).length;
    expect(await second(event, context(120_000))).toEqual({ forwarded: 1, skipped: 0, rejected: 0 });

    expect(sent(OUTPUT)).toHaveLength(1);
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(reads);
    expect([...items.values()].map((item) => item.status)).toEqual(['COMPLETED']);
  });

  it('costs one conditional put and one update for a new mail, one conditional put for a repeat', async () => {
    const event = await stored('calls');
    const started = Date.now();
    await createHandler({ env: env(), clients })(event, context(90_000));

    const [putCall] = ddbMock.commandCalls(PutItemCommand);
    const written = unmarshall(putCall?.args[0].input.Item ?? {});
    expect(putCall?.args[0].input).toMatchObject({ TableName: TABLE, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
    expect(written.status).toBe('INPROGRESS');
    // The in-progress deadline is the invocation's own end; the record lives the stack's lifetime.
    expect(written.in_progress_expiration).toBeGreaterThanOrEqual(started + 90_000);
    expect(written.in_progress_expiration).toBeLessThanOrEqual(Date.now() + 90_000);
    expect(written.expiration).toBeGreaterThanOrEqual(Math.floor(started / 1000) + LIFETIME);
    expect(ddbMock.commandCalls(UpdateItemCommand)).toHaveLength(1);

    ddbMock.resetHistory();
    await createHandler({ env: env(), clients })(event, context(90_000));
    expect(ddbMock.calls().map((call) => call.args[0].constructor.name)).toEqual(['PutItemCommand']);
    expect(ddbMock.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('keeps no mail, address, key or message id in the table: a hashed id, a status, times and the outcome kind', async () => {
    const event = await stored('nothingstored');
    await createHandler({ env: env(), clients })(event, context(60_000));

    const everything = JSON.stringify(ddbMock.calls().map((call) => call.args[0].input));
    for (const secret of ['nothingstored', 'example.org', 'example.com', 'the body', 'once', 'raw/', MAIL_BUCKET]) {
      expect(everything).not.toContain(secret);
    }
    const [item] = [...items.values()];
    expect(Object.keys(item ?? {}).sort()).toEqual(['data', 'expiration', 'id', 'in_progress_expiration', 'status']);
    expect(item?.id).toMatch(/^delivered-mail#[A-Za-z0-9+/]{43}=$/);
    expect(item?.data).toEqual({ outcome: 'forwarded' });
  });
});

describe('failures', () => {
  it('a failed send deletes the record, so the retry sends', async () => {
    const event = await stored('failedsend');
    sqsMock
      .on(SendMessageCommand, { QueueUrl: OUTPUT })
      .rejectsOnce(Object.assign(new Error('x'), { name: 'ServiceUnavailable', $fault: 'server' }))
      .resolves({ MessageId: 'm-2' });
    const handle = createHandler({ env: env(), clients });

    await expect(handle(event, context(60_000))).rejects.toBeInstanceOf(RetryableRecordsError);
    expect(ddbMock.commandCalls(DeleteItemCommand)).toHaveLength(1);
    expect(items.size).toBe(0);

    expect(await handle(event, context(60_000))).toEqual({ forwarded: 1, skipped: 0, rejected: 0 });
    // The failed attempt and the retry's send.
    expect(sent(OUTPUT)).toHaveLength(2);
    expect([...items.values()][0]?.status).toBe('COMPLETED');
  });

  it('a crash after the send leaves an INPROGRESS record: retried before its deadline, later taken over (a duplicate, not a loss)', async () => {
    const event = await stored('crash');
    // The crash: the completion never reaches the table (the process died after the send).
    crashBeforeNextCompletion = true;
    // Time enough to start the record (the handler asks first), then 200 ms left when Powertools sets the deadline.
    const left = [60_000];
    const shortly = { getRemainingTimeInMillis: () => left.shift() ?? 200 } as Context;
    const result = await createHandler({ env: env(), clients })(event, shortly);
    // The mail went out: the outcome stands, nothing makes the event retry.
    expect(result).toEqual({ forwarded: 1, skipped: 0, rejected: 0 });
    expect([...items.values()][0]?.status).toBe('INPROGRESS');

    // Another container before the deadline: nothing sent, the event comes back later.
    await expect(createHandler({ env: env(), clients })(event, context(60_000))).rejects.toBeInstanceOf(
      RetryableRecordsError,
    );
    expect(sent(OUTPUT)).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 250));
    await createHandler({ env: env(), clients })(event, context(60_000));
    expect(sent(OUTPUT)).toHaveLength(2);
    expect([...items.values()][0]?.status).toBe('COMPLETED');
  });

  it('a table that cannot be reached sends nothing and retries', async () => {
    const event = await stored('notable');
    ddbMock.on(PutItemCommand).rejects(Object.assign(new Error('down'), { name: 'InternalServerError' }));

    await expect(createHandler({ env: env(), clients })(event, context(60_000))).rejects.toBeInstanceOf(
      RetryableRecordsError,
    );
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(sent(OUTPUT)).toHaveLength(0);
  });

  it('a rejection is recorded once: a repeated event sends no second failure record', async () => {
    const object = put({ ...(await sesObject(kms, keyArn, MAIL, 'rejectedonce')), metadata: {} }, 'v1');
    const event = s3Event([{ bucket: MAIL_BUCKET, key: object.key, size: object.body.length, versionId: 'v1' }]);

    expect(await createHandler({ env: env(), clients })(event, context(60_000))).toEqual({
      forwarded: 0,
      skipped: 0,
      rejected: 1,
    });
    expect(await createHandler({ env: env(), clients })(event, context(60_000))).toEqual({
      forwarded: 0,
      skipped: 1,
      rejected: 0,
    });
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('a quarantine is recorded once: a repeated event makes no second copy and sends nothing', async () => {
    const infected = await sesObject(kms, keyArn, MAIL, 'quarantinedonce', { ...CLEAN_VERDICTS, virus: 'FAIL' });
    const object = put(infected, 'v1');
    const event = s3Event([{ bucket: MAIL_BUCKET, key: object.key, size: object.body.length, versionId: 'v1' }]);

    expect(await createHandler({ env: env(), clients })(event, context(60_000))).toMatchObject({ quarantined: 1 });
    expect(await createHandler({ env: env(), clients })(event, context(60_000))).toEqual({
      forwarded: 0,
      skipped: 1,
      rejected: 0,
    });
    expect(s3Mock.commandCalls(CopyObjectCommand)).toHaveLength(1);
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });
});

describe('an event that lies about its object', () => {
  // Whoever may send to the work queue (or invoke the function) writes the event, its size included; the record is
  // keyed on the object the event names. Only S3's answer may decide what is recorded against that object.
  it.each([
    ['more than the largest mail', () => 41_943_041 + 16],
    ['less than it holds', (size: number) => size - 1],
    ['more than it holds', (size: number) => size + 1],
  ])('announcing %s is retried and recorded against nothing: the true event then delivers the mail', async (_, lie) => {
    const event = await stored('liedabout');
    const object = event.Records[0]?.s3.object as { size: number };
    const forged = structuredClone(event);
    (forged.Records[0]?.s3.object as { size: number }).size = lie(object.size);

    await expect(createHandler({ env: env(), clients })(forged, context(60_000))).rejects.toThrow(
      RetryableRecordsError,
    );
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(items.size).toBe(0);

    expect(await createHandler({ env: env(), clients })(event, context(60_000))).toEqual({
      forwarded: 1,
      skipped: 0,
      rejected: 0,
    });
    expect(sent(OUTPUT)).toHaveLength(1);
    expect([...items.values()].map((item) => item.status)).toEqual(['COMPLETED']);
  });
});

describe('an event that spells another object', () => {
  // The record's key is the object the event names; a forged event must not be able to spell a genuine mail's.
  type Fields = { bucket: { name: string }; object: { key: string; versionId?: string; sequencer?: string } };
  const forge = (event: Awaited<ReturnType<typeof stored>>, edit: (s3: Fields) => void) => {
    const forged = structuredClone(event);
    edit(forged.Records[0]?.s3 as unknown as Fields);
    return forged;
  };

  it('a bucket name holding the prefix (`<mail bucket>/raw`, key `<id>`) is no S3 record, unrecorded: the mail is delivered', async () => {
    const event = await stored('bucketspelling');
    const forged = forge(event, (s3) => {
      s3.bucket.name = `${MAIL_BUCKET}/raw`;
      s3.object.key = 'bucketspelling';
    });
    await expect(createHandler({ env: env(), clients })(forged, context(60_000))).rejects.toBeInstanceOf(
      RetryableRecordsError,
    );
    expect(items.size).toBe(0);
    expect(await createHandler({ env: env(), clients })(event, context(60_000))).toMatchObject({ forwarded: 1 });
    expect(sent(OUTPUT)).toHaveLength(1);
  });

  it('no version but the genuine version as sequencer, the newest object overwritten: the versioned mail is still delivered', async () => {
    const event = await stored('sequencerspelling');
    const key = event.Records[0]?.s3.object.key as string;
    // A writer to the bucket without KMS rights puts junk over the key; the genuine mail stays as version v1.
    world.stored.set(key, { body: Buffer.from('junk'), metadata: {} });
    const forged = forge(event, (s3) => {
      delete s3.object.versionId;
      s3.object.sequencer = 'v1';
    });
    (forged.Records[0]?.s3.object as { size: number }).size = 4;
    expect(await createHandler({ env: env(), clients })(forged, context(60_000))).toMatchObject({ rejected: 1 });
    expect(await createHandler({ env: env(), clients })(event, context(60_000))).toMatchObject({ forwarded: 1 });
    expect(sent(OUTPUT)).toHaveLength(1);
  });

  it('another spelling of the same key (a character percent-encoded) is the same object: sent once', async () => {
    const event = await stored('keyspelling');
    const respelled = forge(event, (s3) => {
      s3.object.key = s3.object.key.replace('k', '%6B');
    });
    expect(respelled.Records[0]?.s3.object.key).not.toBe(event.Records[0]?.s3.object.key);
    expect(await createHandler({ env: env(), clients })(event, context(60_000))).toMatchObject({ forwarded: 1 });
    expect(await createHandler({ env: env(), clients })(respelled, context(60_000))).toMatchObject({ forwarded: 1 });
    expect(sent(OUTPUT)).toHaveLength(1);
  });
});

describe('an event without the version S3 names', () => {
  // S3 names the version in every event of a versioned bucket (the stack's mail bucket is one); an event without it
  // reads the newest object under a new identity each time its sequencer changes: a second send, and a third.
  it('is retried EVENT_VERSION_MISMATCH, unrecorded, however its sequencer is spelt: the mail is sent once', async () => {
    world.versioned(true);
    const event = await stored('noversion');
    expect(await createHandler({ env: env(), clients })(event, context(60_000))).toMatchObject({ forwarded: 1 });
    for (const sequencer of ['A1', 'A2', undefined]) {
      const forged = structuredClone(event);
      const object = forged.Records[0]?.s3.object as { versionId?: string; sequencer?: string };
      delete object.versionId;
      if (sequencer !== undefined) object.sequencer = sequencer;
      await expect(createHandler({ env: env(), clients })(forged, context(60_000))).rejects.toBeInstanceOf(
        RetryableRecordsError,
      );
    }
    expect(sent(OUTPUT)).toHaveLength(1);
    expect([...items.values()].map((item) => item.status)).toEqual(['COMPLETED']);
  });

  it('is read as before where S3 names no version either (an unversioned bucket, the local pipeline)', async () => {
    const event = await stored('unversioned');
    const object = event.Records[0]?.s3.object as { versionId?: string };
    delete object.versionId;
    expect(await createHandler({ env: env(), clients })(event, context(60_000))).toMatchObject({ forwarded: 1 });
  });
});

describe('settings', () => {
  it('without a table, nothing is asked of DynamoDB (the container memory alone)', async () => {
    const event = await stored('offswitch');
    await createHandler({ env: baseEnv(), clients })(event, context(60_000));
    await createHandler({ env: baseEnv(), clients })(event, context(60_000));
    expect(ddbMock.calls()).toHaveLength(0);
    expect(sent(OUTPUT)).toHaveLength(2);
  });

  it('refuses a table without a lifetime, and a lifetime under an hour', () => {
    expect(() => readDeliveryRecordSettings({ DELIVERY_RECORDS_TABLE: TABLE })).toThrow(
      'DELIVERY_RECORD_LIFETIME_SECONDS is required',
    );
    expect(() =>
      readDeliveryRecordSettings({ DELIVERY_RECORDS_TABLE: TABLE, DELIVERY_RECORD_LIFETIME_SECONDS: '60' }),
    ).toThrow('DELIVERY_RECORD_LIFETIME_SECONDS must be a whole number');
    expect(readDeliveryRecordSettings({})).toBeUndefined();
  });
});
