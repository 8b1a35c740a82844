/**
 * Runs the function as Lambda would: the esbuild bundle (dist/functions/decrypt/index.js) on one S3 event, in a Node process of
 * its own (scripts/run-bundled-handler.cjs), with the environment the stack sets.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** What a process printed and how it ended. */
export interface ProcessResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end, collecting its output. */
export function runProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs the bundled handler on `event`; `env` is the function's environment (endpoints, configuration, extras). */
export function runBundledHandler(event: unknown, env: Record<string, string>): Promise<ProcessResult> {
  return runProcess(process.execPath, [join(ROOT, 'scripts', 'run-bundled-handler.cjs'), JSON.stringify(event)], {
    PATH: process.env.PATH ?? '',
    NODE_OPTIONS: '--enable-source-maps --expose-gc',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...env,
  });
}
