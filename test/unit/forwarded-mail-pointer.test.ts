/**
 * The consumer helper and offloaded mail: a pointer is followed only into the payload bucket and prefix the caller
 * names, only for an announced size under its limit, only when the object's ContentLength is that size, and the body
 * is read no further than that size. Every refusal here happens with the S3 mock answering the mail's true bytes, so
 * a helper that did not check would return them.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { ForwardedMailError, readForwardedMail } from '../../lambda/consumer/read-forwarded-mail';

const MIME = Buffer.from('Subject: large\r\n\r\nbody\r\n');
const SHA = createHash('sha256').update(MIME).digest('hex');
const BUCKET = 'inbound-payloads';
const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'us-east-1' });
afterAll(() => s3Mock.restore());
beforeEach(() => {
  s3Mock.reset();
  // Any bucket, any key: the true bytes. Only the helper's own checks can refuse.
  s3Mock.on(GetObjectCommand).callsFake(() => ({
    ContentLength: MIME.length,
    Body: sdkStreamMixin(Readable.from([MIME])),
  }));
});

function pointerMessage(bucket: string, key: string, size = MIME.length) {
  return {
    Body: JSON.stringify(['software.amazon.payloadoffloading.PayloadS3Pointer', { s3BucketName: bucket, s3Key: key }]),
    MessageAttributes: {
      ExtendedPayloadSize: { DataType: 'Number', StringValue: String(size) },
      ContentLength: { DataType: 'Number', StringValue: String(size) },
      ContentSha256: { DataType: 'String', StringValue: SHA },
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<ForwardedMailError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ForwardedMailError);
  return error as ForwardedMailError;
}

it('reads a pointer into the payload bucket and prefix', async () => {
  const mail = await readForwardedMail(pointerMessage(BUCKET, 'payloads/0123abcd'), { s3, payloadBucket: BUCKET });
  expect(mail.mime.equals(MIME)).toBe(true);
  expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({ Bucket: BUCKET, Key: 'payloads/0123abcd' });
});

it('refuses a pointer to another bucket POINTER_BUCKET_REFUSED, without fetching, naming neither bucket', async () => {
  const error = await refusal(
    readForwardedMail(pointerMessage('attacker-bucket', 'payloads/0123abcd'), { s3, payloadBucket: BUCKET }),
  );
  expect(error.code).toBe('POINTER_BUCKET_REFUSED');
  expect(error.message).not.toMatch(/attacker|inbound-payloads/);
  expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
});

it.each([
  ['another prefix', 'other/0123abcd'],
  ['a prefix that only starts like it', 'payloads-evil/0123abcd'],
  ['the prefix without its slash', 'payloadsx'],
  ['the prefix alone', 'payloads/'],
  ['..', 'payloads/..'],
  ['../ out of the prefix', 'payloads/../raw/0123abcd'],
  ['./', 'payloads/./0123abcd'],
  ['a folder under the prefix', 'payloads/a/b'],
  ['a leading dot', 'payloads/.hidden'],
  ['a leading slash', '/payloads/0123abcd'],
  ['an empty segment', 'payloads//0123abcd'],
  ['a NUL', 'payloads/abc\u0000'],
  ['backslashes', 'payloads/abc\\..\\x'],
  ['a 600-character name', `payloads/${'a'.repeat(600)}`],
])('refuses a key with %s POINTER_KEY_REFUSED, without fetching', async (_label, key) => {
  const error = await refusal(readForwardedMail(pointerMessage(BUCKET, key), { s3, payloadBucket: BUCKET }));
  expect(error.code).toBe('POINTER_KEY_REFUSED');
  expect(error.message).not.toContain(key);
  expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
});

it('takes another prefix when told, and then refuses the default one', async () => {
  const options = { s3, payloadBucket: BUCKET, payloadPrefix: 'large/' };
  await expect(readForwardedMail(pointerMessage(BUCKET, 'large/0123abcd'), options)).resolves.toBeDefined();
  const error = await refusal(readForwardedMail(pointerMessage(BUCKET, 'payloads/0123abcd'), options));
  expect(error.code).toBe('POINTER_KEY_REFUSED');
});

it('refuses an offloaded message OFFLOAD_NOT_CONFIGURED when no payload bucket is given, without fetching', async () => {
  const error = await refusal(readForwardedMail(pointerMessage(BUCKET, 'payloads/0123abcd'), { s3 }));
  expect(error.code).toBe('OFFLOAD_NOT_CONFIGURED');
  expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
});

it('refuses an announced size over maxBytes TOO_LARGE, without fetching', async () => {
  const error = await refusal(
    readForwardedMail(pointerMessage(BUCKET, 'payloads/0123abcd'), { s3, payloadBucket: BUCKET, maxBytes: 10 }),
  );
  expect(error.code).toBe('TOO_LARGE');
  expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
});

it('refuses by default an announced size over 40 MiB (41,943,040 bytes), without fetching', async () => {
  const message = pointerMessage(BUCKET, 'payloads/0123abcd', 41_943_041);
  const error = await refusal(readForwardedMail(message, { s3, payloadBucket: BUCKET }));
  expect(error.code).toBe('TOO_LARGE');
  expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
});

it("refuses LENGTH_MISMATCH when the object's ContentLength is not the announced size, reading none of its body", async () => {
  let started = false;
  const body = Readable.from(
    (async function* () {
      started = true;
      yield MIME;
    })(),
  );
  s3Mock.on(GetObjectCommand).resolves({ ContentLength: MIME.length + 1, Body: sdkStreamMixin(body) });
  const error = await refusal(
    readForwardedMail(pointerMessage(BUCKET, 'payloads/0123abcd'), { s3, payloadBucket: BUCKET }),
  );
  expect(error.code).toBe('LENGTH_MISMATCH');
  expect(started).toBe(false);
  expect(body.destroyed).toBe(true);
});

it('stops reading LENGTH_MISMATCH as soon as the body runs past the announced size', async () => {
  let pulled = 0;
  let closed = false;
  const body = Readable.from(
    (async function* () {
      try {
        yield MIME;
        for (let i = 0; i < 1000; i += 1) {
          pulled += 1;
          yield Buffer.alloc(1024, 0x61);
        }
      } finally {
        closed = true;
      }
    })(),
    { highWaterMark: 1 },
  );
  s3Mock.on(GetObjectCommand).resolves({ ContentLength: MIME.length, Body: sdkStreamMixin(body) });
  const error = await refusal(
    readForwardedMail(pointerMessage(BUCKET, 'payloads/0123abcd'), { s3, payloadBucket: BUCKET }),
  );
  expect(error.code).toBe('LENGTH_MISMATCH');
  expect(pulled).toBeLessThanOrEqual(3);
  expect(closed).toBe(true);
});

it('refuses LENGTH_MISMATCH a body shorter than the announced size', async () => {
  s3Mock.on(GetObjectCommand).resolves({
    ContentLength: MIME.length,
    Body: sdkStreamMixin(Readable.from([MIME.subarray(0, 5)])),
  });
  const error = await refusal(
    readForwardedMail(pointerMessage(BUCKET, 'payloads/0123abcd'), { s3, payloadBucket: BUCKET }),
  );
  expect(error.code).toBe('LENGTH_MISMATCH');
});

it('refuses LENGTH_MISMATCH an ExtendedPayloadSize that differs from ContentLength, without fetching', async () => {
  const message = pointerMessage(BUCKET, 'payloads/0123abcd');
  const withLength = {
    ...message,
    MessageAttributes: {
      ...message.MessageAttributes,
      ContentLength: { DataType: 'Number', StringValue: String(MIME.length + 1) },
    },
  };
  const error = await refusal(readForwardedMail(withLength, { s3, payloadBucket: BUCKET }));
  expect(error.code).toBe('LENGTH_MISMATCH');
  expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
});

it.each([
  ['no object there (a forged pointer, or a payload past its lifetime)', 'NoSuchKey', 404],
  ['an object the caller may not read', 'AccessDenied', 403],
  ['a 404 without a modelled name', 'UnknownError', 404],
])('refuses PAYLOAD_UNREADABLE for %s, naming neither bucket, key nor role', async (_, name, status) => {
  s3Mock.on(GetObjectCommand).rejects(
    Object.assign(new Error(`${name}: arn:aws:iam::111122223333:role/consumer on ${BUCKET}/payloads/0123abcd`), {
      name,
      $fault: 'client',
      $metadata: { httpStatusCode: status },
    }),
  );
  const error = await refusal(
    readForwardedMail(pointerMessage(BUCKET, 'payloads/0123abcd'), { s3, payloadBucket: BUCKET }),
  );
  expect(error.code).toBe('PAYLOAD_UNREADABLE');
  expect(error.message).not.toMatch(/inbound-payloads|0123abcd|arn:|role/);
});

it.each([
  ['SlowDown', 503],
  ['RequestTimeTooSkewed', 403],
  ['SignatureDoesNotMatch', 403],
])('throws %s (%s) as S3 gave it: the caller retries or fixes it', async (name, status) => {
  const failure = Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
  s3Mock.on(GetObjectCommand).rejects(failure);
  const error = await readForwardedMail(pointerMessage(BUCKET, 'payloads/0123abcd'), {
    s3,
    payloadBucket: BUCKET,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).not.toBeInstanceOf(ForwardedMailError);
  expect((error as Error).name).toBe(name);
});
