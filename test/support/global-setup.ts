/** Builds the compiled operator CLI once before the tests that run it as a user would. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function globalSetup(): void {
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build.mjs'), '--cli-only'], {
    stdio: 'inherit',
  });
}
