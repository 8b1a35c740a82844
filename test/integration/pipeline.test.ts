/**
 * The handler end to end over HTTP: fauxqs (S3, SQS) and the KMS emulator on 127.0.0.1, with every fixture mail and a
 * 40 MiB mail through the work queue (runMail), the damaged reference vectors, and KMS throttling; every log line of the run is captured and checked
 * for addresses and subjects.
 */
import { randomBytes } from 'node:crypto';
import type { Message } from '@aws-sdk/client-sqs';
import { readForwardedMail } from '../../lambda/consumer/read-forwarded-mail';
import type { FailureRecord } from '../../lambda/contract/message-contract';
import { createAwsClients } from '../../lambda/decrypt-function/aws-clients';
import type { createHandler as CreateHandler, HandlerResult } from '../../lambda/decrypt-function/handler';
import { FullJitterBackoff, RETRY_SETTINGS } from '../../lambda/decrypt-function/retry-strategy';
import {
  LOCAL_MAIL_BUCKET,
  LOCAL_MAIL_PREFIX,
  LOCAL_PAYLOAD_BUCKET,
  type LocalStack,
  startLocalStack,
} from '../../local/local-stack';
import { drainQueue, objectCreatedEvent, putObject, runMail, storeMail } from '../../local/pipeline';
import { queueDepth } from '../../local/work-queue';
import { reasonFor } from '../support/damaged-vector-reasons';
import { addVectorKeys, loadAllVectors, VECTOR_KEY_ARN } from '../support/vectors';

const vectors = loadAllVectors();
const fixtureMails = vectors
  .filter((v) => v.plain !== undefined && v.name.endsWith('-ses'))
  .map((v) => v.plain as Buffer);

// Every byte written to stdout and stderr while this file runs (Powertools writes its log and EMF lines there); kept
// here for the scan below, not passed on, so a passing run prints only jest's summary.
const captured: string[] = [];
const originalStdout = process.stdout.write.bind(process.stdout);
const originalStderr = process.stderr.write.bind(process.stderr);

let stack: LocalStack;
let createHandler: typeof CreateHandler;
let handler: ReturnType<typeof CreateHandler>;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const capture =
    (original: typeof process.stdout.write) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      captured.push(text);
      // Powertools' own lines are kept for the scan; anything else (jest's, a failure's) passes on.
      if (/^\{"(level|_aws)"/.test(text)) return true;
      return (original as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = capture(originalStdout) as typeof process.stdout.write;
  process.stderr.write = capture(originalStderr) as typeof process.stderr.write;

  stack = await startLocalStack();
  Object.assign(process.env, stack.env);
  ({ createHandler } = await import('../../lambda/decrypt-function/handler'));
  handler = createHandler();
  // The vectors' wrapped keys, so damaged vectors fail where they are damaged rather than at KMS.
  addVectorKeys(stack.kms, vectors);
}, 60_000);

afterAll(async () => {
  process.stdout.write = originalStdout;
  process.stderr.write = originalStderr;
  await stack?.stop();
});

it.each(fixtureMails.map((mime, index) => [index, mime.length, mime] as const))(
  'delivers fixture mail %i (%i bytes) byte-exact, through the payload bucket when over the inline limit',
  async (_index, size, mime) => {
    const report = await runMail(stack, handler, mime);
    // Through the work queue: its notification received once and deleted, nothing left there or on its DLQ.
    expect(report).toMatchObject({ outcome: 'delivered', identical: true, bytes: size, workQueue: { receives: 1 } });
    expect(await queueDepth(stack.clients.sqs, stack.workQueue.url)).toBe(0);
    expect(await queueDepth(stack.clients.sqs, stack.workQueue.deadLetterQueueUrl)).toBe(0);
    if (report.outcome === 'delivered') {
      expect(report.delivery).toBe(size > 262_144 ? 'offloaded' : 'inline');
    }
  },
);

it('delivers a mail that is not valid UTF-8 byte-exact (base64 inline)', async () => {
  const mime = Buffer.concat([
    Buffer.from('Subject: latin-1\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n'),
    Buffer.from([0xe9, 0xe8, 0xff, 0x00, 0x80]),
  ]);
  const report = await runMail(stack, handler, mime);
  expect(report).toMatchObject({
    outcome: 'delivered',
    identical: true,
    delivery: 'inline',
    contentEncoding: 'base64',
    workQueue: { receives: 1 },
  });
});

it('delivers a 40 MiB mail byte-exact through the payload bucket', async () => {
  const mime = Buffer.concat([
    Buffer.from('Subject: forty mebibytes\r\nContent-Type: application/octet-stream\r\n\r\n'),
    randomBytes(40 * 1024 * 1024 - 80),
  ]);
  const report = await runMail(stack, handler, mime);
  expect(report).toMatchObject({
    outcome: 'delivered',
    identical: true,
    delivery: 'offloaded',
    bytes: mime.length,
    workQueue: { receives: 1 },
  });
}, 120_000);

describe('damaged reference vectors', () => {
  const damaged = vectors.filter((v) => v.outcome === 'reject');

  it.each(damaged.map((v) => [v.name, v] as const))(
    '%s yields one failure record with the reason its damage deserves, and nothing on the output queue',
    async (name, vector) => {
      const vectorHandler = createHandler({ env: { ...stack.env, EXPECTED_KMS_KEY_ARN: VECTOR_KEY_ARN } });
      const key = `${LOCAL_MAIL_PREFIX}msgtamper`;
      await putObject(stack, key, vector.object, vector.metadata);
      const result = await vectorHandler(objectCreatedEvent([{ key, size: vector.object.length }]));
      expect(result).toEqual({ forwarded: 0, skipped: 0, rejected: 1 });
      expect(await drainQueue(stack, stack.outputQueueUrl, 0)).toHaveLength(0);
      const failures = (await drainQueue(stack, stack.failureQueueUrl, 0)).map(
        (m) => JSON.parse(m.Body ?? '') as FailureRecord,
      );
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ bucket: LOCAL_MAIL_BUCKET, key, reason: reasonFor(name) });
      expect(Object.keys(failures[0] as object).sort()).toEqual(['bucket', 'errorName', 'key', 'reason']);
    },
  );
});

it("loses and doubles nothing when KMS throttling outlasts the SDK's own retries, through the handler's retry path", async () => {
  const stored = [];
  const sentMails = new Map<string, Buffer>();
  for (let i = 0; i < 9; i += 1) {
    const mime = Buffer.from(`Subject: throttled ${i}\r\n\r\nbody ${i}\r\n`);
    const mail = await storeMail(stack, mime);
    stored.push(mail);
    sentMails.set(mail.messageId, mime);
  }
  // Three events of three records. Before each, KMS throttles the first record's Decrypt as many times as the clients
  // make attempts (retry-strategy.ts), so it comes back as "retry", the invocation fails, and Lambda's retry of the
  // same event must forward it, and only it. The clients' backoff waits nothing here.
  const throttledHandler = createHandler({
    clients: createAwsClients({ backoff: () => new FullJitterBackoff(() => 0) }),
  });
  const results: HandlerResult[] = [];
  let failedInvocations = 0;
  for (let e = 0; e < 3; e += 1) {
    const event = objectCreatedEvent(stored.slice(e * 3, e * 3 + 3));
    stack.kms.throttleNext(RETRY_SETTINGS.maxAttempts, stored[e * 3]?.messageId);
    for (let attempt = 0; ; attempt += 1) {
      try {
        results.push(await throttledHandler(event));
        break;
      } catch (error) {
        expect((error as Error).name).toBe('RetryableRecordsError');
        failedInvocations += 1;
        if (attempt >= 5) throw error;
      }
    }
  }
  expect(failedInvocations).toBe(3);
  const messages: Message[] = await drainQueue(stack, stack.outputQueueUrl, 1);
  const ids = messages.map((m) => m.MessageAttributes?.SesMessageId?.StringValue).sort();
  expect(ids).toEqual(stored.map((s) => s.messageId).sort());
  for (const message of messages) {
    // Each delivered mail is byte for byte the one stored, compared with what was sent, not with the forwarder's hash.
    const mail = await readForwardedMail(message, { s3: stack.clients.s3, payloadBucket: LOCAL_PAYLOAD_BUCKET });
    expect(mail.mime.equals(sentMails.get(mail.sesMessageId ?? '') as Buffer)).toBe(true);
  }
  expect(await drainQueue(stack, stack.failureQueueUrl, 0)).toHaveLength(0);
}, 60_000);

it('logged every record, and no address, subject or body text from the fixtures', () => {
  const logs = captured.join('');
  expect(logs).toContain('"message":"record forwarded"');
  expect(logs).toContain('"message":"record rejected"');
  const addresses = new Set<string>();
  const subjects = new Set<string>();
  for (const mime of fixtureMails) {
    const text = mime.toString('latin1');
    for (const match of text.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g)) addresses.add(match[0]);
    for (const match of text.matchAll(/^Subject:[ \t]*(.+)$/gim)) {
      const subject = (match[1] as string).trim();
      if (subject.length >= 4) subjects.add(subject);
    }
  }
  expect(addresses.size).toBeGreaterThan(5);
  expect(subjects.size).toBeGreaterThan(3);
  for (const address of addresses) expect(logs).not.toContain(address);
  for (const subject of subjects) expect(logs).not.toContain(subject);
  expect(logs).not.toMatch(/forty mebibytes|throttled \d|latin-1/);
});
