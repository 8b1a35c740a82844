/**
 * The work queue's settings that are plain numbers: its maximum concurrency (default, sized from the KMS request
 * quota, and bounds), its receive count, the mapping's batch size and the retention. work-queue.ts deploys them; the
 * local pipeline (local/work-queue.ts) reads the same values, so `npm start` consumes its queue as the stack does.
 */
import { Token } from 'aws-cdk-lib';
import { ConfigurationError } from '../configuration-error';

/**
 * The default maximum concurrency, sized from the KMS request quota. Each mail costs the function one KMS Decrypt on
 * the mail key. An instance runs up to 10 of a batch's small mails at once
 * (lambda/decrypt-function/record-schedule.ts), so its CPU bounds its rate: one JavaScript thread, at the 6.5 to
 * 9.9 ms of CPU a small mail the bench measures with the SDK's clients over the emulators (records off and on, `npm
 * run bench`, README's Performance), makes at most about 150 Decrypt calls a second (not measured in AWS, where TLS
 * adds CPU to each call and kept-alive connections save some). The smallest regional quota for symmetric
 * cryptographic operations, shared by every caller of the account and region (SES's GenerateDataKey for each stored
 * mail included), is 5,500 a second (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html).
 * 10 instances make at most about 1,500 a second, under a third of that quota, leaving the rest to SES and the
 * account's other uses. Raise it with the quota (`workQueueMaxConcurrency`).
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

/**
 * Receives before a message goes to the dead-letter queue. AWS advises at least 5 for a Lambda source queue
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html); 10 lets a record ride out a storm
 * (each transient failure returns it once, after the SDK's own six attempts) for 10 visibility timeouts, 2 hours.
 */
export const MAX_RECEIVE_COUNT = 10;

/**
 * Messages per invocation: SQS's default batch of 10. A batch of ten 40 MB mails ends inside the 2-minute timeout
 * if each takes under 12 s (the handler takes a 40 MiB mail end to end, upload to the payload bucket included, in
 * under 1 s over the emulators on two cores, README's Performance); a batch that runs out returns whole, and the
 * delivery records keep its finished mails from being sent again. Above 10 Lambda requires a batching window of at least 1 s
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html), latency this pipeline has no need to add.
 */
export const WORK_QUEUE_BATCH_SIZE = 10;
