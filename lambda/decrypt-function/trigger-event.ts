/**
 * The two events that trigger the decrypt function, read into one list of work items:
 * - S3's own object-created event (direct invocation, `directInvocation`): one item of all its records;
 * - an SQS batch from the work queue (the default), each message's body an S3 event: one item per message, named by
 *   its message id so that a record needing another attempt can be returned as a `batchItemFailures` entry
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
 *
 * S3 sends an `s3:TestEvent` message when a notification configuration is saved
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html): it names no object and
 * is dropped. A body that is neither is not guessed at: the message returns to the queue and, after the queue's
 * receive count, rests on the work queue's dead-letter queue, whose alarm calls a person.
 */
import { isObjectCreatedRecord, MAX_RECORDS_PER_MESSAGE, type ObjectCreatedRecord } from './object-created-record';

/**
 * Messages in a batch from the work queue at most: the mapping's batch size, WORK_QUEUE_BATCH_SIZE in
 * lib/trigger/work-queue-settings.ts (a test holds them equal; the function does not import the stack's code).
 */
export const MAX_MESSAGES_PER_BATCH = 10;

/** One SQS message as Lambda delivers it (the fields read here). */
export interface WorkQueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly eventSource?: string;
}

/** The events the handler accepts. */
export type TriggerEvent =
  | { readonly Records?: readonly ObjectCreatedRecord[] }
  | { readonly Records: readonly WorkQueueMessage[] };

/** What the event asks for: records to process, grouped by the SQS message that carried them (if any). */
export interface WorkItem {
  /** The SQS message id; undefined for S3's own event. */
  readonly messageId: string | undefined;
  readonly records: readonly ObjectCreatedRecord[];
  /** `test-event`: S3's test message, dropped; `not-an-s3-event`: returned to the queue as it is. */
  readonly dropped?: 'test-event' | 'not-an-s3-event';
}

/** The trigger's items, and whether they came from the work queue (the answer is then a partial batch response). */
export interface TriggerBatch {
  readonly fromQueue: boolean;
  readonly items: readonly WorkItem[];
}

/** Reads either event shape; never throws. */
export function triggerBatchOf(event: TriggerEvent): TriggerBatch {
  const given: unknown = (event as { Records?: unknown } | null)?.Records;
  // Neither S3 nor the mapping ever sends an event of no records (S3 tests a Lambda destination's permission, not with
  // an event: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html): such an
  // event fails like any other the function cannot read.
  if (!Array.isArray(given) || given.length === 0) {
    return NOT_AN_S3_EVENT;
  }
  const records: readonly unknown[] = given;
  if (records.every(isQueueMessage)) {
    if (records.length > MAX_MESSAGES_PER_BATCH) {
      // Lambda's mapping hands the function at most its batch size: a larger "batch" is a direct invocation dressed
      // as one, and runs nothing.
      return NOT_AN_S3_EVENT;
    }
    return { fromQueue: true, items: records.map((message) => itemOf(message as WorkQueueMessage)) };
  }
  // Invoked directly: an event holding anything but the records S3 writes runs nothing and fails the invocation (the
  // handler), so Lambda's retries end on the on-failure destination, where a person looks.
  const wellFormed = records.length <= MAX_RECORDS_PER_MESSAGE && records.every(isObjectCreatedRecord);
  return wellFormed
    ? { fromQueue: false, items: [{ messageId: undefined, records: records as ObjectCreatedRecord[] }] }
    : NOT_AN_S3_EVENT;
}

/** A direct invocation that is not S3's event: nothing of it is run, and the handler fails it. */
const NOT_AN_S3_EVENT: TriggerBatch = {
  fromQueue: false,
  items: [{ messageId: undefined, records: [], dropped: 'not-an-s3-event' }],
};

function isQueueMessage(record: unknown): boolean {
  const r = record as Partial<WorkQueueMessage> | undefined;
  return r?.eventSource === 'aws:sqs' && typeof r.messageId === 'string' && typeof r.body === 'string';
}

function itemOf(message: WorkQueueMessage): WorkItem {
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch {
    return { messageId: message.messageId, records: [], dropped: 'not-an-s3-event' };
  }
  const parsed = body as { Event?: unknown; Records?: unknown } | null;
  if (parsed?.Event === 's3:TestEvent') {
    return { messageId: message.messageId, records: [], dropped: 'test-event' };
  }
  const inner = parsed?.Records;
  if (
    !Array.isArray(inner) ||
    inner.length === 0 ||
    inner.length > MAX_RECORDS_PER_MESSAGE ||
    !inner.every(isObjectCreatedRecord)
  ) {
    return { messageId: message.messageId, records: [], dropped: 'not-an-s3-event' };
  }
  return { messageId: message.messageId, records: inner as ObjectCreatedRecord[] };
}
