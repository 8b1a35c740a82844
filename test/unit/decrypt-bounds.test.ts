/**
 * The reader's bounds and its cleaning up, each shown by what it must not do: ask KMS about, or read past the
 * maximum of, an object whose length nobody announced; leave decrypted plaintext readable when the body stream fails
 * mid-way; accept a key that merely ends with the message id.
 */
import { randomBytes } from 'node:crypto';
import { DecryptCommand } from '@aws-sdk/client-kms';
import { decryptMail } from '../../lambda/reader/decrypt-mail';
import { KmsEmulator } from '../../local/kms-emulator';
import { type SesStoredObject, storeAsSes } from '../../local/ses-simulator';
import { allZero, watchHeldPlaintext } from '../support/held-plaintext';
import { kmsClient, mockKmsWith } from '../support/mock-kms';
import { refusal } from '../support/refusals';
import { inPieces, joinPlaintext } from '../support/streams';

const emulator = new KmsEmulator();
const keyArn = emulator.createKey();
const kmsMock = mockKmsWith(emulator);
afterAll(() => kmsMock.restore());
beforeEach(() => kmsMock.resetHistory());

const policy = {
  kms: kmsClient(),
  expectedKmsKeyArn: keyArn,
  expectedSourceAccount: '111122223333',
  allowedRuleNames: ['store-encrypted'],
};

function store(mime: Uint8Array, messageId?: string): Promise<SesStoredObject> {
  return storeAsSes(kmsClient(), mime, {
    kmsKeyArn: keyArn,
    ruleName: 'store-encrypted',
    sourceAccount: '111122223333',
    messageId,
  });
}

/** The metadata without the announced plaintext length (an S3 Encryption Client may omit it). */
function unannounced(stored: SesStoredObject): Record<string, string> {
  const { 'x-amz-unencrypted-content-length': _length, ...rest } = stored.metadata;
  return rest;
}

/** A body that counts the bytes pulled from it. */
function counted(data: Uint8Array, pieceBytes: number) {
  const seen = { bytes: 0 };
  async function* body() {
    for await (const piece of inPieces(data, pieceBytes)) {
      seen.bytes += piece.length;
      yield piece;
    }
  }
  return { body: body(), seen };
}

describe('an object whose length neither S3 nor the envelope announces', () => {
  it('is refused TOO_LARGE past the maximum without a KMS call and without being read whole', async () => {
    const stored = await store(randomBytes(64 * 1024));
    const { body, seen } = counted(Buffer.concat([stored.body, randomBytes(4 * 1024 * 1024)]), 4096);

    const error = await refusal(
      decryptMail({ metadata: unannounced(stored), body }, { ...policy, maxMailBytes: 100 * 1024 }),
    );

    expect(error.code).toBe('TOO_LARGE');
    expect(kmsMock.commandCalls(DecryptCommand)).toHaveLength(0);
    // Reading stopped at the first piece past the maximum (100 KiB + 16 + one 4 KiB piece).
    expect(seen.bytes).toBeLessThanOrEqual(100 * 1024 + 16 + 4096);
  });

  it('decrypts when it is within the maximum', async () => {
    const mime = randomBytes(70 * 1024);
    const stored = await store(mime);
    const { body } = counted(stored.body, 1000);
    const mail = await decryptMail({ metadata: unannounced(stored), body }, { ...policy, maxMailBytes: 100 * 1024 });
    expect(joinPlaintext(mail.plaintext).equals(mime)).toBe(true);
  });
});

it('zeroes what it decrypted when the body stream fails mid-way, and releases nothing', async () => {
  const stored = await store(randomBytes(256 * 1024));
  async function* failingMidWay() {
    yield stored.body.subarray(0, 16 * 1024);
    // Let the KMS answer arrive, so the rest is decrypted as it comes.
    await new Promise((resolve) => setTimeout(resolve, 50));
    yield stored.body.subarray(16 * 1024, 128 * 1024);
    throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  }
  const held = watchHeldPlaintext();
  try {
    await expect(
      decryptMail({ metadata: stored.metadata, body: failingMidWay(), contentLength: stored.body.length }, policy),
    ).rejects.toMatchObject({ code: 'ECONNRESET' });
    const pieces = held.pieces();
    // Not vacuous: plaintext was decrypted (and held) before the stream failed.
    expect(pieces.reduce((sum, piece) => sum + piece.length, 0)).toBeGreaterThan(64 * 1024);
    expect(allZero(pieces)).toBe(true);
  } finally {
    held.stop();
  }
});

describe('the key names the message id exactly', () => {
  const id = 'o3b2mtv1l7mcp0m4ur5p1nlnbv1ug0q5fsvvn8o1';
  it.each([
    ['a key that only ends with the id', `raw/zz${id}`],
    ['a key whose last part holds the id and more', `raw/${id}.eml`],
    ['the id under a deeper folder, with the rule prefix known', `raw/copied/${id}`],
  ])('refuses %s (MESSAGE_ID_MISMATCH)', async (_what, objectKey) => {
    const stored = await store(Buffer.from('Subject: x\r\n\r\ny\r\n'), id);
    const options = objectKey.startsWith('raw/copied/') ? { objectKeyPrefix: 'raw/' } : {};
    const error = await refusal(
      decryptMail(
        { metadata: stored.metadata, body: inPieces(stored.body), contentLength: stored.body.length },
        { ...policy, objectKey, ...options },
      ),
    );
    expect(error.code).toBe('MESSAGE_ID_MISMATCH');
  });

  it('accepts the key that is the prefix and the id', async () => {
    const stored = await store(Buffer.from('Subject: x\r\n\r\ny\r\n'), id);
    const mail = await decryptMail(
      { metadata: stored.metadata, body: inPieces(stored.body), contentLength: stored.body.length },
      { ...policy, objectKey: `raw/${id}`, objectKeyPrefix: 'raw/' },
    );
    expect(mail.messageId).toBe(id);
  });
});
