/**
 * `npm run test:package`'s global setup (jest.package.config.js): the default one (test/support/global-setup.ts: the
 * bundles), the library and its jsii assembly as the package ships them (scripts/build-package.mjs --library-only:
 * dist/pkg with declarations, .jsii), then one `npm pack` for every packaging suite of the run; the workers jest starts
 * after this inherit its path.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import globalSetup from './global-setup';
import { PACKED_TARBALL_ENV, pack } from './packed-package';

export default function packageGlobalSetup(): void {
  globalSetup();
  const buildPackage = join(__dirname, '..', '..', 'scripts', 'build-package.mjs');
  execFileSync(process.execPath, [buildPackage, '--library-only'], { stdio: 'inherit' });
  process.env[PACKED_TARBALL_ENV] = pack(mkdtempSync(join(tmpdir(), 'ses-inbound-pack-')));
}
