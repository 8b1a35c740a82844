/**
 * How the function's SDK clients retry: the SDK's standard strategy (not adaptive), with more attempts and full
 * jitter.
 *
 * - Standard, not adaptive: adaptive adds a client-side rate limiter that sleeps before sends after throttling; its
 *   state lives in one container and is lost with it, and the SDK documents it as subject to change
 *   (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html). What bounds the calls the pipeline
 *   makes on KMS is the work queue's maximum concurrency (lib/trigger/work-queue.ts), not one client's guess.
 * - Six attempts instead of the SDK's three: with S3 or SQS refusing one request in four, three attempts leave one
 *   call in 64 failing; six leave one in 4096. A call that still fails makes its record return to the work queue
 *   (a transient outcome), never a rejection, so a storm costs a redelivery, not a mail.
 * - Full jitter, exponential from the SDK's bases (50 ms, 1 s after throttling) up to 20 s: retries of many
 *   containers spread out instead of arriving together
 *   (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 * - KMS up to 2 s, not 20: its request quotas are per second, and a call throttled in one second is served in a later
 *   one (https://docs.aws.amazon.com/kms/latest/developerguide/throttling.html), so a wait drawn from two seconds
 *   reaches a fresh quota; longer waits relieve nothing the work queue's maximum concurrency does not already bound
 *   (at most 10 records an instance, each with one Decrypt in flight). They only held a batch: its invocation ends
 *   with its slowest record, and one throttled five times waited up to 1 + 2 + 4 + 8 + 16 = 31 s, now 1 + 2 + 2 + 2
 *   + 2 = 9 s. `npm run load`'s throttled scenario measures the difference (README's Load).
 * - The retry budget (the SDK's token bucket, 500 tokens per client, spent by retries and refunded by retries that
 *   succeed) is the SDK's own and cannot be set; when it runs dry, later errors surface on their first attempt and
 *   the record returns to the queue, which is the outer budget (its receive count, then its dead-letter queue).
 */
import { StandardRetryStrategy, type StandardRetryStrategyOptions } from '@smithy/core/retry';

/** How long to wait before a retry (the strategy sets the base for throttling and for other errors). */
export type BackoffStrategy = NonNullable<StandardRetryStrategyOptions['backoff']>;

/** The retry settings, named once for the README and the tests. */
export const RETRY_SETTINGS = { maxAttempts: 6, maxDelayMillis: 20_000, kmsMaxDelayMillis: 2_000 } as const;

/**
 * Exponential backoff with full jitter: a delay drawn uniformly from [0, min(base × 2^attempt, 20 s)). The strategy
 * sets the base before each retry (throttling or not).
 */
export class FullJitterBackoff implements BackoffStrategy {
  private base = 50;

  /**
   * @param random - a source of numbers in [0, 1); tests give one that makes every delay 0
   * @param maxDelayMillis - the cap on the range a delay is drawn from
   */
  constructor(
    private readonly random: () => number = Math.random,
    private readonly maxDelayMillis: number = RETRY_SETTINGS.maxDelayMillis,
  ) {}

  computeNextBackoffDelay(attempt: number): number {
    return Math.floor(this.random() * Math.min(this.base * 2 ** attempt, this.maxDelayMillis));
  }

  setDelayBase(delay: number): void {
    this.base = delay;
  }
}

/** A new strategy (one per client: each keeps its own budget). */
export function retryStrategy(backoff: BackoffStrategy = new FullJitterBackoff()): StandardRetryStrategy {
  return new StandardRetryStrategy({ maxAttempts: RETRY_SETTINGS.maxAttempts, backoff });
}
