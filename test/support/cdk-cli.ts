/** The CDK CLI as a user runs it, offline, for the synth suites. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Runs `npx cdk synth` offline with the given context in the given region (the region the CLI resolves for the stack). */
export function cdkSynth(context: readonly string[], region: string, outdir: string) {
  const args = ['cdk', 'synth', ...context.flatMap((c) => ['-c', c]), '-o', outdir, '-q', '--no-notices'];
  return spawnSync('npx', args, {
    cwd: ROOT,
    encoding: 'utf8',
    // Offline: no version check, notices or telemetry.
    env: {
      ...withBuiltinValidation(process.env),
      CDK_DISABLE_VERSION_CHECK: '1',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      CI: 'true',
      AWS_REGION: region,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
    timeout: 120_000,
  });
}

/** The environment without the template tests' switch (test/support/builtin-validation-off.ts): the CLI validates as for users. */
function withBuiltinValidation(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { CDK_VALIDATION: _off, ...rest } = env;
  return rest;
}
