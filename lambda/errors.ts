/**
 * Typed errors of the decrypt-and-forward core, each with a stable reason code.
 *
 * Messages say what was wrong (a field name, a length) and never echo plaintext, key material, or addresses.
 * Only the handler decides between retry and rejection, from `retryable`.
 */

/** Every stable reason code a rejected or retried object can carry. */
export type ReasonCode =
  | EnvelopeErrorCode
  | PolicyErrorCode
  | KeyUnwrapErrorCode
  | IntegrityErrorCode
  | TransientErrorCode
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

/** Base class of every error the core throws on purpose. */
export abstract class InboundMailError extends Error {
  abstract override readonly name: string;
  abstract readonly code: ReasonCode;
  /** True when the same object may succeed on a later attempt. */
  readonly retryable: boolean = false;
}

/** The object's envelope is absent, malformed, or not one this reader accepts. */
export class EnvelopeError extends InboundMailError {
  override readonly name = 'EnvelopeError';
  constructor(
    readonly code: EnvelopeErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The envelope is well formed but fails this deployment's policy (account, rule, message id, size). */
export class PolicyError extends InboundMailError {
  override readonly name = 'PolicyError';
  constructor(
    readonly code: PolicyErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** KMS did not give back a usable data key, for a reason retrying will not fix. */
export class KeyUnwrapError extends InboundMailError {
  override readonly name = 'KeyUnwrapError';
  constructor(
    readonly code: KeyUnwrapErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The ciphertext did not authenticate or decrypt to the announced length; nothing was released. */
export class IntegrityError extends InboundMailError {
  override readonly name = 'IntegrityError';
  constructor(
    readonly code: IntegrityErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The stored object could not be read, for a reason retrying will not fix. */
export class SourceError extends InboundMailError {
  override readonly name = 'SourceError';
  constructor(
    readonly code: SourceErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A dependency failed in a way that may pass: the handler lets Lambda retry. */
export class TransientError extends InboundMailError {
  override readonly name = 'TransientError';
  readonly code = 'TRANSIENT' as const;
  override readonly retryable = true;
}

/**
 * AWS refused the caller's credentials, or none were found. Retryable: the function must not consume mail over a
 * set-up problem (the event goes back to Lambda, and after its retries to the on-failure destination).
 */
export class CredentialsError extends InboundMailError {
  override readonly name = 'CredentialsError';
  readonly code = 'CREDENTIALS_REJECTED' as const;
  override readonly retryable = true;
}

/** Delivery of a verified mail failed permanently (for example a queue that refuses the message). */
export class ForwardError extends InboundMailError {
  override readonly name = 'ForwardError';
  readonly code = 'FORWARD_FAILED' as const;
}

const TRANSIENT_ERROR_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  // KMS: "a quota was exceeded"; it passes with time, and says nothing about the object.
  'LimitExceededException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
]);

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

// What AWS services and the SDK's credential chain answer when credentials are missing, expired, unknown or
// badly signed (KMS and STS spell them ...Exception; S3 does not).
const CREDENTIALS_ERROR_NAMES = new Set([
  'CredentialsProviderError',
  'ExpiredTokenException',
  'ExpiredToken',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'InvalidToken',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
  'RequestExpired',
]);

/** True when AWS refused the caller's credentials, or the SDK found none: a set-up problem, not the object's. */
export function isCredentialsFailure(error: unknown): boolean {
  return CREDENTIALS_ERROR_NAMES.has(errorNameOf(error));
}

/**
 * True when an AWS SDK or network error may pass on retry: throttling, a 5xx, a timeout, a dropped connection.
 *
 * Uses the SDK's own `$retryable` and `$fault` marks where present.
 */
export function isTransientFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) {
    return false;
  }
  const e = error as {
    name?: unknown;
    code?: unknown;
    $fault?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  if (e.$retryable !== undefined && e.$retryable !== null) {
    return true;
  }
  if (e.$fault === 'server') {
    return true;
  }
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (status >= 500 || status === 429)) {
    return true;
  }
  if (typeof e.name === 'string' && TRANSIENT_ERROR_NAMES.has(e.name)) {
    return true;
  }
  return typeof e.code === 'string' && TRANSIENT_NETWORK_CODES.has(e.code);
}

/** The error's class name when it has one, for logs and failure records; never its message. */
export function errorNameOf(error: unknown): string {
  if (error instanceof Error) {
    return typeof error.name === 'string' ? error.name : 'Error';
  }
  return typeof error;
}
