/**
 * Small-mail CPU (issue 20 item 5): the deployed handler's CPU per mail against the baseline handler
 * (baseline-handler.ts) at 10 to 60 KiB, each a fresh process (small-mail-worker.ts), handler and baseline in turn.
 */
import { join } from 'node:path';
import { measure } from './measure';
import { log, NODE, ROOT, results, rows, spread } from './report';

/** The goal: the handler's CPU per mail at most this many times the baseline's. */
export const SMALL_MAIL_GOAL = 1.15;
const SIZES = [10 * 1024, 30 * 1024, 60 * 1024];
const ROUNDS = 4;
const TIMED_MAILS = 1500;

async function cpuPerMail(variant: string, bytes: number, env: NodeJS.ProcessEnv): Promise<number> {
  const worker = join(ROOT, 'scripts', 'bench', 'small-mail-worker.ts');
  const run = await measure(NODE, ['--import', 'tsx', worker, variant, String(bytes), String(TIMED_MAILS)], env);
  const line = /__RESULT__(.*)/.exec(run.stdout)?.[1];
  if (run.status !== 0 || line === undefined) throw new Error(`small-mail worker failed: ${variant} ${bytes}`);
  return (JSON.parse(line) as { cpuMicrosPerMail: number }).cpuMicrosPerMail;
}

export async function benchSmallMail(): Promise<void> {
  const out: Record<string, unknown>[] = [];
  // The handler as deployed (logs and metrics on), then without them: how much of the gap is Powertools'.
  const quiet = { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' };
  for (const [label, handlerEnv] of [
    ['as deployed', process.env],
    ['logs and metrics off', quiet],
  ] as const) {
    for (const bytes of SIZES) {
      log(
        `small-mail CPU, ${bytes / 1024} KiB, handler ${label} against the baseline (${ROUNDS} pairs of processes) ...`,
      );
      const handler: number[] = [];
      const baseline: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        // Alternating which goes first, so neither always meets the machine in the same state.
        if (round % 2 === 0) {
          handler.push(await cpuPerMail('handler', bytes, handlerEnv));
          baseline.push(await cpuPerMail('baseline', bytes, process.env));
        } else {
          baseline.push(await cpuPerMail('baseline', bytes, process.env));
          handler.push(await cpuPerMail('handler', bytes, handlerEnv));
        }
      }
      const ratios = spread(handler.map((h, i) => h / (baseline[i] as number)));
      const deployed = label === 'as deployed';
      rows.push({
        measure: `handler CPU per mail, ${bytes / 1024} KiB, ${label} (${ROUNDS} x ${TIMED_MAILS} mails)`,
        value: `${spread(handler).median.toFixed(0)} us; ${ratios.median.toFixed(2)}x (${ratios.p25.toFixed(2)}-${ratios.p75.toFixed(2)})`,
        reference: `baseline (read, KMS Decrypt, send): ${spread(baseline).median.toFixed(0)} us`,
        goal: deployed ? `<= ${SMALL_MAIL_GOAL}x baseline` : '- (diagnostic)',
        met: deployed ? ratios.median <= SMALL_MAIL_GOAL : undefined,
      });
      out.push({ label, bytes, handlerMicros: spread(handler), baselineMicros: spread(baseline), ratio: ratios });
    }
  }
  results.smallMail = out;
}
