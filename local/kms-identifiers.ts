/**
 * What the KMS emulator compares as KMS does: key ids inside key ARNs, and encryption contexts as sets of pairs.
 */

/** A KMS encryption context. */
export type EncryptionContext = Readonly<Record<string, string>>;

/** The key id of a key ARN; anything else as given. */
export function keyIdFromArn(keyId: string): string {
  const match = /^arn:aws[\w-]*:kms:[^:]+:\d{12}:key\/(.+)$/.exec(keyId);
  return match?.[1] ?? keyId;
}

/** KMS binds the context as a set of pairs: order does not matter, every byte of every key and value does. */
export function canonicalContext(context: EncryptionContext | undefined): Buffer {
  const pairs = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(pairs), 'utf8');
}

/** True when two contexts hold the same pairs. */
export function sameContext(a: EncryptionContext, b: EncryptionContext | undefined): boolean {
  return canonicalContext(a).equals(canonicalContext(b));
}
