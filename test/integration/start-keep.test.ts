/**
 * `npm start -- --keep` (local/start.ts, local/keep-running.ts): after the sample mails the emulators keep running,
 * the environment printed is enough for an SDK client to receive the sample mail from the output queue, and SIGINT
 * stops everything: exit status 0, the ports closed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const ROOT = join(__dirname, '..', '..');
let child: ChildProcess | undefined;

afterAll(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

/** Resolves with everything printed once `pattern` matches it. */
function readUntil(process: ChildProcess, pattern: RegExp): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    process.stdout?.on('data', (piece: Buffer) => {
      text += piece.toString('utf8');
      if (pattern.test(text)) resolve(text);
    });
    process.once('exit', (code) => reject(new Error(`exited ${code} before ${pattern}: ${text}`)));
  });
}

function portOpen(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

it('keeps the emulators running with the sample mail on the queue, prints the environment, stops on SIGINT', async () => {
  child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'local', 'start.ts'), '--keep'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const printed = await readUntil(child, /Ctrl-C/);
  // Every mail went through the work queue, which ends empty, its dead-letter queue too.
  expect(printed).toContain(
    'Work queue: 3 of 3 stored mail(s) announced on it, received (3 receive(s)) and deleted; 0 message(s) left on it, 0 on its dead-letter queue.',
  );
  const env = Object.fromEntries([...printed.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  expect(Object.keys(env)).toEqual([
    'AWS_REGION',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_ENDPOINT_URL_SQS',
    'AWS_ENDPOINT_URL_S3',
    'QUEUE_URL',
    'PAYLOAD_BUCKET',
  ]);
  expect(env.PAYLOAD_BUCKET).toBe('inbound-payloads');

  const sqs = new SQSClient({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL_SQS,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID as string, secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string },
  });
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: env.QUEUE_URL, MessageAttributeNames: ['All'], WaitTimeSeconds: 5 }),
  );
  sqs.destroy();
  expect(Messages).toHaveLength(1);
  // The sample mail, below the header block SES prepends, and the whole of it as ContentSha256 says.
  const mime = Buffer.from(Messages[0]?.Body as string, 'utf8');
  const sample = readFileSync(join(ROOT, 'local', 'sample-mail.eml'));
  expect(mime.subarray(mime.length - sample.length).equals(sample)).toBe(true);
  expect(createHash('sha256').update(mime).digest('hex')).toBe(
    Messages[0]?.MessageAttributes?.ContentSha256?.StringValue,
  );

  const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(await portOpen(env.AWS_ENDPOINT_URL_SQS as string)).toBe(false);
}, 120_000);
