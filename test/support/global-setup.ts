/**
 * Builds what the tests run as users and Lambda would, once, before any test: the compiled operator CLI and the
 * function bundles (scripts/build.mjs), and the compiled package library (scripts/build-package.mjs --library-only;
 * the examples import the consumer helper from it, as an installed package would). No test rebuilds them, so no test
 * reads a bundle while another writes it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function globalSetup(): void {
  const scripts = join(__dirname, '..', '..', 'scripts');
  execFileSync(process.execPath, [join(scripts, 'build.mjs')], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(scripts, 'build-package.mjs'), '--library-only'], { stdio: 'inherit' });
}
