/**
 * The SQS Extended Client pointer of an offloaded mail, and the check that it names the expected payload bucket and a
 * key the function could have written (`<prefix><SES message id>`), made before anything is fetched.
 */
import { POINTER_CLASS } from '../contract/message-contract';
import { ForwardedMailError } from './forwarded-mail-error';

/** Where a pointer says the payload is. */
export interface PayloadLocation {
  readonly bucket: string;
  readonly key: string;
}

/** What the payload's name may be after the prefix: one plain name (an SES message id is letters and digits). */
const PAYLOAD_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,511}$/;

/**
 * Reads the pointer body.
 * @throws ForwardedMailError MESSAGE_MALFORMED when the body is not an extended-client pointer
 */
export function parsePointer(body: string): PayloadLocation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ForwardedMailError('MESSAGE_MALFORMED', 'offloaded message body is not an extended-client pointer');
  }
  if (Array.isArray(parsed) && parsed[0] === POINTER_CLASS && typeof parsed[1] === 'object' && parsed[1] !== null) {
    const { s3BucketName, s3Key } = parsed[1] as { s3BucketName?: unknown; s3Key?: unknown };
    if (typeof s3BucketName === 'string' && typeof s3Key === 'string') {
      return { bucket: s3BucketName, key: s3Key };
    }
  }
  throw new ForwardedMailError('MESSAGE_MALFORMED', 'offloaded message body is not an extended-client pointer');
}

/**
 * Refuses a pointer to any other bucket, or to a key that is not the prefix followed by one plain name (no `/`, no
 * leading `.`, so no `..`, no `payloads-other/…`, no `payloads/a/b`).
 * @throws ForwardedMailError POINTER_BUCKET_REFUSED, POINTER_KEY_REFUSED
 */
export function checkPointer(location: PayloadLocation, expected: { bucket: string; prefix: string }): void {
  if (location.bucket !== expected.bucket) {
    throw new ForwardedMailError('POINTER_BUCKET_REFUSED', 'pointer names a bucket other than the payload bucket');
  }
  const { key } = location;
  if (!key.startsWith(expected.prefix) || !PAYLOAD_NAME.test(key.slice(expected.prefix.length))) {
    throw new ForwardedMailError('POINTER_KEY_REFUSED', 'pointer key is not the payload prefix followed by a name');
  }
}
