/** How decrypted mail reaches consumers: the queues and the payload bucket. Part of `EncryptedInboundMailProps`. */
export interface DeliveryProps {
  /**
   * Largest message sent inline on the output queue, in bytes (1,024 to 1,048,576); larger mail goes to the payload
   * bucket.
   *
   * @default 262_144
   */
  readonly inlineMaxBytes?: number;
  /**
   * Days messages stay on the output queue (1 to 14). Its dead-letter queue keeps messages 14 days, and payload
   * objects expire a day after the longest any pointer to them can live: 15 days for a standard queue, this value plus
   * 15 for a FIFO one (whose dead-letter queue restarts the clock).
   *
   * @default 4
   */
  readonly queueRetentionDays?: number;
  /**
   * Make the output queue a FIFO queue (ids derived from the SES message id). A queue's type cannot change once it
   * exists: changing this on a deployed stack replaces both output queues (new URLs; the messages still on the old
   * ones are deleted), so the deployment is refused unless `acceptQueueReplacement` is set.
   *
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * Accept that this deployment replaces the output queues because `fifo` changed. Drain them first; unset it again
   * afterwards.
   *
   * @default false
   */
  readonly acceptQueueReplacement?: boolean;
  /**
   * Keep a record of each mail delivered in a DynamoDB table (encrypted with its own customer managed key), so an S3
   * event delivered twice, or retried after a send, is not sent again by another container. Records hold hashes and
   * statuses, never mail, and live as long as the longest redelivery path plus a day. Off, only each container's own
   * memory catches repeats (README "Delivered once").
   *
   * @default true
   */
  readonly deliveryRecords?: boolean;
}
