/**
 * Small-mail CPU (issue 20 item 5): the deployed handler's CPU per mail against the baseline handler
 * (baseline-handler.ts) at 10 to 60 KiB, each a fresh process (small-mail-worker.ts), handler and baseline in turn, both
 * fed the same work-queue batches. The goal row is the function as deployed: batches of 10 from the work queue
 * (lib/trigger/work-queue.ts) with delivery records on; the other rows show what one mail per invocation, the delivery
 * records, and the logs and metrics each cost.
 */
import { join } from 'node:path';
import { measure } from './measure';
import { log, NODE, ROOT, results, rows, spread } from './report';

/** The goal: the handler's CPU per mail at most this many times the baseline's. */
export const SMALL_MAIL_GOAL = 1.15;
const KiB = 1024;
const ROUNDS = 4;
const TIMED_MAILS = 1500;
/** The work queue's batch size (lib/trigger/work-queue.ts, `batchSize`). */
const QUEUE_BATCH = 10;

interface Variant {
  readonly label: string;
  readonly batch: number;
  readonly records: boolean;
  readonly sizes: readonly number[];
  readonly env?: NodeJS.ProcessEnv;
  readonly goal?: true;
}

const VARIANTS: readonly Variant[] = [
  {
    label: `as deployed: batches of ${QUEUE_BATCH}, delivery records on`,
    batch: QUEUE_BATCH,
    records: true,
    sizes: [10 * KiB, 30 * KiB, 60 * KiB],
    goal: true,
  },
  { label: 'one mail per invocation, delivery records on', batch: 1, records: true, sizes: [10 * KiB, 60 * KiB] },
  {
    label: `batches of ${QUEUE_BATCH}, delivery records off`,
    batch: QUEUE_BATCH,
    records: false,
    sizes: [10 * KiB, 60 * KiB],
  },
  {
    label: `batches of ${QUEUE_BATCH}, records, logs and metrics off`,
    batch: QUEUE_BATCH,
    records: false,
    sizes: [10 * KiB],
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
  },
];

async function cpuPerMail(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const worker = join(ROOT, 'scripts', 'bench', 'small-mail-worker.ts');
  const run = await measure(NODE, ['--import', 'tsx', worker, ...args], env);
  const line = /__RESULT__(.*)/.exec(run.stdout)?.[1];
  if (run.status !== 0 || line === undefined) throw new Error(`small-mail worker failed: ${args.join(' ')}`);
  return (JSON.parse(line) as { cpuMicrosPerMail: number }).cpuMicrosPerMail;
}

export async function benchSmallMail(): Promise<void> {
  const out: Record<string, unknown>[] = [];
  for (const variant of VARIANTS) {
    for (const bytes of variant.sizes) {
      log(`small-mail CPU, ${bytes / KiB} KiB, ${variant.label}, against the baseline (${ROUNDS} pairs) ...`);
      const common = [String(bytes), String(TIMED_MAILS), String(variant.batch)];
      const handlerArgs = ['handler', ...common, ...(variant.records ? ['records'] : [])];
      const handlerEnv = { ...process.env, ...variant.env };
      const handler: number[] = [];
      const baseline: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        // Alternating which goes first, so neither always meets the machine in the same state.
        if (round % 2 === 0) {
          handler.push(await cpuPerMail(handlerArgs, handlerEnv));
          baseline.push(await cpuPerMail(['baseline', ...common], process.env));
        } else {
          baseline.push(await cpuPerMail(['baseline', ...common], process.env));
          handler.push(await cpuPerMail(handlerArgs, handlerEnv));
        }
      }
      const ratios = spread(handler.map((h, i) => h / (baseline[i] as number)));
      rows.push({
        measure: `handler CPU per mail, ${bytes / KiB} KiB, ${variant.label} (${ROUNDS} x ${TIMED_MAILS} mails)`,
        value: `${spread(handler).median.toFixed(0)} us; ${ratios.median.toFixed(2)}x (${ratios.p25.toFixed(2)}-${ratios.p75.toFixed(2)})`,
        reference: `baseline (read, KMS Decrypt, send), same batches: ${spread(baseline).median.toFixed(0)} us`,
        goal: variant.goal ? `<= ${SMALL_MAIL_GOAL}x baseline` : '- (diagnostic)',
        met: variant.goal ? ratios.median <= SMALL_MAIL_GOAL : undefined,
      });
      out.push({
        label: variant.label,
        bytes,
        handlerMicros: spread(handler),
        baselineMicros: spread(baseline),
        ratio: ratios,
      });
    }
  }
  results.smallMail = out;
}
