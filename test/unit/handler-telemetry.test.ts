/**
 * What the function writes to its log per object and per invocation (README "Logs and metrics"; docs/CONTRACT.md):
 * one JSON line per record with its outcome, sizes and timings, never content or addresses, and one EMF metrics
 * document per invocation, so a batch of ten from the work queue flushes its metrics once, not ten times.
 * Logs and metrics are on here (the unit tests' default turns them off), read from stdout and stderr as Lambda would.
 */
import type { SQSBatchResponse } from 'aws-lambda';
import type { createHandler as CreateHandler } from '../../lambda/decrypt-function/handler';
import { MAIL_BUCKET, mockedFunctionWorld } from '../support/mocked-function';
import { s3Event, sesObject } from '../support/ses-objects';
import { workQueueBatch, workQueueMessage } from '../support/work-queue-events';

const { keyArn, kms, clients, baseEnv, put, eventFor } = mockedFunctionWorld();

const MAIL = Buffer.from('From: someone@example.org\r\nSubject: counted\r\n\r\nHello.\r\n');

let createHandler: typeof CreateHandler;
let lines: string[] = [];
let restore: () => void;

beforeAll(async () => {
  // Powertools reads these when the handler module makes its logger and metrics: set before it is loaded.
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  ({ createHandler } = await import('../../lambda/decrypt-function/handler'));
  // Powertools writes INFO lines and metrics to stdout, WARN lines to stderr: both are read, in the order written.
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (/^\{"(level|_aws)"/.test(text)) {
        lines.push(...text.split('\n').filter((l) => l.length > 0));
        return true;
      }
      return (originals[i] as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  });
  restore = () => {
    streams.forEach((stream, i) => {
      stream.write = originals[i] as typeof stream.write;
    });
  };
});
afterAll(() => restore());
beforeEach(() => {
  lines = [];
});

const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
const logLines = () => parsed().filter((l) => 'level' in l);
const metricDocuments = () => parsed().filter((l) => '_aws' in l);

const queued = (id: string, object: Awaited<ReturnType<typeof sesObject>>) => workQueueMessage(id, eventFor(object));

it('a batch of three writes one log line per mail with the same fields, and one metrics document', async () => {
  const objects = await Promise.all(['tele-a', 'tele-b', 'tele-c'].map((id) => sesObject(kms, keyArn, MAIL, id)));
  for (const o of objects) put(o);
  const answer = (await createHandler({ env: baseEnv(), clients })(
    workQueueBatch(...objects.map((o, i) => queued(`m-${i}`, o))),
  )) as SQSBatchResponse;
  expect(answer).toEqual({ batchItemFailures: [] });

  const logs = logLines();
  expect(logs).toHaveLength(3);
  logs.forEach((line, i) => {
    expect(Object.keys(line).sort()).toEqual(
      [
        'level',
        'message',
        'timestamp',
        'service',
        'sampling_rate',
        'outcome',
        'bucket',
        'key',
        'objectBytes',
        'mailBytes',
        'decryptMillis',
        'forwardMillis',
        'totalMillis',
        'delivery',
        'contentEncoding',
        'messageBytes',
      ].sort(),
    );
    expect(line).toMatchObject({
      level: 'INFO',
      message: 'record forwarded',
      service: 'ses-encrypted-inbound',
      sampling_rate: 0,
      outcome: 'forwarded',
      bucket: MAIL_BUCKET,
      key: `raw/tele-${'abc'[i]}`,
      objectBytes: objects[i]?.body.length,
      mailBytes: MAIL.length,
      delivery: 'inline',
      contentEncoding: 'identity',
    });
    for (const field of ['decryptMillis', 'forwardMillis', 'totalMillis', 'messageBytes']) {
      expect(typeof line[field]).toBe('number');
    }
    // Nothing of the mail: no address, no subject.
    expect(JSON.stringify(line)).not.toMatch(/someone|example\.org|counted/);
  });

  const documents = metricDocuments();
  expect(documents).toHaveLength(1);
  const [document] = documents as [Record<string, unknown> & { _aws: { CloudWatchMetrics: unknown[] } }];
  expect(document._aws.CloudWatchMetrics).toEqual([
    {
      Namespace: 'SesEncryptedInbound',
      Dimensions: [['service']],
      Metrics: [
        { Name: 'Forwarded', Unit: 'Count' },
        { Name: 'DecryptMillis', Unit: 'Milliseconds' },
      ],
    },
  ]);
  expect(document.service).toBe('ses-encrypted-inbound');
  expect(document.Forwarded).toEqual([1, 1, 1]);
  expect(document.DecryptMillis).toHaveLength(3);
});

it('a rejection in a batch publishes its own document by reason; the batch still flushes once', async () => {
  const good = await Promise.all(['tele-d', 'tele-e'].map((id) => sesObject(kms, keyArn, MAIL, id)));
  for (const o of good) put(o);
  // An object that is not there (S3 answers NoSuchKey): a permanent failure, recorded and rejected.
  const bad = workQueueMessage('m-bad', s3Event([{ bucket: MAIL_BUCKET, key: 'raw/tele-missing', size: 100 }]));
  const answer = await createHandler({ env: baseEnv(), clients })(
    workQueueBatch(queued('m-d', good[0] as never), bad, queued('m-e', good[1] as never)),
  );
  expect(answer).toEqual({ batchItemFailures: [] });

  // One line a record, matched by key: a batch's small mails run together, so lines come in the order records end.
  const byKey = logLines().map((l) => [l.key, l.level, l.message, l.reason]);
  expect(byKey.sort()).toEqual([
    ['raw/tele-d', 'INFO', 'record forwarded', undefined],
    ['raw/tele-e', 'INFO', 'record forwarded', undefined],
    ['raw/tele-missing', 'WARN', 'record rejected', 'OBJECT_NOT_FOUND'],
  ]);
  const documents = metricDocuments() as (Record<string, unknown> & {
    _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] };
  })[];
  expect(documents).toHaveLength(2);
  const [byReason, batch] = documents;
  expect(byReason?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'Reason']]);
  expect(byReason).toMatchObject({ Reason: 'OBJECT_NOT_FOUND', Rejected: 1 });
  expect(batch).toMatchObject({ Forwarded: [1, 1] });
  expect(batch?.DecryptMillis).toHaveLength(2);
});
