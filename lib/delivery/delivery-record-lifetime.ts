/**
 * How long a delivery record (lambda/decrypt-function/delivery-record.ts) must live: as long as any path can bring the
 * same S3 event back to the function, so a redelivery finds the record. One place; the stack passes it to the table's
 * items through the function's `DELIVERY_RECORD_LIFETIME_SECONDS`.
 */
import { Duration } from 'aws-cdk-lib';

/** The paths by which an S3 event can reach the function again, from the stack's own settings. */
export interface RedeliveryPaths {
  /**
   * Asynchronous invocation: Lambda keeps an event, retries included, for at most the function's `maxEventAge`, then
   * sends it to the on-failure destination
   * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html). From there only the operator's
   * `redrive` takes it, in its own process, which does not consult the records: that path is not the table's.
   */
  readonly asyncMaxEventAge: Duration;
  /**
   * A standard SQS queue between the bucket and the function (S3 notifications cannot target a FIFO queue), when
   * there is one: a message is received until its retention ends; moved to the dead-letter queue it keeps its
   * original enqueue time (standard queues), so it lives there until the dead-letter queue's retention counted from
   * the first send (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html);
   * a dead-letter redrive back to the queue then starts a new message with the queue's retention again.
   */
  readonly workQueue?: { readonly retentionDays: number; readonly deadLetterQueueDays: number };
}

/**
 * A day beyond the longest path: S3 event notifications are delivered at least once, typically within seconds but
 * sometimes a minute or longer (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html), and
 * the record's clock starts at the first attempt, not at the object's creation.
 */
const MARGIN_DAYS = 1;

/**
 * The lifetime: the longest redelivery path, rounded up to whole days, plus a day. 2 days for asynchronous
 * invocation alone (6 hours); with a work queue, its dead-letter queue's retention plus its own plus a day.
 * A second dead-letter redrive after that is not covered (nor are payloads; see retention.ts): it can only duplicate.
 */
export function deliveryRecordLifetime(paths: RedeliveryPaths): Duration {
  const asyncDays = paths.asyncMaxEventAge.toHours() / 24;
  const queueDays =
    paths.workQueue === undefined ? 0 : paths.workQueue.deadLetterQueueDays + paths.workQueue.retentionDays;
  return Duration.days(Math.ceil(Math.max(asyncDays, queueDays)) + MARGIN_DAYS);
}
