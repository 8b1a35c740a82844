/**
 * How long each queue keeps its messages, and how long payload objects must therefore live: one place, so the payload
 * bucket's lifecycle can never fall behind a queue that still holds a pointer to a payload.
 */

/** Days every queue of `Delivery` keeps its messages, and the days after which payload objects expire. */
export interface DeliveryRetention {
  /** The output queue: `queueRetentionDays`. */
  readonly outputQueueDays: number;
  /**
   * The output queue's dead-letter queue: SQS's longest, 14 days, so that a standard dead-letter queue is never
   * shorter than its source queue, as AWS advises: a standard queue's message keeps its original enqueue timestamp
   * when it moves to the dead-letter queue
   * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html).
   */
  readonly deadLetterQueueDays: number;
  /** The failure queue (rejection records name stored mail, never a payload). */
  readonly failureQueueDays: number;
  /** The longest any message pointing at a payload can live, in whole days. */
  readonly longestPointerDays: number;
  /** When payload objects expire: the longest pointer life and a day's margin. */
  readonly payloadExpirationDays: number;
}

/** SQS's longest message retention period (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html). */
export const SQS_MAX_RETENTION_DAYS = 14;

/**
 * The retention of each queue and the payload expiration that follows from them. A pointer lives on the output queue
 * for up to its retention, then possibly on the dead-letter queue: for a standard queue until the dead-letter
 * queue's retention counted from the original send (the timestamp is kept), for a FIFO queue for the dead-letter
 * queue's whole retention counted from the move (the timestamp is reset; same page as above). The day's margin
 * covers the moments between the payload's upload and the message's send; S3 then rounds the expiry up to the next
 * midnight UTC (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html).
 *
 * Not covered: a dead-letter redrive back to the output queue (SQS's StartMessageMoveTask) sends the pointers again as
 * new messages with a new enqueue time, restarting their clocks; payloads are not extended (see README).
 */
export function deliveryRetention(options: { queueRetentionDays: number; fifo: boolean }): DeliveryRetention {
  const outputQueueDays = options.queueRetentionDays;
  const deadLetterQueueDays = SQS_MAX_RETENTION_DAYS;
  const longestPointerDays = options.fifo
    ? outputQueueDays + deadLetterQueueDays
    : Math.max(outputQueueDays, deadLetterQueueDays);
  return {
    outputQueueDays,
    deadLetterQueueDays,
    failureQueueDays: SQS_MAX_RETENTION_DAYS,
    longestPointerDays,
    payloadExpirationDays: longestPointerDays + 1,
  };
}
