/**
 * Typed errors of the reader and the function, each with a stable reason code (../contract/reason-codes.ts).
 *
 * Messages say what was wrong (a field name, a length) and never echo plaintext, key material, or addresses.
 * Only the handler decides between retry and rejection, from `retryable`.
 */

import type {
  EnvelopeErrorCode,
  EventMismatchErrorCode,
  IntegrityErrorCode,
  KeyUnwrapErrorCode,
  PolicyErrorCode,
  ReasonCode,
  SourceErrorCode,
} from '../contract/reason-codes';

export type {
  CredentialsErrorCode,
  EnvelopeErrorCode,
  EventMismatchErrorCode,
  ForwardErrorCode,
  IntegrityErrorCode,
  KeyUnwrapErrorCode,
  PolicyErrorCode,
  ReasonCode,
  SourceErrorCode,
  TransientErrorCode,
} from '../contract/reason-codes';

/** Base class of every error the core throws on purpose. */
export abstract class InboundMailError extends Error {
  /** The subclass's name (`EnvelopeError`, `PolicyError`, …), for code that tests the name rather than `instanceof`. */
  abstract override readonly name: string;
  /** Why: a stable reason code (docs/CONTRACT.md); it carries no plaintext, key or address. */
  abstract readonly code: ReasonCode;
  /** True when the same object may succeed on a later attempt. */
  readonly retryable: boolean = false;
}

/** The object's envelope is absent, malformed, or not one this reader accepts. */
export class EnvelopeError extends InboundMailError {
  /** `'EnvelopeError'`, the same in every realm (for code that tests the name rather than `instanceof`). */
  override readonly name = 'EnvelopeError';
  /** Why: a stable reason code (docs/CONTRACT.md). */
  readonly code: EnvelopeErrorCode;
  /**
   * @param code - the stable reason code
   * @param message - what was wrong (a field name, a length); never plaintext, key material or an address
   * @param options - `cause`: the underlying error, if any
   */
  constructor(code: EnvelopeErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** The envelope is well formed but fails this deployment's policy (account, rule, message id, size). */
export class PolicyError extends InboundMailError {
  /** `'PolicyError'`, the same in every realm (for code that tests the name rather than `instanceof`). */
  override readonly name = 'PolicyError';
  /** Why: a stable reason code (docs/CONTRACT.md). */
  readonly code: PolicyErrorCode;
  /**
   * @param code - the stable reason code
   * @param message - what was wrong (a field name, a length); never plaintext, key material or an address
   * @param options - `cause`: the underlying error, if any
   */
  constructor(code: PolicyErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** KMS did not give back a usable data key, for a reason retrying will not fix. */
export class KeyUnwrapError extends InboundMailError {
  /** `'KeyUnwrapError'`, the same in every realm (for code that tests the name rather than `instanceof`). */
  override readonly name = 'KeyUnwrapError';
  /** Why: a stable reason code (docs/CONTRACT.md). */
  readonly code: KeyUnwrapErrorCode;
  /**
   * @param code - the stable reason code
   * @param message - what was wrong (a field name, a length); never plaintext, key material or an address
   * @param options - `cause`: the underlying error, if any
   */
  constructor(code: KeyUnwrapErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** The ciphertext did not authenticate or decrypt to the announced length; nothing was released. */
export class IntegrityError extends InboundMailError {
  /** `'IntegrityError'`, the same in every realm (for code that tests the name rather than `instanceof`). */
  override readonly name = 'IntegrityError';
  /** Why: a stable reason code (docs/CONTRACT.md). */
  readonly code: IntegrityErrorCode;
  /**
   * @param code - the stable reason code
   * @param message - what was wrong (a field name, a length); never plaintext, key material or an address
   * @param options - `cause`: the underlying error, if any
   */
  constructor(code: IntegrityErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** The stored object could not be read, for a reason retrying will not fix. */
export class SourceError extends InboundMailError {
  /** `'SourceError'`, the same in every realm (for code that tests the name rather than `instanceof`). */
  override readonly name = 'SourceError';
  /** Why: a stable reason code (docs/CONTRACT.md). */
  readonly code: SourceErrorCode;
  /**
   * @param code - the stable reason code
   * @param message - what was wrong (a field name, a length); never plaintext, key material or an address
   * @param options - `cause`: the underlying error, if any
   */
  constructor(code: SourceErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** A dependency failed in a way that may pass: the handler lets Lambda retry. */
export class TransientError extends InboundMailError {
  /** `'TransientError'`. */
  override readonly name = 'TransientError';
  /** Always `TRANSIENT`. */
  readonly code = 'TRANSIENT' as const;
  override readonly retryable = true;
}

/**
 * AWS refused the caller's credentials, or none were found. Retryable: the function must not consume mail over a
 * set-up problem (the event goes back to Lambda, and after its retries to the on-failure destination).
 */
export class CredentialsError extends InboundMailError {
  /** `'CredentialsError'`. */
  override readonly name = 'CredentialsError';
  /** Always `CREDENTIALS_REJECTED`. */
  readonly code = 'CREDENTIALS_REJECTED' as const;
  override readonly retryable = true;
}

/**
 * The event that named the object does not describe it: it announced another size than S3 stores, or no version where
 * S3 read one. Retried, so the event never decides what is recorded against the object (a repeat of the true event
 * then does), and never read, so a size made small cannot slip a large object past the function's memory budget
 * (decrypt-function/record-schedule.ts).
 */
export class EventMismatchError extends InboundMailError {
  /** `'EventMismatchError'`. */
  override readonly name = 'EventMismatchError';
  override readonly retryable = true;

  constructor(
    /** `EVENT_SIZE_MISMATCH` or `EVENT_VERSION_MISMATCH`. */
    readonly code: EventMismatchErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Delivery of a verified mail failed permanently (for example a queue that refuses the message). */
export class ForwardError extends InboundMailError {
  /** `'ForwardError'`. */
  override readonly name = 'ForwardError';
  /** Always `FORWARD_FAILED`. */
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
