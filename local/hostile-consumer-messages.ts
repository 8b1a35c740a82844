/**
 * Messages a consumer must refuse, sent straight to the output queue as anyone allowed to send to it could: good mail
 * (length and SHA-256 right) under SES message ids that name paths outside the consumer's output folder, and pointers
 * outside the payload bucket or its prefix to a planted object. With them, one good mail that must still be written.
 * The consumer examples are tested against them.
 */
import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { POINTER_CLASS } from '../lambda/contract/message-contract';
import { LOCAL_MAIL_BUCKET, LOCAL_PAYLOAD_BUCKET, type LocalStack } from './local-stack';

/** What the consumer must do with them. */
/**
 * Message ids at the edges of the examples' file-naming rule (a plain name of at most 128 characters, no separators,
 * no leading dot), NUL included, which SQS cannot carry and so is tried through the examples' naming functions.
 */
export const NAMING_EDGE_IDS: readonly string[] = [
  '0123abcd',
  'a\u0000b',
  'a/b',
  'a\\b',
  '..',
  '.',
  '.hidden',
  '/etc/passwd',
  'a'.repeat(129),
  'a'.repeat(128),
];

export interface HostileMessages {
  /** The refusal codes the consumer must report, sorted: one per hostile message. */
  readonly refusals: readonly string[];
  /** The good mail's SES message id and bytes: written as `<id>.eml`. */
  readonly good: { readonly id: string; readonly mime: Buffer };
}

const MIME = Buffer.from('Subject: planted\r\n\r\nnot from SES\r\n');

/**
 * Sends the hostile messages and the good one. Ids that escape name files in `escapeDir` (the output folder's
 * parent, which the test then lists), each starting with `escaped`.
 */
export async function sendHostileConsumerMessages(stack: LocalStack, escapeDir: string): Promise<HostileMessages> {
  const ids = [
    '../escaped-relative',
    `${'../'.repeat(12)}${escapeDir}/escaped-deep`,
    `${escapeDir}/escaped-absolute`,
    'x/../../escaped-mixed',
    '..',
    'a'.repeat(300),
  ];
  for (const id of ids) {
    await send(stack, { body: MIME.toString('utf8'), sesMessageId: id, mime: MIME, offloaded: false });
  }
  // Objects a pointer could name: one in the mail bucket, one in the payload bucket outside its prefix.
  for (const [bucket, key] of [
    [LOCAL_MAIL_BUCKET, 'raw/planted'],
    [LOCAL_PAYLOAD_BUCKET, 'elsewhere/planted'],
  ] as const) {
    await stack.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: MIME }));
  }
  const pointer = (bucket: string, key: string) =>
    JSON.stringify([POINTER_CLASS, { s3BucketName: bucket, s3Key: key }]);
  await send(stack, {
    body: pointer(LOCAL_MAIL_BUCKET, 'raw/planted'),
    sesMessageId: 'pointerbucket',
    mime: MIME,
    offloaded: true,
  });
  await send(stack, {
    body: pointer(LOCAL_PAYLOAD_BUCKET, 'payloads/../elsewhere/planted'),
    sesMessageId: 'pointerkey',
    mime: MIME,
    offloaded: true,
  });
  const good = { id: 'goodmail0123', mime: Buffer.from('Subject: good\r\n\r\nwritten\r\n') };
  await send(stack, { body: good.mime.toString('utf8'), sesMessageId: good.id, mime: good.mime, offloaded: false });
  return {
    refusals: [...ids.map(() => 'UNSAFE_MESSAGE_ID'), 'POINTER_BUCKET_REFUSED', 'POINTER_KEY_REFUSED'].sort(),
    good,
  };
}

/**
 * A pointer into the payload bucket and prefix that names no object, with every attribute right: a forged message, or
 * a consumer behind the payloads' lifetime. It must be refused (PAYLOAD_UNREADABLE), never stop the consumer.
 */
export async function sendMissingPayloadMessage(stack: LocalStack): Promise<void> {
  await send(stack, {
    body: JSON.stringify([POINTER_CLASS, { s3BucketName: LOCAL_PAYLOAD_BUCKET, s3Key: 'payloads/nosuchpayload0' }]),
    sesMessageId: 'missingpayload',
    mime: MIME,
    offloaded: true,
  });
}

async function send(
  stack: LocalStack,
  message: { body: string; sesMessageId: string; mime: Buffer; offloaded: boolean },
): Promise<void> {
  const text = (value: string) => ({ DataType: 'String', StringValue: value });
  const size = { DataType: 'Number', StringValue: String(message.mime.length) };
  await stack.clients.sqs.send(
    new SendMessageCommand({
      QueueUrl: stack.outputQueueUrl,
      MessageBody: message.body,
      MessageAttributes: {
        SesMessageId: text(message.sesMessageId),
        ContentEncoding: text('identity'),
        ContentLength: size,
        ContentSha256: text(createHash('sha256').update(message.mime).digest('hex')),
        ...(message.offloaded ? { ExtendedPayloadSize: size } : {}),
      },
    }),
  );
}
