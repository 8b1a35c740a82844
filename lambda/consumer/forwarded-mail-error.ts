/**
 * The consumer helper's one error: a message from the output queue refused, with a stable code. Messages name an
 * attribute or a size, never the mail, an address, a bucket or a key.
 */

import type { ForwardedMailErrorCode } from '../contract/reason-codes';
import { CodedError } from './coded-error';

export type { ForwardedMailErrorCode } from '../contract/reason-codes';

/** The message is not one this pipeline sends, points outside the payload bucket, or its content does not match. */
export class ForwardedMailError extends CodedError<ForwardedMailErrorCode> {
  /** `'ForwardedMailError'`, for code that tests the name rather than `instanceof`. */
  override readonly name = 'ForwardedMailError';
}
