/**
 * The S3 object-created event record as the function reads it: its shape, its key encoding, and what identifies the
 * object across duplicate deliveries.
 */

/** The object SES writes under the rule's prefix when the rule is created; it is not mail. */
export const SES_SETUP_NOTIFICATION = 'AMAZON_SES_SETUP_NOTIFICATION';

/** The parts of an S3 event record the function reads. */
export interface ObjectCreatedRecord {
  readonly s3: {
    readonly bucket: { readonly name: string };
    readonly object: {
      readonly key: string;
      readonly size?: number;
      readonly eTag?: string;
      readonly versionId?: string;
      readonly sequencer?: string;
    };
  };
}

/**
 * More records than any message S3 or Lambda writes holds: S3 sends one record per notification. A message (or a
 * direct invocation) holding more is not theirs; a forged one of thousands would run its batch past the timeout.
 */
export const MAX_RECORDS_PER_MESSAGE = 10;

/**
 * A record as S3 writes it, in the fields the function reads: the bucket's name and the key are strings; the version,
 * sequencer and ETag strings (or absent or null: an unversioned bucket's version is null); the size a whole number of
 * bytes (or absent). Anything else is not S3's: a version id that is an array or a number reads as the same version
 * in the SDK's request yet spells another identity (a second send).
 */
export function isObjectCreatedRecord(record: unknown): record is ObjectCreatedRecord {
  const s3 = (record as { s3?: { bucket?: Record<string, unknown>; object?: Record<string, unknown> } } | null)?.s3;
  const object = s3?.object;
  const bucket = s3?.bucket?.name;
  if (typeof bucket !== 'string' || !BUCKET_NAME.test(bucket) || !isS3Key(object?.key)) return false;
  const size = object.size;
  const sizeOk = size === undefined || size === null || (Number.isSafeInteger(size) && (size as number) >= 0);
  return sizeOk && [object.versionId, object.sequencer, object.eTag].every(isOptionalName);
}

/**
 * The characters and length any S3 bucket name keeps to: 3 to 63 lowercase letters, digits, dots and hyphens today,
 * up to 255 with capitals and underscores for the oldest us-east-1 buckets
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). No other text reaches a log line
 * or a failure record as a bucket name.
 */
const BUCKET_NAME = /^[A-Za-z0-9._-]{1,255}$/;

/**
 * S3's longest key and version id: 1,024 bytes of UTF-8
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/versioning-workflows.html); the event URL-encodes the key, at
 * most three characters a byte.
 */
export const MAX_S3_NAME_BYTES = 1024;

/** A key as an event carries it: text within S3's length, URL-encoded or not (a key not URL-encoded is refused later). */
function isS3Key(key: unknown): key is string {
  if (!isText(key) || key.length > 3 * MAX_S3_NAME_BYTES) return false;
  try {
    return Buffer.byteLength(decodeS3Key(key)) <= MAX_S3_NAME_BYTES;
  } catch {
    return Buffer.byteLength(key) <= MAX_S3_NAME_BYTES;
  }
}

function isOptionalName(value: unknown): boolean {
  return value === undefined || value === null || (isText(value) && Buffer.byteLength(value) <= MAX_S3_NAME_BYTES);
}

/** A lone UTF-16 surrogate: no UTF-8 text (what S3 names are) holds one, and URL-encoding one throws. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** A string that is text: S3 writes its names as UTF-8 (the key URL-encoded), so never with a lone surrogate. */
export function isText(value: unknown): value is string {
  return typeof value === 'string' && !LONE_SURROGATE.test(value);
}

/** The version a record names: undefined when absent, null or empty (the newest object is read). */
export function versionOf(record: ObjectCreatedRecord): string | undefined {
  const versionId = record.s3.object.versionId;
  return typeof versionId === 'string' && versionId !== '' ? versionId : undefined;
}

/** The size a record announces, when it announces one. */
export function announcedSize(record: ObjectCreatedRecord): number | undefined {
  const size = record.s3.object.size;
  return typeof size === 'number' ? size : undefined;
}

/** Encodes a key as S3 event records carry it: URL-encoded, `+` for space, `/` kept. */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

/** Decodes an S3 event key: URL-encoded, with `+` for space. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/**
 * What identifies the object a record names across duplicate deliveries (the delivery records' key, the schedule's,
 * the container's memory of forwarded objects): the bucket, the decoded key and the version that is read, as one JSON
 * array. Whoever may send to the work queue or invoke the function writes the record, so no two different objects may
 * spell one identity: joined as `bucket/key@version`, a bucket named `<mail bucket>/raw` with the key `<id>` spelled
 * the genuine mail's. Without a version (an unversioned bucket; the newest object under the key is read), the
 * sequencer, or else the ETag, tells two writes apart: a forged one makes only a new identity (a duplicate at worst),
 * never the versioned one.
 */
export function recordIdentity(record: ObjectCreatedRecord): string {
  const { bucket, object } = record.s3;
  const versionId = versionOf(record);
  let key: string | null = null;
  try {
    key = decodeS3Key(object.key);
  } catch {
    // Not URL-encoded: the raw key stands in its own place (the record is refused unread, process-record.ts).
  }
  const unversioned = versionId === undefined ? (object.sequencer ?? object.eTag ?? null) : null;
  return JSON.stringify([bucket.name, key, key === null ? object.key : null, versionId ?? null, unversioned]);
}
