/**
 * The ways the reference vectors (test/fixtures/vectors, vectors-v3) are damaged, applied to an object an official
 * client wrote: one change each, named as the vectors name them. test/support/official-client-damage-reasons.ts
 * writes down the reason code each deserves.
 */
import type { StoredObject } from './oracle-world';

export type Damage = (object: StoredObject, plaintext: Buffer) => StoredObject;

function flipByte(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = (copy[index] as number) ^ 0x01;
  return copy;
}

function flipBase64(value: string | undefined): string {
  return flipByte(Buffer.from(value ?? '', 'base64'), 0).toString('base64');
}

function withMetadata(object: StoredObject, change: (metadata: Record<string, string>) => void): StoredObject {
  const metadata = { ...object.metadata };
  change(metadata);
  return { ...object, metadata };
}

/** Damages that apply to both formats. */
const ANY_FORMAT: Readonly<Record<string, Damage>> = {
  // A ciphertext byte changed.
  'bad-flipped-ciphertext': (object) => ({ ...object, body: flipByte(object.body, 0) }),
  // A byte of the GCM tag (the last 16 bytes) changed.
  'bad-flipped-tag': (object) => ({ ...object, body: flipByte(object.body, object.body.length - 1) }),
  // The last byte cut off.
  'bad-truncated': (object) => ({ ...object, body: object.body.subarray(0, object.body.length - 1) }),
  // No envelope at all: the mail stored as it is.
  'bad-plaintext-object': (_object, plaintext) => ({ body: plaintext, metadata: {} }),
};

/** Damages of the V2 envelope. */
export const V2_DAMAGES: Readonly<Record<string, Damage>> = {
  ...ANY_FORMAT,
  // x-amz-iv removed.
  'bad-missing-iv': (object) => withMetadata(object, (m) => delete m['x-amz-iv']),
};

/** Damages of the V3 envelope. */
export const V3_DAMAGES: Readonly<Record<string, Damage>> = {
  ...ANY_FORMAT,
  // The key commitment x-amz-d changed.
  'bad-v3-commitment': (object) => withMetadata(object, (m) => (m['x-amz-d'] = flipBase64(m['x-amz-d']))),
  // The message id x-amz-i (the HKDF salt) changed.
  'bad-v3-message-id': (object) => withMetadata(object, (m) => (m['x-amz-i'] = flipBase64(m['x-amz-i']))),
  // A V2 x-amz-key-v2 beside the V3 keys.
  'bad-v3-mixed-format': (object) => withMetadata(object, (m) => (m['x-amz-key-v2'] = m['x-amz-3'] as string)),
  // The envelope split into an instruction file, with x-amz-d moved there (it must stay in the object's metadata).
  'bad-v3-commitment-in-instruction': (object) => {
    const { 'x-amz-c': c, 'x-amz-i': i, ...rest } = object.metadata;
    return { body: object.body, metadata: { 'x-amz-c': c as string, 'x-amz-i': i as string }, instruction: rest };
  },
};
