import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../../local/local-stack';
import { benchCli } from './cli';
import { benchCore } from './core';
import { benchHandler, benchHandlerMemory } from './handler';
import { printTable, ROOT, results, rows } from './report';
import { benchSmallMail } from './small-mail';
import { benchStartup } from './startup';

/** The parts `--only` may name (`npm run bench -- --only startup,small-mail`), in the order they run. */
const PARTS = ['startup', 'small-mail', 'core', 'emulators'] as const;
type Part = (typeof PARTS)[number];

/** The parts to run: all of them, or those `--only` names (an unknown name is an error, not a silent skip). */
function partsToRun(argv: readonly string[]): ReadonlySet<Part> {
  const at = argv.indexOf('--only');
  if (at === -1) return new Set(PARTS);
  const named = (argv[at + 1] ?? '').split(',').filter((p) => p.length > 0);
  const unknown = named.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (named.length === 0 || unknown.length > 0) {
    throw new Error(`--only takes a comma-separated list of ${PARTS.join(', ')}; got ${argv[at + 1] ?? 'nothing'}`);
  }
  return new Set(named as Part[]);
}

async function main(): Promise<void> {
  const started = performance.now();
  const parts = partsToRun(process.argv.slice(2));
  if (
    !existsSync(join(ROOT, 'dist', 'functions', 'decrypt', 'index.js')) ||
    !existsSync(join(ROOT, 'dist', 'cli.js'))
  ) {
    throw new Error('dist/ is missing: run npm run build');
  }
  // Every figure below is taken in processes of its own, started from here; this process only starts and reads them.
  if (parts.has('startup')) await benchStartup();
  if (parts.has('small-mail')) await benchSmallMail();
  if (parts.has('core')) await benchCore();
  if (parts.has('emulators')) {
    const stack = await startLocalStack();
    try {
      await benchHandler(stack);
      await benchHandlerMemory(stack);
      await benchCli(stack);
    } finally {
      await stack.stop();
    }
  }
  results.rows = rows;
  results.seconds = (performance.now() - started) / 1000;
  results.parts = [...parts];
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  // A partial run keeps the last whole run's file.
  const file = parts.size === PARTS.length ? 'latest.json' : `latest-${[...parts].join('-')}.json`;
  writeFileSync(join(ROOT, 'bench-results', file), `${JSON.stringify(results, null, 2)}\n`);
  printTable();
  process.stdout.write(
    `\nnode ${process.version}, ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the end (a shared machine reads slower and wider)\n`,
  );
  process.stdout.write(`\n${(results.seconds as number).toFixed(0)} s; written to bench-results/${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
