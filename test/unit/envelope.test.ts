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
import { readDecryptSettings } from '../../lambda/decrypt-function/config';
import { decryptMail, type EncryptedObject } from '../../lambda/reader/decrypt-mail';
import type { InboundMailError } from '../../lambda/reader/errors';
import { KmsEmulator } from '../../local/kms-emulator';
import { type SesStoredObject, storeAsSes } from '../../local/ses-simulator';
import { kmsClient, mockKmsWith } from '../support/mock-kms';
import { codeOf } from '../support/refusals';
import { cbcObjectWithMatdesc } from '../support/ses-objects';
import { inPieces, joinPlaintext } from '../support/streams';

const emulator = new KmsEmulator();
const keyArn = emulator.createKey();
const otherKeyArn = emulator.createKey();
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

/** A material description of another S3 Encryption Client's object (no `aws:ses:` members). */
const GENERIC_MATDESC = JSON.stringify({ kms_cmk_id: keyArn });

/** The stored SES object's material description with `edit` applied to its JSON text. */
function matdescEdited(edit: (json: string) => string): Record<string, string> {
  return { ...stored.metadata, 'x-amz-matdesc': edit(stored.metadata['x-amz-matdesc'] as string) };
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
      'x-amz-matdesc': GENERIC_MATDESC,
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
      'x-amz-matdesc': GENERIC_MATDESC,
    }),
    'ENVELOPE_INVALID',
  ],
  [
    "an object whose material description is SES's is never AES/CBC, whatever the legacy setting",
    () => {
      // The downgrade: a genuine SES data key and matdesc, x-amz-cek-alg changed to CBC, any bytes as the body.
      const { 'x-amz-tag-len': _tag, ...rest } = stored.metadata;
      return { ...rest, 'x-amz-cek-alg': 'AES/CBC/PKCS5Padding', 'x-amz-iv': Buffer.alloc(16, 7).toString('base64') };
    },
    'LEGACY_CBC_REFUSED',
  ],
  [
    "an object whose material description is SES's is never AES/CBC (V1 key name, algorithm left out)",
    () => {
      const { 'x-amz-tag-len': _tag, 'x-amz-cek-alg': _alg, 'x-amz-key-v2': key, ...rest } = stored.metadata;
      return { ...rest, 'x-amz-key': key, 'x-amz-iv': Buffer.alloc(16, 7).toString('base64') };
    },
    'LEGACY_CBC_REFUSED',
  ],
  [
    'a kms+context data key relabelled kms and AES/CBC keeps its bound algorithm (no CBC with a GCM key)',
    () => {
      // KMS would unwrap a V2 key under the same material description whatever x-amz-wrap-alg says; CBC over bytes of
      // the writer's choosing with that key would answer as a padding oracle (--allow-legacy-cbc).
      const { 'x-amz-tag-len': _tag, ...rest } = stored.metadata;
      return {
        ...rest,
        'x-amz-wrap-alg': 'kms',
        'x-amz-cek-alg': 'AES/CBC/PKCS5Padding',
        'x-amz-iv': Buffer.alloc(16, 7).toString('base64'),
        'x-amz-matdesc': JSON.stringify({ kms_cmk_id: keyArn, 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding' }),
      };
    },
    'CONTEXT_MISMATCH',
  ],
  [
    'no member is named __proto__ (it cannot round-trip through a plain object)',
    () => matdescEdited((json) => json.replace('{', '{"__proto__":"x",')),
    'ENVELOPE_INVALID',
  ],
  [
    'no member is named twice',
    () => matdescEdited((json) => json.replace('{', '{"aws:ses:rule-name":"another-rule",')),
    'ENVELOPE_INVALID',
  ],
  [
    'every name and value is well-formed Unicode',
    () => matdescEdited((json) => json.replace('{', '{"x":"\\ud800",')),
    'ENVELOPE_INVALID',
  ],
  [
    'the material description is a JSON object of strings (text after it)',
    () => matdescEdited((json) => `${json} {}`),
    'ENVELOPE_INVALID',
  ],
  [
    'the metadata is no larger than S3 lets an object carry',
    () => ({ ...stored.metadata, 'x-padding': 'a'.repeat(8192) }),
    'ENVELOPE_INVALID',
  ],
  [
    'a kms_cmk_id that is a key ARN is the pinned key',
    () => matdescEdited((json) => json.replace(keyArn, otherKeyArn)),
    'KMS_WRONG_KEY',
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
      // The length is known (S3's ContentLength), so the KMS call and the download overlap; an object of unknown
      // length is read before KMS is asked (decrypt-bounds.test.ts).
      attempt(without('x-amz-unencrypted-content-length'), { body: slowBody(), contentLength: 16 * 1000 }),
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

describe('the deployment policy is checked on the envelope alone, before KMS is asked', () => {
  function attemptWith(policy: Partial<Parameters<typeof decryptMail>[1]>) {
    return decryptMail(
      { metadata: stored.metadata, body: inPieces(stored.body), contentLength: stored.body.length },
      { kms: kmsClient(), expectedKmsKeyArn: keyArn, ...policy },
    );
  }

  it.each([
    ['SOURCE_ACCOUNT_MISMATCH', { expectedSourceAccount: '999999999999' }],
    ['RULE_NAME_NOT_ALLOWED', { allowedRuleNames: ['another-rule'] }],
    ['MESSAGE_ID_MISMATCH', { objectKey: 'raw/some-other-message' }],
    ['KMS_WRONG_KEY', { expectedKmsKeyArn: otherKeyArn }],
  ] as const)('%s', async (code, policy) => {
    const before = emulator.calls.length;
    expect(await codeOf(attemptWith(policy))).toBe(code);
    expect(emulator.calls.length).toBe(before);
  });

  it('passes with the matching account, rule and key (the control for the cases above)', async () => {
    const result = await attemptWith({
      expectedSourceAccount: '111122223333',
      allowedRuleNames: ['rule'],
      objectKey: stored.key,
    });
    expect(joinPlaintext(result.plaintext).equals(MIME)).toBe(true);
  });
});

describe('aliases', () => {
  it('decrypts mail whose rule named an alias (kms_cmk_id is the alias ARN), pinned to the key ARN', async () => {
    const aliasArn = emulator.createAlias('inbound-mail', keyArn);
    const viaAlias = await storeAsSes(kmsClient(), MIME, { kmsKeyArn: aliasArn, ruleName: 'rule', sourceAccount: '1' });
    expect(JSON.parse(viaAlias.metadata['x-amz-matdesc'] as string).kms_cmk_id).toBe(aliasArn);
    const result = await decryptMail(
      { metadata: viaAlias.metadata, body: inPieces(viaAlias.body), contentLength: viaAlias.body.length },
      { kms: kmsClient(), expectedKmsKeyArn: keyArn },
    );
    expect(joinPlaintext(result.plaintext).equals(MIME)).toBe(true);
  });

  it('leaves an alias kms_cmk_id to KMS: pinned to another key, KMS refuses it (IncorrectKeyException)', async () => {
    const aliasArn = emulator.createAlias('elsewhere', keyArn);
    const viaAlias = await storeAsSes(kmsClient(), MIME, { kmsKeyArn: aliasArn, ruleName: 'rule', sourceAccount: '1' });
    const before = emulator.calls.length;
    const refusal = decryptMail(
      { metadata: viaAlias.metadata, body: inPieces(viaAlias.body), contentLength: viaAlias.body.length },
      { kms: kmsClient(), expectedKmsKeyArn: otherKeyArn },
    );
    expect(await codeOf(refusal)).toBe('KMS_WRONG_KEY');
    expect(emulator.calls.length).toBe(before + 1);
  });

  it.each([
    ['an alias ARN', 'arn:aws:kms:us-east-1:111122223333:alias/inbound-mail'],
    ['an alias name', 'alias/inbound-mail'],
    ['a bare key id', '1234abcd-12ab-34cd-56ef-1234567890ab'],
  ])('refuses %s as the pin: it must name one key for good', (_what, pin) => {
    expect(() => readDecryptSettings({ EXPECTED_KMS_KEY_ARN: pin })).toThrow(
      /EXPECTED_KMS_KEY_ARN must be a KMS key ARN .*describe-key/,
    );
  });
});

describe('CBC (other clients, legacy reading on): every failure after the key is unwrapped reads the same', () => {
  async function genericCbc(mime: Buffer, options: { badPadding?: boolean; announced?: number } = {}) {
    const reencrypted = await cbcObjectWithMatdesc(kmsClient(), keyArn, mime, { kms_cmk_id: keyArn }, options);
    return {
      ...reencrypted,
      metadata: {
        ...reencrypted.metadata,
        'x-amz-unencrypted-content-length': String(options.announced ?? mime.length),
      },
    };
  }

  async function failureOf(object: { body: Buffer; metadata: Record<string, string> }) {
    const error = await decryptMail(
      { metadata: object.metadata, body: inPieces(object.body, 5), contentLength: object.body.length },
      { kms: kmsClient(), expectedKmsKeyArn: keyArn, allowLegacyCbc: true },
    ).catch((e: unknown) => e as InboundMailError);
    return { code: (error as InboundMailError).code, message: (error as InboundMailError).message };
  }

  it('a bad padding and a wrong announced length (same block count) give the same code and message', async () => {
    const mime = Buffer.alloc(100, 0x61);
    const control = await genericCbc(mime);
    const decrypted = await decryptMail(
      { metadata: control.metadata, body: inPieces(control.body), contentLength: control.body.length },
      { kms: kmsClient(), expectedKmsKeyArn: keyArn, allowLegacyCbc: true },
    );
    expect(joinPlaintext(decrypted.plaintext).equals(mime)).toBe(true);

    const badPadding = await failureOf(await genericCbc(mime, { badPadding: true }));
    // 101 bytes pad to the same 112-byte object, so only decryption can tell the length is wrong.
    const wrongLength = await failureOf(await genericCbc(mime, { announced: 101 }));
    expect(badPadding).toEqual({ code: 'DECRYPTION_FAILED', message: 'AES-CBC object did not decrypt' });
    expect(wrongLength).toEqual(badPadding);
  });
});

describe("KMS failures: what is the object's, what is the set-up's, what may pass", () => {
  afterEach(() => {
    kmsMock.restore();
    kmsMock = mockKmsWith(emulator);
  });

  function kmsRejects(name: string, fault: 'client' | 'server' = 'client') {
    kmsMock.restore();
    kmsMock = mockKmsWith(emulator);
    kmsMock.on(DecryptCommand).rejects(Object.assign(new Error('x'), { name, $fault: fault, $metadata: {} }));
  }

  it.each([
    'ExpiredTokenException',
    'UnrecognizedClientException',
    'InvalidSignatureException',
    'CredentialsProviderError',
  ])('%s is a credentials problem: retried, never a rejection of the mail', async (name) => {
    kmsRejects(name);
    const error = await attempt(stored.metadata).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'CredentialsError', code: 'CREDENTIALS_REJECTED', retryable: true });
  });

  it.each([
    'LimitExceededException',
    'SomeExceptionKmsAddsNextYear',
    'constructor',
    'toString',
    '__proto__',
    'hasOwnProperty',
  ])('%s is retried, not a rejection (names are looked up as own entries only)', async (name) => {
    kmsRejects(name);
    const error = await attempt(stored.metadata).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TRANSIENT', retryable: true });
  });

  it.each([
    ['InvalidCiphertextException', 'KMS_DECRYPT_REFUSED'],
    ['IncorrectKeyException', 'KMS_WRONG_KEY'],
    ['AccessDeniedException', 'KMS_ACCESS_DENIED'],
    ['NotFoundException', 'KMS_KEY_UNUSABLE'],
    ['KMSInvalidStateException', 'KMS_KEY_UNUSABLE'],
  ])('%s rejects the object for good (%s)', async (name, code) => {
    kmsRejects(name);
    const error = await attempt(stored.metadata).catch((e: unknown) => e);
    expect(error).toMatchObject({ code, retryable: false });
  });
});

describe("with the rule's prefix known, the key is exactly that prefix and the SES message id", () => {
  it.each([
    ['raw/', 'raw/copied/ID1', false],
    ['raw/', 'raw/xraw/ID1', false],
    ['raw/', 'other/ID1', false],
    ['in/', 'raw/ID1', false],
    ['raw/', 'raw/ID1', true],
    ['', 'ID1', true],
    ['', 'raw/ID1', false],
  ])('prefix %j, key %j: accepted %s', async (prefix, key, accepted) => {
    kmsMock.restore();
    kmsMock = mockKmsWith(emulator);
    const mail = await storeAsSes(kmsClient(), MIME, {
      kmsKeyArn: keyArn,
      ruleName: 'store-encrypted',
      sourceAccount: '111122223333',
      messageId: 'ID1',
    });
    const result = decryptMail(
      { metadata: mail.metadata, body: inPieces(mail.body, 7), contentLength: mail.body.length },
      { kms: kmsClient(), expectedKmsKeyArn: keyArn, objectKey: key, objectKeyPrefix: prefix },
    );
    if (accepted) {
      await expect(result).resolves.toMatchObject({ messageId: 'ID1' });
    } else {
      await expect(result).rejects.toMatchObject({ code: 'MESSAGE_ID_MISMATCH' });
    }
  });
});
