/**
 * Builds what the tests run as users and Lambda would, once, before any test: the compiled operator CLI and the
 * function bundles (scripts/build.mjs), and the package's consumer and reader entry points in dist/pkg, which the
 * examples import as `ses-encrypted-inbound/consumer` (package.json "exports"). No test rebuilds them, so no test reads
 * a bundle while another writes it.
 *
 * The two entry points are built with esbuild, each one CommonJS file holding the project's code it imports, its
 * packages left to node_modules (under a second), rather than compiled by jsii (scripts/build-package.mjs, about 19 s
 * of type checks and assembly before any test could start): `npm test` type-checks with `tsc -p .` already, and `npm
 * run test:package` packs and installs the package jsii builds.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = join(__dirname, '..', '..');

export default function globalSetup(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  buildSync({
    absWorkingDir: ROOT,
    entryPoints: ['api/consumer.ts', 'api/reader.ts'],
    bundle: true,
    packages: 'external',
    outdir: 'dist/pkg/api',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
}
