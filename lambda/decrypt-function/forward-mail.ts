/**
 * Delivers a verified mail to the output queue: inline when the whole SQS message fits, otherwise as an object in
 * the payload bucket plus an SQS Extended Client pointer (docs/CONTRACT.md, "The message on the output queue").
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Upload } from '@aws-sdk/lib-storage';
import { MESSAGE_ATTRIBUTES, POINTER_CLASS } from '../contract/message-contract';
import { errorNameOf, ForwardError, isTransientFailure, TransientError } from '../reader/errors';
import type { MailPlaintext } from '../reader/mail-decipher';
import type { BodyEncoding } from './config';
import type { SesVerdicts } from './ses-verdicts';

/** Where and how verified mail is delivered (from the function's configuration). */
export interface ForwardMailOptions {
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly outputQueueUrl: string;
  readonly payloadBucket: string;
  readonly payloadPrefix: string;
  readonly inlineMaxBytes: number;
  readonly bodyEncoding: BodyEncoding;
}

/**
 * Where the function delivers, from its clients and configuration: the one place the function and the operator's
 * `quarantine release` take it from, so a release delivers exactly as the function would.
 */
export function forwardTargets(
  clients: { readonly sqs: SQSClient; readonly s3: S3Client },
  config: Omit<ForwardMailOptions, 'sqs' | 's3'>,
): ForwardMailOptions {
  return {
    sqs: clients.sqs,
    s3: clients.s3,
    outputQueueUrl: config.outputQueueUrl,
    payloadBucket: config.payloadBucket,
    payloadPrefix: config.payloadPrefix,
    inlineMaxBytes: config.inlineMaxBytes,
    bodyEncoding: config.bodyEncoding,
  };
}

/** A verified mail and where it came from. */
export interface MailToForward {
  readonly messageId: string;
  readonly plaintext: MailPlaintext;
  readonly sourceBucket: string;
  readonly sourceKey: string;
  /** SES's verdicts, sent as the `SesVerdicts` attribute when there are any. */
  readonly verdicts?: SesVerdicts;
  /** Why verdicts refused the mail though it is delivered, sent as the `VerdictRefusal` attribute (JSON). */
  readonly refusal?: Readonly<Record<string, unknown>>;
}

/** How a mail was delivered, for logs and metrics. */
export interface ForwardResult {
  readonly delivery: 'inline' | 'offloaded';
  readonly contentEncoding: 'identity' | 'base64';
  /** Size of the SQS message as SQS counts it (body and attributes), in bytes. */
  readonly messageBytes: number;
  readonly contentSha256: string;
  readonly sqsMessageId: string | undefined;
}

/** Parts for large payloads: within S3's 5 MiB minimum and the local emulator's 11 MiB request limit. */
const PAYLOAD_PART_BYTES = 5 * 1024 * 1024;

/**
 * Sends the mail inline or offloads it. The caller must only pass plaintext that has authenticated.
 * @throws TransientError when SQS or S3 may succeed on retry; ForwardError when they refuse for good
 */
export async function forwardMail(mail: MailToForward, options: ForwardMailOptions): Promise<ForwardResult> {
  const contentSha256 = sha256Hex(mail.plaintext.chunks);
  const common: Record<string, MessageAttributeValue> = {
    [MESSAGE_ATTRIBUTES.sesMessageId]: text(mail.messageId),
    [MESSAGE_ATTRIBUTES.contentLength]: number(mail.plaintext.byteLength),
    [MESSAGE_ATTRIBUTES.contentSha256]: text(contentSha256),
    [MESSAGE_ATTRIBUTES.sourceBucket]: text(mail.sourceBucket),
    [MESSAGE_ATTRIBUTES.sourceKey]: text(mail.sourceKey),
    ...(mail.verdicts !== undefined && Object.keys(mail.verdicts).length > 0
      ? { [MESSAGE_ATTRIBUTES.sesVerdicts]: text(JSON.stringify(mail.verdicts)) }
      : {}),
    ...(mail.refusal === undefined ? {} : { [MESSAGE_ATTRIBUTES.verdictRefusal]: text(JSON.stringify(mail.refusal)) }),
  };

  // A body over the limit cannot fit whatever its encoding; do not even join it.
  if (mail.plaintext.byteLength <= options.inlineMaxBytes) {
    const { body, encoding } = encodeBody(Buffer.concat(mail.plaintext.chunks), options.bodyEncoding);
    const attributes = { ...common, [MESSAGE_ATTRIBUTES.contentEncoding]: text(encoding) };
    const messageBytes = sqsMessageBytes(body, attributes);
    if (messageBytes <= options.inlineMaxBytes) {
      const sqsMessageId = await send(options, body, attributes, mail.messageId);
      return { delivery: 'inline', contentEncoding: encoding, messageBytes, contentSha256, sqsMessageId };
    }
  }

  const payloadKey = payloadKeyFor(options.payloadPrefix, mail.messageId);
  await putPayload(options, payloadKey, mail.plaintext);
  const body = JSON.stringify([POINTER_CLASS, { s3BucketName: options.payloadBucket, s3Key: payloadKey }]);
  const attributes = {
    ...common,
    [MESSAGE_ATTRIBUTES.contentEncoding]: text('identity'),
    [MESSAGE_ATTRIBUTES.extendedPayloadSize]: number(mail.plaintext.byteLength),
  };
  const sqsMessageId = await send(options, body, attributes, mail.messageId);
  return {
    delivery: 'offloaded',
    contentEncoding: 'identity',
    messageBytes: sqsMessageBytes(body, attributes),
    contentSha256,
    sqsMessageId,
  };
}

/** The payload object's key: deterministic, so a retried delivery overwrites rather than duplicates. */
export function payloadKeyFor(prefix: string, messageId: string): string {
  return `${prefix}${messageId}`;
}

// SQS accepts only these characters in a body: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF. Text decoded
// from valid UTF-8 holds no lone surrogate and nothing past U+10FFFF, so what is left to refuse is the C0 controls but
// tab, LF and CR, and U+FFFE and U+FFFF: a class without the `u` flag, several times faster on non-ASCII text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters SQS refuses are control characters
const SQS_FORBIDDEN = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;

/**
 * The body SQS will carry: the raw text when the bytes are valid UTF-8 made only of SQS-allowed characters (and
 * `auto` is chosen), otherwise base64. Either way the consumer gets the exact bytes back.
 */
export function encodeBody(mime: Buffer, mode: BodyEncoding): { body: string; encoding: 'identity' | 'base64' } {
  // isUtf8 validates strictly (node:buffer's own check); toString then keeps every byte, a BOM included.
  if (mode === 'auto' && isUtf8(mime)) {
    const decoded = mime.toString('utf8');
    if (!SQS_FORBIDDEN.test(decoded)) {
      return { body: decoded, encoding: 'identity' };
    }
  }
  return { body: mime.toString('base64'), encoding: 'base64' };
}

/** The size SQS counts against its limit: the body plus each attribute's name, data type and value, in UTF-8 bytes. */
export function sqsMessageBytes(body: string, attributes: Readonly<Record<string, MessageAttributeValue>>): number {
  let bytes = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType ?? '', 'utf8');
    bytes += Buffer.byteLength(value.StringValue ?? '', 'utf8') + (value.BinaryValue?.length ?? 0);
  }
  return bytes;
}

/** FIFO queues need a group and a deduplication id; both come from the SES message id so a duplicate S3 event is one message. */
export function fifoIdsFor(queueUrl: string, id: string): { MessageGroupId?: string; MessageDeduplicationId?: string } {
  if (!queueUrl.endsWith('.fifo')) {
    return {};
  }
  // Ids may hold up to 128 of SQS's allowed punctuation and alphanumerics; anything else is hashed to fit.
  const safe = /^[\w!"#$%&'()*+,\-./:;<=>?@[\\\]^`{|}~]{1,128}$/.test(id) ? id : sha256Hex([Buffer.from(id, 'utf8')]);
  return { MessageGroupId: safe, MessageDeduplicationId: safe };
}

/** Hex SHA-256 of bytes given in pieces. */
export function sha256Hex(chunks: readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const chunk of chunks) {
    hash.update(chunk);
  }
  return hash.digest('hex');
}

async function send(
  options: ForwardMailOptions,
  body: string,
  attributes: Record<string, MessageAttributeValue>,
  messageId: string,
): Promise<string | undefined> {
  try {
    const response = await options.sqs.send(
      new SendMessageCommand({
        QueueUrl: options.outputQueueUrl,
        MessageBody: body,
        MessageAttributes: attributes,
        ...fifoIdsFor(options.outputQueueUrl, messageId),
      }),
    );
    return response.MessageId;
  } catch (error) {
    throw wrapDeliveryError('SQS SendMessage', error);
  }
}

async function putPayload(options: ForwardMailOptions, key: string, plaintext: MailPlaintext): Promise<void> {
  try {
    // lib-storage sends one PutObject for small bodies and a multipart upload, part by part, for large ones.
    const upload = new Upload({
      client: options.s3,
      partSize: PAYLOAD_PART_BYTES,
      queueSize: 1,
      leavePartsOnError: false,
      params: {
        Bucket: options.payloadBucket,
        Key: key,
        Body: Readable.from(plaintext.chunks, { objectMode: false }),
        ContentType: 'message/rfc822',
        ContentLength: plaintext.byteLength,
      },
    });
    await upload.done();
  } catch (error) {
    throw wrapDeliveryError('S3 payload upload', error);
  }
}

function wrapDeliveryError(what: string, error: unknown): Error {
  const name = errorNameOf(error);
  if (isTransientFailure(error)) {
    return new TransientError(`${what} failed transiently (${name})`, { cause: error });
  }
  return new ForwardError(`${what} refused the mail (${name})`, { cause: error });
}

function text(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

function number(value: number): MessageAttributeValue {
  return { DataType: 'Number', StringValue: String(value) };
}
