/**
 * The consumer examples in examples/: the Node one (the package's helper) reads inline, base64 and offloaded mail from
 * the emulators byte-exact; the Java one's pointer is the pointer the decrypt function writes. The Python one runs
 * in `npm run test:consumers` (it needs python3 and boto3).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POINTER_CLASS } from '../../lambda/contract/message-contract';
import type { createHandler as CreateHandler } from '../../lambda/decrypt-function/handler';
import { forwardConsumerFixtures } from '../../local/consumer-fixtures';
import type { LocalStack } from '../../local/local-stack';
import { drainQueue, objectCreatedEvent, storeMail } from '../../local/pipeline';
import { runProcess } from '../support/bundled-handler';
import { startStackWithHandler } from '../support/handler-stack';

const ROOT = join(__dirname, '..', '..');
let stack: LocalStack;
let handler: ReturnType<typeof CreateHandler>;
const work = mkdtempSync(join(tmpdir(), 'consumers-'));

beforeAll(async () => {
  ({ stack, handler } = await startStackWithHandler());
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(work, { recursive: true, force: true });
});

it('the Node example reads inline text, base64 and offloaded mail byte-exact, and empties the queue', async () => {
  const expected = await forwardConsumerFixtures(stack, handler);
  const out = join(work, 'node');
  const result = await runProcess(process.execPath, [join(ROOT, 'examples', 'node', 'consume.mjs'), out], {
    PATH: process.env.PATH ?? '',
    ...stack.env,
    QUEUE_URL: stack.outputQueueUrl,
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const lines = result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(lines.map((l) => l.delivery).sort()).toEqual(['inline', 'inline', 'offloaded']);
  for (const [id, mime] of expected) {
    expect(readFileSync(join(out, `${id}.eml`)).equals(mime)).toBe(true);
  }
  expect(await drainQueue(stack, stack.outputQueueUrl, 0)).toHaveLength(0);
});

it("the Java example's pointer is the one the decrypt function writes: same class, same members", async () => {
  const java = readFileSync(join(ROOT, 'examples', 'java', 'ConsumeWithExtendedClient.java'), 'utf8');
  const literal = /EXAMPLE_POINTER =\s*"((?:[^"\\]|\\.)*)"/.exec(java)?.[1] as string;
  const theirs = JSON.parse(JSON.parse(`"${literal}"`));
  const large = Buffer.concat([Buffer.from('Subject: large\r\n\r\n'), Buffer.alloc(300 * 1024, 0x62)]);
  const stored = await storeMail(stack, large);
  await handler(objectCreatedEvent([stored]));
  const [message] = await drainQueue(stack, stack.outputQueueUrl, 1);
  const ours = JSON.parse(message?.Body as string);
  expect(theirs[0]).toBe(POINTER_CLASS);
  expect(ours[0]).toBe(theirs[0]);
  expect(Object.keys(ours[1]).sort()).toEqual(Object.keys(theirs[1]).sort());
  expect(message?.MessageAttributes?.ExtendedPayloadSize?.DataType).toBe('Number');
  expect(java).toContain('ExtendedPayloadSize');
});
