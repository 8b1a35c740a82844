/**
 * The package as users receive it: `npm pack` of the repository (library and bundles built by the packaging run's
 * global setup, test/support/package-global-setup.ts) and
 * commands run the way a user's machine runs them, with nothing of the repository's tools on the path.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

/** Runs a command with no esbuild or Docker on the path; throws with its output when it fails. */
export function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: 240_000,
    env: {
      ...process.env,
      CDK_DISABLE_VERSION_CHECK: '1',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      CI: 'true',
      // Nothing of the repository's tools may help: no esbuild, no Docker on the path.
      PATH: [join(process.execPath, '..'), '/usr/bin', '/bin'].join(':'),
    },
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/**
 * Packs the repository into `destination` and returns the tarball's path. With `scripts`, as a user's `npm pack`
 * does: `prepack` builds the library with jsii, then `prepare` runs (only before any test starts: it rebuilds the
 * bundles); without, what the last build left (--ignore-scripts keeps pack from rebuilding the bundles while other
 * tests run them).
 */
export function pack(destination: string, scripts = false): string {
  const packed = run(
    'npm',
    ['pack', ...(scripts ? [] : ['--ignore-scripts']), '--pack-destination', destination, '--loglevel=error'],
    ROOT,
  );
  return join(destination, packed.stdout.trim().split('\n').pop() as string);
}

/** The tarball `npm run test:package` packs once before its suites (test/support/package-global-setup.ts). */
export const PACKED_TARBALL_ENV = 'SES_INBOUND_TEST_TARBALL';

/**
 * This run's tarball: packed once by the packaging run's global setup (`npm pack` reads the whole dependency tree for
 * the bundled dependencies, about 40 s of CPU, and three suites need it); outside that run, packed into `fallback`.
 */
export function sharedTarball(fallback: string): string {
  return process.env[PACKED_TARBALL_ENV] ?? pack(fallback);
}

/** `cdk synth` of `app.js` in `app` into `cdk.out`, with the repository's CDK CLI. */
export function synth(app: string) {
  return run(
    join(ROOT, 'node_modules', '.bin', 'cdk'),
    ['synth', '--app', 'node app.js', '-o', 'cdk.out', '-q', '--no-notices'],
    app,
  );
}
