/**
 * Builds what the tests run as users and Lambda would, once, before any test: the compiled operator CLI and the
 * function bundles (scripts/build.mjs), and the compiled package library (scripts/build-package.mjs --library-only).
 * No test rebuilds them, so no test reads a bundle while another writes it. It also names the folder where the suites
 * share one packed tarball.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACK_DIR_ENV } from './packed-package';

export default function globalSetup(): void {
  const scripts = join(__dirname, '..', '..', 'scripts');
  execFileSync(process.execPath, [join(scripts, 'build.mjs')], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(scripts, 'build-package.mjs'), '--library-only'], { stdio: 'inherit' });
  // One `npm pack` for the run, made by the first suite that needs it (packed-package.ts, sharedTarball); the
  // workers jest starts after this inherit the variable. global-teardown.ts removes the folder.
  process.env[PACK_DIR_ENV] = mkdtempSync(join(tmpdir(), 'ses-inbound-pack-'));
}
