/** The work queue's maximum concurrency: its default, sized from the KMS request quota, and its bounds. */
import { Token } from 'aws-cdk-lib';
import { ConfigurationError } from '../configuration-error';

/**
 * The default maximum concurrency, sized from the KMS request quota. Each mail costs the function one KMS Decrypt on
 * the mail key; one instance handles a small mail in about 7.4 ms at p50 (issue 20's load test), so at most about
 * 135 Decrypt calls a second. The smallest regional quota for symmetric cryptographic operations, shared by every
 * caller of the account and region (SES's GenerateDataKey for each stored mail included), is 5,500 a second
 * (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html). 10 instances make at most about
 * 1,350 a second, a quarter of that quota, leaving the rest to SES and the account's other uses. Raise it with the
 * quota (`workQueueMaxConcurrency`).
 */
export const DEFAULT_WORK_QUEUE_MAX_CONCURRENCY = 10;

/** The bounds of MaximumConcurrency (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html). */
export const MAX_CONCURRENCY_RANGE = { min: 2, max: 1000 } as const;

/** @throws ConfigurationError when the value is not a whole number from 2 to 1000 */
export function checkMaxConcurrency(value: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < MAX_CONCURRENCY_RANGE.min || value > MAX_CONCURRENCY_RANGE.max) {
    throw new ConfigurationError(
      'workQueueMaxConcurrency must be a whole number from 2 to 1000 (the event source mapping limits); size it from the KMS request quota, see the README',
    );
  }
}

/** The work queue's retention and its dead-letter queue's, in days (work-queue.ts; the delivery records outlive both). */
export const WORK_QUEUE_RETENTION = { retentionDays: 4, deadLetterQueueDays: 14 } as const;
