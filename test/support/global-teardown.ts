/** Removes the folder of the run's shared tarball (global-setup.ts, packed-package.ts). */
import { rmSync } from 'node:fs';
import { PACK_DIR_ENV } from './packed-package';

export default function globalTeardown(): void {
  const dir = process.env[PACK_DIR_ENV];
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
