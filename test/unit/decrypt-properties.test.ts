/**
 * Property-based tests with real cryptography: whatever the SES simulator writes decrypts to itself, and any single
 * bit changed in the body, IV, tag, wrapped key or material description is refused with nothing released.
 */
import fc from 'fast-check';
import { decryptMail } from '../../lambda/reader/decrypt-mail';
import { KmsEmulator } from '../../local/kms-emulator';
import { type SesStoredObject, storeAsSes } from '../../local/ses-simulator';
import { allZero, watchHeldPlaintext } from '../support/held-plaintext';
import { kmsClient, mockKmsWith } from '../support/mock-kms';
import { flipBit, refusal } from '../support/refusals';
import { inPieces, joinPlaintext } from '../support/streams';

const emulator = new KmsEmulator();
const keyArn = emulator.createKey();
const kmsMock = mockKmsWith(emulator);
afterAll(() => kmsMock.restore());

const policy = {
  kms: kmsClient(),
  expectedKmsKeyArn: keyArn,
  expectedSourceAccount: '111122223333',
  allowedRuleNames: ['store-encrypted'],
};

function store(mime: Uint8Array): Promise<SesStoredObject> {
  return storeAsSes(kmsClient(), mime, {
    kmsKeyArn: keyArn,
    ruleName: 'store-encrypted',
    sourceAccount: '111122223333',
  });
}

function decryptStored(stored: SesStoredObject, body: Buffer = stored.body, pieces: number[] = []) {
  return decryptMail(
    { metadata: stored.metadata, body: inPieces(body, ...pieces), contentLength: body.length },
    { ...policy, objectKey: stored.key },
  );
}

const mimeBytes = fc.uint8Array({ minLength: 0, maxLength: 4096 });
const pieceSizes = fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 5 });

it('decrypts any mail the SES simulator writes to exactly its bytes, in any piece sizes, sizes known or not', async () => {
  await fc.assert(
    fc.asyncProperty(mimeBytes, pieceSizes, fc.boolean(), async (mime, pieces, sizesKnown) => {
      const written = await store(mime);
      const { 'x-amz-unencrypted-content-length': _length, ...withoutLength } = written.metadata;
      const stored = sizesKnown ? written : { ...written, metadata: withoutLength };
      const result = sizesKnown
        ? await decryptStored(stored, stored.body, pieces)
        : await decryptMail(
            { metadata: stored.metadata, body: inPieces(stored.body, ...pieces) },
            { ...policy, objectKey: stored.key },
          );
      expect(joinPlaintext(result.plaintext).equals(Buffer.from(mime))).toBe(true);
      expect(result.messageId).toBe(stored.messageId);
    }),
    { numRuns: 200 },
  );
});

it('refuses any single-bit change to the body or the tag, and releases nothing (what it held is zeroed)', async () => {
  const held = watchHeldPlaintext();
  let heldSome = 0;
  try {
    await fc.assert(
      fc.asyncProperty(mimeBytes, fc.nat(), async (mime, bit) => {
        const stored = await store(mime);
        held.clear();
        const error = await refusal(decryptStored(stored, flipBit(stored.body, bit)));
        expect(error.code).toBe('AUTHENTICATION_FAILED');
        const pieces = held.pieces();
        if (pieces.some((piece) => piece.length > 0)) heldSome += 1;
        expect(allZero(pieces)).toBe(true);
      }),
      { numRuns: 200 },
    );
  } finally {
    held.stop();
  }
  // The property is not vacuous: most runs decrypted (and so held) plaintext before the tag failed.
  expect(heldSome).toBeGreaterThan(100);
});

it('refuses any single-bit change to the IV', async () => {
  await fc.assert(
    fc.asyncProperty(mimeBytes, fc.nat({ max: 95 }), async (mime, bit) => {
      const stored = await store(mime);
      const iv = flipBit(Buffer.from(stored.metadata['x-amz-iv'] as string, 'base64'), bit).toString('base64');
      const error = await refusal(decryptStored({ ...stored, metadata: { ...stored.metadata, 'x-amz-iv': iv } }));
      expect(error.code).toBe('AUTHENTICATION_FAILED');
    }),
    { numRuns: 100 },
  );
});

it('refuses any single-bit change to the wrapped data key', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat(), async (bit) => {
      const stored = await store(Buffer.from('Subject: x\r\n\r\nbody\r\n'));
      const blob = Buffer.from(stored.metadata['x-amz-key-v2'] as string, 'base64');
      const metadata = {
        ...stored.metadata,
        'x-amz-key-v2': flipBit(blob, bit % (blob.length * 8)).toString('base64'),
      };
      const error = await refusal(decryptStored({ ...stored, metadata }));
      expect(['KMS_DECRYPT_REFUSED', 'KMS_WRONG_KEY']).toContain(error.code);
    }),
    { numRuns: 150 },
  );
});

it('refuses any single-bit change to the material description', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat(), async (bit) => {
      const stored = await store(Buffer.from('Subject: y\r\n\r\nbody\r\n'));
      const matdesc = Buffer.from(stored.metadata['x-amz-matdesc'] as string, 'utf8');
      const damaged = flipBit(matdesc, bit % (matdesc.length * 8)).toString('latin1');
      const error = await refusal(
        decryptStored({ ...stored, metadata: { ...stored.metadata, 'x-amz-matdesc': damaged } }),
      );
      expect(error.retryable).toBe(false);
    }),
    { numRuns: 200 },
  );
});

it('refuses a stored mail copied under another object key', async () => {
  const stored = await store(Buffer.from('Subject: z\r\n\r\nbody\r\n'));
  const error = await refusal(decryptStored({ ...stored, key: 'raw/someothermessageid' }));
  expect(error.code).toBe('MESSAGE_ID_MISMATCH');
});
