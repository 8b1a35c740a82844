/**
 * The reason code each damaged reference vector deserves, written down from what each damage is (the vectors'
 * READMEs and docs/FORMAT.md, "Reason codes"), not from what the reader answers: a test that compares the reader's
 * code with this table fails if a vector is refused for the wrong reason.
 */
export const DAMAGED_VECTOR_REASONS: Readonly<Record<string, string>> = {
  // A ciphertext byte changed: the GCM tag does not verify.
  'bad-flipped-ciphertext': 'AUTHENTICATION_FAILED',
  // A tag byte changed: the tag does not verify.
  'bad-flipped-tag': 'AUTHENTICATION_FAILED',
  // x-amz-iv removed: the envelope is incomplete.
  'bad-missing-iv': 'ENVELOPE_INVALID',
  // No envelope at all: a plaintext object.
  'bad-plaintext-object': 'NOT_ENCRYPTED',
  // Bytes cut from the end: the object is shorter than its envelope implies.
  'bad-truncated': 'LENGTH_MISMATCH',
  // V1 AES/CBC objects (unauthenticated), read without the explicit legacy switch.
  'v1cbc-00': 'LEGACY_CBC_REFUSED',
  'v1cbc-01': 'LEGACY_CBC_REFUSED',
  'v1cbc-02': 'LEGACY_CBC_REFUSED',
  // V3: the key commitment x-amz-d changed.
  'bad-v3-commitment': 'KEY_COMMITMENT_MISMATCH',
  // V3: the message id x-amz-i changed, so the derived commitment differs.
  'bad-v3-message-id': 'KEY_COMMITMENT_MISMATCH',
  // V3 and V2 envelope keys mixed in one object.
  'bad-v3-mixed-format': 'ENVELOPE_INVALID',
  // V3: x-amz-d moved into the instruction file, where it may not be.
  'bad-v3-commitment-in-instruction': 'ENVELOPE_INVALID',
};

/** The reason a damaged vector deserves; throws for a vector the table does not know, so none is left unpinned. */
export function reasonFor(vectorName: string): string {
  const reason = DAMAGED_VECTOR_REASONS[vectorName];
  if (reason === undefined) throw new Error(`no expected reason written down for vector ${vectorName}`);
  return reason;
}
