/**
 * Core decrypt throughput against raw AES-256-GCM: one fresh process per format, size and piece size
 * (core-worker.ts), each pairing the two over the same bytes; and a check that the raw reference itself held still.
 */
import { join } from 'node:path';
import { measure } from './measure';
import { log, MiB, median, NODE, ROOT, relativeSpread, results, rows, spread } from './report';

/** Where a raw reference whose runs spread wider than this (p25 to p75, of its median) is flagged as unsteady. */
export const RAW_SPREAD_BOUND = 0.2;
/** Where the raw reference's medians at 10 MiB and over differ by more than this factor across processes. */
export const RAW_DRIFT_BOUND = 1.5;

const CASES: ReadonlyArray<readonly [format: 'SES' | 'V3', bytes: number, piece: number]> = [
  ['SES', 64 * 1024, 64 * 1024],
  ['SES', MiB, 64 * 1024],
  ['SES', 10 * MiB, 64 * 1024],
  ['SES', 10 * MiB, MiB],
  ['SES', 40 * MiB, 64 * 1024],
  ['SES', 40 * MiB, MiB],
  ['V3', 10 * MiB, 64 * 1024],
  ['V3', 40 * MiB, 64 * 1024],
];

const label = (bytes: number) => (bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`);

export async function benchCore(): Promise<void> {
  const coreRows: Record<string, unknown>[] = [];
  const bigRatios: number[] = [];
  const bigRawMBps: number[] = [];
  let unsteady = 0;
  for (const [format, bytes, piece] of CASES) {
    log(`core decrypt, ${format} ${label(bytes)} in ${label(piece)} pieces (own process) ...`);
    const worker = join(ROOT, 'scripts', 'bench', 'core-worker.ts');
    const run = await measure(NODE, ['--import', 'tsx', worker, format, String(bytes), String(piece)], process.env);
    if (run.status !== 0) throw new Error(`core worker failed for ${format} ${bytes}`);
    const { core, raw } = JSON.parse(run.stdout) as { core: number[]; raw: number[] };
    const mbps = (ms: number) => bytes / 1e6 / (ms / 1000);
    // Each pair ran back to back: the median of the pairs' ratios shrugs off the machine's drift.
    const ratios = core.map((ms, i) => (raw[i] as number) / ms);
    const ratio = spread(ratios);
    const rawSpread = relativeSpread(raw);
    const steady = rawSpread <= RAW_SPREAD_BOUND;
    if (!steady) unsteady += 1;
    if (bytes >= 10 * MiB) {
      bigRatios.push(ratio.median);
      bigRawMBps.push(mbps(median(raw)));
    }
    const what = format === 'SES' ? 'mail' : 'V3 object';
    rows.push({
      measure: `core decrypt, ${label(bytes)} ${what}, ${label(piece)} pieces (n=${core.length})`,
      value: `${mbps(median(core)).toFixed(0)} MB/s; ${ratio.median.toFixed(2)}x raw (${ratio.p25.toFixed(2)}-${ratio.p75.toFixed(2)})`,
      reference: `raw AES-256-GCM ${mbps(median(raw)).toFixed(0)} MB/s, spread ${(rawSpread * 100).toFixed(0)}%${steady ? '' : ' UNSTEADY'}`,
      goal: bytes >= 10 * MiB ? '>= 0.90x raw' : '-',
      met: bytes >= 10 * MiB ? ratio.median >= 0.9 && steady : undefined,
    });
    coreRows.push({
      format,
      bytes,
      piece,
      runs: core.length,
      ratio,
      rawSpread,
      coreMs: spread(core),
      rawMs: spread(raw),
    });
  }
  const drift = Math.max(...bigRawMBps) / Math.min(...bigRawMBps);
  rows.push({
    measure: 'raw reference steadiness (all core rows)',
    value: `${unsteady} of ${CASES.length} rows over ${RAW_SPREAD_BOUND * 100}% spread; >= 10 MiB medians within ${drift.toFixed(2)}x`,
    reference: '-',
    goal: `spread <= ${RAW_SPREAD_BOUND * 100}%, drift <= ${RAW_DRIFT_BOUND}x`,
    met: unsteady === 0 && drift <= RAW_DRIFT_BOUND,
  });
  results.core = { rows: coreRows, rawDrift: drift, worstBigRatio: Math.min(...bigRatios) };
}
