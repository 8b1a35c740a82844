/**
 * One load scenario on fresh emulators: the mails stored as SES stores them, their S3 events on a work queue (some
 * twice), the containers draining it through the fault proxy, then the output queue read back as a consumer would.
 */
import { createHash } from 'node:crypto';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { readForwardedMail } from '../../lambda/consumer/read-forwarded-mail';
import { MAX_RECEIVE_COUNT } from '../../lib/trigger/work-queue-settings';
import { type BatchHandler, runEventSource } from '../../local/event-source';
import { LOCAL_REGION, startLocalStack } from '../../local/local-stack';
import { drainQueue, objectCreatedEvent, storeMail } from '../../local/pipeline';
import { createCopyOnlyHandler } from './copy-only';
import { type Faults, startFaultProxy } from './fault-proxy';
import { type LoadMail, seededRandom } from './mail-mix';

export interface ScenarioOptions {
  readonly name: string;
  readonly mails: readonly LoadMail[];
  readonly faults: Faults;
  readonly handler: 'function' | 'copy-only';
  /** Containers (the mapping's maximum concurrency). */
  readonly containers: number;
  /** Share of S3 events sent twice. */
  readonly duplicateShare: number;
  /** Extra environment for the function (e.g. its delivery-records table). */
  readonly env?: Readonly<Record<string, string>>;
  /** Called once the emulators run, before anything is stored (e.g. to create a table). */
  readonly prepare?: (env: Readonly<Record<string, string>>) => Promise<Record<string, string>>;
}

export interface ScenarioReport {
  readonly name: string;
  readonly mails: number;
  readonly events: number;
  /** Distinct mails delivered byte-exact. */
  readonly delivered: number;
  /** Deliveries beyond the first of a mail. */
  readonly duplicates: number;
  /** Deliveries whose bytes differ from the mail stored (must be 0). */
  readonly corrupt: number;
  readonly rejected: number;
  /** Work-queue messages on its dead-letter queue: events that failed every attempt. */
  readonly failedPermanently: number;
  /** Seconds until the work queue was empty (every event done, duplicates and returns included). */
  readonly seconds: number;
  /**
   * Seconds until every mail had been delivered once (its first delivery's SentTimestamp on the output queue); for
   * the copy-only reference, which copies every event and returns none, until its last message was sent.
   */
  readonly deliveredSeconds: number;
  /** Mails over `deliveredSeconds`. */
  readonly mailsPerSecond: number;
  /** Seconds until 99 % of the events had been deleted: the run without its slowest 1 % (the retries' tail). */
  readonly secondsTo99: number;
  readonly p50Millis: number;
  readonly p99Millis: number;
  readonly peakRssMiB: number;
  readonly returnedMessages: number;
  readonly faults: { refused: number; cut: number; throttled: number };
}

/**
 * Seconds a returned message waits before it is received again. In AWS it waits out the rest of its visibility
 * timeout (12 minutes, 6x the function's timeout), so a duplicate that found its mail in progress elsewhere comes back
 * only after that attempt's invocation has ended. Here time is compressed, but a record's SDK retries are not: one
 * S3 or SQS call throttled five times waits up to 1 + 2 + 4 + 8 + 16 = 31 s, a Decrypt up to 9 s
 * (lambda/decrypt-function/retry-strategy.ts). With 4 s, a duplicate's tenth receive (the stack's count) comes about
 * 36 s after its first, past those 31 s, so it does not reach the dead-letter queue while its first copy still runs,
 * as in AWS (a margin of seconds, not minutes, when S3's and SQS's retries add to the wait); with 1 s and 5 receives
 * one did (`npm run load -- --containers 10`, KMS throttled, 2026-12-02).
 */
const RETRY_DELAY_SECONDS = 4;

export async function runScenario(options: ScenarioOptions): Promise<ScenarioReport> {
  const stack = await startLocalStack();
  try {
    const extraEnv = { ...(options.env ?? {}), ...((await options.prepare?.(stack.env)) ?? {}) };
    const dlq = await stack.clients.sqs.send(new CreateQueueCommand({ QueueName: 'load-work-dlq' }));
    const dlqArn = await queueArn(stack, dlq.QueueUrl as string);
    const work = await stack.clients.sqs.send(
      new CreateQueueCommand({
        QueueName: 'load-work',
        // The stack's receive count (lib/trigger/work-queue-settings.ts).
        Attributes: {
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVE_COUNT }),
        },
      }),
    );
    const workUrl = work.QueueUrl as string;

    // Stored as SES stores them (straight to the emulators: SES is not part of the storm).
    const digests = new Map<string, string>();
    const stored: { key: string; size: number }[] = [];
    await inParallel(options.mails, 8, async (mail) => {
      const object = await storeMail(stack, mail.mime);
      digests.set(object.messageId, sha256(object.plaintext));
      stored.push({ key: object.key, size: object.size });
    });
    const random = seededRandom(7);
    const bodies = stored.map((object) => JSON.stringify(objectCreatedEvent([object])));
    const events = [...bodies, ...bodies.filter(() => random() < options.duplicateShare)];
    for (let i = 0; i < events.length; i += 10) {
      await stack.clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: workUrl,
          Entries: events.slice(i, i + 10).map((body, index) => ({ Id: String(index), MessageBody: body })),
        }),
      );
    }

    const proxy = await startFaultProxy(
      stack.env.AWS_ENDPOINT_URL_S3 as string,
      stack.env.AWS_ENDPOINT_URL_KMS as string,
      options.faults,
    );
    const functionEnv = {
      ...stack.env,
      ...extraEnv,
      AWS_ENDPOINT_URL_S3: proxy.awsUrl,
      AWS_ENDPOINT_URL_SQS: proxy.awsUrl,
      AWS_ENDPOINT_URL_KMS: proxy.kmsUrl,
    };
    // The SDK reads endpoints from the process environment when the containers make their clients.
    Object.assign(process.env, functionEnv);
    const { createHandler } = await import('../../lambda/decrypt-function/handler');
    const containers: BatchHandler[] = Array.from({ length: options.containers }, () =>
      options.handler === 'function'
        ? (createHandler({ env: functionEnv }) as unknown as BatchHandler)
        : createCopyOnlyHandler(functionEnv),
    );
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    const started = performance.now();
    const startedAt = Date.now();
    const source = await runEventSource({
      sqs: stack.clients.sqs,
      queueUrl: workUrl,
      queueArn: await queueArn(stack, workUrl),
      region: LOCAL_REGION,
      containers,
      // A message received stays invisible for the function's 2-minute timeout: no batch outlasts it (one call's
      // retries alone may wait 31 s), so a message never reappears while its batch still runs (6x the timeout in AWS).
      visibilityTimeout: 120,
      retryDelay: RETRY_DELAY_SECONDS,
    });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    await proxy.close();

    const { lastFirstDelivery, ...counts } = await readBack(stack, digests, options.handler);
    const deliveredSeconds = lastFirstDelivery === undefined ? seconds : (lastFirstDelivery - startedAt) / 1000;
    const failedPermanently = (await drainQueue(stack, dlq.QueueUrl as string, 0)).length;
    const rejected = (await drainQueue(stack, stack.failureQueueUrl, 0)).length;
    const sorted = [...source.latencies].sort((a, b) => a - b);
    return {
      name: options.name,
      mails: options.mails.length,
      events: events.length,
      ...counts,
      rejected,
      failedPermanently,
      seconds,
      deliveredSeconds,
      mailsPerSecond: options.mails.length / deliveredSeconds,
      secondsTo99: timeTo(source.deletedAt, Math.ceil(0.99 * events.length)) / 1000,
      p50Millis: percentile(sorted, 0.5),
      p99Millis: percentile(sorted, 0.99),
      peakRssMiB: peakRss / 1024 / 1024,
      returnedMessages: source.returnedMessages,
      faults: { refused: proxy.counts.refused, cut: proxy.counts.cut, throttled: proxy.counts.throttled },
    };
  } finally {
    await stack.stop();
  }
}

/**
 * Reads every delivered message as a consumer would and compares it with the mail stored; with the function, also when
 * the last mail was first delivered (epoch milliseconds, from the output queue's SentTimestamp).
 */
async function readBack(
  stack: Awaited<ReturnType<typeof startLocalStack>>,
  digests: ReadonlyMap<string, string>,
  handler: ScenarioOptions['handler'],
): Promise<{ delivered: number; duplicates: number; corrupt: number; lastFirstDelivery?: number }> {
  const messages = await drainQueue(stack, stack.outputQueueUrl, 1);
  if (handler === 'copy-only') {
    return { delivered: messages.length, duplicates: 0, corrupt: 0, lastFirstDelivery: latest(messages.map(sentAt)) };
  }
  const firstDelivery = new Map<string, number>();
  let duplicates = 0;
  let corrupt = 0;
  for (const message of messages) {
    const mail = await readForwardedMail(message, { s3: stack.clients.s3, payloadBucket: stack.env.PAYLOAD_BUCKET });
    const id = mail.sesMessageId as string;
    if (digests.get(id) !== sha256(mail.mime)) corrupt += 1;
    const sent = sentAt(message);
    const seen = firstDelivery.get(id);
    if (seen !== undefined) duplicates += 1;
    firstDelivery.set(id, Math.min(seen ?? sent, sent));
  }
  return { delivered: firstDelivery.size, duplicates, corrupt, lastFirstDelivery: latest(firstDelivery.values()) };
}

/** When the output queue received a message (epoch milliseconds). @throws Error when SQS gave no SentTimestamp */
function sentAt(message: Message): number {
  const sent = Number(message.Attributes?.SentTimestamp);
  if (!Number.isFinite(sent)) {
    throw new Error('an output message has no SentTimestamp: throughput cannot be measured');
  }
  return sent;
}

/** The largest of `times`; undefined when there are none. */
function latest(times: Iterable<number>): number | undefined {
  let last: number | undefined;
  for (const time of times) last = last === undefined || time > last ? time : last;
  return last;
}

async function queueArn(stack: Awaited<ReturnType<typeof startLocalStack>>, url: string): Promise<string> {
  const { Attributes } = await stack.clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn as string;
}

async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const item = items[next] as T;
        next += 1;
        await work(item);
      }
    }),
  );
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Milliseconds until the `count`-th deletion (the last one when there were fewer). */
function timeTo(deletedAt: readonly number[], count: number): number {
  // In order already: each deletion is pushed at the time it is taken (local/event-source.ts).
  return deletedAt.length === 0 ? 0 : (deletedAt[Math.min(deletedAt.length, count) - 1] as number);
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
}
