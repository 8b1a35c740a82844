/**
 * `npm run test:consumers`: the Python consumer example (examples/python/consume.py, boto3) against the local
 * emulators, reading inline text, base64 and offloaded mail and checking each byte for byte. It needs a Python with
 * boto3 (requirements-dev.txt; scripts/python.ts says which Python): without it, it says how to install it and fails,
 * so a machine that lacks it cannot pass for one that ran it. The Node example is tested in `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forwardConsumerFixtures } from '../local/consumer-fixtures';
import { startLocalStack } from '../local/local-stack';
import { INSTALL_HINT, pythonCommand } from './python';

async function main(): Promise<number> {
  const python = pythonCommand();
  const probe = spawnSync(python, ['-c', 'import boto3; print(boto3.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    process.stderr.write(`test:consumers: boto3 is not installed for ${python}; install it with: ${INSTALL_HINT}\n`);
    return 1;
  }
  const stack = await startLocalStack();
  const work = mkdtempSync(join(tmpdir(), 'python-consumer-'));
  try {
    Object.assign(process.env, stack.env);
    const { createHandler } = await import('../lambda/decrypt-function/handler');
    const expected = await forwardConsumerFixtures(stack, createHandler());
    const run = spawnSync(python, [join(__dirname, '..', 'examples', 'python', 'consume.py'), work], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        ...stack.env,
        QUEUE_URL: stack.outputQueueUrl,
        AWS_DEFAULT_REGION: stack.env.AWS_REGION,
      },
    });
    if (run.status !== 0) {
      process.stdout.write(`test:consumers: the Python example failed (${run.status}):\n${run.stdout}${run.stderr}\n`);
      return 1;
    }
    const deliveries = run.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { delivery: string }).delivery);
    let failed = 0;
    for (const [id, mime] of expected) {
      const same = readFileSync(join(work, `${id}.eml`)).equals(mime);
      if (!same) failed += 1;
    }
    const kinds = deliveries.sort().join(', ');
    process.stdout.write(
      `test:consumers: ${python} (boto3 ${probe.stdout.trim()}) read ${expected.size} mails (${kinds}): ${expected.size - failed} passed, ${failed} failed\n`,
    );
    return failed === 0 && kinds === 'inline, inline, offloaded' ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
    await stack.stop();
  }
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`test:consumers: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
