/** Removes the folder of the packaging run's tarball (package-global-setup.ts). */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { PACKED_TARBALL_ENV } from './packed-package';

export default function packageGlobalTeardown(): void {
  const tarball = process.env[PACKED_TARBALL_ENV];
  if (tarball !== undefined) rmSync(dirname(tarball), { recursive: true, force: true });
}
