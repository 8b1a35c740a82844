/**
 * The output queue's message contract (docs/CONTRACT.md), spelled once for the forwarder and the consumer helper.
 */

/** Message attribute names. */
export const MESSAGE_ATTRIBUTES = {
  sesMessageId: 'SesMessageId',
  contentEncoding: 'ContentEncoding',
  contentLength: 'ContentLength',
  contentSha256: 'ContentSha256',
  sourceBucket: 'SourceBucket',
  sourceKey: 'SourceKey',
  /**
   * SES's verdicts from the header block SES prepended, as a JSON object (`{"spam":"PASS","virus":"PASS",…}`); absent
   * when SES added none. One attribute, not five: SQS allows ten per message and offloaded mail already uses seven.
   */
  sesVerdicts: 'SesVerdicts',
  /**
   * Present when verdicts refused the mail and it is delivered all the same, as JSON: `{"action":"deliver-marked",
   * "reasons":["DMARC"]}`, or, for mail an operator released from quarantine, `{"action":"released","reasons":[…],
   * "quarantinedAt":"…","releasedAt":"…","virusRiskAccepted":true?}`. No addresses, no names.
   */
  verdictRefusal: 'VerdictRefusal',
  /** The SQS Extended Client's attribute on offloaded messages (Java and Python libraries). */
  extendedPayloadSize: 'ExtendedPayloadSize',
  /** The extended clients' legacy name for the same attribute; readers accept both. */
  legacyExtendedPayloadSize: 'SQSLargePayloadSize',
} as const;

/** Where offloaded mail lives in the payload bucket: the function's `PAYLOAD_PREFIX` default, the stack's prefix. */
export const DEFAULT_PAYLOAD_PREFIX = 'payloads/';

/** The largest mail the function forwards by default (`MAX_MAIL_BYTES`): SES stores mail up to 40 MB, this is 40 MiB. */
export const DEFAULT_MAX_MAIL_BYTES = 41_943_040;

/** The first element of an SQS Extended Client pointer body. */
export const POINTER_CLASS = 'software.amazon.payloadoffloading.PayloadS3Pointer';

/** The JSON record sent to the failure queue for each rejected object: no plaintext, no addresses. */
export interface FailureRecord {
  /** The mail bucket's name. */
  readonly bucket: string;
  /** The refused object's key. */
  readonly key: string;
  /**
   * The version the S3 event named (versioned buckets), so a redrive reads that very object.
   * @default - absent for an unversioned bucket
   */
  readonly versionId?: string;
  /** A stable reason code (docs/CONTRACT.md, "Reason codes"). */
  readonly reason: string;
  /** The error class that carried the reason. */
  readonly errorName: string;
}
