/**
 * The V3 format's key derivation and key commitment (S3 Encryption Client specification, key-derivation and
 * key-commitment): HKDF-SHA512 over the 32-byte data key, salted with the object's 28-byte message id, gives the content
 * key (info 00 73 ‖ "DERIVEKEY", 32 bytes) and the commitment (info 00 73 ‖ "COMMITKEY", 28 bytes). The commitment is
 * compared with the object's own in constant time before anything is decrypted: plain GCM does not commit to its key,
 * so without this whoever can write an instruction file could pair the ciphertext with another data key.
 */
import { hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Envelope } from './envelope';
import { IntegrityError } from './errors';

const SUITE_ID = Buffer.from([0x00, 0x73]);
const DERIVE_KEY_INFO = Buffer.concat([SUITE_ID, Buffer.from('DERIVEKEY', 'ascii')]);
const COMMIT_KEY_INFO = Buffer.concat([SUITE_ID, Buffer.from('COMMITKEY', 'ascii')]);

/** The content key and the commitment of a data key for a message id. */
export function deriveV3Keys(dataKey: Uint8Array, messageId: Uint8Array): { contentKey: Buffer; commitment: Buffer } {
  return {
    contentKey: Buffer.from(hkdfSync('sha512', dataKey, messageId, DERIVE_KEY_INFO, 32)),
    commitment: Buffer.from(hkdfSync('sha512', dataKey, messageId, COMMIT_KEY_INFO, 28)),
  };
}

/**
 * The content key of a V3 envelope, after checking its commitment. The caller owns the key and must zero it.
 * @throws IntegrityError KEY_COMMITMENT_MISMATCH when the data key does not commit to the envelope's commitment
 */
export function committedContentKey(dataKey: Uint8Array, envelope: Envelope): Buffer {
  const { commitment, messageId } = envelope;
  if (commitment === undefined || messageId === undefined) {
    throw new Error('committedContentKey needs a V3 envelope');
  }
  const derived = deriveV3Keys(dataKey, messageId);
  /* Precondition: the data key commits to the object's commitment (compared in constant time, before decrypting). */
  if (derived.commitment.length !== commitment.length || !timingSafeEqual(derived.commitment, commitment)) {
    derived.contentKey.fill(0);
    throw new IntegrityError('KEY_COMMITMENT_MISMATCH', 'the data key does not match the key commitment (x-amz-d)');
  }
  return derived.contentKey;
}
