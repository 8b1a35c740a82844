/**
 * The consumer helper for downstream services: turns a message from the output queue (inline text, base64, or an
 * SQS Extended Client pointer into the payload bucket) back into the exact MIME bytes, and checks them against
 * `ContentLength` and `ContentSha256`. A pointer is followed only into the expected payload bucket and prefix, and
 * only for a size under the caller's limit.
 */
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_MAX_MAIL_BYTES, DEFAULT_PAYLOAD_PREFIX, MESSAGE_ATTRIBUTES } from '../contract/message-contract';
import { ForwardedMailError } from './forwarded-mail-error';
import { checkPointer, parsePointer } from './payload-pointer';
import { readPayload } from './read-payload';

export { ForwardedMailError, type ForwardedMailErrorCode } from './forwarded-mail-error';

/** A forwarded mail as a consumer receives it: the exact MIME bytes, checked against their hash. */
export interface ForwardedMail {
  /** The exact MIME bytes SES received, after their length and SHA-256 were checked. */
  readonly mime: Buffer;
  /** SES's message id (`SesMessageId` attribute), undefined when the message carries none. */
  readonly sesMessageId: string | undefined;
  /** How the mail came: in the message body, or offloaded to the payload bucket. */
  readonly delivery: 'inline' | 'offloaded';
  /** SES's verdicts (`SesVerdicts`), or undefined when the message carries none. */
  readonly verdicts: Readonly<Record<string, string>> | undefined;
  /**
   * Why the verdicts refused a mail that was delivered all the same (`VerdictRefusal`: marked, or released from
   * quarantine by an operator), or undefined when they did not. (Optional only so that a ForwardedMail built by hand
   * stays one: readForwardedMail always sets it.)
   * @default - undefined
   */
  readonly verdictRefusal?: VerdictRefusal;
}

/** The `VerdictRefusal` attribute (docs/CONTRACT.md), its known fields checked. */
export interface VerdictRefusal {
  /** `deliver-marked`, or `released` by an operator. */
  readonly action: string;
  /** The refusal reasons: `VIRUS`, `SPAM`, `SPF`, `DKIM`, `DMARC`. */
  readonly reasons: readonly string[];
  /** Released mail: when it was quarantined (ISO time). @default - absent */
  readonly quarantinedAt?: string;
  /** Released mail: when the operator released it (ISO time). @default - absent */
  readonly releasedAt?: string;
  /** Released virus mail: the operator accepted the risk. @default - absent */
  readonly virusRiskAccepted?: boolean;
}

/** Options of `readForwardedMail`. */
export interface ReadForwardedMailOptions {
  /**
   * The S3 client that fetches offloaded mail (`s3:GetObject` on the payload prefix).
   * @default - none: an offloaded message is refused
   */
  readonly s3?: S3Client;
  /**
   * The payload bucket (the stack output `PayloadBucketName`): a pointer to any other bucket is refused, and without
   * it an offloaded message is refused.
   * @default - none: an offloaded message is refused
   */
  readonly payloadBucket?: string;
  /** The payload key prefix; it must end with `/`. @default 'payloads/' */
  readonly payloadPrefix?: string;
  /** A mail announced larger than this, in bytes, is refused before anything is fetched. @default 41_943_040 */
  readonly maxBytes?: number;
}

/** A message as `ReceiveMessage` returns it (with `MessageAttributeNames: ['All']`) or as a Lambda SQS event carries it. */
export type QueueMessage = SqsApiMessage | LambdaSqsRecord;

/**
 * The fields read of an `@aws-sdk/client-sqs` `Message` (any `Message` is one), declared here so that the shipped
 * declarations need no `@aws-sdk/client-sqs`: the package does not depend on it.
 */
export interface SqsApiMessage {
  /**
   * The message body.
   * @default - absent, read as an empty body
   */
  readonly Body?: string;
  /**
   * The message attributes, by name.
   * @default - absent, read as no attributes
   */
  readonly MessageAttributes?: Record<string, { readonly StringValue?: string; readonly DataType?: string }>;
}

interface LambdaSqsRecord {
  readonly body: string;
  readonly messageAttributes: Record<string, { stringValue?: string; dataType: string }>;
}

/**
 * Returns the MIME bytes of a forwarded mail, fetching offloaded ones from the payload bucket.
 * @param message - a message of the output queue, from `ReceiveMessage` or a Lambda SQS event
 * @param options - the S3 client, payload bucket and prefix for offloaded mail, and the size bound
 * @throws ForwardedMailError with a stable `code` when the message is malformed, points elsewhere than the payload
 *   bucket and prefix, announces more than `maxBytes`, or its bytes do not match `ContentLength`/`ContentSha256`
 * @throws TypeError when `payloadPrefix` does not end with `/` or `maxBytes` is not a positive whole number
 */
export async function readForwardedMail(
  message: QueueMessage,
  options: ReadForwardedMailOptions = {},
): Promise<ForwardedMail> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MAIL_BYTES;
  const payloadPrefix = options.payloadPrefix ?? DEFAULT_PAYLOAD_PREFIX;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new TypeError('maxBytes must be a positive whole number');
  }
  if (!payloadPrefix.endsWith('/')) {
    throw new TypeError("payloadPrefix must end with '/'");
  }
  const { body, attribute } = normalize(message);
  const expectedSha256 = attribute(MESSAGE_ATTRIBUTES.contentSha256);
  if (expectedSha256 === undefined) {
    throw new ForwardedMailError('MESSAGE_MALFORMED', `message has no ${MESSAGE_ATTRIBUTES.contentSha256} attribute`);
  }
  const length = sizeAttribute(attribute, MESSAGE_ATTRIBUTES.contentLength);
  // The function always sends it (docs/CONTRACT.md); the Python and Java readers refuse its absence too.
  if (length === undefined) {
    throw new ForwardedMailError('MESSAGE_MALFORMED', `message has no ${MESSAGE_ATTRIBUTES.contentLength} attribute`);
  }
  const offloadSize =
    sizeAttribute(attribute, MESSAGE_ATTRIBUTES.extendedPayloadSize) ??
    sizeAttribute(attribute, MESSAGE_ATTRIBUTES.legacyExtendedPayloadSize);
  const announced = offloadSize ?? length;
  if (announced !== undefined && announced > maxBytes) {
    throw new ForwardedMailError('TOO_LARGE', `mail is announced as ${announced} bytes, over the limit of ${maxBytes}`);
  }
  if (offloadSize !== undefined && length !== undefined && offloadSize !== length) {
    throw new ForwardedMailError(
      'LENGTH_MISMATCH',
      `payload size ${offloadSize} is not ${MESSAGE_ATTRIBUTES.contentLength}`,
    );
  }

  let mime: Buffer;
  let delivery: ForwardedMail['delivery'];
  if (offloadSize !== undefined) {
    const pointer = parsePointer(body);
    if (options.s3 === undefined || options.payloadBucket === undefined) {
      throw new ForwardedMailError('OFFLOAD_NOT_CONFIGURED', 'message is offloaded: pass s3 and payloadBucket');
    }
    checkPointer(pointer, { bucket: options.payloadBucket, prefix: payloadPrefix });
    mime = await readPayload(options.s3, pointer, offloadSize);
    delivery = 'offloaded';
  } else {
    const encoding = attribute(MESSAGE_ATTRIBUTES.contentEncoding) ?? 'identity';
    if (encoding !== 'identity' && encoding !== 'base64') {
      throw new ForwardedMailError('MESSAGE_MALFORMED', `unknown ${MESSAGE_ATTRIBUTES.contentEncoding}`);
    }
    // Node's decoder skips what is not base64; the function writes it whole (RFC 4648, padded), as Python and Java read it.
    if (encoding === 'base64' && (body.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(body))) {
      throw new ForwardedMailError('MESSAGE_MALFORMED', 'the body is not base64');
    }
    mime = encoding === 'base64' ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
    delivery = 'inline';
  }

  if (length !== mime.length) {
    throw new ForwardedMailError(
      'LENGTH_MISMATCH',
      `mail is ${mime.length} bytes, ${MESSAGE_ATTRIBUTES.contentLength} says ${length}`,
    );
  }
  if (createHash('sha256').update(mime).digest('hex') !== expectedSha256) {
    throw new ForwardedMailError('SHA256_MISMATCH', `mail does not match ${MESSAGE_ATTRIBUTES.contentSha256}`);
  }
  return {
    mime,
    sesMessageId: attribute(MESSAGE_ATTRIBUTES.sesMessageId),
    delivery,
    verdicts: parseVerdicts(attribute(MESSAGE_ATTRIBUTES.sesVerdicts)),
    verdictRefusal: parseVerdictRefusal(attribute(MESSAGE_ATTRIBUTES.verdictRefusal)),
  };
}

function normalize(message: QueueMessage): { body: string; attribute: (name: string) => string | undefined } {
  if ('body' in message) {
    return { body: message.body, attribute: (name) => message.messageAttributes[name]?.stringValue };
  }
  const attributes = message.MessageAttributes ?? {};
  return { body: message.Body ?? '', attribute: (name) => attributes[name]?.StringValue };
}

/** A size attribute as a number of bytes, or undefined when absent. */
function sizeAttribute(attribute: (name: string) => string | undefined, name: string): number | undefined {
  const value = attribute(name);
  if (value === undefined) {
    return undefined;
  }
  if (!/^\d{1,15}$/.test(value)) {
    throw new ForwardedMailError('MESSAGE_MALFORMED', `${name} is not a whole number`);
  }
  return Number(value);
}

function parseVerdicts(value: string | undefined): Record<string, string> | undefined {
  if (value === undefined) {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<
        string,
        string
      >;
    }
  } catch {
    // Fall through.
  }
  throw new ForwardedMailError('MESSAGE_MALFORMED', `${MESSAGE_ATTRIBUTES.sesVerdicts} is not a JSON object`);
}

function parseVerdictRefusal(value: string | undefined): VerdictRefusal | undefined {
  if (value === undefined) {
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const refusal = parsed as Partial<Record<keyof VerdictRefusal, unknown>> | undefined;
  const optionalText = (field: unknown) => field === undefined || typeof field === 'string';
  if (
    typeof refusal !== 'object' ||
    refusal === null ||
    typeof refusal.action !== 'string' ||
    !Array.isArray(refusal.reasons) ||
    !refusal.reasons.every((reason) => typeof reason === 'string') ||
    !optionalText(refusal.quarantinedAt) ||
    !optionalText(refusal.releasedAt) ||
    !(refusal.virusRiskAccepted === undefined || typeof refusal.virusRiskAccepted === 'boolean')
  ) {
    throw new ForwardedMailError('MESSAGE_MALFORMED', `${MESSAGE_ATTRIBUTES.verdictRefusal} is not a verdict refusal`);
  }
  const { action, reasons, quarantinedAt, releasedAt, virusRiskAccepted } = refusal as VerdictRefusal;
  return {
    action,
    reasons: [...reasons],
    ...(quarantinedAt === undefined ? {} : { quarantinedAt }),
    ...(releasedAt === undefined ? {} : { releasedAt }),
    ...(virusRiskAccepted === undefined ? {} : { virusRiskAccepted }),
  };
}
