/**
 * replay and redrive against the local emulators (fauxqs, KMS emulator): dry runs send nothing, real runs deliver,
 * replay resumes by key and from a checkpoint, redrive deletes what now goes through and keeps what stays rejected.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { runRedriveCommand } from '../../cli/redrive-command';
import { runReplayCommand } from '../../cli/replay-command';
import { LOCAL_MAIL_BUCKET, type LocalStack, startLocalStack } from '../../local/local-stack';
import { drainQueue, objectCreatedEvent, putObject, storeMail } from '../../local/pipeline';
import { capture, type OperatorCommand, runOperator } from '../support/operator-run';
import { offlineAwsEnv, runCli } from '../support/run-cli';

let stack: LocalStack;
let work: string;
const stored: Array<{ key: string; size: number; messageId: string }> = [];

beforeAll(async () => {
  stack = await startLocalStack();
  work = mkdtempSync(join(tmpdir(), 'operator-'));
  for (let i = 0; i < 6; i += 1) {
    stored.push(await storeMail(stack, Buffer.from(`Subject: replay ${i}\r\n\r\nbody ${i}\r\n`), `replay${i}`));
  }
  await putObject(stack, 'raw/plaintextobject', Buffer.from('Subject: not encrypted\r\n\r\n'), {});
  await putObject(stack, 'raw/AMAZON_SES_SETUP_NOTIFICATION', Buffer.from('setup'), {});
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Runs an operator command in-process against the local stack, capturing what it prints. */
const runCommand = (
  command: OperatorCommand,
  args: string[],
  interrupted?: Promise<void>,
  env: Record<string, string> = stack.env,
) => runOperator(stack, command, args, { interrupted, env });

const replay = (args: string[], interrupted?: Promise<void>) => runCommand(runReplayCommand, args, interrupted);
const redrive = (args: string[]) => runCommand(runRedriveCommand, args);

const target = `s3://${LOCAL_MAIL_BUCKET}/raw/`;

it('replay --dry-run decrypts and verifies every object and sends nothing; a refused object makes it exit 1', async () => {
  const result = await replay([target, '--dry-run']);
  expect(result.status).toBe(1);
  expect(result.stdout).toContain('(dry run: nothing sent): 8 objects');
  expect(result.stdout).toMatch(/verified\s+6/);
  expect(result.stdout).toMatch(/skipped\s+1/);
  expect(result.stdout).toMatch(/rejected\s+1\s+NOT_ENCRYPTED 1/);
  expect(await drainQueue(stack, stack.outputQueueUrl, 0)).toHaveLength(0);
  expect(await drainQueue(stack, stack.failureQueueUrl, 0)).toHaveLength(0);
});

it('replay delivers every stored mail once, records the rejection and exits 1 for it', async () => {
  const result = await replay([target, '--concurrency', '3']);
  expect(result.status).toBe(1);
  expect(result.stdout).toMatch(/forwarded\s+6/);
  const delivered = await drainQueue(stack, stack.outputQueueUrl, 1);
  expect(delivered.map((m) => m.MessageAttributes?.SesMessageId?.StringValue).sort()).toEqual(
    stored.map((s) => s.messageId),
  );
  const failures = (await drainQueue(stack, stack.failureQueueUrl, 0)).map((m) => JSON.parse(m.Body ?? ''));
  expect(failures).toEqual([
    { bucket: LOCAL_MAIL_BUCKET, key: 'raw/plaintextobject', reason: 'NOT_ENCRYPTED', errorName: 'EnvelopeError' },
  ]);
});

it('replay resumes after a key, and a checkpoint makes the next run pick up where the last one ended', async () => {
  const after = await replay([target, '--start-after', 'raw/replay3']);
  expect(after.stdout).toContain(': 2 objects');
  expect(
    (await drainQueue(stack, stack.outputQueueUrl, 1))
      .map((m) => m.MessageAttributes?.SesMessageId?.StringValue)
      .sort(),
  ).toEqual(['replay4', 'replay5']);

  const checkpoint = join(work, 'replay.checkpoint');
  const first = await replay([target, '--checkpoint', checkpoint, '--since', '2000-01-01']);
  expect(first.status).toBe(1);
  expect(JSON.parse(readFileSync(checkpoint, 'utf8'))).toEqual({
    bucket: LOCAL_MAIL_BUCKET,
    prefix: 'raw/',
    startAfter: 'raw/replay5',
  });
  await drainQueue(stack, stack.outputQueueUrl, 1);
  const second = await replay([target, '--checkpoint', checkpoint]);
  expect(second.stdout).toContain(': 0 objects');
});

it('replay stops cleanly when interrupted and says how to resume', async () => {
  const result = await replay([target, '--concurrency', '1'], Promise.resolve());
  expect(result.status).toBe(3);
  expect(result.stdout).toContain('interrupted');
  expect(result.stdout).toMatch(
    /resume after this key \(a JSON string[^\n]*\n {2}"raw\/\w+"\n|resume by running the same command again/,
  );
  await drainQueue(stack, stack.outputQueueUrl, 1);
  await drainQueue(stack, stack.failureQueueUrl, 0);
});

it('replay prints a resume key holding quotes, spaces and escapes only as data, never inside a command line', async () => {
  const hostile = "quoted/it's $(touch pwned) \u001b[2J\u009b";
  await putObject(stack, `${hostile}a`, Buffer.from('x'), {});
  await putObject(stack, `${hostile}b`, Buffer.from('x'), {});
  let interrupt: () => void = () => undefined;
  const interrupted = new Promise<void>((resolve) => {
    interrupt = resolve;
  });
  // Stop after the first object: the resume key is then the hostile key ending in "a".
  const stdout = capture();
  const done = runReplayCommand([`s3://${LOCAL_MAIL_BUCKET}/quoted/`, '--concurrency', '1', '--dry-run'], {
    env: stack.env,
    stdout: { write: (chunk: string) => stdout.stream.write(chunk) } as unknown as NodeJS.WritableStream,
    stderr: new PassThrough(),
    clients: {
      ...stack.clients,
      s3: new Proxy(stack.clients.s3, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver);
          if (property !== 'send') return value;
          return async (command: { constructor: { name: string } }) => {
            const answer = await (value as (c: unknown) => Promise<unknown>).call(target, command);
            if (command.constructor.name === 'GetObjectCommand') interrupt();
            return answer;
          };
        },
      }),
    },
    interrupted,
  });
  expect(await done).toBe(3);
  const text = stdout.text();
  expect(text).not.toMatch(/--start-after '/);
  const lines = text.split('\n');
  const keyLine = lines[lines.findIndex((line) => line.includes('resume after this key')) + 1] ?? '';
  // One JSON string, every control character escaped: it reads back as exactly the key.
  expect(JSON.parse(keyLine.trim())).toBe(`${hostile}a`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is that no control character is printed.
  expect(keyLine).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
});

it('replay --since in the future finds nothing', async () => {
  const result = await replay([target, '--since', '2999-01-01']);
  expect(result.stdout).toContain(': 0 objects');
});

describe('redrive', () => {
  async function fillFailureQueue() {
    const send = (body: string) =>
      stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.failureQueueUrl, MessageBody: body }));
    // Still bad: stays rejected.
    await send(
      JSON.stringify({
        bucket: LOCAL_MAIL_BUCKET,
        key: 'raw/plaintextobject',
        reason: 'NOT_ENCRYPTED',
        errorName: 'EnvelopeError',
      }),
    );
    // Rejected earlier (say, a policy since fixed): goes through now.
    await send(
      JSON.stringify({
        bucket: LOCAL_MAIL_BUCKET,
        key: stored[0]?.key,
        reason: 'RULE_NAME_NOT_ALLOWED',
        errorName: 'PolicyError',
      }),
    );
    // A Lambda on-failure record after exhausted retries, carrying the original S3 event.
    await send(
      JSON.stringify({
        version: '1.0',
        requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
        requestPayload: objectCreatedEvent([{ key: stored[1]?.key as string, size: stored[1]?.size as number }]),
        responseContext: { statusCode: 200, functionError: 'Unhandled' },
      }),
    );
    // What the work queue's dead-letter queue holds: the S3 event notification itself, after its receives ran out.
    await send(
      JSON.stringify(objectCreatedEvent([{ key: stored[2]?.key as string, size: stored[2]?.size as number }])),
    );
    // S3's test event on a new notification configuration names no object.
    await send(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: LOCAL_MAIL_BUCKET }));
    await send('not a record at all');
  }

  it('in a dry run verifies every record and deletes nothing', async () => {
    await drainQueue(stack, stack.failureQueueUrl, 0);
    await fillFailureQueue();
    const result = await redrive(['--dry-run']);
    expect(result.stdout).toContain('6 messages, 0 deleted');
    expect(result.stdout).toMatch(/verified\s+3/);
    expect(await drainQueue(stack, stack.outputQueueUrl, 0)).toHaveLength(0);
    // Kept messages are visible again right after the run.
    expect(await drainQueue(stack, stack.failureQueueUrl, 0)).toHaveLength(6);
  });

  it('forwards what now goes through, deletes it, and keeps what stays rejected with the reason', async () => {
    await fillFailureQueue();
    const result = await redrive([]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('6 messages, 3 deleted');
    expect(result.stdout).toMatch(/forwarded\s+3/);
    expect(result.stdout).toMatch(/rejected\s+1\s+NOT_ENCRYPTED 1/);
    expect(result.stdout).toMatch(/unrecognised\s+2/);
    const delivered = await drainQueue(stack, stack.outputQueueUrl, 1);
    expect(delivered.map((m) => m.MessageAttributes?.SesMessageId?.StringValue).sort()).toEqual([
      'replay0',
      'replay1',
      'replay2',
    ]);
    const left = await drainQueue(stack, stack.failureQueueUrl, 0);
    expect(left.map((m) => m.Body)).toEqual(
      expect.arrayContaining([
        'not a record at all',
        expect.stringContaining('s3:TestEvent'),
        expect.stringContaining('NOT_ENCRYPTED'),
      ]),
    );
    expect(left).toHaveLength(3);
  });
});

it('the compiled CLI prints a readable summary for replay', async () => {
  const result = await runCli(['replay', target, '--dry-run'], offlineAwsEnv({ ...stack.env }));
  expect(result.status).toBe(1);
  expect(result.stdout.toString()).toMatch(
    /^replay s3:\/\/inbound-mail\/raw\/ \(dry run: nothing sent\): 8 objects\n {2}verified +6\n {2}skipped +1\n {2}rejected +1 {3}NOT_ENCRYPTED 1\n {2}failed +0\n$/,
  );
});

describe('reading from S3', () => {
  it('decrypt s3://BUCKET/KEY reads the object through the SDK default chain and writes the MIME', async () => {
    const result = await runCli(['decrypt', `s3://${LOCAL_MAIL_BUCKET}/raw/replay2`], offlineAwsEnv({ ...stack.env }));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.toString()).toBe('Subject: replay 2\r\n\r\nbody 2\r\n');
  });

  it('finds the envelope in <key>.instruction when the metadata holds none (CLI, replay and so the function)', async () => {
    const mime = Buffer.from('Subject: instruction file\r\n\r\nenvelope beside the object\r\n');
    const written = await storeMail(stack, mime, 'instrmail');
    const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: LOCAL_MAIL_BUCKET, Key: written.key }));
    const body = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
    await putObject(stack, 'instr/instrmail', body, {});
    await putObject(stack, 'instr/instrmail.instruction', Buffer.from(JSON.stringify(object.Metadata)), {});

    const cli = await runCli(['decrypt', `s3://${LOCAL_MAIL_BUCKET}/instr/instrmail`], offlineAwsEnv({ ...stack.env }));
    expect(cli.status).toBe(0);
    expect(cli.stdout.equals(mime)).toBe(true);

    // As a rule storing under instr/ would have it: the function accepts a mail only at exactly its prefix plus its id.
    const replayed = await runCommand(runReplayCommand, [`s3://${LOCAL_MAIL_BUCKET}/instr/`], undefined, {
      ...stack.env,
      MAIL_PREFIX: 'instr/',
    });
    expect(replayed.stdout).toContain(': 1 objects');
    expect(replayed.stdout).toMatch(/forwarded\s+1/);
    const [message] = await drainQueue(stack, stack.outputQueueUrl, 1);
    expect(message?.Body).toBe(mime.toString('utf8'));
  });

  it('names the object that does not exist, and exits 2 (the command line named it)', async () => {
    const result = await runCli(['decrypt', `s3://${LOCAL_MAIL_BUCKET}/raw/absent`], offlineAwsEnv({ ...stack.env }));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^ses-inbound decrypt: no object s3:\/\/inbound-mail\/raw\/absent \(NoSuchKey\): check the bucket and key\n/,
    );
  });
});
