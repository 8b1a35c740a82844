/**
 * The reason code each damage of scripts/official-clients/damage.ts deserves on an official client's object, written
 * down from what the damage is (as test/support/damaged-vector-reasons.ts does for the vectors), not from what the
 * reader answers.
 */
export const OFFICIAL_CLIENT_DAMAGE_REASONS: Readonly<Record<string, string>> = {
  // A ciphertext byte or a tag byte changed: the GCM tag does not verify.
  'bad-flipped-ciphertext': 'AUTHENTICATION_FAILED',
  'bad-flipped-tag': 'AUTHENTICATION_FAILED',
  // The last byte cut off. Unlike SES and the Ruby V2 client, the official Python client writes no
  // x-amz-unencrypted-content-length (V3 has no such field at all), so no announced length is contradicted: the
  // shortened tag does not verify.
  'bad-truncated': 'AUTHENTICATION_FAILED',
  // No envelope at all.
  'bad-plaintext-object': 'NOT_ENCRYPTED',
  // x-amz-iv removed: the V2 envelope is incomplete.
  'bad-missing-iv': 'ENVELOPE_INVALID',
  // x-amz-d or x-amz-i changed: the derived commitment differs.
  'bad-v3-commitment': 'KEY_COMMITMENT_MISMATCH',
  'bad-v3-message-id': 'KEY_COMMITMENT_MISMATCH',
  // V3 and V2 keys in one object; x-amz-d in the instruction file.
  'bad-v3-mixed-format': 'ENVELOPE_INVALID',
  'bad-v3-commitment-in-instruction': 'ENVELOPE_INVALID',
};

/** The reason a damage deserves; throws for one the table does not know, so none is left unpinned. */
export function reasonForDamage(damage: string): string {
  const reason = OFFICIAL_CLIENT_DAMAGE_REASONS[damage];
  if (reason === undefined) throw new Error(`no expected reason written down for damage ${damage}`);
  return reason;
}
