/**
 * Start-up (issue 20 item 4): the decrypt function's module load as deployed, and the CLI's `--help`, each against
 * an empty module in fresh processes taken in turn; plus the floor any handler on the same three SDK clients pays.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import functionBundle from '../../lib/functions/function-bundle.json';
import { measure } from './measure';
import { log, NODE, ROOT, results, rows, spread } from './report';

export const MODULE_LOAD_GOAL_MS = 40;
export const HELP_GOAL_S = 0.15;
const PAIRS = 21;

interface Pairs {
  readonly wall: number[];
  readonly cpu: number[];
  readonly baseWall: number[];
  readonly baseCpu: number[];
}

/** `args` and the empty module in turn, PAIRS times after one warm-up each; over-the-empty figures pair by pair. */
async function againstEmpty(args: string[], env: NodeJS.ProcessEnv, empty: string): Promise<Pairs> {
  const pairs: Pairs = { wall: [], cpu: [], baseWall: [], baseCpu: [] };
  await measure(NODE, args, env);
  await measure(NODE, [empty], env);
  for (let i = 0; i < PAIRS; i += 1) {
    const order = i % 2 === 0 ? [args, [empty]] : [[empty], args];
    const [first, second] = [
      await measure(NODE, order[0] as string[], env),
      await measure(NODE, order[1] as string[], env),
    ];
    const [subject, base] = i % 2 === 0 ? [first, second] : [second, first];
    pairs.wall.push(subject.millis);
    pairs.baseWall.push(base.millis);
    pairs.cpu.push(subject.cpuMillis ?? Number.NaN);
    pairs.baseCpu.push(base.cpuMillis ?? Number.NaN);
  }
  return pairs;
}

const over = (a: number[], b: number[]) => spread(a.map((v, i) => v - (b[i] as number)));
const fmt = (s: { median: number; p25: number; p75: number }) =>
  `+${s.median.toFixed(0)} ms (${s.p25.toFixed(0)} to ${s.p75.toFixed(0)})`;

export async function benchStartup(): Promise<void> {
  const work = join(ROOT, 'bench-results', 'startup');
  mkdirSync(work, { recursive: true });
  const empty = join(work, 'empty.js');
  writeFileSync(empty, '');
  const bundle = join(ROOT, 'dist', 'functions', 'decrypt', 'index.js');
  // The floor: the baseline handler as a function module holding the same three SDK clients (baseline-function.ts),
  // bundled as the function is. (Until 2026-12-01 it bundled the baseline handler alone, which imports the clients'
  // types only: no client, signer, HTTP handler or credential chain, 166 KB; that floor read too low.)
  const floor = join(work, 'baseline-bundle.js');
  await build({
    entryPoints: [join(ROOT, 'scripts', 'bench', 'baseline-function.ts')],
    outfile: floor,
    bundle: true,
    platform: 'node',
    minify: true,
    target: 'node22',
    format: 'cjs',
    mainFields: [...functionBundle.mainFields],
    external: [...functionBundle.external],
    logLevel: 'warning',
  });
  const load = (file: string) => ['-e', `require(${JSON.stringify(file)})`];
  const asDeployed = { ...process.env, NODE_OPTIONS: '--expose-gc' };
  const withMaps = { ...process.env, NODE_OPTIONS: '--enable-source-maps --expose-gc' };
  const figures: Record<string, unknown> = { bytes: statSync(bundle).size, floorBytes: statSync(floor).size };
  for (const [label, args, env, goal] of [
    ['decrypt function module load, as deployed', load(bundle), asDeployed, true],
    ['decrypt function module load, sourceMaps: true', load(bundle), withMaps, false],
    ['floor: copy-only function (S3, KMS, SQS clients) module load', load(floor), asDeployed, false],
  ] as const) {
    log(`${label} (${PAIRS} pairs of processes) ...`);
    const pairs = await againstEmpty([...args], env, empty);
    const wall = over(pairs.wall, pairs.baseWall);
    const cpu = over(pairs.cpu, pairs.baseCpu);
    figures[label] = { wall, cpu, baseWall: spread(pairs.baseWall) };
    rows.push({
      measure: `${label} (${PAIRS} pairs)`,
      value: `wall ${fmt(wall)}, cpu ${fmt(cpu)}`,
      reference: `empty module: wall ${spread(pairs.baseWall).median.toFixed(0)} ms`,
      goal: goal ? `<= +${MODULE_LOAD_GOAL_MS} ms` : '-',
      met: goal ? wall.median <= MODULE_LOAD_GOAL_MS : undefined,
    });
  }
  log(`CLI --help (${PAIRS} pairs of processes) ...`);
  const cli = join(ROOT, 'dist', 'cli.js');
  await measure(NODE, [cli, '--help'], process.env); // fills the V8 compile cache, as any second run has it
  const help = await againstEmpty([cli, '--help'], process.env, empty);
  const helpWall = spread(help.wall);
  figures.help = { wall: helpWall, cpu: spread(help.cpu), baseWall: spread(help.baseWall) };
  rows.push({
    measure: `ses-inbound --help (${PAIRS} runs)`,
    value: `wall ${(helpWall.median / 1000).toFixed(3)} s (${(helpWall.p25 / 1000).toFixed(3)}-${(helpWall.p75 / 1000).toFixed(3)}), cpu ${(spread(help.cpu).median / 1000).toFixed(3)} s`,
    reference: `empty node: wall ${(spread(help.baseWall).median / 1000).toFixed(3)} s`,
    goal: `< ${HELP_GOAL_S} s`,
    met: helpWall.median < HELP_GOAL_S * 1000,
  });
  results.startup = figures;
}
