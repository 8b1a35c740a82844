/**
 * Small-mail CPU (issue 20 item 5): the deployed handler's CPU per mail against the baseline handler
 * (baseline-handler.ts) at 10 to 60 KiB, each a fresh process (small-mail-worker.ts), handler and baseline in turn, both
 * fed the same work-queue batches. The goal rows are the function as deployed, over the emulators
 * (small-mail-emulators.ts): both handlers make real SDK clients and read, call KMS and send through fauxqs and the KMS
 * emulator, as each would in Lambda; batches of 10 from the work queue (lib/trigger/work-queue.ts), delivery records on,
 * and both take a batch's records together (a baseline taking them one at a time spends more CPU a mail, which would
 * flatter the function: a diagnostic row shows it).
 * The diagnostic rows show what the delivery records cost, and (with stub clients that answer at once, no SDK, no
 * HTTP) the handler's own work: one mail per invocation, the records, the logs and metrics.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { measure } from './measure';
import { log, NODE, ROOT, results, rows, spread } from './report';
import { type SmallMailWorld, startSmallMailWorld } from './small-mail-emulators';

/** The goal: the handler's CPU per mail at most this many times the baseline's. */
export const SMALL_MAIL_GOAL = 1.15;
const KiB = 1024;
const ROUNDS = 4;
const TIMED_MAILS = 1500;
/** Over the emulators each mail takes a few milliseconds of round trips: fewer mails, the same warm-up. */
const TIMED_WORLD_MAILS = 600;
/** The work queue's batch size (lib/trigger/work-queue.ts, `batchSize`). */
const QUEUE_BATCH = 10;

interface Variant {
  readonly label: string;
  readonly batch: number;
  readonly records: boolean;
  readonly sizes: readonly number[];
  readonly env?: NodeJS.ProcessEnv;
  readonly goal?: true;
  /** Real SDK clients over the emulators (small-mail-emulators.ts), not stub clients. */
  readonly world?: true;
  /** The baseline takes a batch's records all at once, as the function takes small mails (record-schedule.ts). */
  readonly baselineTogether?: true;
}

const VARIANTS: readonly Variant[] = [
  {
    // Like for like: the function takes a batch's small mails together (record-schedule.ts), so the baseline does too.
    label: `as deployed, over the emulators: batches of ${QUEUE_BATCH}, delivery records on, each taking a batch's records together`,
    batch: QUEUE_BATCH,
    records: true,
    sizes: [10 * KiB, 30 * KiB, 60 * KiB],
    goal: true,
    world: true,
    baselineTogether: true,
  },
  {
    label: `as deployed, over the emulators: batches of ${QUEUE_BATCH}, delivery records on, the baseline one record at a time`,
    batch: QUEUE_BATCH,
    records: true,
    sizes: [10 * KiB, 60 * KiB],
    world: true,
  },
  {
    label: `over the emulators: batches of ${QUEUE_BATCH}, delivery records off, each taking a batch's records together`,
    batch: QUEUE_BATCH,
    records: false,
    sizes: [10 * KiB, 60 * KiB],
    world: true,
    baselineTogether: true,
  },
  {
    label: `stub clients: batches of ${QUEUE_BATCH}, delivery records on`,
    batch: QUEUE_BATCH,
    records: true,
    sizes: [10 * KiB, 60 * KiB],
  },
  { label: 'stub clients: one mail per invocation, records on', batch: 1, records: true, sizes: [10 * KiB] },
  {
    label: `stub clients: batches of ${QUEUE_BATCH}, delivery records off`,
    batch: QUEUE_BATCH,
    records: false,
    sizes: [10 * KiB, 60 * KiB],
  },
  {
    label: `stub clients: batches of ${QUEUE_BATCH}, records, logs and metrics off`,
    batch: QUEUE_BATCH,
    records: false,
    sizes: [10 * KiB],
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
  },
];

async function cpuPerMail(args: string[], env: NodeJS.ProcessEnv, world?: SmallMailWorld): Promise<number> {
  const worker = join(ROOT, 'scripts', 'bench', 'small-mail-worker.ts');
  const run = await measure(NODE, ['--import', 'tsx', worker, ...args], env);
  const line = /__RESULT__(.*)/.exec(run.stdout)?.[1];
  if (run.status !== 0 || line === undefined) throw new Error(`small-mail worker failed: ${args.join(' ')}`);
  const result = JSON.parse(line) as { cpuMicrosPerMail: number; mails: number };
  if (world !== undefined) {
    // Every mail, warm-up and timed, must have reached the output queue: a skipped or refused mail costs less.
    const delivered = await world.takeDelivered();
    if (delivered !== result.mails) throw new Error(`${args[0]} delivered ${delivered} of ${result.mails} mails`);
    if (args.includes('records')) world.recordedMails += result.mails;
  }
  return result.cpuMicrosPerMail;
}

export async function benchSmallMail(): Promise<void> {
  const out: Record<string, unknown>[] = [];
  const work = join(ROOT, 'bench-results', 'small-mail');
  mkdirSync(work, { recursive: true });
  const worldSizes = [...new Set(VARIANTS.filter((v) => v.world).flatMap((v) => v.sizes))];
  log(`small-mail: storing ${worldSizes.length} x 64 mails in the emulators ...`);
  const world = await startSmallMailWorld(work, worldSizes);
  try {
    for (const variant of VARIANTS) {
      for (const bytes of variant.sizes) {
        out.push(await measureVariant(variant, bytes, variant.world ? world : undefined));
      }
    }
    // The records were really kept: a conditional put and an update per mail the function handled with them on.
    const expected = world.recordedMails;
    const calls = Object.fromEntries(world.dynamoDbCalls);
    log(`small-mail: DynamoDB calls answered over the emulators: ${JSON.stringify(calls)}`);
    if (
      expected === 0 ||
      calls.PutItem !== expected ||
      calls.UpdateItem !== expected ||
      world.dynamoDbCalls.size !== 2
    ) {
      throw new Error(`expected ${expected} PutItem and UpdateItem calls, got ${JSON.stringify(calls)}`);
    }
    results.smallMailDynamoDbCalls = calls;
  } finally {
    await world.stop();
  }
  results.smallMail = out;
}

async function measureVariant(variant: Variant, bytes: number, world: SmallMailWorld | undefined) {
  const timed = world === undefined ? TIMED_MAILS : TIMED_WORLD_MAILS;
  log(`small-mail CPU, ${bytes / KiB} KiB, ${variant.label}, against the baseline (${ROUNDS} pairs) ...`);
  const common = [String(bytes), String(timed), String(variant.batch)];
  const handlerArgs = ['handler', ...common, ...(variant.records ? ['records'] : [])];
  const handlerEnv = { ...(world?.envFor(bytes, variant.records) ?? process.env), ...variant.env };
  const baselineArgs = ['baseline', ...common, ...(variant.baselineTogether ? ['together'] : [])];
  const baselineEnv = world?.envFor(bytes, false) ?? process.env;
  const handler: number[] = [];
  const baseline: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    // Alternating which goes first, so neither always meets the machine in the same state.
    if (round % 2 === 0) {
      handler.push(await cpuPerMail(handlerArgs, handlerEnv, world));
      baseline.push(await cpuPerMail(baselineArgs, baselineEnv, world));
    } else {
      baseline.push(await cpuPerMail(baselineArgs, baselineEnv, world));
      handler.push(await cpuPerMail(handlerArgs, handlerEnv, world));
    }
  }
  const ratios = spread(handler.map((h, i) => h / (baseline[i] as number)));
  rows.push({
    measure: `handler CPU per mail, ${bytes / KiB} KiB, ${variant.label} (${ROUNDS} x ${timed} mails)`,
    value: `${spread(handler).median.toFixed(0)} us; ${ratios.median.toFixed(2)}x (${ratios.p25.toFixed(2)}-${ratios.p75.toFixed(2)})`,
    reference: `baseline (read, KMS Decrypt, send${variant.baselineTogether ? '; a batch at once' : ''}), same batches${world ? ', same emulators' : ', stub clients'}: ${spread(baseline).median.toFixed(0)} us`,
    goal: variant.goal ? `<= ${SMALL_MAIL_GOAL}x baseline` : '- (diagnostic)',
    met: variant.goal ? ratios.median <= SMALL_MAIL_GOAL : undefined,
  });
  return {
    label: variant.label,
    bytes,
    handlerMicros: spread(handler),
    baselineMicros: spread(baseline),
    ratio: ratios,
  };
}
