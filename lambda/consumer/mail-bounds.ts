/**
 * The bounds `parseForwardedMail` holds a mail to before, while and after postal-mime parses it, and the refusal it
 * gives past them: a `ParsedMailError` with a stable code whose message names a limit, never the mail.
 */

import { DEFAULT_MAX_MAIL_BYTES } from '../contract/message-contract';
import { CodedError } from './coded-error';

/** Why a mail was not parsed. */
export type ParsedMailErrorCode =
  /** The mail is over `maxBytes`; nothing was parsed. */
  | 'MAIL_TOO_LARGE'
  /** Over `maxLines`, `maxParts`, `maxNestingDepth`, `maxHeadersBytes`, `maxFieldBytes`, `maxHeaders` or `maxAttachments`. */
  | 'MAIL_TOO_COMPLEX'
  /**
   * Not a mail all readers read alike: empty, no header section, a header line that is no `Name: value` field or holds
   * a bare CR, two From fields or a From that is not one mailbox, or the parser failed.
   */
  | 'MAIL_MALFORMED';

/** A mail `parseForwardedMail` refused; the message names a limit or a rule, never the mail. */
export class ParsedMailError extends CodedError<ParsedMailErrorCode> {
  /** `'ParsedMailError'`, for code that tests the name rather than `instanceof`. */
  override readonly name = 'ParsedMailError';
}

/** Bounds of `parseForwardedMail`; each a positive whole number. */
export interface ParseForwardedMailOptions {
  /** A mail larger than this, in bytes, is refused unparsed. @default 41_943_040 */
  readonly maxBytes?: number;
  /**
   * A mail of more lines is refused unparsed. The default takes any mail of 40 MiB in base64 lines of 76; the parser
   * holds about 2 KiB per line of an unencoded (7bit, 8bit) part, so a hostile mail may cost it 1.2 GB and 8 s at
   * the default: a consumer with less memory sets this lower (100,000: about 200 MB). @default 600_000
   */
  readonly maxLines?: number;
  /** A mail with more lines starting with `--` (each MIME part starts with one) is refused unparsed. @default 10_000 */
  readonly maxParts?: number;
  /** Deepest MIME nesting accepted, in levels below the top-level part. @default 64 */
  readonly maxNestingDepth?: number;
  /** Header bytes of all parts together. @default 2_097_152 */
  readonly maxHeadersBytes?: number;
  /**
   * One top-level header field, folded lines included, in bytes, and the address fields (From, Sender, To, Cc, Bcc,
   * Reply-To, Delivered-To, Return-Path) together, checked before parsing: postal-mime's address parser takes time
   * that grows faster than a field's length (a hostile From of 1 MiB: about 8 s; of 256 KiB: about 1.4 s; seven To
   * fields of 256 KiB: 12.6 s), while a To of 1,500 recipients takes about 80 KB. @default 262_144
   */
  readonly maxFieldBytes?: number;
  /** Top-level header fields. @default 5_000 */
  readonly maxHeaders?: number;
  /** Attachments. @default 1_000 */
  readonly maxAttachments?: number;
}

export const DEFAULTS: Required<ParseForwardedMailOptions> = {
  maxBytes: DEFAULT_MAX_MAIL_BYTES,
  maxLines: 600_000,
  maxParts: 10_000,
  maxNestingDepth: 64,
  maxHeadersBytes: 2_097_152,
  maxFieldBytes: 262_144,
  maxHeaders: 5_000,
  maxAttachments: 1_000,
};

/** The fields postal-mime parses as addresses. */
const ADDRESS_FIELD = /^(?:from|sender|to|cc|bcc|reply-to|delivered-to|return-path)[ \t]*:/i;

/**
 * Counts lines and part delimiters (lines starting with `--`) without parsing; refuses past the bounds, and a top-level
 * header line holding a bare CR.
 */
export function checkShape(mime: Uint8Array, limits: Required<ParseForwardedMailOptions>): void {
  const bytes = Buffer.from(mime.buffer, mime.byteOffset, mime.byteLength);
  const header = new TopHeaderBounds(limits.maxFieldBytes);
  let inHeader = true;
  let lines = 0;
  let delimiters = 0;
  let start = 0;
  while (start < bytes.length) {
    lines += 1;
    if (bytes[start] === 0x2d && bytes[start + 1] === 0x2d) {
      delimiters += 1;
    }
    const end = bytes.indexOf(0x0a, start);
    if (inHeader) {
      inHeader = header.line(bytes, start, end === -1 ? bytes.length : end);
    }
    if (end === -1) {
      break;
    }
    start = end + 1;
  }
  if (lines === 0) {
    throw new ParsedMailError('MAIL_MALFORMED', 'mail is empty');
  }
  if (lines > limits.maxLines) {
    throw new ParsedMailError('MAIL_TOO_COMPLEX', `mail has more than ${limits.maxLines} lines`);
  }
  if (delimiters > limits.maxParts) {
    throw new ParsedMailError('MAIL_TOO_COMPLEX', `mail has more than ${limits.maxParts} MIME part delimiters`);
  }
}

/**
 * The top-level header section, line by line (a line starting with a space or tab continues the field above): one
 * field, and the address fields together (postal-mime reads each through its address parser), at most
 * `maxFieldBytes`; no CR but the one before LF.
 */
class TopHeaderBounds {
  private fieldBytes = 0;
  private addressBytes = 0;
  private inAddressField = false;

  constructor(private readonly maxFieldBytes: number) {}

  /** Checks the line from `start` to `end` (its LF, or the end of the mail); false once it is the empty line. */
  line(bytes: Buffer, start: number, end: number): boolean {
    const length = end - start;
    const continued = bytes[start] === 0x20 || bytes[start] === 0x09;
    this.fieldBytes = continued ? this.fieldBytes + length + 1 : length + 1;
    if (this.fieldBytes > this.maxFieldBytes) {
      throw new ParsedMailError('MAIL_TOO_COMPLEX', `a header field is over ${this.maxFieldBytes} bytes`);
    }
    if (!continued) {
      this.inAddressField = ADDRESS_FIELD.test(bytes.toString('latin1', start, Math.min(start + 32, end)));
    }
    if (this.inAddressField) {
      this.addressBytes += length + 1;
      if (this.addressBytes > this.maxFieldBytes) {
        throw new ParsedMailError('MAIL_TOO_COMPLEX', `the address fields are over ${this.maxFieldBytes} bytes`);
      }
    }
    const lineEnd = end < bytes.length && bytes[end - 1] === 0x0d ? end - 1 : end;
    // A CR not before LF ends a line for some readers (Python's email package) and not for others (postal-mime): they
    // would read different fields.
    if (bytes.subarray(start, lineEnd).includes(0x0d)) {
      throw new ParsedMailError('MAIL_MALFORMED', 'a header line holds a carriage return not followed by a line feed');
    }
    return lineEnd > start;
  }
}
