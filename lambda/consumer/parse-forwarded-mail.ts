/**
 * Parsed mail for consumers: `parseForwardedMail` turns the MIME bytes `readForwardedMail` returns into headers,
 * addresses, subject, date, text, HTML and attachments, with postal-mime (MIT-0, no dependencies). The mail is
 * bounded before it is parsed (bytes, lines, MIME parts) and while it is (nesting depth, header bytes), and the result
 * after (headers, attachments): a refusal is a `ParsedMailError` with a stable code whose message names a limit,
 * never the mail's content or addresses.
 */
import PostalMime, { addressParser } from 'postal-mime';
import { checkShape, DEFAULTS, ParsedMailError, type ParseForwardedMailOptions } from './mail-bounds';
import type { ForwardedMail } from './read-forwarded-mail';

export { ParsedMailError, type ParsedMailErrorCode, type ParseForwardedMailOptions } from './mail-bounds';

/** A mailbox: the address and its decoded display name (empty when the mail gives none). */
export interface MailAddress {
  /** The address (`local@domain`), as written. */
  readonly address: string;
  /** The decoded display name, empty when the mail gives none. */
  readonly name: string;
}

/** One header field of the mail's top level, as written: the value unfolded, encoded words not decoded. */
export interface MailHeader {
  /** The field name, as written (case kept). */
  readonly name: string;
  /** The field value, unfolded; encoded words are not decoded. */
  readonly value: string;
}

/** An attachment (or an inline part such as an image) with its decoded bytes. */
export interface MailAttachment {
  /** The decoded file name, undefined when the part has none. */
  readonly filename: string | undefined;
  /** Lowercase MIME type, e.g. `image/png`. */
  readonly contentType: string;
  /** Lowercase `Content-Disposition` token (`attachment`, `inline`), undefined when the part has none. */
  readonly disposition: string | undefined;
  /** `Content-ID` with its angle brackets, undefined when the part has none. */
  readonly contentId: string | undefined;
  /** `content.byteLength`. */
  readonly size: number;
  /**
   * The decoded bytes: exact for base64 and quoted-printable parts; a part sent unencoded (7bit, 8bit, binary) is
   * given as its lines, each ending in LF (postal-mime's representation).
   */
  readonly content: Uint8Array;
}

/** A parsed mail. A `message/rfc822` part (a forwarded mail) is an attachment: parse its `content` again if needed. */
export interface ParsedMail {
  /** The top-level header fields in order, duplicates included. */
  readonly headers: readonly MailHeader[];
  /** The first mailbox of `From`. */
  readonly from: MailAddress | undefined;
  /** Mailboxes of `To`, `Cc` and `Reply-To`, groups flattened into their members. */
  readonly to: readonly MailAddress[];
  /** Mailboxes of `Cc`. */
  readonly cc: readonly MailAddress[];
  /** Mailboxes of `Reply-To`. */
  readonly replyTo: readonly MailAddress[];
  /** The decoded `Subject`, undefined when absent. */
  readonly subject: string | undefined;
  /** `Date`, undefined when absent or not a date. */
  readonly date: Date | undefined;
  /** `Message-ID` with its angle brackets, undefined when absent. */
  readonly messageId: string | undefined;
  /** The text and HTML bodies, decoded to strings: their parts' lines, each ending in LF. */
  readonly text: string | undefined;
  /** The HTML body, undefined when the mail has none. */
  readonly html: string | undefined;
  /** Attachments and inline parts, in the mail's order. */
  readonly attachments: readonly MailAttachment[];
}

/** RFC 5322 field name: printable US-ASCII except `:`. */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
const MBOX_FROM = /^From /;

/**
 * Parses a forwarded mail (or its MIME bytes).
 * @param mail - what `readForwardedMail` returned, or the MIME bytes themselves
 * @param options - the bounds (`maxBytes`, `maxLines`, …), each with its default
 * @throws ParsedMailError with a stable `code` when the mail is over a bound or is no mail
 * @throws TypeError when a bound is not a positive whole number or `mail` is neither a ForwardedMail nor bytes
 */
export async function parseForwardedMail(
  mail: ForwardedMail | Uint8Array,
  options: ParseForwardedMailOptions = {},
): Promise<ParsedMail> {
  const limits = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof ParseForwardedMailOptions)[]) {
    const value = options[key] ?? DEFAULTS[key];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`${key} must be a positive whole number`);
    }
    limits[key] = value;
  }
  const mime = isBytes(mail) ? mail : (mail as Partial<ForwardedMail> | null)?.mime;
  if (!isBytes(mime)) {
    throw new TypeError('mail must be a ForwardedMail or its MIME bytes');
  }
  if (mime.byteLength > limits.maxBytes) {
    throw new ParsedMailError(
      'MAIL_TOO_LARGE',
      `mail is ${mime.byteLength} bytes, over the limit of ${limits.maxBytes}`,
    );
  }
  checkShape(mime, limits);

  let email: PostalMime.Email;
  try {
    email = await PostalMime.parse(mime, {
      attachmentEncoding: 'arraybuffer',
      forceRfc822Attachments: true,
      maxNestingDepth: limits.maxNestingDepth,
      maxHeadersSize: limits.maxHeadersBytes,
    });
  } catch (error) {
    // postal-mime's own messages name only its limits; anything else may quote the mail, so none is passed on.
    const text = error instanceof Error ? error.message : '';
    if (/^Maximum MIME nesting depth/.test(text)) {
      throw new ParsedMailError('MAIL_TOO_COMPLEX', `MIME parts nest deeper than ${limits.maxNestingDepth}`);
    }
    if (/^Maximum header size/.test(text)) {
      throw new ParsedMailError('MAIL_TOO_COMPLEX', `headers are over ${limits.maxHeadersBytes} bytes`);
    }
    throw new ParsedMailError('MAIL_MALFORMED', 'the MIME parser failed on the mail');
  }

  // An mbox separator line (`From sender date`, no field name) before the header section is not a header: dropped,
  // as Python's email package keeps it apart (`get_unixfrom`). `From : x` is a From field.
  const first = email.headers[0];
  const mbox =
    first !== undefined && MBOX_FROM.test(email.headerLines[0]?.line ?? '') && !FIELD_NAME.test(first.originalKey);
  const headers = mbox ? email.headers.slice(1) : email.headers;
  if (headers.length === 0) {
    throw new ParsedMailError('MAIL_MALFORMED', 'mail has no header section');
  }
  if (headers.some((header) => !FIELD_NAME.test(header.originalKey))) {
    throw new ParsedMailError('MAIL_MALFORMED', 'a header line is not a "Name: value" field');
  }
  // RFC 5322 allows one From: with two, readers differ on which is the sender (postal-mime the first, Python the last).
  const fromFields = headers.filter((header) => header.key === 'from');
  if (fromFields.length > 1) {
    throw new ParsedMailError('MAIL_MALFORMED', 'mail has more than one From field');
  }
  if (fromFields[0] !== undefined && !oneMailbox(fromFields[0].value)) {
    throw new ParsedMailError('MAIL_MALFORMED', 'the From field is not one address');
  }
  if (headers.length > limits.maxHeaders) {
    throw new ParsedMailError('MAIL_TOO_COMPLEX', `mail has more than ${limits.maxHeaders} header fields`);
  }
  if (email.attachments.length > limits.maxAttachments) {
    throw new ParsedMailError('MAIL_TOO_COMPLEX', `mail has more than ${limits.maxAttachments} attachments`);
  }
  return {
    headers: headers.map((header) => ({ name: header.originalKey, value: header.value })),
    from: mailboxes(email.from === undefined ? undefined : [email.from])[0],
    to: mailboxes(email.to),
    cc: mailboxes(email.cc),
    replyTo: mailboxes(email.replyTo),
    subject: email.subject,
    date: toDate(email.date),
    messageId: email.messageId,
    text: email.text,
    html: email.html,
    attachments: email.attachments.map(toAttachment),
  };
}

/**
 * Whether a From value names one mailbox, as every reader reads it. A list or a group (`a@x, b@y`; `Doe, John <j@x>`
 * is two), and an `@` left in a display name outside quotes and comments (`ceo@victim.example <me@attacker.example>`,
 * not RFC 5322), are read as one sender by some readers (postal-mime the first address, or the display name) and as
 * two by others (Python's email package): who sent the mail must not depend on the reader.
 */
function oneMailbox(value: string): boolean {
  const entries = addressParser(value);
  if (entries.length > 1 || entries.some((entry) => entry.group !== undefined)) {
    return false;
  }
  // An `@` outside quoted strings and comments (which may nest, and hold `<` or `@`) before the last `<` outside them.
  let atOutside = false;
  let atBeforeAngle = false;
  let quoted = false;
  let depth = 0;
  for (let i = 0; i < value.length; i += 1) {
    const c = value[i] as string;
    if (c === '\\') {
      i += 1;
    } else if (quoted) {
      quoted = c !== '"';
    } else if (c === '(') {
      depth += 1;
    } else if (c === ')') {
      depth = Math.max(0, depth - 1);
    } else if (depth === 0 && c === '"') {
      quoted = true;
    } else if (depth === 0 && c === '<') {
      atBeforeAngle = atOutside;
    } else if (depth === 0 && c === '@') {
      atOutside = true;
    }
  }
  return !atBeforeAngle;
}

/** A Uint8Array or Buffer, from this realm or another (a test runner's sandbox, a worker). */
function isBytes(value: unknown): value is Uint8Array {
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]';
}

function mailboxes(addresses: PostalMime.Address[] | undefined): MailAddress[] {
  return (addresses ?? [])
    .flatMap((entry) => (entry.group === undefined ? [entry] : entry.group))
    .map(({ address, name }) => ({ address, name }));
}

/** postal-mime gives an ISO 8601 string for a date it could read, the raw value otherwise. */
function toDate(value: string | undefined): Date | undefined {
  if (value === undefined) {
    return undefined;
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function toAttachment(attachment: PostalMime.Attachment): MailAttachment {
  const { content } = attachment;
  const bytes =
    typeof content === 'string'
      ? new TextEncoder().encode(content)
      : content instanceof Uint8Array
        ? content
        : new Uint8Array(content);
  return {
    filename: attachment.filename ?? undefined,
    contentType: attachment.mimeType,
    disposition: attachment.disposition ?? undefined,
    contentId: attachment.contentId,
    size: bytes.byteLength,
    content: bytes,
  };
}
