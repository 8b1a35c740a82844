/**
 * The stable reason codes of the message contract (docs/CONTRACT.md, "Reason codes"): every code a rejected or
 * retried object can carry, in failure records, logs, metrics and the CLI's output. The reader's and the function's
 * error classes carry them; consumers and operators match on them. A code is never renamed. A record the function
 * skips is logged with a skip reason instead (`record skipped`: SES_SETUP_NOTIFICATION, INSTRUCTION_FILE,
 * ALREADY_QUARANTINED, ALREADY_REJECTED; docs/CONTRACT.md, "Skipped records"), never a failure record.
 */

/** Every stable reason code a rejected or retried object can carry. */
export type ReasonCode =
  | EnvelopeErrorCode
  | PolicyErrorCode
  | KeyUnwrapErrorCode
  | IntegrityErrorCode
  | TransientErrorCode
  | EventMismatchErrorCode
  | ForwardErrorCode
  | SourceErrorCode
  | CredentialsErrorCode;

/** Codes of `EnvelopeError`. */
export type EnvelopeErrorCode =
  /** The object carries no envelope at all: it was stored unencrypted. */
  | 'NOT_ENCRYPTED'
  /** An envelope field is missing, malformed, or has a value SES and the S3 Encryption Clients never write. */
  | 'ENVELOPE_INVALID'
  /** `x-amz-cek-alg` names a content algorithm this reader does not implement. */
  | 'CONTENT_ALGORITHM_UNSUPPORTED'
  /** `x-amz-wrap-alg` is not a KMS wrapping (`kms` or `kms+context`). */
  | 'WRAP_ALGORITHM_UNSUPPORTED'
  /** AES/CBC is unauthenticated and reading it was not switched on. */
  | 'LEGACY_CBC_REFUSED'
  /** The material description does not hold the encryption context the caller expects. */
  | 'CONTEXT_MISMATCH'
  /** The policy requires key commitment and the object is not a key-committing (V3) one. */
  | 'KEY_COMMITMENT_REQUIRED';

/** Codes of `PolicyError`. */
export type PolicyErrorCode =
  /** `aws:ses:source-account` is missing or is not the expected account. */
  | 'SOURCE_ACCOUNT_MISMATCH'
  /** `aws:ses:rule-name` is missing or is not one of the allowed rules. */
  | 'RULE_NAME_NOT_ALLOWED'
  /** `aws:ses:message-id` is missing or differs from the object key's last part. */
  | 'MESSAGE_ID_MISMATCH'
  /** The record names a bucket other than the mail bucket (`MAIL_BUCKET`), or no valid bucket name; it was not read. */
  | 'BUCKET_NOT_ALLOWED'
  /** The object is larger than the configured maximum; it was not read. */
  | 'TOO_LARGE'
  /** SES's own header block says its virus scan found a virus (X-SES-Virus-Verdict: FAIL); nothing was delivered. */
  | 'VIRUS_DETECTED';

/** Codes of `KeyUnwrapError`. */
export type KeyUnwrapErrorCode =
  /** KMS refused the wrapped key with this encryption context (`InvalidCiphertextException`). */
  | 'KMS_DECRYPT_REFUSED'
  /** The data key was wrapped under a KMS key other than the expected one (`IncorrectKeyException`). */
  | 'KMS_WRONG_KEY'
  /** The caller may not use the key with this context (`AccessDeniedException`). */
  | 'KMS_ACCESS_DENIED'
  /** The key is missing, disabled, pending deletion, or not a decryption key. */
  | 'KMS_KEY_UNUSABLE'
  /** KMS answered with a data key that is not 32 bytes. */
  | 'DATA_KEY_INVALID';

/** Codes of `IntegrityError`. */
export type IntegrityErrorCode =
  /** The AES-GCM tag did not verify: the body, IV, tag, or key is not what was encrypted. */
  | 'AUTHENTICATION_FAILED'
  /** AES-CBC padding was invalid (legacy objects only). */
  | 'DECRYPTION_FAILED'
  /** The object or plaintext length disagrees with the envelope. */
  | 'LENGTH_MISMATCH'
  /** V3: the key derived from the data key does not match the object's key commitment (`x-amz-d`). */
  | 'KEY_COMMITMENT_MISMATCH';

/** The code of `TransientError`. */
export type TransientErrorCode =
  /** Throttling, a 5xx, a timeout or a dropped connection: retrying may succeed. */
  'TRANSIENT';

/** The code of `EventMismatchError`. */
export type EventMismatchErrorCode =
  /**
   * The stored object's size (S3's `ContentLength`) is not the size its event announced: the event does not describe
   * the object (forged, or the key written again). Retried, never recorded against the object, so an event that lies
   * cannot stand for the real one.
   */
  | 'EVENT_SIZE_MISMATCH'
  /**
   * The event names no version, but S3 read the object at one (a versioned bucket, where S3 names the version in
   * every event): the event does not describe the object, and its sequencer would make each copy a new identity.
   * Retried, never recorded against the object.
   */
  | 'EVENT_VERSION_MISMATCH';

/** The code of `CredentialsError`. */
export type CredentialsErrorCode =
  /**
   * AWS found no credentials, or refused the ones given (expired, unknown, badly signed): a problem of the caller's
   * set-up, never of the object, so the object is retried rather than rejected.
   */
  'CREDENTIALS_REJECTED';

/** Codes of `SourceError`. */
export type SourceErrorCode =
  /** The stored object was gone when the function came to read it. */
  | 'OBJECT_NOT_FOUND'
  /** The function may not read the stored object. */
  | 'OBJECT_ACCESS_DENIED'
  /** S3 refused the read for another reason that retrying will not fix. */
  | 'OBJECT_UNREADABLE';

/** The code of `ForwardError`. */
export type ForwardErrorCode =
  /** The decrypted mail could not be delivered for a reason retrying will not fix. */
  'FORWARD_FAILED';

/**
 * Codes of the consumer helper's `ForwardedMailError` (`readForwardedMail`): why a message from the output queue was
 * refused. Not failure-record reasons: a consumer meets them, the function never writes them.
 */
export type ForwardedMailErrorCode =
  /** The message is not one the pipeline sends: no `ContentSha256`, an unknown encoding, a body that is no pointer. */
  | 'MESSAGE_MALFORMED'
  /** The message points at the payload bucket and the caller gave no S3 client or no expected payload bucket. */
  | 'OFFLOAD_NOT_CONFIGURED'
  /** The pointer names a bucket other than the expected payload bucket; nothing was fetched. */
  | 'POINTER_BUCKET_REFUSED'
  /** The pointer's key is not the payload prefix followed by one plain name; nothing was fetched. */
  | 'POINTER_KEY_REFUSED'
  /** The announced size is over the caller's limit; nothing was fetched. */
  | 'TOO_LARGE'
  /** The announced size, `ContentLength`, the object's size or the bytes read disagree. */
  | 'LENGTH_MISMATCH'
  /** The bytes do not match `ContentSha256`. */
  | 'SHA256_MISMATCH'
  /** S3 has no payload object there (expired, or never written) or refuses it to the caller; nothing was read. */
  | 'PAYLOAD_UNREADABLE';
