/**
 * Instruction files are another object's envelope, written by whoever can write to the bucket: read with a bound, and
 * as exactly as the metadata.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { loadInstructionFile, MAX_INSTRUCTION_FILE_BYTES } from '../../lambda/reader/instruction-file';

const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'us-east-1' });
afterAll(() => s3Mock.restore());
beforeEach(() => s3Mock.reset());

/** A body of `total` bytes made lazily in 16 KiB pieces, counting what the reader pulled. */
function lazyBody(total: number) {
  const counter = { pulled: 0 };
  async function* pieces() {
    for (let sent = 0; sent < total; sent += 16_384) {
      counter.pulled += 16_384;
      yield Buffer.alloc(16_384, 0x20);
    }
  }
  return { counter, body: sdkStreamMixin(Readable.from(pieces())) };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { code?: string },
  );
  return error?.code;
}

it('Precondition: an instruction file is no larger than MAX_INSTRUCTION_FILE_BYTES (size given: nothing read)', async () => {
  const { counter, body } = lazyBody(500 * 1024 * 1024);
  s3Mock.on(GetObjectCommand).resolves({ Body: body, ContentLength: 500 * 1024 * 1024 });
  expect(await codeOf(loadInstructionFile(s3, 'bucket', 'raw/mail'))).toBe('ENVELOPE_INVALID');
  // Readable.from may buffer one piece ahead; nothing more.
  expect(counter.pulled).toBeLessThanOrEqual(2 * 16_384);
});

it('Precondition: an instruction file is no larger than MAX_INSTRUCTION_FILE_BYTES (size not given: stops at the bound)', async () => {
  const { counter, body } = lazyBody(500 * 1024 * 1024);
  s3Mock.on(GetObjectCommand).resolves({ Body: body });
  expect(await codeOf(loadInstructionFile(s3, 'bucket', 'raw/mail'))).toBe('ENVELOPE_INVALID');
  expect(counter.pulled).toBeLessThanOrEqual(MAX_INSTRUCTION_FILE_BYTES + 3 * 16_384);
});

it('reads an instruction file of exactly the bound', async () => {
  const json = `{"x-amz-iv":"${'A'.repeat(MAX_INSTRUCTION_FILE_BYTES - 15)}"}`;
  expect(Buffer.byteLength(json)).toBe(MAX_INSTRUCTION_FILE_BYTES);
  s3Mock.on(GetObjectCommand).resolves({ Body: sdkStreamMixin(Readable.from([Buffer.from(json)])) });
  const fields = await loadInstructionFile(s3, 'bucket', 'raw/mail');
  expect(fields?.['x-amz-iv']).toHaveLength(MAX_INSTRUCTION_FILE_BYTES - 15);
});

it.each([
  ['names a member twice', '{"x-amz-iv":"a","x-amz-iv":"b"}'],
  ['names __proto__', '{"__proto__":"a"}'],
  ['holds a value that is not a string', '{"x-amz-iv":1}'],
  ['is not an object', '["x-amz-iv"]'],
])(
  'Precondition: an instruction file is a JSON object of strings, each member named once (%s)',
  async (_what, json) => {
    s3Mock.on(GetObjectCommand).resolves({ Body: sdkStreamMixin(Readable.from([Buffer.from(json)])) });
    expect(await codeOf(loadInstructionFile(s3, 'bucket', 'raw/mail'))).toBe('ENVELOPE_INVALID');
  },
);

it('refuses an instruction file that is not UTF-8, rather than reading a replacement character', async () => {
  const bytes = Buffer.concat([Buffer.from('{"x-amz-iv":"'), Buffer.from([0xff]), Buffer.from('"}')]);
  s3Mock.on(GetObjectCommand).resolves({ Body: sdkStreamMixin(Readable.from([bytes])) });
  expect(await codeOf(loadInstructionFile(s3, 'bucket', 'raw/mail'))).toBe('ENVELOPE_INVALID');
});

it('says there is none when S3 answers NoSuchKey or (without ListBucket) AccessDenied', async () => {
  s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error('x'), { name: 'NoSuchKey' }));
  await expect(loadInstructionFile(s3, 'bucket', 'raw/mail')).resolves.toBeUndefined();
  s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error('x'), { name: 'AccessDenied' }));
  await expect(loadInstructionFile(s3, 'bucket', 'raw/mail')).resolves.toBeUndefined();
});
