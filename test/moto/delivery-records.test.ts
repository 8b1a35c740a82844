/**
 * `npm run test:moto`: delivery records against a real DynamoDB emulator (moto's server), the bundled function in a
 * fresh Node process per invocation (a fresh container each time), S3, SQS and KMS on the local emulators as
 * everywhere else. Two containers given the same event deliver once; a container killed after its send, before its
 * record is completed, leads to a duplicate after the invocation's deadline, never a loss.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { createDeliveryRecordsTable } from '../../local/delivery-records-table';
import { LOCAL_REGION, type LocalStack, startLocalStack } from '../../local/local-stack';
import { type MotoServer, startMotoServer } from '../../local/moto-server';
import { drainQueue, objectCreatedEvent, storeMail } from '../../local/pipeline';
import { INSTALL_HINT, pythonCommand } from '../../scripts/python';

const ROOT = join(__dirname, '..', '..');
const TABLE = 'delivery-records';
/** A records' lifetime as the stack sets it with directInvocation (2 days; 19 with the work queue, the default). */
const LIFETIME_SECONDS = String(2 * 86_400);

let stack: LocalStack;
let moto: MotoServer;
let dynamodb: DynamoDBClient;
let work: string;
let runner: string;

beforeAll(async () => {
  moto = await startMotoServer(pythonCommand(), INSTALL_HINT);
  stack = await startLocalStack();
  dynamodb = new DynamoDBClient({
    region: LOCAL_REGION,
    endpoint: moto.url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createDeliveryRecordsTable(dynamodb, TABLE);
  work = mkdtempSync(join(tmpdir(), 'records-'));
  // The bundle as Lambda calls it, with a context whose deadline is REMAINING_MS away. The handler first asks whether a
  // record may start (it does not with under 20 s left): that first answer is a minute, so a short deadline still
  // reaches Powertools, which sets the record's in-progress deadline from it.
  runner = join(work, 'invoke.cjs');
  writeFileSync(
    runner,
    `const { handler } = require(${JSON.stringify(join(ROOT, 'dist', 'functions', 'decrypt', 'index.js'))});
const deadline = Date.now() + Number(process.env.REMAINING_MS);
let asked = false;
const left = () => (asked ? deadline - Date.now() : ((asked = true), 60000));
const context = { functionName: 'decrypt', awsRequestId: 'local', getRemainingTimeInMillis: left };
handler(JSON.parse(process.argv[2]), context).then(
  (result) => process.stdout.write(JSON.stringify(result)),
  (error) => { process.stderr.write(error.name); process.exitCode = 1; },
);
`,
  );
}, 90_000);
afterAll(async () => {
  dynamodb?.destroy();
  await stack?.stop();
  await moto?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

/** One invocation in a fresh process; `dynamodbUrl` is where its DynamoDB calls go. */
function invoke(event: unknown, remainingMs: number, dynamodbUrl = moto.url) {
  const child = spawn(process.execPath, [runner, JSON.stringify(event)], {
    env: {
      PATH: process.env.PATH ?? '',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
      ...stack.env,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbUrl,
      DELIVERY_RECORDS_TABLE: TABLE,
      DELIVERY_RECORD_LIFETIME_SECONDS: LIFETIME_SECONDS,
      REMAINING_MS: String(remainingMs),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = new Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }>(
    (resolve) => {
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
    },
  );
  return { child, done };
}

async function items() {
  return (await dynamodb.send(new ScanCommand({ TableName: TABLE }))).Items ?? [];
}

it('two containers given the same event deliver it once', async () => {
  const mail = Buffer.from('From: sender@example.org\r\nSubject: twice\r\n\r\nonce only\r\n');
  const stored = await storeMail(stack, mail);
  const event = objectCreatedEvent([stored]);

  const first = await invoke(event, 60_000).done;
  const second = await invoke(event, 60_000).done;

  expect([first.stderr, second.stderr]).toEqual(['', '']);
  expect(JSON.parse(first.stdout)).toEqual({ forwarded: 1, skipped: 0, rejected: 0 });
  expect(JSON.parse(second.stdout)).toEqual({ forwarded: 1, skipped: 0, rejected: 0 });
  const messages = await drainQueue(stack, stack.outputQueueUrl, 1);
  expect(messages).toHaveLength(1);
  // The record: a hash, a status, times and the outcome's kind; nothing of the mail, its key or its addresses.
  const records = JSON.stringify(await items());
  expect(records).toContain('"COMPLETED"');
  for (const secret of [stored.messageId, 'example.org', 'twice', 'once only']) {
    expect(records).not.toContain(secret);
  }
}, 60_000);

it('a container killed after its send, before its record is completed, leads to a duplicate, never a loss', async () => {
  const stored = await storeMail(stack, Buffer.from('Subject: crash\r\n\r\nsent, then the container died\r\n'));
  const event = objectCreatedEvent([stored]);
  // Between the function and moto: the completion (UpdateItem) comes only after the send; at that moment the
  // container is killed, as a crash or an out-of-memory kill would end it.
  let victim: ChildProcess | undefined;
  const proxy: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (String(request.headers['x-amz-target']).endsWith('.UpdateItem') && victim !== undefined) {
      victim.kill('SIGKILL');
      response.destroy();
      return;
    }
    const answer = await fetch(`${moto.url}${request.url}`, {
      method: request.method,
      headers: request.headers as Record<string, string>,
      body: Buffer.concat(chunks),
    });
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  try {
    const deadlineMs = 3_000;
    const crashed = invoke(event, deadlineMs, proxyUrl);
    victim = crashed.child;
    expect((await crashed.done).signal).toBe('SIGKILL');
    expect(await drainQueue(stack, stack.outputQueueUrl, 1)).toHaveLength(1);
    expect(JSON.stringify(await items())).toContain('"INPROGRESS"');

    // Redelivered before the crashed invocation's deadline: nothing sent, the event fails so it comes back.
    const early = await invoke(event, 60_000).done;
    expect(early.stderr).toBe('RetryableRecordsError');
    expect(await drainQueue(stack, stack.outputQueueUrl, 1)).toHaveLength(0);

    // After the deadline: taken over and sent again. The mail arrives twice, never zero times.
    await new Promise((resolve) => setTimeout(resolve, deadlineMs));
    const late = await invoke(event, 60_000).done;
    expect(JSON.parse(late.stdout)).toEqual({ forwarded: 1, skipped: 0, rejected: 0 });
    expect(await drainQueue(stack, stack.outputQueueUrl, 1)).toHaveLength(1);
    expect(JSON.stringify(await items())).toContain('"COMPLETED"');
  } finally {
    await new Promise((resolve) => proxy.close(resolve));
  }
}, 60_000);
