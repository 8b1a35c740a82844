/**
 * The order in which one invocation works through its records: several at once while the objects they name are small,
 * a large one alone.
 *
 * A record spends most of its time waiting: on S3, on KMS, on SQS, on the delivery records, and after a throttled
 * call on the SDK's backoff (1 s base for throttling in the SDKs' standard retry behaviour,
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html). Taking a batch's records one after the
 * other adds those waits up; taking them together overlaps them. Powertools' batch processor runs records in parallel
 * too (its `BatchProcessor`: "items are processed asynchronously and in parallel",
 * https://github.com/aws-powertools/powertools-lambda-typescript/tree/main/packages/batch). What this adds to it, and
 * why it is written here: a budget of stored bytes in flight (a 40 MiB mail takes the function about 2.2 times its size
 * at peak, README's Performance), a cap on records at once, and no two records for the same object at once, so a
 * duplicate in the same batch still finds the first one's delivery record (or the container's memory of forwarded
 * objects) and is not sent twice.
 *
 * What bounds the KMS rate of one instance is then its CPU (6.5 to 9.9 ms a small mail in `npm run bench`), which is
 * what the work queue's maximum concurrency is sized from (lib/trigger/work-queue-settings.ts).
 */

/**
 * Stored bytes the records running at once may name between them: small mails (the usual case, a few KiB to a few
 * hundred) run together; one larger than this runs alone. A 40 MiB mail takes a process from 63 to about 150 MiB, so
 * about 2.2 times its size; 8 MiB of small ones add under 20 MiB to a function whose smallest memory setting
 * (256 MiB) holds one 40 MiB mail.
 */
export const CONCURRENT_OBJECT_BYTES = 8 * 1024 * 1024;

/**
 * Records at once, whatever their sizes: the work queue's batch size (lib/trigger/work-queue-settings.ts), so an
 * event holding more records (a direct invocation, or a message whose body lists many) runs no more at once than a
 * batch from the queue.
 */
export const MAX_RECORDS_AT_ONCE = 10;

/**
 * The least a record counts for, whatever size its event announces: what a record holds besides its object (its
 * requests, its SDK and Powertools state) is not nothing, and an event announcing 0 bytes must not make room for many.
 */
export const MIN_RECORD_BYTES = 64 * 1024;

/** The schedule's bounds (tests give smaller ones). */
export interface ScheduleLimits {
  /** Stored bytes named by the records running at once. */
  readonly budgetBytes: number;
  /** The least a record counts for. */
  readonly minBytes: number;
  /** Records running at once. */
  readonly atOnce: number;
}

const DEFAULT_LIMITS: ScheduleLimits = {
  budgetBytes: CONCURRENT_OBJECT_BYTES,
  minBytes: MIN_RECORD_BYTES,
  atOnce: MAX_RECORDS_AT_ONCE,
};

/** What the schedule needs to know of a record. */
export interface ScheduledWork {
  /** The object the record names (bucket, key and version): records with the same identity never overlap. */
  readonly identity: string;
  /**
   * The stored size the event announces (at least MIN_RECORD_BYTES counted); undefined (or not a size) counts as larger
   * than the budget. A record whose object S3 stores at another size is not read (process-record.ts), so an event
   * cannot make room for less than it brings.
   */
  readonly bytes: number | undefined;
}

/**
 * Runs `run` on every task, in the tasks' order of starting, up to `atOnce` at once within `budgetBytes`;
 * resolves when all have ended. If one throws, no further task starts, the ones already running end, and the first
 * error is thrown.
 */
export async function runWithinBudget<T>(
  tasks: readonly T[],
  describe: (task: T) => ScheduledWork,
  run: (task: T) => Promise<void>,
  limits: ScheduleLimits = DEFAULT_LIMITS,
): Promise<void> {
  const { budgetBytes, minBytes, atOnce } = limits;
  const running = new Set<Promise<void>>();
  const identities = new Set<string>();
  let bytesInFlight = 0;
  let failure: { error: unknown } | undefined;

  try {
    for (const task of tasks) {
      const { identity, bytes } = describe(task);
      // Larger than the budget, or unknown: counted as just over it, so it starts only when nothing else runs.
      const weight =
        typeof bytes === 'number' && bytes >= 0 && bytes <= budgetBytes ? Math.max(bytes, minBytes) : budgetBytes + 1;
      while (
        running.size > 0 &&
        (running.size >= atOnce || bytesInFlight + weight > budgetBytes || identities.has(identity))
      ) {
        await Promise.race(running);
      }
      if (failure !== undefined) break;
      bytesInFlight += weight;
      identities.add(identity);
      const started: Promise<void> = Promise.resolve()
        .then(() => run(task))
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => {
          bytesInFlight -= weight;
          identities.delete(identity);
          running.delete(started);
        });
      running.add(started);
    }
  } finally {
    // Whatever happened above (a `describe` that threw), nothing is left running behind the caller's back.
    await Promise.all(running);
  }
  if (failure !== undefined) throw failure.error;
}
