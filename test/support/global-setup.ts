/**
 * Builds what the tests run as users and Lambda would, once, before any test: the compiled operator CLI and the
 * function bundles (scripts/build.mjs), the compiled package library (scripts/build-package.mjs --library-only) and,
 * for the packaging suites (`npm run test:package`, whose root is test/package), the folder where they share one packed
 * tarball. No test rebuilds them, so no test reads a bundle while another writes it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { PACK_DIR_ENV } from './packed-package';

export default function globalSetup(
  _globalConfig: unknown,
  projectConfig: { readonly roots: readonly string[] },
): void {
  const scripts = join(__dirname, '..', '..', 'scripts');
  execFileSync(process.execPath, [join(scripts, 'build.mjs')], { stdio: 'inherit' });
  // The examples import the consumer helper from it, as an installed package would (test/integration/consumers.test.ts).
  execFileSync(process.execPath, [join(scripts, 'build-package.mjs'), '--library-only'], { stdio: 'inherit' });
  if (!projectConfig.roots.some((root) => root.endsWith(`${sep}test${sep}package`))) return;
  // One `npm pack` for the run, made by the first suite that needs it (packed-package.ts, sharedTarball); the
  // workers jest starts after this inherit the variable. global-teardown.ts removes the folder.
  process.env[PACK_DIR_ENV] = mkdtempSync(join(tmpdir(), 'ses-inbound-pack-'));
}
