/**
 * Lambda's SQS event source mapping, for `npm start` and the load test: `containers.length` pollers, each one
 * container (its own handler), receive batches, invoke the handler with an SQS event, and delete every message except
 * those named in `batchItemFailures` (all of them when the invocation throws); those come back after a delay (see
 * `retryDelay`) and, past the queue's `maxReceiveCount`, the queue moves them to its dead-letter queue
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { WORK_QUEUE_BATCH_SIZE } from '../lib/trigger/work-queue-settings';
import { lambdaContext } from './lambda-context';
import { queueDepth } from './work-queue';

/** A container's handler: an SQS event in, a partial batch response out. */
export type BatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | unknown>;

export interface EventSourceOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  /** The region in each record's `awsRegion`. */
  readonly region: string;
  /** One handler per container. */
  readonly containers: readonly BatchHandler[];
  /** Messages per invocation at most. @default WORK_QUEUE_BATCH_SIZE (the stack's, 10) */
  readonly batchSize?: number;
  /** Seconds a received message stays invisible. @default - the queue's own visibility timeout */
  readonly visibilityTimeout?: number;
  /**
   * Seconds a returned message waits before it is received again. Lambda leaves it for the rest of its visibility
   * timeout; here that wait is shortened (time compressed, order and counts unchanged). @default 1
   */
  readonly retryDelay?: number;
  /** Give up (throw) when the queue is not empty after this many milliseconds. @default - never */
  readonly deadlineMillis?: number;
}

/** A message the mapping deleted: its id, and its receive count when it was deleted. */
export interface DeletedMessage {
  readonly messageId: string;
  readonly receiveCount: number;
}

/** What the mapping saw: invocations, returned and deleted messages, each one's time from first receive to deletion. */
export interface EventSourceReport {
  invocations: number;
  failedInvocations: number;
  returnedMessages: number;
  /** Messages the handler finished whose deletion SQS refused: they are received again. */
  undeletedMessages: number;
  /** The size of each invocation's batch, in order. */
  readonly batchSizes: number[];
  readonly deleted: DeletedMessage[];
  /** Milliseconds from a message's first receive to its deletion. */
  readonly latencies: number[];
  /** Milliseconds from the start of `runEventSource` to each deletion, in order. */
  readonly deletedAt: number[];
}

/**
 * Runs the pollers until the queue holds no visible and no in-flight message: every message sent before the call is
 * then deleted or on the dead-letter queue.
 */
export async function runEventSource(options: EventSourceOptions): Promise<EventSourceReport> {
  const report: EventSourceReport = {
    invocations: 0,
    failedInvocations: 0,
    returnedMessages: 0,
    undeletedMessages: 0,
    batchSizes: [],
    deleted: [],
    latencies: [],
    deletedAt: [],
  };
  const firstSeen = new Map<string, number>();
  const started = Date.now();
  const startedPrecise = performance.now();
  let done = false;
  const isEmpty = async () => (await queueDepth(options.sqs, options.queueUrl)) === 0;
  const poller = async (handler: BatchHandler) => {
    while (!done) {
      if (await isEmpty()) {
        done = true;
        break;
      }
      if (options.deadlineMillis !== undefined && Date.now() - started > options.deadlineMillis) {
        done = true;
        throw new Error(`the work queue was not empty after ${options.deadlineMillis} ms`);
      }
      const received = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: options.batchSize ?? WORK_QUEUE_BATCH_SIZE,
          ...(options.visibilityTimeout === undefined ? {} : { VisibilityTimeout: options.visibilityTimeout }),
          // Long polling, as the mapping polls (up to 20 s there; 1 s here, so that the end is noticed soon).
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) {
        continue;
      }
      await invoke(handler, messages, options, report, firstSeen, startedPrecise);
    }
  };
  await Promise.all(options.containers.map(poller));
  return report;
}

/** One invocation: the handler's answer decides which messages are deleted and which return. */
async function invoke(
  handler: BatchHandler,
  messages: readonly Message[],
  options: EventSourceOptions,
  report: EventSourceReport,
  firstSeen: Map<string, number>,
  started: number,
): Promise<void> {
  for (const message of messages) {
    if (!firstSeen.has(message.MessageId as string)) firstSeen.set(message.MessageId as string, performance.now());
  }
  report.invocations += 1;
  report.batchSizes.push(messages.length);
  let failed = new Set<string>();
  try {
    const answer = (await handler(sqsEvent(messages, options), lambdaContext())) as
      | Partial<SQSBatchResponse>
      | undefined;
    failed = new Set((answer?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  } catch {
    report.failedInvocations += 1;
    failed = new Set(messages.map((m) => m.MessageId as string));
  }
  report.returnedMessages += failed.size;
  const returned = messages.filter((m) => failed.has(m.MessageId as string));
  if (returned.length > 0) {
    await options.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: returned.map((m, index) => ({
          Id: String(index),
          ReceiptHandle: m.ReceiptHandle as string,
          VisibilityTimeout: options.retryDelay ?? 1,
        })),
      }),
    );
  }
  const finished = messages.filter((m) => !failed.has(m.MessageId as string));
  if (finished.length > 0) {
    const deletion = await options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: finished.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle as string })),
      }),
    );
    // An entry SQS did not delete stays on the queue and is received again after its visibility timeout, as with
    // Lambda's mapping; it is counted, not reported deleted.
    const undeleted = new Set((deletion.Failed ?? []).map((entry) => entry.Id));
    report.undeletedMessages += undeleted.size;
    const now = performance.now();
    for (const m of finished.filter((_, index) => !undeleted.has(String(index)))) {
      report.latencies.push(now - (firstSeen.get(m.MessageId as string) as number));
      report.deletedAt.push(now - started);
      report.deleted.push({
        messageId: m.MessageId as string,
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
      });
    }
  }
}

/** The event Lambda builds from received messages (the fields of an SQS record). */
function sqsEvent(messages: readonly Message[], options: EventSourceOptions): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId as string,
      receiptHandle: m.ReceiptHandle as string,
      body: m.Body as string,
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? '0',
        SenderId: m.Attributes?.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? '0',
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody as string,
      eventSource: 'aws:sqs',
      eventSourceARN: options.queueArn,
      awsRegion: options.region,
    })),
  };
}
