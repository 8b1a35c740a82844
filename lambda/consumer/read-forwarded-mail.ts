/**
 * The consumer helper for downstream services: turns a message from the output queue (inline text, base64, or an
 * SQS Extended Client pointer) back into the exact MIME bytes, and checks them against `ContentSha256`.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import { MESSAGE_ATTRIBUTES, POINTER_CLASS } from '../contract/message-contract';

/** The message is not one this pipeline sends, or its content does not match its hash. */
export class ForwardedMailError extends Error {
  override readonly name = 'ForwardedMailError';
}

/** A forwarded mail as a consumer receives it: the exact MIME bytes, checked against their hash. */
export interface ForwardedMail {
  readonly mime: Buffer;
  readonly sesMessageId: string | undefined;
  readonly delivery: 'inline' | 'offloaded';
  /** SES's verdicts (`SesVerdicts`), or undefined when the message carries none. */
  readonly verdicts: Readonly<Record<string, string>> | undefined;
}

/** A message as `ReceiveMessage` returns it (with `MessageAttributeNames: ['All']`) or as a Lambda SQS event carries it. */
export type QueueMessage = Pick<Message, 'Body' | 'MessageAttributes'> | LambdaSqsRecord;

interface LambdaSqsRecord {
  readonly body: string;
  readonly messageAttributes: Record<string, { stringValue?: string; dataType: string }>;
}

/**
 * Returns the MIME bytes of a forwarded mail, fetching offloaded ones from S3.
 * @throws ForwardedMailError when the message is malformed or the bytes do not match `ContentSha256`/`ContentLength`
 */
export async function readForwardedMail(
  message: QueueMessage,
  options: { s3?: S3Client } = {},
): Promise<ForwardedMail> {
  const { body, attribute } = normalize(message);
  const expectedSha256 = attribute(MESSAGE_ATTRIBUTES.contentSha256);
  if (expectedSha256 === undefined) {
    throw new ForwardedMailError(`message has no ${MESSAGE_ATTRIBUTES.contentSha256} attribute`);
  }
  const offloadSize =
    attribute(MESSAGE_ATTRIBUTES.extendedPayloadSize) ?? attribute(MESSAGE_ATTRIBUTES.legacyExtendedPayloadSize);

  let mime: Buffer;
  let delivery: ForwardedMail['delivery'];
  if (offloadSize !== undefined) {
    const pointer = parsePointer(body);
    if (options.s3 === undefined) {
      throw new ForwardedMailError('message is offloaded to S3: pass an S3 client');
    }
    const object = await options.s3.send(new GetObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }));
    mime = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
    delivery = 'offloaded';
  } else {
    const encoding = attribute(MESSAGE_ATTRIBUTES.contentEncoding) ?? 'identity';
    if (encoding !== 'identity' && encoding !== 'base64') {
      throw new ForwardedMailError(`unknown ${MESSAGE_ATTRIBUTES.contentEncoding}`);
    }
    mime = encoding === 'base64' ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
    delivery = 'inline';
  }

  const length = attribute(MESSAGE_ATTRIBUTES.contentLength);
  if (length !== undefined && Number(length) !== mime.length) {
    throw new ForwardedMailError(`mail is ${mime.length} bytes, ${MESSAGE_ATTRIBUTES.contentLength} says ${length}`);
  }
  if (createHash('sha256').update(mime).digest('hex') !== expectedSha256) {
    throw new ForwardedMailError(`mail does not match ${MESSAGE_ATTRIBUTES.contentSha256}`);
  }
  return {
    mime,
    sesMessageId: attribute(MESSAGE_ATTRIBUTES.sesMessageId),
    delivery,
    verdicts: parseVerdicts(attribute(MESSAGE_ATTRIBUTES.sesVerdicts)),
  };
}

function normalize(message: QueueMessage): { body: string; attribute: (name: string) => string | undefined } {
  if ('body' in message) {
    return { body: message.body, attribute: (name) => message.messageAttributes[name]?.stringValue };
  }
  const attributes: Record<string, MessageAttributeValue> = message.MessageAttributes ?? {};
  return { body: message.Body ?? '', attribute: (name) => attributes[name]?.StringValue };
}

function parsePointer(body: string): { bucket: string; key: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ForwardedMailError('offloaded message body is not an extended-client pointer');
  }
  if (Array.isArray(parsed) && parsed[0] === POINTER_CLASS && typeof parsed[1] === 'object' && parsed[1] !== null) {
    const { s3BucketName, s3Key } = parsed[1] as { s3BucketName?: unknown; s3Key?: unknown };
    if (typeof s3BucketName === 'string' && typeof s3Key === 'string') {
      return { bucket: s3BucketName, key: s3Key };
    }
  }
  throw new ForwardedMailError('offloaded message body is not an extended-client pointer');
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
  throw new ForwardedMailError(`${MESSAGE_ATTRIBUTES.sesVerdicts} is not a JSON object`);
}
