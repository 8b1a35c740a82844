/**
 * What replay and redrive do when the operator's own set-up is at fault, or the operator stops them: KMS refusing the
 * operator's role is not recorded against the mail and is not passed over by the checkpoint (exit 4, run again once
 * fixed); Ctrl-C stops redrive before the next message, which stays on the queue.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { runRedriveCommand } from '../../cli/redrive-command';
import { runReplayCommand } from '../../cli/replay-command';
import { LOCAL_MAIL_BUCKET, type LocalStack, startLocalStack } from '../../local/local-stack';
import { drainQueue, objectCreatedEvent, storeMail } from '../../local/pipeline';
import { type OperatorCommand, runOperator } from '../support/operator-run';

let stack: LocalStack;
let work: string;
const stored: Array<{ key: string; size: number; messageId: string }> = [];
const target = `s3://${LOCAL_MAIL_BUCKET}/raw/`;

beforeAll(async () => {
  stack = await startLocalStack();
  work = mkdtempSync(join(tmpdir(), 'operator-refusals-'));
  for (let i = 0; i < 3; i += 1) {
    stored.push(await storeMail(stack, Buffer.from(`Subject: refusal ${i}\r\n\r\nbody ${i}\r\n`), `refusal${i}`));
  }
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(work, { recursive: true, force: true });
});

const run = (command: OperatorCommand, args: string[], interrupted?: Promise<void>) =>
  runOperator(stack, command, args, { interrupted });

/**
 * replay one object at a time with a checkpoint, KMS answering AccessDeniedException (as it does to a role without
 * kms:Decrypt on the mail key) to the Decrypt calls `deny` picks.
 */
async function replayDenying(deny: (call: number) => boolean, checkpoint: string) {
  denyDecrypt(deny);
  try {
    return await run(runReplayCommand, [target, '--checkpoint', checkpoint, '--concurrency', '1']);
  } finally {
    stack.clients.kms.middlewareStack.remove('denyDecrypt');
  }
}

function denyDecrypt(deny: (call: number) => boolean): void {
  let call = 0;
  stack.clients.kms.middlewareStack.add(
    (next) => async (args) => {
      call += 1;
      if (!deny(call)) return next(args);
      throw Object.assign(new Error('User is not authorized to perform kms:Decrypt'), {
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    },
    { step: 'finalizeRequest', name: 'denyDecrypt' },
  );
}

it('replay: KMS refusing the operator before anything unwrapped exits 4, records nothing, stops and keeps the checkpoint before it; once fixed, the same command delivers all', async () => {
  const checkpoint = join(work, 'replay.json');
  const denied = await replayDenying(() => true, checkpoint);
  expect(denied.status).toBe(4);
  // Stopped at the first: no other object started.
  expect(denied.stdout).toMatch(/rejected\s+1\s+KMS_ACCESS_DENIED 1/);
  expect(denied.stderr).toContain('kms:Decrypt on the mail key');
  expect(denied.stderr).toContain(JSON.stringify(stored.map((s) => s.key).sort()[0]));
  expect(await drainQueue(stack, stack.failureQueueUrl, 0)).toHaveLength(0);
  expect(await drainQueue(stack, stack.outputQueueUrl, 0)).toHaveLength(0);

  const fixed = await run(runReplayCommand, [target, '--checkpoint', checkpoint]);
  expect(fixed.status).toBe(0);
  expect(fixed.stdout).toMatch(/forwarded\s+3/);
  expect(JSON.parse(readFileSync(checkpoint, 'utf8')).startAfter).toBe(
    stored
      .map((s) => s.key)
      .sort()
      .at(-1),
  );
  expect(await drainQueue(stack, stack.outputQueueUrl, 1)).toHaveLength(3);
});

it("replay: once an object has unwrapped, a refusal is the object's own: recorded, passed over, exit 1, no duplicate on the next run", async () => {
  await drainQueue(stack, stack.failureQueueUrl, 0);
  const checkpoint = join(work, 'replay-object.json');
  const run1 = await replayDenying((call) => call === 2, checkpoint);
  expect(run1.status).toBe(1);
  expect(run1.stdout).toMatch(/forwarded\s+2/);
  expect(run1.stdout).toMatch(/rejected\s+1\s+KMS_ACCESS_DENIED 1/);
  const keys = stored.map((s) => s.key).sort();
  const failures = (await drainQueue(stack, stack.failureQueueUrl, 1)).map((m) => JSON.parse(m.Body ?? ''));
  expect(failures).toEqual([expect.objectContaining({ key: keys[1], reason: 'KMS_ACCESS_DENIED' })]);
  expect(JSON.parse(readFileSync(checkpoint, 'utf8')).startAfter).toBe(keys[2]);
  expect(await drainQueue(stack, stack.outputQueueUrl, 1)).toHaveLength(2);
  const run2 = await run(runReplayCommand, [target, '--checkpoint', checkpoint]);
  expect(run2.stdout).toContain(': 0 objects');
  expect(await drainQueue(stack, stack.outputQueueUrl, 0)).toHaveLength(0);
});

it('redrive: Ctrl-C stops before the next message; what it did not take on stays on the queue (exit 3)', async () => {
  await drainQueue(stack, stack.failureQueueUrl, 0);
  for (const object of stored) {
    await stack.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.failureQueueUrl,
        MessageBody: JSON.stringify(objectCreatedEvent([object])),
      }),
    );
  }
  const result = await run(runRedriveCommand, [], Promise.resolve());
  expect(result.status).toBe(3);
  expect(result.stdout).toContain('0 messages, interrupted, 0 deleted');
  expect(await drainQueue(stack, stack.outputQueueUrl, 0)).toHaveLength(0);
  expect(await drainQueue(stack, stack.failureQueueUrl, 0)).toHaveLength(3);
});
