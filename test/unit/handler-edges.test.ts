/**
 * The function at its edges, with every SDK client mocked: the version an event names (not the newest object under
 * the key), a send that fails and is retried in the same container, and network and server faults on every call,
 * which must be retried, never recorded as a rejection.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sdkStreamMixin } from '@smithy/util-stream';
import { recordsOf } from '../../cli/redrive-command';
import { createHandler, RetryableRecordsError } from '../../lambda/decrypt-function/handler';
import { FAILURE, MAIL_BUCKET, mockedFunctionWorld, OUTPUT } from '../support/mocked-function';
import { s3Event, sesObject } from '../support/ses-objects';

const world = mockedFunctionWorld();
const { kms, keyArn, clients, s3Mock, sqsMock, put, eventFor, sent, failureRecords, received, baseEnv } = world;

const MAIL = Buffer.from('From: a@example.org\r\nSubject: versions\r\n\r\nthe genuine mail\r\n');

describe('the version the event names', () => {
  it('reads that version, so an object written later under the same key cannot stand in for the mail', async () => {
    const genuine = await sesObject(kms, keyArn, MAIL, 'versioned');
    put(genuine, 'v1');
    // A later write under the same key (the current object is now junk).
    world.stored.set(genuine.key, { body: Buffer.from('not the mail'), metadata: {} });
    const event = s3Event([{ bucket: MAIL_BUCKET, key: genuine.key, size: genuine.body.length, versionId: 'v1' }]);

    const result = await createHandler({ env: baseEnv(), clients })(event);

    expect(result).toEqual({ forwarded: 1, skipped: 0, rejected: 0 });
    expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({
      Key: genuine.key,
      VersionId: 'v1',
    });
    expect((await received()).equals(MAIL)).toBe(true);
  });

  it('names the version in the failure record, and a redrive of that record reads the same version', async () => {
    const genuine = await sesObject(kms, keyArn, MAIL, 'rejectedversion');
    put({ ...genuine, metadata: {} }, 'v7');
    const event = s3Event([{ bucket: MAIL_BUCKET, key: genuine.key, size: genuine.body.length, versionId: 'v7' }]);

    await createHandler({ env: baseEnv(), clients })(event);

    const [record] = failureRecords();
    expect(record).toEqual({
      bucket: MAIL_BUCKET,
      key: genuine.key,
      versionId: 'v7',
      reason: 'NOT_ENCRYPTED',
      errorName: 'EnvelopeError',
    });
    expect(recordsOf({ Body: JSON.stringify(record) })).toEqual([
      { s3: { bucket: { name: MAIL_BUCKET }, object: { key: genuine.key, versionId: 'v7' } } },
    ]);
  });

  it('sends no VersionId for an unversioned bucket (the event names none)', async () => {
    const object = put(await sesObject(kms, keyArn, MAIL, 'unversioned'));
    await createHandler({ env: baseEnv(), clients })(eventFor(object));
    expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input.VersionId).toBeUndefined();
    expect(sent(OUTPUT)).toHaveLength(1);
  });
});

it('a send that fails is sent again when the same event comes back to the same container', async () => {
  const object = put(await sesObject(kms, keyArn, MAIL, 'sendfails'));
  const handle = createHandler({ env: baseEnv(), clients });
  sqsMock
    .on(SendMessageCommand, { QueueUrl: OUTPUT })
    .rejectsOnce(Object.assign(new Error('x'), { name: 'ServiceUnavailable', $fault: 'server' }))
    .resolves({ MessageId: 'm-2' });

  // Lambda retries with the very same event (same sequencer, so the same identity).
  const event = eventFor(object);
  await expect(handle(event)).rejects.toBeInstanceOf(RetryableRecordsError);
  const retried = await handle(event);

  expect(retried).toEqual({ forwarded: 1, skipped: 0, rejected: 0 });
  // Two attempts reached SQS: the one refused and the retry. Marking the object forwarded before its send
  // succeeded would answer "already" here and the mail would be lost.
  expect(sent(OUTPUT)).toHaveLength(2);
  expect((await received(1)).equals(MAIL)).toBe(true);
});

describe('network and server faults are retried, never recorded as rejections', () => {
  const NETWORK_CODES = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN'];
  /** An error as Node's sockets raise it: a plain Error with a `code`, nothing the SDK added. */
  const networkError = (code: string) => Object.assign(new Error(`socket ${code}`), { code });
  /** A server fault as the SDK models it, without status code or a known name. */
  const serverFault = () => Object.assign(new Error('x'), { name: 'SomethingWentWrong', $fault: 'server' });

  async function expectRetried(name: string): Promise<void> {
    const object = await sesObject(kms, keyArn, MAIL, name);
    await expect(createHandler({ env: baseEnv(), clients })(eventFor(put(object)))).rejects.toBeInstanceOf(
      RetryableRecordsError,
    );
    expect(failureRecords()).toEqual([]);
  }

  it.each(NETWORK_CODES)('%s on the S3 read', async (code) => {
    s3Mock.on(GetObjectCommand).rejects(networkError(code));
    await expectRetried(`s3read${code}`);
  });

  it.each(NETWORK_CODES)('%s while the body streams', async (code) => {
    const object = put(await sesObject(kms, keyArn, MAIL, `stream${code}`));
    s3Mock.on(GetObjectCommand).callsFake(async () => ({
      Body: sdkStreamMixin(
        Readable.from(
          (async function* () {
            yield object.body.subarray(0, 10);
            throw networkError(code);
          })(),
        ),
      ),
      ContentLength: object.body.length,
      Metadata: object.metadata,
    }));
    await expect(createHandler({ env: baseEnv(), clients })(eventFor(object))).rejects.toBeInstanceOf(
      RetryableRecordsError,
    );
    expect(failureRecords()).toEqual([]);
  });

  it.each(NETWORK_CODES)('%s on the SQS send', async (code) => {
    sqsMock.on(SendMessageCommand, { QueueUrl: OUTPUT }).rejects(networkError(code));
    await expectRetried(`send${code}`);
  });

  it.each(NETWORK_CODES)('%s on the payload upload of a large mail', async (code) => {
    s3Mock.on(PutObjectCommand).rejects(networkError(code));
    const large = Buffer.concat([MAIL, Buffer.alloc(300 * 1024, 'x')]);
    const object = put(await sesObject(kms, keyArn, large, `upload${code}`));
    await expect(createHandler({ env: baseEnv(), clients })(eventFor(object))).rejects.toBeInstanceOf(
      RetryableRecordsError,
    );
    expect(sent(OUTPUT)).toEqual([]);
    expect(failureRecords()).toEqual([]);
  });

  it('a server fault ($fault: server) on the S3 read', async () => {
    s3Mock.on(GetObjectCommand).rejects(serverFault());
    await expectRetried('s3server');
  });

  it('a server fault ($fault: server) on the SQS send', async () => {
    sqsMock.on(SendMessageCommand, { QueueUrl: OUTPUT }).rejects(serverFault());
    await expectRetried('sqsserver');
  });

  it('the failure record is not sent for a retry either', async () => {
    sqsMock.on(SendMessageCommand, { QueueUrl: OUTPUT }).rejects(networkError('ECONNRESET'));
    await expectRetried('norecord');
    expect(sent(FAILURE)).toEqual([]);
  });
});

describe('mail stored under a prefix the rule had before (PREVIOUS_MAIL_PREFIXES)', () => {
  it('is read when the prefix is listed, and refused MESSAGE_ID_MISMATCH when it is not', async () => {
    const stored = await sesObject(kms, keyArn, MAIL, 'renamedprefix');
    const object = put({ ...stored, key: `old/${stored.messageId}` });
    const listed = await createHandler({
      env: baseEnv({ MAIL_PREFIX: 'raw/', PREVIOUS_MAIL_PREFIXES: '["old/"]' }),
      clients,
    })(eventFor(object));
    expect(listed).toEqual({ forwarded: 1, skipped: 0, rejected: 0 });

    const unlisted = await createHandler({ env: baseEnv({ MAIL_PREFIX: 'raw/' }), clients })(eventFor(object));
    expect(unlisted).toEqual({ forwarded: 0, skipped: 0, rejected: 1 });
    expect(failureRecords()[0]?.reason).toBe('MESSAGE_ID_MISMATCH');
  });

  it.each([['"old/"'], ['["old"]'], ['[1]'], ['not json']])(
    'refuses PREVIOUS_MAIL_PREFIXES=%s at start-up, naming the variable',
    async (value) => {
      await expect(
        createHandler({ env: baseEnv({ MAIL_PREFIX: 'raw/', PREVIOUS_MAIL_PREFIXES: value }), clients })(s3Event([])),
      ).rejects.toThrow("PREVIOUS_MAIL_PREFIXES must be a JSON array of prefixes, each ending with '/'");
    },
  );
});

describe('the bucket a record names', () => {
  it('refuses a record naming another bucket, unread, with BUCKET_NOT_ALLOWED', async () => {
    const object = put(await sesObject(kms, keyArn, MAIL, 'otherbucket'));
    const event = s3Event([{ bucket: 'someone-elses-bucket', key: object.key, size: object.body.length }]);

    const result = await createHandler({ env: baseEnv(), clients })(event);

    expect(result).toEqual({ forwarded: 0, skipped: 0, rejected: 1 });
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(sent(OUTPUT)).toHaveLength(0);
    expect(failureRecords()).toEqual([expect.objectContaining({ reason: 'BUCKET_NOT_ALLOWED' })]);
  });

  it.each([
    'arn:aws:s3:us-east-1:999999999999:accesspoint/evil',
    'arn:aws:s3-object-lambda:us-east-1:999999999999:accesspoint/evil',
  ])('takes %s for no S3 record at all: the invocation runs nothing and fails', async (bucket) => {
    const object = put(await sesObject(kms, keyArn, MAIL, 'arnbucket'));
    const { MAIL_BUCKET: _unset, ...env } = baseEnv();
    const event = s3Event([{ bucket, key: object.key, size: object.body.length }]);

    await expect(createHandler({ env, clients })(event)).rejects.toBeInstanceOf(RetryableRecordsError);
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it.each(['Mail-Bucket', 'x'])(
    'refuses %s as a bucket even where MAIL_BUCKET is unset (the CLI without --stack)',
    async (bucket) => {
      const object = put(await sesObject(kms, keyArn, MAIL, 'arnbucket'));
      const { MAIL_BUCKET: _unset, ...env } = baseEnv();
      const event = s3Event([{ bucket, key: object.key, size: object.body.length }]);

      const result = await createHandler({ env, clients })(event);

      expect(result).toEqual({ forwarded: 0, skipped: 0, rejected: 1 });
      expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
    },
  );
});

describe('what redrive takes from a queue message', () => {
  const record = (object: Record<string, unknown>, bucket: unknown = MAIL_BUCKET) => ({
    s3: { bucket: { name: bucket }, object },
  });

  it('takes the S3 event notification the work dead-letter queue holds', () => {
    const body = { Records: [record({ key: 'raw/abc', versionId: 'v1' })] };
    expect(recordsOf({ Body: JSON.stringify(body) })).toEqual(body.Records);
  });

  it.each([
    ['a record without a bucket name', { Records: [{ s3: { object: { key: 'raw/abc' } } }] }],
    ['a bucket name that is not a string', { Records: [record({ key: 'raw/abc' }, { evil: true })] }],
    ['a version that is not a string', { Records: [record({ key: 'raw/abc', versionId: { $gt: '' } })] }],
    ['one good record beside a bad one', { Records: [record({ key: 'raw/abc' }), { s3: {} }] }],
    ['more records than S3 or Lambda ever put in one message', { Records: Array(11).fill(record({ key: 'raw/a' })) }],
    ['no records', { Records: [] }],
    ['a bucket name holding a lone surrogate (no S3 name does)', { Records: [record({ key: 'k' }, 'b\ud800')] }],
    [
      'a rejection whose key holds a lone surrogate',
      { bucket: MAIL_BUCKET, key: 'x\ud800', reason: 'BUCKET_NOT_ALLOWED' },
    ],
  ])('leaves %s unrecognised (on the queue), processing nothing of it', (_name, body) => {
    expect(recordsOf({ Body: JSON.stringify(body) })).toBeUndefined();
  });
});
