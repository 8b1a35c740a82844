/**
 * moto's server (requirements-dev.txt) on 127.0.0.1, for what fauxqs does not model: S3 versioning. Started with the
 * Python `scripts/python.ts` names, so a machine without moto fails with the install command instead of skipping.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort, stopProcess } from './local-stack';

export interface MotoServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `python -m moto.server` on a free port and waits until it answers. */
export async function startMotoServer(python: string, installHint: string): Promise<MotoServer> {
  const probe = spawnSync(python, ['-c', 'import moto.server'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(`moto's server is not installed for ${python}; install it with: ${installHint}`);
  }
  const port = await freePort();
  const child: ChildProcess = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto's server exited (${child.exitCode})`);
    try {
      await fetch(`${url}/moto-api/`);
      return { url, stop: () => stopProcess(child) };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  await stopProcess(child);
  throw new Error("moto's server did not start within 30 s");
}
