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

async function main(): Promise<void> {
  const started = performance.now();
  if (
    !existsSync(join(ROOT, 'dist', 'functions', 'decrypt', 'index.js')) ||
    !existsSync(join(ROOT, 'dist', 'cli.js'))
  ) {
    throw new Error('dist/ is missing: run npm run build');
  }
  // Every figure below is taken in processes of its own, started from here; this process only starts and reads them.
  await benchStartup();
  await benchSmallMail();
  await benchCore();
  const stack = await startLocalStack();
  try {
    await benchHandler(stack);
    await benchHandlerMemory(stack);
    await benchCli(stack);
  } finally {
    await stack.stop();
  }
  results.rows = rows;
  results.seconds = (performance.now() - started) / 1000;
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench-results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  printTable();
  process.stdout.write(
    `\nnode ${process.version}, ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the end (a shared machine reads slower and wider)\n`,
  );
  process.stdout.write(`\n${(results.seconds as number).toFixed(0)} s; written to bench-results/latest.json\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
