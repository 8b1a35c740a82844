/**
 * Objects written by AWS's official S3 Encryption Clients for Python and Java (test/fixtures/official-clients/python
 * and java, made by scripts/official-clients/generate.ts): the reader decrypts every V2 and V3 one to the mail that was encrypted, byte
 * for byte, and refuses every damaged one with the reason its damage deserves (written down in
 * test/support/official-client-damage-reasons.ts), releasing nothing; the client refused each of those too.
 */
import { join } from 'node:path';
import { decryptMail, type EncryptedObject } from '../../lambda/reader/decrypt-mail';
import { V2_DAMAGES, V3_DAMAGES } from '../../scripts/official-clients/damage';
import { allZero, watchHeldPlaintext } from '../support/held-plaintext';
import { kmsClient, mockKmsWith } from '../support/mock-kms';
import { reasonForDamage } from '../support/official-client-damage-reasons';
import { codeOf } from '../support/refusals';
import { inPieces, joinPlaintext } from '../support/streams';
import { loadAllVectors, type Vector, vectorKms } from '../support/vectors';

const CLIENTS = {
  python: /^amazon-s3-encryption-client-python \S+: S3EncryptionClient\w*Error$/,
  java: /^software\.amazon\.encryption\.s3:amazon-s3-encryption-client-java \S+: S3EncryptionClient\w*Exception$/,
} as const;
const byClient = Object.entries(CLIENTS).map(([client, refusal]) => {
  const objects = loadAllVectors(join(__dirname, '..', 'fixtures', 'official-clients', client));
  return { client, refusal, objects };
});
const emulator = vectorKms(byClient.flatMap((c) => c.objects));
const kmsMock = mockKmsWith(emulator);
afterAll(() => kmsMock.restore());

interface ExpectJson {
  format?: 'v2' | 'v3';
  damage?: string;
  source?: string;
  refusedBy?: string;
}
const expectOf = (o: Vector): ExpectJson => require(join(o.dir, 'expect.json')) as ExpectJson;

function decrypt(o: Vector, options: { requireKeyCommitment?: boolean; context?: Record<string, string> } = {}) {
  const object: EncryptedObject = {
    metadata: o.metadata,
    body: inPieces(o.object),
    contentLength: o.object.length,
    loadInstructionFile: async () => o.instruction,
  };
  return decryptMail(object, {
    kms: kmsClient(),
    expectedKmsKeyArn: o.kms.keyId as string,
    expectedEncryptionContext: options.context ?? o.callerEncryptionContext,
    requireKeyCommitment: options.requireKeyCommitment,
  });
}

describe.each(byClient.map((c) => [c.client, c] as const))('%s client', (_client, { refusal, objects }) => {
  const good = objects.filter((o) => o.outcome === 'ok');
  const damaged = objects.filter((o) => o.outcome === 'reject');

  it('holds the client V2 and V3 objects and every damage of each format', () => {
    expect(good.map((o) => o.name)).toEqual(['v2-00', 'v2-01', 'v2-02', 'v3-00', 'v3-01', 'v3-02']);
    expect(damaged.map((o) => o.name).sort()).toEqual(
      [...Object.keys(V2_DAMAGES).map((d) => `${d}-v2`), ...Object.keys(V3_DAMAGES).map((d) => `${d}-v3`)].sort(),
    );
  });

  describe.each(good.map((o) => [o.name, o] as const))('official client object %s', (_name, o) => {
    const v3 = expectOf(o).format === 'v3';

    it('is in the format its name says', () => {
      expect(o.metadata[v3 ? 'x-amz-3' : 'x-amz-key-v2']).toBeDefined();
      expect(o.metadata[v3 ? 'x-amz-c' : 'x-amz-cek-alg']).toBe(v3 ? '115' : 'AES/GCM/NoPadding');
    });

    it('decrypts to the mail that was encrypted, byte for byte', async () => {
      const result = await decrypt(o);
      expect(joinPlaintext(result.plaintext).equals(o.plain as Buffer)).toBe(true);
    });

    it(
      v3 ? 'decrypts under the commitment policy too' : 'is refused under the commitment policy (not key-committing)',
      async () => {
        if (v3) {
          const result = await decrypt(o, { requireKeyCommitment: true });
          expect(joinPlaintext(result.plaintext).equals(o.plain as Buffer)).toBe(true);
        } else {
          expect(await codeOf(decrypt(o, { requireKeyCommitment: true }))).toBe('KEY_COMMITMENT_REQUIRED');
        }
      },
    );

    it('is refused when the caller expects another encryption context', async () => {
      expect(await codeOf(decrypt(o, { context: { purpose: 'other' } }))).toBe('CONTEXT_MISMATCH');
    });
  });

  describe.each(damaged.map((o) => [o.name, o] as const))('damaged official client object %s', (_name, o) => {
    const expected = expectOf(o);

    it('was refused by the official client that wrote its source', () => {
      expect(expected.refusedBy).toMatch(refusal);
    });

    it('is refused with the reason its damage deserves, releasing nothing', async () => {
      const held = watchHeldPlaintext();
      try {
        const source = objects.find((s) => s.name === expected.source) as Vector;
        expect(await codeOf(decrypt({ ...o, callerEncryptionContext: source.callerEncryptionContext }))).toBe(
          reasonForDamage(expected.damage as string),
        );
        expect(allZero(held.pieces())).toBe(true);
      } finally {
        held.stop();
      }
    });
  });
});
