/**
 * The order in which one invocation works through its records: several at once while the objects they name are small,
 * a large one alone.
 *
 * A record spends most of its time waiting: on S3, on KMS, on SQS, on the delivery records, and after a throttled
 * call on the SDK's backoff (1 s base for throttling in the SDKs' standard retry behaviour,
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html). Taking a batch's records one after the
 * other adds those waits up; taking them together overlaps them. Powertools' batch processor runs records in parallel
 * for the same reason (https://docs.powertools.aws.dev/lambda/typescript/latest/features/batch/). What this adds to
 * it, and why it is written here: a budget of stored bytes in flight (the function holds a mail's ciphertext and
 * plaintext, about 3.75 times a 40 MiB mail at peak, README's Performance), and no two records for the same object at
 * once, so a duplicate in the same batch still finds the first one's delivery record (or the container's memory of
 * forwarded objects) and is not sent twice.
 *
 * The KMS rate one instance can make does not grow with this: it is bounded by the instance's CPU (about 7 ms a small
 * mail), which is what the work queue's maximum concurrency is sized from (lib/trigger/work-queue-settings.ts).
 */

/**
 * Stored bytes the records running at once may name between them: small mails (the usual case, a few KiB to a few
 * hundred) run together; one larger than this runs alone. Eight MiB adds about 30 MiB at peak to a function whose
 * smallest memory setting (256 MiB) holds one 40 MiB mail.
 */
export const CONCURRENT_OBJECT_BYTES = 8 * 1024 * 1024;

/** What the schedule needs to know of a record. */
export interface ScheduledWork {
  /** The object the record names (bucket, key and version): records with the same identity never overlap. */
  readonly identity: string;
  /** The stored size the event announces; undefined (or not a size) counts as larger than the budget. */
  readonly bytes: number | undefined;
}

/**
 * Runs `run` on every task, in the tasks' order of starting, several at once within `budgetBytes`; resolves when all
 * have ended. If one throws, no further task starts, the ones already running end, and the first error is thrown.
 */
export async function runWithinBudget<T>(
  tasks: readonly T[],
  describe: (task: T) => ScheduledWork,
  run: (task: T) => Promise<void>,
  budgetBytes: number = CONCURRENT_OBJECT_BYTES,
): Promise<void> {
  const running = new Set<Promise<void>>();
  const identities = new Set<string>();
  let bytesInFlight = 0;
  let failure: { error: unknown } | undefined;

  for (const task of tasks) {
    const { identity, bytes } = describe(task);
    // Larger than the budget, or unknown: counted as just over it, so it starts only when nothing else runs.
    const weight = typeof bytes === 'number' && bytes >= 0 && bytes <= budgetBytes ? bytes : budgetBytes + 1;
    while (running.size > 0 && (bytesInFlight + weight > budgetBytes || identities.has(identity))) {
      await Promise.race(running);
    }
    if (failure !== undefined) break;
    bytesInFlight += weight;
    identities.add(identity);
    const started: Promise<void> = run(task)
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
  await Promise.all(running);
  if (failure !== undefined) throw failure.error;
}
