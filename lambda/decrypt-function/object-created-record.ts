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
  const versionId = object.versionId === '' ? undefined : object.versionId;
  let key: string | null = null;
  try {
    key = decodeS3Key(object.key);
  } catch {
    // Not URL-encoded: the raw key stands in its own place (the record is refused unread, process-record.ts).
  }
  const unversioned = versionId === undefined ? (object.sequencer ?? object.eTag ?? null) : null;
  return JSON.stringify([bucket.name, key, key === null ? object.key : null, versionId ?? null, unversioned]);
}
