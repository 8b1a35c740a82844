/**
 * What the consumer helper's errors share: a stable reason code beside a message that names a limit, a rule, an
 * attribute or a size, never the mail, an address, a bucket or a key.
 */
export abstract class CodedError<Code extends string> extends Error {
  /** Why: a stable reason code (docs/CONTRACT.md). */
  readonly code: Code;
  /**
   * @param code - the stable reason code
   * @param message - the limit or rule broken; never the mail, an address, a bucket or a key
   */
  constructor(code: Code, message: string) {
    super(message);
    this.code = code;
  }
}
