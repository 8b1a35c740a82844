/**
 * `npm run test:package`'s global setup (jest.package.config.js): the default one (test/support/global-setup.ts), then
 * one `npm pack` for every packaging suite of the run; the workers jest starts after this inherit its path.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import globalSetup from './global-setup';
import { PACKED_TARBALL_ENV, pack } from './packed-package';

export default function packageGlobalSetup(): void {
  globalSetup();
  process.env[PACKED_TARBALL_ENV] = pack(mkdtempSync(join(tmpdir(), 'ses-inbound-pack-')));
}
