/**
 * The V3 (key-committing) format: every case in test/fixtures/vectors-v3 (written by the Ruby SDK's EncryptionV3
 * client) gives its expected outcome through the decrypt core; objects from the project's own V3 writer decrypt to
 * themselves and any single-bit change to body, tag, x-amz-d, x-amz-i, x-amz-3 or x-amz-t is refused; the commitment
 * is checked before any decipher exists; the commitment policy refuses what it says.
 */
import { createDecipheriv } from 'node:crypto';
import fc from 'fast-check';
import { decryptMail, type EncryptedObject } from '../../lambda/reader/decrypt-mail';
import { InboundMailError } from '../../lambda/reader/errors';
import { type V3Object, writeV3Object } from '../../local/s3ec-v3-writer';
import { allZero, watchHeldPlaintext } from '../support/held-plaintext';
import { kmsClient, mockKmsWith } from '../support/mock-kms';
import { codeOf, flipBit } from '../support/refusals';
import { inPieces, joinPlaintext } from '../support/streams';
import { loadAllVectors, VECTOR_KEY_ARN, VECTORS_V3_DIR, type Vector, vectorKms } from '../support/vectors';

// Every decipher the reader makes goes through this spy (the real function underneath).
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, createDecipheriv: jest.fn(actual.createDecipheriv) };
});
const decipherSpy = createDecipheriv as jest.MockedFunction<typeof createDecipheriv>;

const v3Vectors = loadAllVectors(VECTORS_V3_DIR);
const sesVectors = loadAllVectors().filter((v) => v.name.endsWith('-ses') && v.outcome === 'ok');
const emulator = vectorKms([...v3Vectors, ...sesVectors]);
const writerKey = emulator.createKey();
const kmsMock = mockKmsWith(emulator);
afterAll(() => kmsMock.restore());

function objectOf(vector: Pick<Vector, 'metadata' | 'object' | 'instruction'>, pieces?: number): EncryptedObject {
  return {
    metadata: vector.metadata,
    body: pieces === undefined ? inPieces(vector.object) : inPieces(vector.object, pieces),
    contentLength: vector.object.length,
    loadInstructionFile: async () => vector.instruction,
  };
}

/** The damaged vectors name no caller context; theirs is the one KMS bound (kms.json), less the suite. */
function writersContext(vector: Vector): Record<string, string> | undefined {
  const bound = vector.kms.encryptionContext;
  if (bound === undefined || !v3Vectors.includes(vector)) return undefined;
  return Object.fromEntries(Object.entries(bound).filter(([name]) => name !== 'aws:x-amz-cek-alg'));
}

function decryptVector(vector: Vector, options: { requireKeyCommitment?: boolean; pieces?: number } = {}) {
  return decryptMail(objectOf(vector, options.pieces), {
    kms: kmsClient(),
    expectedKmsKeyArn: VECTOR_KEY_ARN,
    expectedEncryptionContext: vector.callerEncryptionContext ?? writersContext(vector),
    requireKeyCommitment: options.requireKeyCommitment,
  });
}

const byName = (name: string) => v3Vectors.find((v) => v.name === name) as Vector;

it('has all the shared V3 vectors', () => {
  expect(v3Vectors.map((v) => v.name)).toEqual([
    'bad-v3-commitment',
    'bad-v3-commitment-in-instruction',
    'bad-v3-message-id',
    'bad-v3-mixed-format',
    'v3-00',
    'v3-01',
    'v3-02',
    'v3-instruction-00',
  ]);
});

describe.each(v3Vectors.filter((v) => v.outcome === 'ok').map((v) => [v.name, v] as const))(
  'V3 vector %s (must decrypt)',
  (_name, vector) => {
    it.each([false, true])(
      'decrypts to the expected mail, byte for byte (commitment required: %s)',
      async (required) => {
        const result = await decryptVector(vector, { requireKeyCommitment: required });
        expect(joinPlaintext(result.plaintext).equals(vector.plain as Buffer)).toBe(true);
      },
    );

    it('decrypts in 7-byte pieces too', async () => {
      const result = await decryptVector(vector, { pieces: 7 });
      expect(joinPlaintext(result.plaintext).equals(vector.plain as Buffer)).toBe(true);
    });

    it('is refused when the caller expects another encryption context', async () => {
      const error = decryptMail(objectOf(vector), {
        kms: kmsClient(),
        expectedKmsKeyArn: VECTOR_KEY_ARN,
        expectedEncryptionContext: { purpose: 'other' },
      });
      expect(await codeOf(error)).toBe('CONTEXT_MISMATCH');
    });
  },
);

it.each([
  ['bad-v3-commitment', 'KEY_COMMITMENT_MISMATCH'],
  ['bad-v3-message-id', 'KEY_COMMITMENT_MISMATCH'],
  ['bad-v3-mixed-format', 'ENVELOPE_INVALID'],
  ['bad-v3-commitment-in-instruction', 'ENVELOPE_INVALID'],
])('V3 vector %s is refused with %s, releasing nothing', async (name, code) => {
  const vector = byName(name);
  expect(vector.outcome).toBe('reject');
  const held = watchHeldPlaintext();
  try {
    expect(await codeOf(decryptVector(vector))).toBe(code);
    expect(allZero(held.pieces())).toBe(true);
  } finally {
    held.stop();
  }
});

describe('the commitment is checked before anything is decrypted', () => {
  it('creates no decipher when the commitment differs, and one when it matches', async () => {
    const spy = decipherSpy;
    spy.mockClear();
    expect(await codeOf(decryptVector(byName('bad-v3-commitment')))).toBe('KEY_COMMITMENT_MISMATCH');
    expect(await codeOf(decryptVector(byName('bad-v3-message-id')))).toBe('KEY_COMMITMENT_MISMATCH');
    expect(spy).not.toHaveBeenCalled();
    await decryptVector(byName('v3-00'));
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe('the commitment policy', () => {
  it('refuses SES mail (not key-committing) with KEY_COMMITMENT_REQUIRED before KMS is asked', async () => {
    const vector = sesVectors[0] as Vector;
    const before = emulator.calls.length;
    expect(await codeOf(decryptVector(vector, { requireKeyCommitment: true }))).toBe('KEY_COMMITMENT_REQUIRED');
    expect(emulator.calls.length).toBe(before);
  });

  it('reads SES mail when commitment is not required (the default)', async () => {
    const vector = sesVectors[0] as Vector;
    const result = await decryptVector(vector);
    expect(joinPlaintext(result.plaintext).equals(vector.plain as Buffer)).toBe(true);
  });
});

describe('V3 envelope preconditions', () => {
  const good = byName('v3-00');
  const withMetadata = (change: (m: Record<string, string>) => void) => {
    const metadata = { ...good.metadata };
    change(metadata);
    return { ...good, metadata };
  };

  it.each<[string, (m: Record<string, string>) => void, string]>([
    ['an unknown suite', (m) => (m['x-amz-c'] = '114'), 'CONTENT_ALGORITHM_UNSUPPORTED'],
    ['no suite', (m) => delete m['x-amz-c'], 'ENVELOPE_INVALID'],
    ['raw AES key wrapping (02)', (m) => (m['x-amz-w'] = '02'), 'WRAP_ALGORITHM_UNSUPPORTED'],
    ['RSA wrapping (22)', (m) => (m['x-amz-w'] = '22'), 'WRAP_ALGORITHM_UNSUPPORTED'],
    ['no wrapping', (m) => delete m['x-amz-w'], 'WRAP_ALGORITHM_UNSUPPORTED'],
    ['a context without the suite', (m) => (m['x-amz-t'] = '{"purpose":"oracle"}'), 'CONTEXT_MISMATCH'],
    [
      'a context naming another suite',
      (m) => (m['x-amz-t'] = '{"aws:x-amz-cek-alg":"AES/GCM/NoPadding"}'),
      'CONTEXT_MISMATCH',
    ],
    [
      'a context with a duplicate member',
      (m) => (m['x-amz-t'] = '{"aws:x-amz-cek-alg":"115","aws:x-amz-cek-alg":"115"}'),
      'ENVELOPE_INVALID',
    ],
    ['a short commitment', (m) => (m['x-amz-d'] = Buffer.alloc(27).toString('base64')), 'ENVELOPE_INVALID'],
    ['a long message id', (m) => (m['x-amz-i'] = Buffer.alloc(32).toString('base64')), 'ENVELOPE_INVALID'],
    ['no message id', (m) => delete m['x-amz-i'], 'ENVELOPE_INVALID'],
    ['no commitment', (m) => delete m['x-amz-d'], 'ENVELOPE_INVALID'],
    ['a commitment not in canonical base64', (m) => (m['x-amz-d'] = `${m['x-amz-d']}\n`), 'ENVELOPE_INVALID'],
    ['a V1 key beside the V3 one', (m) => (m['x-amz-key'] = m['x-amz-3'] as string), 'ENVELOPE_INVALID'],
    ['V2 fields beside the V3 ones', (m) => (m['x-amz-iv'] = Buffer.alloc(12).toString('base64')), 'ENVELOPE_INVALID'],
  ])('refuses %s with %s, before KMS is asked', async (_what, change, code) => {
    const before = emulator.calls.length;
    expect(await codeOf(decryptVector(withMetadata(change)))).toBe(code);
    expect(emulator.calls.length).toBe(before);
  });

  it('refuses a V3 object with no x-amz-3 and no instruction file', async () => {
    const vector = withMetadata((m) => delete m['x-amz-3']);
    expect(
      await codeOf(
        decryptMail(
          { ...objectOf(vector), loadInstructionFile: async () => undefined },
          {
            kms: kmsClient(),
            expectedKmsKeyArn: VECTOR_KEY_ARN,
          },
        ),
      ),
    ).toBe('ENVELOPE_INVALID');
  });

  it.each(['x-amz-c', 'x-amz-i'])('refuses %s in the instruction file', async (field) => {
    const vector = byName('v3-instruction-00');
    const instruction = { ...vector.instruction, [field]: vector.metadata[field] as string };
    expect(await codeOf(decryptVector({ ...vector, instruction }))).toBe('ENVELOPE_INVALID');
  });

  it('refuses an instruction file holding V3 fields for an object whose metadata has none', async () => {
    const vector = byName('v3-instruction-00');
    const instruction = { ...vector.instruction, ...vector.metadata };
    expect(await codeOf(decryptVector({ ...vector, metadata: {}, instruction }))).toBe('ENVELOPE_INVALID');
  });

  it('refuses a truncated body (no room for the tag) and one with bytes appended', async () => {
    expect(await codeOf(decryptVector({ ...good, object: good.object.subarray(0, 10) }))).toMatch(
      /^(LENGTH_MISMATCH|AUTHENTICATION_FAILED)$/,
    );
    expect(await codeOf(decryptVector({ ...good, object: Buffer.concat([good.object, Buffer.from([0])]) }))).toBe(
      'AUTHENTICATION_FAILED',
    );
  });
});

describe('objects from the project V3 writer', () => {
  const context = { tenant: 'acme' };
  const decryptWritten = (written: V3Object, body = written.body, pieces: number[] = []) =>
    decryptMail(
      {
        metadata: written.metadata,
        body: inPieces(body, ...pieces),
        contentLength: body.length,
        loadInstructionFile: async () => written.instruction,
      },
      {
        kms: kmsClient(),
        expectedKmsKeyArn: writerKey,
        expectedEncryptionContext: context,
        requireKeyCommitment: true,
      },
    );

  const flipBase64 = (value: string, bit: number) => flipBit(Buffer.from(value, 'base64'), bit).toString('base64');
  const flipText = (value: string, bit: number) => flipBit(Buffer.from(value, 'utf8'), bit).toString('latin1');

  it('decrypt to exactly their bytes, envelope in metadata or split, in any piece sizes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 4096 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 5 }),
        async (mime, split, pieces) => {
          const written = await writeV3Object(kmsClient(), mime, {
            kmsKeyArn: writerKey,
            encryptionContext: context,
            instructionFile: split,
          });
          const result = await decryptWritten(written, written.body, pieces);
          expect(joinPlaintext(result.plaintext).equals(Buffer.from(mime))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  type Part = 'body' | 'tag' | 'x-amz-d' | 'x-amz-i' | 'x-amz-3' | 'x-amz-t';
  const parts: Part[] = ['body', 'tag', 'x-amz-d', 'x-amz-i', 'x-amz-3', 'x-amz-t'];

  function damage(written: V3Object, part: Part, bit: number): { object: V3Object; body: Buffer } {
    const tagStart = written.body.length - 16;
    if (part === 'body') {
      const body = Buffer.from(written.body);
      const index = Math.floor(bit / 8) % tagStart;
      body[index] = (body[index] as number) ^ (1 << (bit % 8));
      return { object: written, body };
    }
    if (part === 'tag') {
      const body = Buffer.from(written.body);
      const index = tagStart + (Math.floor(bit / 8) % 16);
      body[index] = (body[index] as number) ^ (1 << (bit % 8));
      return { object: written, body };
    }
    const inInstruction = written.instruction !== undefined && Object.hasOwn(written.instruction, part);
    const source = inInstruction ? (written.instruction as Record<string, string>) : written.metadata;
    const value = source[part] as string;
    const changed = part === 'x-amz-t' ? flipText(value, bit) : flipBase64(value, bit);
    const replaced = { ...source, [part]: changed };
    const object = inInstruction ? { ...written, instruction: replaced } : { ...written, metadata: replaced };
    return { object, body: written.body };
  }

  it('refuse any single-bit change to body, tag, x-amz-d, x-amz-i, x-amz-3 or x-amz-t, releasing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 2048 }),
        fc.boolean(),
        fc.constantFrom(...parts),
        fc.nat(),
        async (mime, split, part, bit) => {
          const written = await writeV3Object(kmsClient(), mime, {
            kmsKeyArn: writerKey,
            encryptionContext: context,
            instructionFile: split,
          });
          const { object, body } = damage(written, part, bit);
          const held = watchHeldPlaintext();
          try {
            const outcome = await decryptWritten(object, body).then(
              () => undefined,
              (error: unknown) => error,
            );
            expect(outcome).toBeInstanceOf(InboundMailError);
            expect((outcome as InboundMailError).retryable).toBe(false);
            expect(allZero(held.pieces())).toBe(true);
          } finally {
            held.stop();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives KEY_COMMITMENT_MISMATCH, not an authentication failure, for a changed commitment or message id', async () => {
    const written = await writeV3Object(kmsClient(), Buffer.from('Subject: hi\r\n\r\nbody\r\n'), {
      kmsKeyArn: writerKey,
      encryptionContext: context,
    });
    for (const part of ['x-amz-d', 'x-amz-i'] as const) {
      const { object, body } = damage(written, part, 3);
      expect(await codeOf(decryptWritten(object, body))).toBe('KEY_COMMITMENT_MISMATCH');
    }
  });
});

it('is refused by the function’s policy (SES mail only: the object names no SES message id)', async () => {
  const vector = byName('v3-00');
  const error = decryptMail(objectOf(vector), {
    kms: kmsClient(),
    expectedKmsKeyArn: VECTOR_KEY_ARN,
    expectedEncryptionContext: vector.callerEncryptionContext,
    objectKey: 'raw/v3-00',
  });
  expect(await codeOf(error)).toBe('MESSAGE_ID_MISMATCH');
});
