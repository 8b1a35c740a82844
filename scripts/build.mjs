#!/usr/bin/env node
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// Builds the shipped JavaScript with esbuild: the operator CLI (dist/cli.js) and the Lambda bundle
// (dist/lambda/index.js). `--cli-only` builds just the CLI (the tests' global setup).
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cliOnly = process.argv.includes('--cli-only');

const common = {
  bundle: true,
  platform: 'node',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  legalComments: 'external',
  logLevel: 'warning',
  absWorkingDir: root,
};

await build({
  ...common,
  entryPoints: ['bin/cli.ts'],
  outfile: 'dist/cli.js',
  target: 'node20',
  format: 'cjs',
});

if (!cliOnly) {
  const { existsSync } = await import('node:fs');
  if (existsSync(join(root, 'lambda', 'handler.ts'))) {
    await build({
      ...common,
      entryPoints: ['lambda/handler.ts'],
      outfile: 'dist/lambda/index.js',
      target: 'node22',
      format: 'cjs',
      metafile: false,
    });
  }
}
