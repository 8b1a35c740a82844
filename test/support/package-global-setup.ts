/**
 * `npm run test:package`'s global setup (jest.package.config.js): the default one (test/support/global-setup.ts: the
 * bundles), then one `npm pack` as a user runs it, scripts included (prepack builds the library and its jsii assembly
 * as the package ships them: dist/pkg with declarations, .jsii), for every packaging suite of the run; the workers
 * jest starts after this inherit its path.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import globalSetup from './global-setup';
import { PACKED_TARBALL_ENV, pack } from './packed-package';

export default function packageGlobalSetup(): void {
  globalSetup();
  // As a user packs it: prepack (scripts/build-package.mjs: jsii's dist/pkg and .jsii, then the bundles), then prepare.
  process.env[PACKED_TARBALL_ENV] = pack(mkdtempSync(join(tmpdir(), 'ses-inbound-pack-')), true);
}
