/**
 * The package as users receive it: `npm pack` of the repository (library and bundles built by jest's global setup) and
 * commands run the way a user's machine runs them, with nothing of the repository's tools on the path.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

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

/** Packs the repository into `destination` and returns the tarball's path. */
export function pack(destination: string): string {
  // --ignore-scripts keeps pack from rebuilding the bundles while other tests run them.
  const packed = run('npm', ['pack', '--ignore-scripts', '--pack-destination', destination, '--loglevel=error'], ROOT);
  return join(destination, packed.stdout.trim().split('\n').pop() as string);
}

/** Where the global setup (test/support/global-setup.ts) lets this jest run share one tarball. */
export const PACK_DIR_ENV = 'SES_INBOUND_TEST_PACK_DIR';

/**
 * The tarball of this jest run, packed once for every test that needs it: `npm pack` reads the whole dependency tree
 * for the bundled dependencies (about 40 s of CPU here), and three suites need the same tarball. The first caller
 * packs it; the others, in other workers, wait for it. Without the global setup's folder, packs into `fallback`.
 */
export async function sharedTarball(fallback: string): Promise<string> {
  const dir = process.env[PACK_DIR_ENV];
  if (dir === undefined) return pack(fallback);
  const ready = join(dir, 'tarball');
  const failed = join(dir, 'failed');
  try {
    mkdirSync(join(dir, 'lock')); // atomic: exactly one caller gets here first
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Shorter than the suites' 300 s hooks, so this message, not jest's timeout, says what happened.
    for (const deadline = Date.now() + 180_000; Date.now() < deadline; await sleep(250)) {
      if (existsSync(ready)) return readFileSync(ready, 'utf8');
      if (existsSync(failed)) throw new Error(`npm pack failed in another suite:\n${readFileSync(failed, 'utf8')}`);
    }
    throw new Error('no tarball after 3 minutes of waiting for another suite to pack it');
  }
  try {
    const tarball = pack(dir);
    writeFileSync(`${ready}.partial`, tarball);
    renameSync(`${ready}.partial`, ready);
    return tarball;
  } catch (error) {
    writeFileSync(failed, String(error));
    throw error;
  }
}

/** `cdk synth` of `app.js` in `app` into `cdk.out`, with the repository's CDK CLI. */
export function synth(app: string) {
  return run(
    join(ROOT, 'node_modules', '.bin', 'cdk'),
    ['synth', '--app', 'node app.js', '-o', 'cdk.out', '-q', '--no-notices'],
    app,
  );
}
