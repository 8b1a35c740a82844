/**
 * Builds what the tests run as users and Lambda would, once, before any test: the compiled operator CLI and the
 * function bundles (scripts/build.mjs), and the package's consumer and reader entry points in dist/pkg, which the
 * examples import as `ses-encrypted-inbound/consumer` (package.json "exports"). No test rebuilds them, so no test reads
 * a bundle while another writes it.
 *
 * The entry points are transpiled file by file with esbuild (the same files, the same CommonJS layout tsc writes,
 * under a second) rather than compiled by jsii (scripts/build-package.mjs, about 19 s of type checks and assembly
 * before any test could start): `npm test` type-checks with `tsc -p .` already, and `npm run test:package` packs and
 * installs the package jsii builds.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = join(__dirname, '..', '..');

/** The TypeScript files under a folder of the repository, as paths from its root. */
function sourcesUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(folder, file));
}

export default function globalSetup(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  // The consumer and reader entry points and everything they import (api/consumer.ts, api/reader.ts: lambda/ only).
  buildSync({
    absWorkingDir: ROOT,
    entryPoints: ['api/consumer.ts', 'api/reader.ts', ...sourcesUnder('lambda')],
    outbase: '.',
    outdir: 'dist/pkg',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
}
