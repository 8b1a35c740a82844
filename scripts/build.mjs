#!/usr/bin/env node
// Builds the shipped JavaScript with esbuild: the operator CLI (dist/cli.js, loading dist/cli/) and the Lambda bundles
// (dist/functions/decrypt/index.js, dist/functions/verdict-gate/index.js), and the package's consumer and reader entry
// points for a clone (dist/pkg/api/{consumer,reader}.js: the examples import `ses-encrypted-inbound/consumer`, which
// package.json "exports" maps there). `--cli-only` builds just the CLI; `--bundles-only` leaves dist/pkg to jsii
// (scripts/build-package.mjs, which `npm pack` runs).
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cliOnly = process.argv.includes('--cli-only');
// `npm pack` and `npm publish` run `prepare` (this script) after `prepack` (build-package.mjs) built dist/pkg with
// jsii: the entry points it ships stay jsii's.
const bundlesOnly =
  process.argv.includes('--bundles-only') || ['pack', 'publish'].includes(process.env.npm_command ?? '');

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

// The CLI as ES modules split into chunks (dist/cli/): each command, and the CloudFormation client `--stack` needs,
// is parsed only when that command runs, so `--help` loads none of the AWS SDK.
await rm(join(root, 'dist', 'cli'), { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { main: 'bin/cli.ts' },
  outdir: 'dist/cli',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunk-[hash]',
  splitting: true,
  format: 'esm',
  target: 'node20',
  // Dependencies still in CommonJS call require(): give the chunks one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  // The SDK's ES module builds: esbuild drops what the CLI never calls, and it starts faster.
  mainFields: ['module', 'main'],
});
// The launcher turns on V8's compile cache (Node 22.1+) before loading the bundle, so every run after the first
// skips compiling the AWS SDK: about half of the CLI's start-up.
await writeFile(
  join(root, 'dist', 'cli.js'),
  `#!/usr/bin/env node
'use strict';
try {
  require('node:module').enableCompileCache?.();
} catch {
  // An unwritable cache directory only costs speed.
}
import('./cli/main.mjs');
`,
  { mode: 0o755 },
);

if (!cliOnly && !bundlesOnly) {
  // Each one CommonJS file of the project's code, its packages left to node_modules (under a second); jsii compiles
  // the shipped ones, with their type declarations.
  await build({
    ...common,
    minify: false,
    sourcemap: false,
    entryPoints: ['api/consumer.ts', 'api/reader.ts'],
    packages: 'external',
    outdir: 'dist/pkg/api',
    format: 'cjs',
    target: 'node20',
  });
}

if (!cliOnly) {
  const { readFileSync } = await import('node:fs');
  const functionBundle = JSON.parse(readFileSync(join(root, 'lib', 'functions', 'function-bundle.json'), 'utf8'));
  // The functions as the stack bundles them (lib/function-code.ts), shipped in the package so that an app installing
  // it needs no esbuild: dist/functions/<name>/index.js (lib/function-source.ts finds them).
  for (const [name, entry] of [
    ['decrypt', 'lambda/decrypt-function/handler.ts'],
    ['verdict-gate', 'lambda/verdict-gate/handler.ts'],
  ]) {
    await build({
      ...common,
      entryPoints: [entry],
      outfile: `dist/functions/${name}/index.js`,
      target: 'node22',
      format: 'cjs',
      mainFields: functionBundle.mainFields,
      external: functionBundle.external,
    });
  }
}
