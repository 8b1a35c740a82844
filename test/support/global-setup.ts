/**
 * Builds what the tests run as users and Lambda would, once, before any test (scripts/build.mjs): the compiled
 * operator CLI, the function bundles, and the package's consumer and reader entry points in dist/pkg, which the
 * examples import as `ses-encrypted-inbound/consumer` (package.json "exports"). No test rebuilds them, so no test reads
 * a bundle while another writes it. The entry points are esbuild's (under a second), not jsii's
 * (scripts/build-package.mjs, about 19 s of type checks and assembly before any test could start): `npm test`
 * type-checks with `tsc -p .` already, and `npm run test:package` packs and installs the package jsii builds.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export default function globalSetup(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
