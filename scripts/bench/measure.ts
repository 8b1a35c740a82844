/**
 * Whole-process measurement for the bench: wall time and peak RSS of one command.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Runs a command and returns its wall time and (through /usr/bin/time, where present) its CPU time and peak RSS. */
export function measure(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ millis: number; cpuMillis?: number; maxRssKiB?: number; status: number | null; stdout: string }> {
  const timed = existsSync('/usr/bin/time');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      timed ? '/usr/bin/time' : command,
      timed ? ['-f', '__maxrss=%M __cpu=%U,%S', command, ...args] : args,
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      const millis = performance.now() - started;
      const rss = /__maxrss=(\d+)/.exec(stderr)?.[1];
      const cpu = /__cpu=([\d.]+),([\d.]+)/.exec(stderr);
      const cpuMillis = cpu === null ? undefined : (Number(cpu[1]) + Number(cpu[2])) * 1000;
      resolve({ millis, cpuMillis, maxRssKiB: rss === undefined ? undefined : Number(rss), status, stdout });
    });
  });
}
