/**
 * The consumer examples in examples/: the Node one (the package's helper) reads inline, base64 and offloaded mail from
 * the emulators byte-exact; the Java one's guard expects the pointer the decrypt function writes. The Python and Java
 * ones run in `npm run test:consumers` (they need python3 with boto3, and Maven with a JDK). Hostile message ids and pointers: the Node example writes
 * nothing outside its output folder, follows no pointer outside the payload bucket, and reports each by its code.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POINTER_CLASS } from '../../lambda/contract/message-contract';
import type { createHandler as CreateHandler } from '../../lambda/decrypt-function/handler';
import { forwardConsumerFixtures } from '../../local/consumer-fixtures';
import { NAMING_EDGE_IDS, sendHostileConsumerMessages } from '../../local/hostile-consumer-messages';
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

it("the Java example's guard expects the pointer the decrypt function writes: same class, same attribute", async () => {
  // The example itself runs in `npm run test:consumers` (Maven); this pins the names its guard checks.
  const java = readFileSync(join(ROOT, 'examples', 'java', 'src', 'main', 'java', 'PayloadGuard.java'), 'utf8');
  const theirs = /POINTER_CLASS =\s*"([^"]+)"/.exec(java)?.[1];
  const large = Buffer.concat([Buffer.from('Subject: large\r\n\r\n'), Buffer.alloc(300 * 1024, 0x62)]);
  const stored = await storeMail(stack, large);
  await handler(objectCreatedEvent([stored]));
  const [message] = await drainQueue(stack, stack.outputQueueUrl, 1);
  const ours = JSON.parse(message?.Body as string);
  expect(ours[0]).toBe(POINTER_CLASS);
  expect(theirs).toBe(POINTER_CLASS);
  expect(Object.keys(ours[1]).sort()).toEqual(['s3BucketName', 's3Key']);
  expect(message?.MessageAttributes?.ExtendedPayloadSize?.DataType).toBe('Number');
  expect(java).toContain('"ExtendedPayloadSize"');
});

it('the Node example writes nothing outside its output folder whatever the message id, and refuses foreign pointers', async () => {
  await drainQueue(stack, stack.outputQueueUrl, 0);
  const parent = join(work, 'hostile');
  const out = join(parent, 'out');
  mkdirSync(out, { recursive: true });
  const hostile = await sendHostileConsumerMessages(stack, parent);
  const result = await runProcess(process.execPath, [join(ROOT, 'examples', 'node', 'consume.mjs'), out], {
    PATH: process.env.PATH ?? '',
    ...stack.env,
    QUEUE_URL: stack.outputQueueUrl,
  });
  expect(readdirSync(parent, { recursive: true }).sort()).toEqual(['out', join('out', `${hostile.good.id}.eml`)]);
  expect(readFileSync(join(out, `${hostile.good.id}.eml`)).equals(hostile.good.mime)).toBe(true);
  const refusals = result.stderr
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { refused: string }).refused);
  expect(refusals.sort()).toEqual(hostile.refusals);
  expect(result.stderr).not.toMatch(/escaped|planted|aaaa/);
  expect(result.status).toBe(1);
});

it('the Node example names a file only for a plain id, inside the folder (NUL, separators, dots, length)', async () => {
  const ids = NAMING_EDGE_IDS;
  const script = `import { mailFilePath } from ${JSON.stringify(join(ROOT, 'examples', 'node', 'mail-file.mjs'))};
    console.log(JSON.stringify(${JSON.stringify(ids)}.map((id) => mailFilePath('out', id) ?? null)));`;
  const result = await runProcess(process.execPath, ['--input-type=module', '-e', script], { PATH: '' });
  expect(result.stderr).toBe('');
  expect(JSON.parse(result.stdout)).toEqual([
    join(process.cwd(), 'out', '0123abcd.eml'),
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    join(process.cwd(), 'out', `${'a'.repeat(128)}.eml`),
  ]);
});
