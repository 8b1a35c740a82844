/**
 * The bench's table: each figure beside its reference and goal, collected by the measuring modules and printed once.
 */
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const MiB = 1024 * 1024;
export const NODE = process.execPath;

export interface Row {
  readonly measure: string;
  readonly value: string;
  readonly reference: string;
  readonly goal: string;
  readonly met: boolean | undefined;
}
export const rows: Row[] = [];
export const results: Record<string, unknown> = { node: process.version, date: new Date().toISOString() };

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The median: the middle value, or the mean of the two middle ones for an even count. */
export function median(values: number[]): number {
  return percentile(values, 50);
}

/** The median and the spread around it: the 25th and 75th percentiles. */
export function spread(values: number[]): { median: number; p25: number; p75: number } {
  return { median: median(values), p25: percentile(values, 25), p75: percentile(values, 75) };
}

/** `median (p25–p75)` of values, with `digits` decimals. */
export function withSpread(values: number[], digits = 2): string {
  const s = spread(values);
  return `${s.median.toFixed(digits)} (${s.p25.toFixed(digits)}-${s.p75.toFixed(digits)})`;
}

/** The interquartile range as a share of the median: how much a figure moved within its own runs. */
export function relativeSpread(values: number[]): number {
  const s = spread(values);
  return (s.p75 - s.p25) / s.median;
}

/**
 * The p-th percentile, interpolated between the two nearest values (the common "type 7" definition). With a handful
 * of values (4 rounds) the nearest-rank rule it replaces read the median as the third of four and the 25th percentile
 * as the minimum.
 */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const at = (p / 100) * (sorted.length - 1);
  const below = sorted[Math.floor(at)] as number;
  const above = sorted[Math.ceil(at)] as number;
  return below + (above - below) * (at - Math.floor(at));
}

export function printTable(): void {
  const headers = ['measure', 'value', 'reference (same run)', 'goal', 'met'];
  const cells = rows.map((r) => [
    r.measure,
    r.value,
    r.reference,
    r.goal,
    r.met === undefined ? '-' : r.met ? 'yes' : 'NO',
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i] as number)).join(' | ')} |`;
  process.stdout.write(`${line(headers)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n`);
  for (const row of cells) process.stdout.write(`${line(row)}\n`);
}
