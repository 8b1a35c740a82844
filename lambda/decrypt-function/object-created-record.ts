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

/** What makes an object unique across duplicate deliveries of its event. */
export function recordIdentity(record: ObjectCreatedRecord): string {
  const { bucket, object } = record.s3;
  return `${bucket.name}/${object.key}@${object.versionId ?? object.sequencer ?? object.eTag ?? ''}`;
}
