/**
 * Drives the real handler end to end on the local stack, as deployed: SES stores a mail encrypted, S3's notification
 * goes to the work queue, the event source (Lambda's mapping) invokes the function with a batch from it, the function
 * decrypts and forwards the mail, and a consumer reads it back from the output queue.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Event } from 'aws-lambda';
import { readForwardedMail } from '../lambda/consumer/read-forwarded-mail';
import type { FailureRecord } from '../lambda/contract/message-contract';
import { parseQuarantineKey, readQuarantinePrefix } from '../lambda/contract/verdict-actions';
import type { HandlerResult } from '../lambda/decrypt-function/handler';
import { WORK_QUEUE_BATCH_SIZE } from '../lib/trigger/work-queue-settings';
import { type BatchHandler, type EventSourceReport, runEventSource } from './event-source';
import {
  LOCAL_ACCOUNT,
  LOCAL_MAIL_BUCKET,
  LOCAL_MAIL_PREFIX,
  LOCAL_PAYLOAD_BUCKET,
  LOCAL_REGION,
  LOCAL_RULE,
  type LocalStack,
} from './local-stack';
import { type CreatedObject, notifyWorkQueue } from './s3-notification';
import { randomSesMessageId, type SimulatedVerdicts, sesLambdaActionEvent, storeAsSes } from './ses-simulator';

export { objectCreatedEvent } from './s3-notification';

/** The function's handler invoked directly with S3's event (the stack's `directInvocation`). */
export type S3EventHandler = (event: S3Event) => Promise<HandlerResult>;

/** The function's handler as the work queue's event source invokes it (createHandler() is both). */
export type QueueHandler = BatchHandler;

/** The verdict gate, as SES's Lambda action calls it. */
export type VerdictGate = (event: ReturnType<typeof sesLambdaActionEvent>) => Promise<{ disposition: string }>;

/** How `runMail` receives a mail. */
export interface RunMailOptions {
  /** SES's verdicts: SES prepends its header block, and the gate (when given) decides first. @default - none */
  readonly verdicts?: SimulatedVerdicts;
  /** The receipt rule's first action. @default - no gate */
  readonly gate?: VerdictGate;
}

/** The work-queue message that carried a mail's notification: deleted by the event source after `receives`. */
export interface WorkQueuePassage {
  readonly messageId: string;
  readonly receives: number;
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
      readonly workQueue: WorkQueuePassage;
      readonly millis: number;
    }
  | { readonly outcome: 'stopped'; readonly messageId: string; readonly millis: number }
  | {
      readonly outcome: 'quarantined';
      readonly messageId: string;
      /** What SES stored, for comparing with a release. */
      readonly plaintext: Buffer;
      readonly workQueue: WorkQueuePassage;
      readonly millis: number;
    }
  | {
      readonly outcome: 'rejected';
      readonly messageId: string;
      readonly reason: string;
      readonly workQueue: WorkQueuePassage;
      readonly millis: number;
    };

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

/** How the work queue's event source runs (the batch size is the stack's). */
export interface WorkQueueRunOptions {
  /** Seconds before a returned message is received again (event-source.ts). @default 1 */
  readonly retryDelay?: number;
  /** @default 120000 */
  readonly deadlineMillis?: number;
}

/**
 * Sends each object's notification to the work queue, as S3 does, and runs the event source with one container until
 * the queue is empty: every message deleted, or moved to the dead-letter queue after the stack's receive count.
 */
export async function deliverThroughWorkQueue(
  stack: LocalStack,
  handler: QueueHandler,
  objects: readonly CreatedObject[],
  options: WorkQueueRunOptions = {},
): Promise<{ messageIds: string[]; report: EventSourceReport }> {
  const messageIds = await notifyWorkQueue(stack.clients.sqs, stack.workQueue.url, objects);
  const report = await runEventSource({
    sqs: stack.clients.sqs,
    queueUrl: stack.workQueue.url,
    queueArn: stack.workQueue.arn,
    region: LOCAL_REGION,
    containers: [handler],
    batchSize: WORK_QUEUE_BATCH_SIZE,
    retryDelay: options.retryDelay,
    deadlineMillis: options.deadlineMillis ?? 120_000,
  });
  return { messageIds, report };
}

/**
 * Sends one mail through the whole pipeline and reports what the consumer received.
 * Throws when its notification ends on the work queue's dead-letter queue, or when nothing arrives anywhere.
 */
export async function runMail(
  stack: LocalStack,
  handler: QueueHandler,
  mime: Uint8Array,
  options: RunMailOptions & WorkQueueRunOptions = {},
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
  const { messageIds, report } = await deliverThroughWorkQueue(stack, handler, [stored], options);
  const deleted = report.deleted.find((m) => m.messageId === messageIds[0]);
  if (deleted === undefined) {
    throw new Error(`mail ${stored.messageId}: its notification failed every attempt (on the work queue's DLQ)`);
  }
  const workQueue = { messageId: deleted.messageId, receives: deleted.receiveCount };
  if (await isQuarantined(stack, stored.messageId)) {
    const millis = performance.now() - started;
    return { outcome: 'quarantined', messageId, plaintext: stored.plaintext, workQueue, millis };
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
      workQueue,
      millis: performance.now() - started,
    };
  }
  const failures = await drainQueue(stack, stack.failureQueueUrl, 0);
  const record = failures.map((m) => JSON.parse(m.Body ?? '{}') as FailureRecord).find((r) => r.key === stored.key);
  if (record !== undefined) {
    const millis = performance.now() - started;
    return { outcome: 'rejected', messageId: stored.messageId, reason: record.reason, workQueue, millis };
  }
  throw new Error(`mail ${stored.messageId} reached neither queue`);
}

/** Whether the function copied the mail under the quarantine prefix (`quarantine/<REASONS>/<SES message id>`). */
async function isQuarantined(stack: LocalStack, sesMessageId: string): Promise<boolean> {
  const prefix = readQuarantinePrefix(stack.env);
  const listed = await stack.clients.s3.send(new ListObjectsV2Command({ Bucket: LOCAL_MAIL_BUCKET, Prefix: prefix }));
  return (listed.Contents ?? []).some(
    (object) => parseQuarantineKey(prefix, object.Key ?? '')?.messageId === sesMessageId,
  );
}
