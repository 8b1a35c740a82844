/**
 * Whole-process measurement for the bench: wall time and peak RSS of one command.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Runs a command and returns its wall time and (through /usr/bin/time, where present) its peak RSS. */
export function measure(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ millis: number; maxRssKiB?: number; status: number | null; stdout: string }> {
  const timed = existsSync('/usr/bin/time');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(timed ? '/usr/bin/time' : command, timed ? ['-f', '__maxrss=%M', command, ...args] : args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      const millis = performance.now() - started;
      const rss = /__maxrss=(\d+)/.exec(stderr)?.[1];
      resolve({ millis, maxRssKiB: rss === undefined ? undefined : Number(rss), status, stdout });
    });
  });
}
