/**
 * Every reference vector (written by the Ruby AWS SDK's S3 Encryption Clients) gives its expected outcome through the
 * decrypt core, with a KMS stand-in that checks context and key exactly as KMS does.
 */
import type { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { decryptMail } from '../../lambda/reader/decrypt-mail';
import { InboundMailError } from '../../lambda/reader/errors';
import { reasonFor } from '../support/damaged-vector-reasons';
import { allZero, watchHeldPlaintext } from '../support/held-plaintext';
import { kmsClient, mockKmsWith } from '../support/mock-kms';
import { inPieces, joinPlaintext, throughOneBuffer } from '../support/streams';
import { loadAllVectors, VECTOR_KEY_ARN, type Vector, vectorKms } from '../support/vectors';

const vectors = loadAllVectors();
const emulator = vectorKms(vectors);
const kmsMock = mockKmsWith(emulator);
afterAll(() => kmsMock.restore());

function decrypt(vector: Vector, allowLegacyCbc: boolean, pieces?: number) {
  return decryptMail(
    {
      metadata: vector.metadata,
      body: pieces === undefined ? inPieces(vector.object) : inPieces(vector.object, pieces),
      contentLength: vector.object.length,
    },
    {
      kms: kmsClient(),
      expectedKmsKeyArn: VECTOR_KEY_ARN,
      allowLegacyCbc,
      expectedEncryptionContext: vector.callerEncryptionContext,
    },
  );
}

it('has all the shared vectors', () => {
  expect(vectors.length).toBeGreaterThanOrEqual(21);
  expect(vectors.filter((v) => v.outcome === 'reject').length).toBeGreaterThanOrEqual(5);
});

describe.each(vectors.filter((v) => v.outcome === 'ok').map((v) => [v.name, v] as const))(
  'vector %s (must decrypt)',
  (_name, vector) => {
    it('decrypts to the expected mail, byte for byte', async () => {
      const result = await decrypt(vector, false);
      expect(joinPlaintext(result.plaintext).equals(vector.plain as Buffer)).toBe(true);
      expect(result.plaintext.byteLength).toBe(vector.plain?.length);
    });
  },
);

describe.each(vectors.filter((v) => v.outcome === 'ok-only-with-legacy-cbc-allowed').map((v) => [v.name, v] as const))(
  'vector %s (legacy CBC)',
  (_name, vector) => {
    it('is refused with LEGACY_CBC_REFUSED while legacy reading is off, before KMS is asked', async () => {
      const before = emulator.calls.length;
      await expect(decrypt(vector, false)).rejects.toMatchObject({ code: 'LEGACY_CBC_REFUSED' });
      expect(emulator.calls.length).toBe(before);
    });

    it('decrypts to the expected mail when legacy reading is on', async () => {
      const result = await decrypt(vector, true);
      expect(joinPlaintext(result.plaintext).equals(vector.plain as Buffer)).toBe(true);
    });
  },
);

describe.each(vectors.filter((v) => v.outcome === 'reject').map((v) => [v.name, v] as const))(
  'vector %s (must be refused)',
  (_name, vector) => {
    it.each([false, true])(
      'is refused with the reason its damage deserves and releases nothing (legacy CBC %s)',
      async (legacy) => {
        const held = watchHeldPlaintext();
        try {
          const error = await decrypt(vector, legacy).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(InboundMailError);
          expect((error as InboundMailError).retryable).toBe(false);
          expect((error as InboundMailError).code).toBe(reasonFor(vector.name));
          expect(allZero(held.pieces())).toBe(true);
        } finally {
          held.stop();
        }
      },
    );
  },
);

it('gives the reason each damaged vector deserves', async () => {
  const byName = Object.fromEntries(vectors.map((v) => [v.name, v]));
  const codeOf = async (name: string) =>
    ((await decrypt(byName[name] as Vector, false).catch((e: unknown) => e)) as InboundMailError).code;
  expect(await codeOf('bad-flipped-ciphertext')).toBe('AUTHENTICATION_FAILED');
  expect(await codeOf('bad-flipped-tag')).toBe('AUTHENTICATION_FAILED');
  expect(await codeOf('bad-missing-iv')).toBe('ENVELOPE_INVALID');
  expect(await codeOf('bad-plaintext-object')).toBe('NOT_ENCRYPTED');
  expect(await codeOf('bad-truncated')).toBe('LENGTH_MISMATCH');
});

it('refuses a V2 object when the caller does not expect its encryption context', async () => {
  const vector = vectors.find((v) => v.name.startsWith('v2-')) as Vector;
  await expect(
    decryptMail(
      { metadata: vector.metadata, body: inPieces(vector.object) },
      { kms: kmsClient(), expectedKmsKeyArn: VECTOR_KEY_ARN, expectedEncryptionContext: { purpose: 'other' } },
    ),
  ).rejects.toMatchObject({ code: 'CONTEXT_MISMATCH' });
});

it('refuses an object when KMS is pinned to another key, even one the caller may use', async () => {
  const vector = vectors.find((v) => v.name === '000-ses') as Vector;
  const otherKey = emulator.createKey();
  await expect(
    decryptMail(
      { metadata: vector.metadata, body: inPieces(vector.object) },
      { kms: kmsClient(), expectedKmsKeyArn: otherKey },
    ),
  ).rejects.toMatchObject({ code: 'KMS_WRONG_KEY' });
});

it.each([1, 2, 3, 7, 13, 16, 17, 20])(
  'returns the same bytes when the body arrives in %i-byte pieces',
  async (size) => {
    for (const name of ['001-ses', '002-ses', 'v2-01']) {
      const vector = vectors.find((v) => v.name === name) as Vector;
      const result = await decrypt(vector, false, size);
      expect(joinPlaintext(result.plaintext).equals(vector.plain as Buffer)).toBe(true);
    }
  },
);

it.each([1, 5, 16, 20])('returns the same bytes for legacy CBC in %i-byte pieces', async (size) => {
  const vector = vectors.find((v) => v.name === 'v1cbc-02') as Vector;
  const result = await decrypt(vector, true, size);
  expect(joinPlaintext(result.plaintext).equals(vector.plain as Buffer)).toBe(true);
});

it.each([1, 2, 3, 7, 13, 16, 17, 20])(
  'returns the same bytes in %i-byte pieces when neither the stored size nor the mail size is known up front',
  async (size) => {
    for (const name of ['001-ses', '002-ses', 'v2-01']) {
      const vector = vectors.find((v) => v.name === name) as Vector;
      const { 'x-amz-unencrypted-content-length': _unknown, ...metadata } = vector.metadata;
      const result = await decryptMail(
        { metadata, body: inPieces(vector.object, size) },
        {
          kms: kmsClient(),
          expectedKmsKeyArn: VECTOR_KEY_ARN,
          expectedEncryptionContext: vector.callerEncryptionContext,
        },
      );
      expect(joinPlaintext(result.plaintext).equals(vector.plain as Buffer)).toBe(true);
    }
  },
);

it('refuses a body longer than the stored size it came with', async () => {
  const vector = vectors.find((v) => v.name === '002-ses') as Vector;
  const { 'x-amz-unencrypted-content-length': _unknown, ...metadata } = vector.metadata;
  const longer = Buffer.concat([vector.object, Buffer.alloc(3)]);
  await expect(
    decryptMail(
      { metadata, body: inPieces(longer, 5), contentLength: vector.object.length },
      { kms: kmsClient(), expectedKmsKeyArn: VECTOR_KEY_ARN },
    ),
  ).rejects.toMatchObject({ code: 'LENGTH_MISMATCH' });
});

it.each([1, 5, 16, 17, 20, 4096])(
  'returns the same bytes when the source reuses one %i-byte buffer for every piece, and KMS is slow',
  async (size) => {
    // KMS answers after the whole body has arrived, so every piece is held (and must have been copied).
    const slowKms = {
      send: (command: DecryptCommand) =>
        new Promise((resolve) => setTimeout(() => resolve(emulator.decrypt(command.input)), 20)),
    } as unknown as KMSClient;
    for (const name of ['000-ses', '002-ses', 'v2-00']) {
      const vector = vectors.find((v) => v.name === name) as Vector;
      for (const sizesKnown of [true, false]) {
        const { 'x-amz-unencrypted-content-length': _length, ...withoutLength } = vector.metadata;
        const result = await decryptMail(
          {
            metadata: sizesKnown ? vector.metadata : withoutLength,
            body: throughOneBuffer(vector.object, size),
            contentLength: sizesKnown ? vector.object.length : undefined,
          },
          {
            kms: slowKms,
            expectedKmsKeyArn: VECTOR_KEY_ARN,
            expectedEncryptionContext: vector.callerEncryptionContext,
          },
        );
        expect(joinPlaintext(result.plaintext).equals(vector.plain as Buffer)).toBe(true);
      }
    }
  },
);

it('reads a legacy CBC object whose wrapped key is under the V1 name x-amz-key (as the Java V1 client allows)', async () => {
  const vector = vectors.find((v) => v.name === 'v1cbc-01') as Vector;
  const { 'x-amz-key-v2': wrapped, ...rest } = vector.metadata;
  const metadata = { ...rest, 'x-amz-key': wrapped as string };
  const refused = await decryptMail(
    { metadata, body: inPieces(vector.object), contentLength: vector.object.length },
    { kms: kmsClient(), expectedKmsKeyArn: VECTOR_KEY_ARN },
  ).catch((e: unknown) => e);
  expect(refused).toMatchObject({ code: 'LEGACY_CBC_REFUSED' });
  const result = await decryptMail(
    { metadata, body: inPieces(vector.object, 7), contentLength: vector.object.length },
    { kms: kmsClient(), expectedKmsKeyArn: VECTOR_KEY_ARN, allowLegacyCbc: true },
  );
  expect(joinPlaintext(result.plaintext).equals(vector.plain as Buffer)).toBe(true);
});

it('asks KMS for the data key before it reads any of the body, so the two overlap', async () => {
  const vector = vectors.find((v) => v.name === '005-ses') as Vector;
  let kmsAsked: () => void = () => undefined;
  const asked = new Promise<void>((resolve) => {
    kmsAsked = resolve;
  });
  const kms = {
    send: async (command: DecryptCommand) => {
      kmsAsked();
      return emulator.decrypt(command.input);
    },
  } as unknown as KMSClient;
  // The body does not start until KMS has been asked: a reader that downloaded first would wait forever.
  async function* body() {
    await asked;
    yield* inPieces(vector.object, 65_536);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('body read before KMS was asked')), 2000);
  });
  const result = (await Promise.race([
    decryptMail(
      { metadata: vector.metadata, body: body(), contentLength: vector.object.length },
      { kms, expectedKmsKeyArn: VECTOR_KEY_ARN },
    ),
    timeout,
  ]).finally(() => clearTimeout(timer))) as Awaited<ReturnType<typeof decryptMail>>;
  expect(joinPlaintext(result.plaintext).equals(vector.plain as Buffer)).toBe(true);
});
