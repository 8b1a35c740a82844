/**
 * The Lambda function: S3 object-created events in (from the work queue, or from S3 directly), each stored mail
 * decrypted and delivered to SQS.
 *
 * A thin shell: it wires clients, configuration, logs and metrics around `processRecord`. A record that may succeed
 * later is returned to the work queue (its message in `batchItemFailures`) or, invoked directly, makes the invocation
 * fail (after every other record has its outcome), so Lambda retries; records forwarded in an earlier attempt, by any
 * container, are not sent again (delivery-record.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type AwsClients, createAwsClients } from './aws-clients';
import { type FunctionConfig, readFunctionConfig } from './config';
import { type DeliverOnce, deliverOnceWith, readDeliveryRecordSettings } from './delivery-record';
import { announcedSize, type ObjectCreatedRecord, recordIdentity } from './object-created-record';
import { processRecord, type RecordOutcome, type RecordTimings, settleFromEvent } from './process-record';
import { countQuarantined, quarantinedCount } from './quarantine-metrics';
import { runWithinBudget } from './record-schedule';
import { type TriggerEvent, triggerBatchOf } from './trigger-event';

const SERVICE = 'ses-encrypted-inbound';
const logger = new Logger({ serviceName: SERVICE });
const metrics = new Metrics({ namespace: 'SesEncryptedInbound', serviceName: SERVICE });

/** The summary the handler returns (and logs); never mail content. */
export interface HandlerResult {
  readonly forwarded: number;
  readonly skipped: number;
  readonly rejected: number;
  /** Records quarantined; present only when there are any. */
  readonly quarantined?: number;
}

/** A record needs another attempt: the invocation fails so Lambda retries. */
export class RetryableRecordsError extends Error {
  override readonly name = 'RetryableRecordsError';
}

/** The handler: S3's own event answers with a summary, a work-queue batch with its partial batch response. */
export interface DecryptHandler {
  (event: S3Event, context?: Context): Promise<HandlerResult>;
  (event: SQSEvent, context?: Context): Promise<SQSBatchResponse>;
}

/** What a handler is made with; both default to what Lambda provides. */
export interface CreateHandlerOptions {
  /** @default process.env, read at the first invocation */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default - clients from the SDK's default configuration chain */
  readonly clients?: AwsClients;
  /** @default - a DynamoDB client from the SDK's default configuration chain, when delivery records are on */
  readonly deliveryRecordsClient?: DynamoDBClient;
}

/** Objects a container remembers having forwarded (the only memory when the stack turned delivery records off). */
const FORWARDED_MEMORY = 10_000;

/**
 * Makes a handler with its own configuration, clients and memory of forwarded objects (one per container).
 *
 * A configuration error fails every invocation loudly; nothing is lost: a work-queue batch returns to the queue and,
 * after 10 receives, rests on its dead-letter queue; a direct invocation is retried, then goes to the on-failure
 * destination (the failure queue).
 */
export function createHandler(options: CreateHandlerOptions = {}): DecryptHandler {
  let config: FunctionConfig | undefined;
  let clients = options.clients;
  let deliverOnce: DeliverOnce | undefined;
  const forwarded = new Set<string>();
  const deps = {
    alreadyForwarded: (identity: string) => forwarded.has(identity),
    markForwarded: (identity: string) => {
      if (forwarded.size >= FORWARDED_MEMORY) {
        forwarded.delete(forwarded.values().next().value as string);
      }
      forwarded.add(identity);
    },
  };

  return async function handleTrigger(
    event: TriggerEvent,
    context?: Context,
  ): Promise<HandlerResult | SQSBatchResponse> {
    if (context !== undefined) {
      logger.addContext(context);
    }
    config ??= readFunctionConfig(options.env ?? process.env);
    clients ??= createAwsClients();
    deliverOnce ??= deliverOnceWith(
      readDeliveryRecordSettings(options.env ?? process.env),
      options.deliveryRecordsClient,
    );

    const outcomes: RecordOutcome[] = [];
    const batch = triggerBatchOf(event);
    const returned = new Set<string>();
    let malformed = 0;
    try {
      const tasks: { messageId: string | undefined; record: ObjectCreatedRecord }[] = [];
      for (const item of batch.items) {
        if (item.dropped === 'test-event') {
          logger.info('S3 test event dropped', { messageId: item.messageId });
        } else if (item.dropped === 'not-an-s3-event') {
          logger.info(batch.fromQueue ? 'message is not an S3 event; returned' : 'event is not an S3 event; failed', {
            messageId: item.messageId,
          });
          malformed += 1;
          if (item.messageId !== undefined) returned.add(item.messageId);
        }
        for (const record of item.records) tasks.push({ messageId: item.messageId, record });
      }
      // Small mails together, a large one alone, never two records of one object at once (record-schedule.ts).
      await runWithinBudget(
        tasks,
        ({ record }) => ({ identity: recordIdentity(record), bytes: announcedSize(record) }),
        async ({ messageId, record }) => {
          const timings: RecordTimings = {};
          const started = performance.now();
          if (context !== undefined && context.getRemainingTimeInMillis() < RECORD_START_MARGIN_MILLIS) {
            // Started this late, a record might outlast the invocation, whose timeout would return the whole batch,
            // finished records included: it waits for the next invocation instead.
            const late = lateOutcome(record);
            outcomes.push(late);
            if (messageId !== undefined) returned.add(messageId);
            report(late, timings, performance.now() - started);
            return;
          }
          const recordDeps = {
            ...deps,
            config: config as FunctionConfig,
            clients: clients as AwsClients,
            versionNamedByS3: true,
          };
          const run = () => processRecord(record, recordDeps, timings);
          // What the record alone decides is settled outside the delivery records (process-record.ts).
          const outcome =
            (await settleFromEvent(record, recordDeps)) ?? (await (deliverOnce as DeliverOnce)(record, run, context));
          outcomes.push(outcome);
          if (outcome.outcome === 'retry' && messageId !== undefined) returned.add(messageId);
          report(outcome, timings, performance.now() - started);
        },
      );
    } finally {
      // Rejections publish at once (single metrics, by reason); an event of only those leaves nothing stored.
      if (metrics.hasStoredMetrics()) {
        metrics.publishStoredMetrics();
      }
    }

    if (batch.fromQueue) {
      // Only these messages return to the queue; every other one is deleted (ReportBatchItemFailures).
      return { batchItemFailures: [...returned].map((itemIdentifier) => ({ itemIdentifier })) };
    }
    const retry = outcomes.filter((o) => o.outcome === 'retry');
    if (retry.length > 0 || malformed > 0) {
      throw new RetryableRecordsError(
        malformed > 0
          ? 'the event holds records S3 does not write; nothing was run'
          : `${retry.length} of ${outcomes.length} records need another attempt`,
      );
    }
    return {
      forwarded: outcomes.filter((o) => o.outcome === 'forwarded').length,
      skipped: outcomes.filter((o) => o.outcome === 'skipped').length,
      rejected: outcomes.filter((o) => o.outcome === 'rejected').length,
      ...quarantinedCount(outcomes),
    };
  } as DecryptHandler;
}

/**
 * The least time left for a record to start: a 40 MiB mail takes a few seconds (README's Performance), the function's
 * timeout is 2 minutes (lib/functions/decrypt-function.ts). A batch that needs more than its invocation (many large
 * mails, or a forged message of many records) then returns its unstarted records, not the whole batch.
 */
export const RECORD_START_MARGIN_MILLIS = 20_000;

/** The outcome of a record not started for lack of time: retried, nothing read. */
function lateOutcome(record: ObjectCreatedRecord): RecordOutcome {
  return {
    outcome: 'retry',
    bucket: record.s3.bucket.name,
    key: record.s3.object.key,
    reason: 'TRANSIENT',
    errorName: 'InvocationEndsSoon',
  };
}

/** The function's entry point (`index.handler` in the bundle). */
export const handler = createHandler();

/** One log line and the metrics for a record: outcome, reason, sizes, timings; never content, keys or addresses. */
function report(outcome: RecordOutcome, timings: RecordTimings, totalMillis: number): void {
  const base = {
    outcome: outcome.outcome,
    bucket: outcome.bucket,
    key: outcome.key,
    objectBytes: timings.objectBytes,
    mailBytes: timings.mailBytes,
    decryptMillis: round(timings.decryptMillis),
    forwardMillis: round(timings.forwardMillis),
    totalMillis: round(totalMillis),
  };
  switch (outcome.outcome) {
    case 'forwarded': {
      const result = outcome.result;
      if (result === 'already' || result === 'verified') {
        logger.info(result === 'already' ? 'record forwarded earlier; not sent again' : 'record verified', base);
        break;
      }
      logger.info('record forwarded', {
        ...base,
        delivery: result.delivery,
        contentEncoding: result.contentEncoding,
        messageBytes: result.messageBytes,
      });
      metrics.addMetric('Forwarded', MetricUnit.Count, 1);
      if (result.delivery === 'offloaded') {
        metrics.addMetric('Offloaded', MetricUnit.Count, 1);
      }
      if (timings.decryptMillis !== undefined) {
        metrics.addMetric('DecryptMillis', MetricUnit.Milliseconds, timings.decryptMillis);
      }
      break;
    }
    case 'skipped':
      logger.info('record skipped', { ...base, reason: outcome.reason });
      metrics.addMetric('Skipped', MetricUnit.Count, 1);
      break;
    case 'rejected': {
      logger.warn('record rejected', { ...base, reason: outcome.reason, errorName: outcome.errorName });
      const byReason = metrics.singleMetric();
      byReason.addDimension('Reason', outcome.reason);
      byReason.addMetric('Rejected', MetricUnit.Count, 1);
      break;
    }
    case 'quarantined': {
      logger.warn('record quarantined', { ...base, reasons: outcome.reasons, quarantineKey: outcome.quarantineKey });
      countQuarantined(metrics, outcome.reasons);
      break;
    }
    case 'retry':
      logger.warn('record will be retried', { ...base, reason: outcome.reason, errorName: outcome.errorName });
      metrics.addMetric('Retried', MetricUnit.Count, 1);
      break;
  }
}

function round(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value * 10) / 10;
}
