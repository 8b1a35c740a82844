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
   * Days messages stay on the output queue; payload objects expire one day later.
   *
   * @default 4
   */
  readonly queueRetentionDays?: number;
  /**
   * Make the output queue a FIFO queue (ids derived from the SES message id).
   *
   * @default false
   */
  readonly fifo?: boolean;
}
