import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalStack } from '../../local/local-stack';
import { benchBundle } from './bundle';
import { benchCli } from './cli';
import { benchCore } from './core';
import { benchHandler, benchHandlerMemory } from './handler';
import { printTable, ROOT, results, rows } from './report';

async function main(): Promise<void> {
  const started = performance.now();
  if (
    !existsSync(join(ROOT, 'dist', 'functions', 'decrypt', 'index.js')) ||
    !existsSync(join(ROOT, 'dist', 'cli.js'))
  ) {
    throw new Error('dist/ is missing: run npm run build');
  }
  await benchCore();
  await benchBundle();
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
  process.stdout.write(`\n${(results.seconds as number).toFixed(0)} s; written to bench-results/latest.json\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
