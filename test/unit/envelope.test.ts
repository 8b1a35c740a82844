/**
 * Each precondition of the envelope reader and the decrypt pipeline, named by its sentence in the code, on SES objects
 * the simulator writes with real KMS-style keys.
 */
import {
  DecryptCommand,
  DependencyTimeoutException,
  DisabledException,
  KMSInternalException,
} from '@aws-sdk/client-kms';
import { decryptMail, type EncryptedObject } from '../../lambda/decrypt-mail';
import { InboundMailError } from '../../lambda/errors';
import { KmsEmulator } from '../../local/kms-emulator';
import { type SesStoredObject, storeAsSes } from '../../local/ses-simulator';
import { kmsClient, mockKmsWith } from '../support/mock-kms';
import { inPieces, joinPlaintext } from '../support/streams';

const emulator = new KmsEmulator();
const keyArn = emulator.createKey();
let kmsMock = mockKmsWith(emulator);
afterAll(() => kmsMock.restore());

const MIME = Buffer.from('From: a@example.com\r\nSubject: hello\r\n\r\nbody of the mail\r\n');
let stored: SesStoredObject;
beforeAll(async () => {
  stored = await storeAsSes(kmsClient(), MIME, { kmsKeyArn: keyArn, ruleName: 'rule', sourceAccount: '111122223333' });
});

function attempt(metadata: Record<string, unknown>, extra: Partial<EncryptedObject> = {}, maxMailBytes?: number) {
  return decryptMail(
    { metadata, body: inPieces(stored.body, 7), contentLength: stored.body.length, ...extra },
    { kms: kmsClient(), expectedKmsKeyArn: keyArn, allowLegacyCbc: true, maxMailBytes },
  );
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InboundMailError);
  return (error as InboundMailError).code;
}

function without(name: string): Record<string, string> {
  const { [name]: _removed, ...rest } = stored.metadata;
  return rest;
}

const cases: Array<[string, () => Record<string, unknown>, string]> = [
  ['the envelope names a wrapped data key', () => without('x-amz-key-v2'), 'ENVELOPE_INVALID'],
  [
    'the envelope does not name two wrapped data keys',
    () => ({ ...stored.metadata, 'x-amz-key': stored.metadata['x-amz-key-v2'] }),
    'ENVELOPE_INVALID',
  ],
  [
    'the IV is 12 bytes for AES/GCM and 16 bytes for AES/CBC',
    () => ({ ...stored.metadata, 'x-amz-iv': Buffer.alloc(16).toString('base64') }),
    'ENVELOPE_INVALID',
  ],
  ['the IV is present', () => without('x-amz-iv'), 'ENVELOPE_INVALID'],
  [
    'the IV is canonical base64 (no stray characters)',
    () => ({ ...stored.metadata, 'x-amz-iv': `${stored.metadata['x-amz-iv']} ` }),
    'ENVELOPE_INVALID',
  ],
  [
    'the IV is canonical base64 (no missing padding)',
    () => ({ ...stored.metadata, 'x-amz-iv': 'AAAAAAAAAAAAAAA' }),
    'ENVELOPE_INVALID',
  ],
  ['the GCM tag is 128 bits (96 refused)', () => ({ ...stored.metadata, 'x-amz-tag-len': '96' }), 'ENVELOPE_INVALID'],
  ['the GCM tag is 128 bits (missing refused)', () => without('x-amz-tag-len'), 'ENVELOPE_INVALID'],
  ['the content algorithm is named', () => without('x-amz-cek-alg'), 'ENVELOPE_INVALID'],
  [
    'the content algorithm is AES/GCM/NoPadding or AES/CBC/PKCS5Padding',
    () => ({ ...stored.metadata, 'x-amz-cek-alg': 'AES/CTR/NoPadding' }),
    'CONTENT_ALGORITHM_UNSUPPORTED',
  ],
  [
    'the data key is wrapped by KMS (missing wrap algorithm)',
    () => without('x-amz-wrap-alg'),
    'WRAP_ALGORITHM_UNSUPPORTED',
  ],
  [
    'the data key is wrapped by KMS (AESWrap refused)',
    () => ({ ...stored.metadata, 'x-amz-wrap-alg': 'AESWrap' }),
    'WRAP_ALGORITHM_UNSUPPORTED',
  ],
  ['a KMS-wrapped envelope has a material description', () => without('x-amz-matdesc'), 'ENVELOPE_INVALID'],
  ['the material description is JSON', () => ({ ...stored.metadata, 'x-amz-matdesc': '{"a":' }), 'ENVELOPE_INVALID'],
  [
    'the material description is a JSON object of strings (array)',
    () => ({ ...stored.metadata, 'x-amz-matdesc': '["a"]' }),
    'ENVELOPE_INVALID',
  ],
  [
    'the material description is a JSON object of strings (number)',
    () => ({ ...stored.metadata, 'x-amz-matdesc': '{"a":1}' }),
    'ENVELOPE_INVALID',
  ],
  ...['-1', '1e3', '017', 'abc', '', ' 5'].map((value): [string, () => Record<string, unknown>, string] => [
    `x-amz-unencrypted-content-length is a canonical non-negative decimal integer ("${value}")`,
    () => ({ ...stored.metadata, 'x-amz-unencrypted-content-length': value }),
    'ENVELOPE_INVALID',
  ]),
  [
    'the stored size is the one the envelope implies',
    () => ({ ...stored.metadata, 'x-amz-unencrypted-content-length': String(MIME.length + 1) }),
    'LENGTH_MISMATCH',
  ],
  [
    'x-amz-key (the V1 name) is only found on legacy CBC objects',
    () => {
      const { 'x-amz-key-v2': key, ...rest } = stored.metadata;
      return { ...rest, 'x-amz-key': key };
    },
    'ENVELOPE_INVALID',
  ],
  [
    'kms+context is only written with AES/GCM',
    () => ({
      ...stored.metadata,
      'x-amz-wrap-alg': 'kms+context',
      'x-amz-cek-alg': 'AES/CBC/PKCS5Padding',
      'x-amz-iv': Buffer.alloc(16).toString('base64'),
    }),
    'ENVELOPE_INVALID',
  ],
  [
    'kms+context binds the content algorithm in the context, and it matches x-amz-cek-alg',
    () => ({
      ...stored.metadata,
      'x-amz-wrap-alg': 'kms+context',
    }),
    'CONTEXT_MISMATCH',
  ],
  [
    'a CBC object carries no tag length',
    () => ({
      ...stored.metadata,
      'x-amz-cek-alg': 'AES/CBC/PKCS5Padding',
      'x-amz-iv': Buffer.alloc(16).toString('base64'),
    }),
    'ENVELOPE_INVALID',
  ],
  ['metadata values are strings', () => ({ ...stored.metadata, 'x-amz-tag-len': 128 }), 'ENVELOPE_INVALID'],
  [
    'no field is given twice under different spellings',
    () => ({ ...stored.metadata, 'X-Amz-Meta-X-Amz-Iv': stored.metadata['x-amz-iv'] }),
    'ENVELOPE_INVALID',
  ],
];

it.each(cases)('Precondition: %s', async (_sentence, metadata, code) => {
  const before = emulator.calls.length;
  expect(await codeOf(attempt(metadata()))).toBe(code);
  // Refused on the envelope alone: KMS was never asked.
  expect(emulator.calls.length).toBe(before);
});

it('accepts metadata spelled as raw headers (x-amz-meta- prefix, any case)', async () => {
  const headers = Object.fromEntries(
    Object.entries(stored.metadata).map(([k, v]) => [`X-Amz-Meta-${k.toUpperCase()}`, v]),
  );
  const result = await attempt(headers);
  expect(joinPlaintext(result.plaintext).equals(MIME)).toBe(true);
});

it('Precondition: an object with no envelope in its metadata has an instruction file', async () => {
  expect(await codeOf(attempt({}))).toBe('NOT_ENCRYPTED');
  expect(await codeOf(attempt({}, { loadInstructionFile: async () => undefined }))).toBe('NOT_ENCRYPTED');
  expect(await codeOf(attempt({}, { loadInstructionFile: async () => ({ unrelated: 'x' }) }))).toBe('NOT_ENCRYPTED');
});

it('reads the envelope from the instruction file when the metadata holds none', async () => {
  const result = await attempt(
    { 'content-type': 'message/rfc822' },
    { loadInstructionFile: async () => stored.metadata },
  );
  expect(result.envelope.source).toBe('instruction-file');
  expect(joinPlaintext(result.plaintext).equals(MIME)).toBe(true);
});

it('Precondition: the object holds no more than the largest mail allowed plus the encryption overhead', async () => {
  const before = emulator.calls.length;
  expect(await codeOf(attempt(stored.metadata, {}, MIME.length - 1))).toBe('TOO_LARGE');
  expect(emulator.calls.length).toBe(before);
  const exact = await attempt(stored.metadata, {}, MIME.length);
  expect(exact.plaintext.byteLength).toBe(MIME.length);
});

it('Precondition: the body is no longer than its envelope announces (size unknown up front)', async () => {
  const longer = Buffer.concat([stored.body, Buffer.alloc(1)]);
  expect(await codeOf(attempt(stored.metadata, { body: inPieces(longer, 5), contentLength: undefined }))).toBe(
    'LENGTH_MISMATCH',
  );
});

it('Precondition: the body is no longer than the configured maximum (no announced length)', async () => {
  const metadata = without('x-amz-unencrypted-content-length');
  expect(await codeOf(attempt(metadata, { contentLength: undefined }, 10))).toBe('TOO_LARGE');
});

it('Precondition: the body holds at least the 16-byte tag', async () => {
  const metadata = without('x-amz-unencrypted-content-length');
  const body = stored.body.subarray(0, 15);
  expect(await codeOf(attempt(metadata, { body: inPieces(body), contentLength: 15 }))).toBe('LENGTH_MISMATCH');
});

it('decrypts when x-amz-unencrypted-content-length is absent (it is optional)', async () => {
  const result = await attempt(without('x-amz-unencrypted-content-length'));
  expect(joinPlaintext(result.plaintext).equals(MIME)).toBe(true);
});

describe('KMS answers', () => {
  afterEach(() => {
    kmsMock.restore();
    kmsMock = mockKmsWith(emulator);
  });

  function kmsAnswers(answer: (mock: ReturnType<typeof mockKmsWith>) => void) {
    kmsMock.restore();
    kmsMock = mockKmsWith(emulator);
    answer(kmsMock);
  }

  it('Precondition: KMS returns a 32-byte data key', async () => {
    kmsAnswers((mock) => mock.on(DecryptCommand).resolves({ Plaintext: new Uint8Array(16) }));
    expect(await codeOf(attempt(stored.metadata))).toBe('DATA_KEY_INVALID');
  });

  it.each([
    ['ThrottlingException', () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })],
    ['KMSInternalException', () => new KMSInternalException({ message: 'x', $metadata: {} })],
    ['DependencyTimeoutException', () => new DependencyTimeoutException({ message: 'x', $metadata: {} })],
    ['a dropped connection', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('lets a retry happen on %s', async (_name, makeError) => {
    kmsAnswers((mock) => mock.on(DecryptCommand).rejects(makeError()));
    const error = await attempt(stored.metadata).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TRANSIENT', retryable: true });
  });

  it('refuses for good when the key is disabled', async () => {
    kmsAnswers((mock) => mock.on(DecryptCommand).rejects(new DisabledException({ message: 'x', $metadata: {} })));
    expect(await codeOf(attempt(stored.metadata))).toBe('KMS_KEY_UNUSABLE');
  });

  it('refuses for good when access is denied', async () => {
    kmsAnswers((mock) =>
      mock.on(DecryptCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' })),
    );
    expect(await codeOf(attempt(stored.metadata))).toBe('KMS_ACCESS_DENIED');
  });

  it('stops reading the body once KMS has refused', async () => {
    kmsAnswers((mock) =>
      mock.on(DecryptCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' })),
    );
    let pulled = 0;
    async function* slowBody() {
      for (let i = 0; i < 1000; i += 1) {
        pulled += 1;
        await new Promise((resolve) => setImmediate(resolve));
        yield Buffer.alloc(16);
      }
    }
    await expect(
      attempt(without('x-amz-unencrypted-content-length'), { body: slowBody(), contentLength: undefined }),
    ).rejects.toMatchObject({
      code: 'KMS_ACCESS_DENIED',
    });
    expect(pulled).toBeLessThan(1000);
  });

  it('passes the whole material description as encryption context and pins KeyId', async () => {
    await attempt(stored.metadata);
    const input = kmsMock.commandCalls(DecryptCommand)[0]?.args[0].input;
    expect(input?.KeyId).toBe(keyArn);
    expect(input?.EncryptionContext).toEqual(JSON.parse(stored.metadata['x-amz-matdesc'] as string));
  });
});

it('gives no address, subject or body text in any refusal message', async () => {
  const messages: string[] = [];
  for (const [, metadata] of cases) {
    const error = await attempt(metadata()).catch((e: unknown) => e as Error);
    messages.push((error as Error).message);
  }
  const damaged = Buffer.from(stored.body);
  damaged[0] = (damaged[0] as number) ^ 1;
  messages.push(
    ((await attempt(stored.metadata, { body: inPieces(damaged) }).catch((e: unknown) => e)) as Error).message,
  );
  for (const message of messages) {
    expect(message).not.toMatch(/example\.com|hello|body of the mail/);
  }
});
