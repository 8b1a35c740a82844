/**
 * Lambda's SQS event source mapping, as the load test needs it: `concurrency` pollers, each one container (its own
 * handler), receive batches with a visibility timeout, invoke the handler with an SQS event, and delete every message
 * except those named in `batchItemFailures` (all of them when the invocation throws); those come back after a short
 * delay (see `retryDelay`) and, past the queue's `maxReceiveCount`, move to its dead-letter queue
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
 */

import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';

/** A container's handler: an SQS event in, a partial batch response out. */
export type BatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | unknown>;

export interface EventSourceOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  /** One handler per container. */
  readonly containers: readonly BatchHandler[];
  /** @default 10 */
  readonly batchSize?: number;
  /** Seconds a received message stays invisible (longer than any batch takes here, as 6× the timeout is in AWS). @default 30 */
  readonly visibilityTimeout?: number;
  /**
   * Seconds a returned message waits before it is received again. Lambda leaves it for the rest of its visibility
   * timeout; the test shortens that wait (time compressed, order and counts unchanged). @default 1
   */
  readonly retryDelay?: number;
}

/** What the mapping saw: invocations, and the time each message took from its first receive to its deletion. */
export interface EventSourceReport {
  invocations: number;
  failedInvocations: number;
  returnedMessages: number;
  /** Milliseconds from a message's first receive to its deletion. */
  readonly latencies: number[];
}

/** Runs the pollers until the queue has no visible or in-flight message left. */
export async function runEventSource(options: EventSourceOptions): Promise<EventSourceReport> {
  const report: EventSourceReport = { invocations: 0, failedInvocations: 0, returnedMessages: 0, latencies: [] };
  const firstSeen = new Map<string, number>();
  let done = false;
  const pollers = options.containers.map(async (handler) => {
    while (!done) {
      const received = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: options.batchSize ?? 10,
          VisibilityTimeout: options.visibilityTimeout ?? 30,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) {
        continue;
      }
      for (const message of messages) {
        if (!firstSeen.has(message.MessageId as string)) firstSeen.set(message.MessageId as string, performance.now());
      }
      report.invocations += 1;
      let failed = new Set<string>();
      try {
        const answer = (await handler(sqsEvent(messages, options), lambdaContext(FUNCTION_TIMEOUT_MILLIS))) as
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
        await options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: finished.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle as string })),
          }),
        );
        const now = performance.now();
        for (const m of finished) report.latencies.push(now - (firstSeen.get(m.MessageId as string) as number));
      }
    }
  });
  const watcher = (async () => {
    let emptyChecks = 0;
    while (emptyChecks < 2) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const { Attributes } = await options.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: options.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      const left =
        Number(Attributes?.ApproximateNumberOfMessages ?? 1) +
        Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 1);
      emptyChecks = left === 0 ? emptyChecks + 1 : 0;
    }
    done = true;
  })();
  await Promise.all([watcher, ...pollers]);
  return report;
}

function sqsEvent(messages: readonly Message[], options: EventSourceOptions): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId as string,
      receiptHandle: m.ReceiptHandle as string,
      body: m.Body as string,
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? '0',
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? '0',
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody as string,
      eventSource: 'aws:sqs',
      eventSourceARN: options.queueArn,
      awsRegion: 'us-east-1',
    })),
  };
}

/** The function's timeout as the stack sets it (lib/functions/decrypt-function.ts): the invocation's deadline. */
const FUNCTION_TIMEOUT_MILLIS = 120_000;

/** The parts of Lambda's context the function reads: its request id and the time left before its deadline. */
function lambdaContext(timeoutMillis: number): Context {
  const deadline = Date.now() + timeoutMillis;
  return {
    functionName: 'decrypt',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:decrypt',
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: 'local',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
