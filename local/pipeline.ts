/**
 * Drives the real handler end to end on the local stack: SES stores a mail encrypted, S3 announces it, the function
 * decrypts and forwards it, and a consumer reads it back from the queue.
 */
import { DeleteMessageCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Event } from 'aws-lambda';
import { readForwardedMail } from '../lambda/consumer/read-forwarded-mail';
import type { FailureRecord } from '../lambda/contract/message-contract';
import type { HandlerResult } from '../lambda/decrypt-function/handler';
import { encodeS3Key } from '../lambda/decrypt-function/process-record';
import {
  LOCAL_ACCOUNT,
  LOCAL_MAIL_BUCKET,
  LOCAL_MAIL_PREFIX,
  LOCAL_PAYLOAD_BUCKET,
  LOCAL_RULE,
  type LocalStack,
} from './local-stack';
import { randomSesMessageId, type SimulatedVerdicts, sesLambdaActionEvent, storeAsSes } from './ses-simulator';

/** The function's handler, as the pipeline calls it. */
export type S3EventHandler = (event: S3Event) => Promise<HandlerResult>;

/** The verdict gate, as SES's Lambda action calls it. */
export type VerdictGate = (event: ReturnType<typeof sesLambdaActionEvent>) => Promise<{ disposition: string }>;

/** How `runMail` receives a mail. */
export interface RunMailOptions {
  /** SES's verdicts: SES prepends its header block, and the gate (when given) decides first. @default - none */
  readonly verdicts?: SimulatedVerdicts;
  /** The receipt rule's first action. @default - no gate */
  readonly gate?: VerdictGate;
}

/** What happened to one mail, as the consumer saw it. */
export type MailReport =
  | {
      readonly outcome: 'delivered';
      readonly messageId: string;
      readonly bytes: number;
      readonly delivery: 'inline' | 'offloaded';
      readonly contentEncoding: string;
      /** True when the bytes received equal the bytes SES stored (the mail, behind SES's header block if any). */
      readonly identical: boolean;
      /** The `SesVerdicts` attribute, when SES's block gave any. */
      readonly verdicts: Readonly<Record<string, string>> | undefined;
      readonly millis: number;
    }
  | { readonly outcome: 'stopped'; readonly messageId: string; readonly millis: number }
  | {
      readonly outcome: 'quarantined';
      readonly messageId: string;
      /** What SES stored, for comparing with a release. */
      readonly plaintext: Buffer;
      readonly millis: number;
    }
  | { readonly outcome: 'rejected'; readonly messageId: string; readonly reason: string; readonly millis: number };

/** Stores `mime` as SES would, under the rule's prefix, in parts when large. Returns the object's key and size. */
export async function storeMail(
  stack: LocalStack,
  mime: Uint8Array,
  messageId?: string,
  verdicts?: SimulatedVerdicts,
): Promise<{ key: string; size: number; messageId: string; plaintext: Buffer }> {
  const stored = await storeAsSes(stack.clients.kms, mime, {
    kmsKeyArn: stack.kmsKeyArn,
    ruleName: LOCAL_RULE,
    sourceAccount: LOCAL_ACCOUNT,
    objectKeyPrefix: LOCAL_MAIL_PREFIX,
    messageId,
    verdicts,
  });
  await putObject(stack, stored.key, stored.body, stored.metadata);
  return { key: stored.key, size: stored.body.length, messageId: stored.messageId, plaintext: stored.plaintext };
}

/** Puts an object as it is (lib-storage: multipart above 8 MiB, within the emulator's 11 MiB request limit). */
export async function putObject(
  stack: LocalStack,
  key: string,
  body: Buffer,
  metadata: Record<string, string>,
): Promise<void> {
  await new Upload({
    client: stack.clients.s3,
    partSize: 8 * 1024 * 1024,
    params: { Bucket: LOCAL_MAIL_BUCKET, Key: key, Body: body, Metadata: metadata },
  }).done();
}

/** The event S3 sends for new objects: keys URL-encoded, `+` for space. */
export function objectCreatedEvent(
  objects: ReadonlyArray<{ key: string; size: number; bucket?: string; sequencer?: string; versionId?: string }>,
): S3Event {
  return {
    Records: objects.map((object, index) => {
      const bucket = object.bucket ?? LOCAL_MAIL_BUCKET;
      return {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AmazonSES' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'local', 'x-amz-id-2': 'local' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'inbound-mail',
          bucket: { name: bucket, ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${bucket}` },
          object: {
            key: encodeS3Key(object.key),
            size: object.size,
            eTag: 'local',
            ...(object.versionId === undefined ? {} : { versionId: object.versionId }),
            sequencer: object.sequencer ?? `${Date.now().toString(16)}${index.toString(16).padStart(4, '0')}`,
          },
        },
      };
    }),
  };
}

/** Receives every message now on a queue (deleting each), waiting up to `waitSeconds` for the first. */
export async function drainQueue(stack: LocalStack, queueUrl: string, waitSeconds = 1): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const response = await stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: messages.length === 0 ? waitSeconds : 0,
        MessageAttributeNames: ['All'],
        AttributeNames: ['All'],
      }),
    );
    const batch = response.Messages ?? [];
    if (batch.length === 0) {
      return messages;
    }
    for (const message of batch) {
      messages.push(message);
      await stack.clients.sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle as string }),
      );
    }
  }
}

/**
 * Sends one mail through the whole pipeline and reports what the consumer received.
 * Throws when the handler fails (a retryable failure) or when nothing arrives anywhere.
 */
export async function runMail(
  stack: LocalStack,
  handler: S3EventHandler,
  mime: Uint8Array,
  options: RunMailOptions = {},
): Promise<MailReport> {
  const started = performance.now();
  const messageId = randomSesMessageId();
  if (options.gate !== undefined && options.verdicts !== undefined) {
    // The rule's first action: a STOP_RULE means the S3 action never runs, so nothing is stored.
    const answer = await options.gate(sesLambdaActionEvent(messageId, options.verdicts, 'arn:aws:lambda:local:gate'));
    if (answer.disposition === 'STOP_RULE') {
      return { outcome: 'stopped', messageId, millis: performance.now() - started };
    }
  }
  const stored = await storeMail(stack, mime, messageId, options.verdicts);
  const result = await handler(objectCreatedEvent([stored]));
  if (result.quarantined === 1) {
    return { outcome: 'quarantined', messageId, plaintext: stored.plaintext, millis: performance.now() - started };
  }
  const delivered = await drainQueue(stack, stack.outputQueueUrl, 0);
  const mine = delivered.find((m) => m.MessageAttributes?.SesMessageId?.StringValue === stored.messageId);
  if (mine !== undefined) {
    const mail = await readForwardedMail(mine, { s3: stack.clients.s3, payloadBucket: LOCAL_PAYLOAD_BUCKET });
    return {
      outcome: 'delivered',
      messageId: stored.messageId,
      bytes: mail.mime.length,
      delivery: mail.delivery,
      contentEncoding: mine.MessageAttributes?.ContentEncoding?.StringValue ?? 'identity',
      identical: Buffer.compare(mail.mime, stored.plaintext) === 0,
      verdicts: mail.verdicts,
      millis: performance.now() - started,
    };
  }
  const failures = await drainQueue(stack, stack.failureQueueUrl, 0);
  const record = failures.map((m) => JSON.parse(m.Body ?? '{}') as FailureRecord).find((r) => r.key === stored.key);
  if (record !== undefined) {
    return {
      outcome: 'rejected',
      messageId: stored.messageId,
      reason: record.reason,
      millis: performance.now() - started,
    };
  }
  throw new Error(`mail ${stored.messageId} reached neither queue`);
}
