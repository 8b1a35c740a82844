import { statSync } from 'node:fs';
import { join } from 'node:path';
import { measure } from './measure';
import { log, median, NODE, ROOT, results, rows } from './report';

export async function benchBundle(): Promise<void> {
  log('bundle size and load time ...');
  const bundle = join(ROOT, 'dist', 'functions', 'decrypt', 'index.js');
  const bytes = statSync(bundle).size;
  const load: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < 15; i += 1) {
    base.push((await measure(NODE, ['-e', '0'], process.env)).millis);
    load.push((await measure(NODE, ['-e', `require(${JSON.stringify(bundle)})`], process.env)).millis);
  }
  const over = median(load) - median(base);
  results.bundle = { bytes, loadMillis: median(load), baselineMillis: median(base) };
  rows.push({
    measure: 'function bundle size',
    value: `${(bytes / 1000).toFixed(0)} KB`,
    reference: '-',
    goal: '< 500 KB',
    met: bytes < 500_000,
  });
  rows.push({
    measure: 'function module load (median of 15)',
    value: `${median(load).toFixed(0)} ms (+${over.toFixed(0)} ms)`,
    reference: `node -e 0: ${median(base).toFixed(0)} ms`,
    goal: '< +60 ms',
    met: over < 60,
  });
}
