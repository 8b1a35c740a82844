/** Runs the compiled operator CLI (dist/cli.js) as a user would, in a child process. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CLI_PATH = join(__dirname, '..', '..', 'dist', 'cli.js');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Offline AWS settings: fake credentials, a region, and nothing read from the user's profile. */
export function offlineAwsEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    ...extra,
  };
}

/** Runs the CLI; with `umask` (octal, e.g. '022'), under that umask, set by a shell as a user's login would. */
export function runCli(
  args: readonly string[],
  env: Record<string, string>,
  options: { umask?: string } = {},
): Promise<CliResult> {
  const [program, argv] =
    options.umask === undefined
      ? [process.execPath, [CLI_PATH, ...args]]
      : ['/bin/sh', ['-c', 'umask "$0" && exec "$@"', options.umask, process.execPath, CLI_PATH, ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(program, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (piece: Buffer) => out.push(piece));
    child.stderr.on('data', (piece: Buffer) => err.push(piece));
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({ status, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

/**
 * Asserts a `decrypt -o OUTPUT` run gave a vector's expected outcome: the exact mail, or a one-line refusal whose
 * reason is exactly `refusedCode` (the one the vector's damage deserves) and no output file.
 */
export function expectDecryptOutcome(
  result: CliResult,
  output: string,
  expected: { outcome: string; plain?: Buffer },
  refusedCode?: string,
): void {
  if (expected.outcome === 'ok') {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(readFileSync(output).equals(expected.plain as Buffer)).toBe(true);
    return;
  }
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(
    new RegExp(`^ses-inbound decrypt: refused \\(${refusedCode ?? 'NO_CODE_GIVEN'}\\): [^\\n]+\\n$`),
  );
  expect(existsSync(output)).toBe(false);
}
