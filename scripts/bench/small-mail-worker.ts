/**
 * One small-mail CPU measurement in a process of its own (scripts/bench/small-mail.ts starts them): the deployed
 * bundle's handler (dist/functions/decrypt/index.js, logs and metrics on as deployed) or the baseline handler, fed
 * S3 events for SES-format objects, by default through in-process stub clients (no network, no emulator), so the CPU
 * measured is the handler's own. The mails come as the work queue delivers them: SQS batches of BATCH messages, each body an S3
 * event of one record. With `records` the handler keeps delivery records (Powertools Idempotency) on a stub DynamoDB
 * client that answers every call at once, so what is measured is the records' own CPU (key hashing, marshalling, the
 * two calls' SDK work), not a network. With SMALL_MAIL_WORLD (small-mail-emulators.ts) there are no stub clients:
 * both handlers make real SDK clients from the environment, as deployed, and read, decrypt and send through the
 * emulators, each in a process of its own. Prints `__RESULT__{...}` with CPU microseconds per mail over the timed mails, and how many mails it
 * handled in all (warm-up included), which the driver checks against what reached the output queue.
 * Usage: [SMALL_MAIL_BUNDLE=path] tsx small-mail-worker.ts handler|baseline MAIL_BYTES TIMED_MAILS [BATCH] [records|together]
 * (`records`: the handler keeps delivery records; `together`: the baseline takes a batch's records all at once)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { S3Event, SQSEvent } from 'aws-lambda';
import { ENV } from '../../lambda/contract/env-names';
import { LOCAL_ACCOUNT, LOCAL_RULE } from '../../local/local-stack';
import { type BaselineClients, createBaselineHandler } from './baseline-handler';
import { functionSettingsEnv } from './function-settings-env';
import { mailOf, sesObject } from './objects';
import { ROOT } from './report';
import type { WorldFile } from './small-mail-emulators';

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000';
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/111122223333/out';
/** Socket-sized pieces, as an S3 body arrives. */
const PIECE = 16 * 1024;
const DISTINCT = 64;
const WARM_UP = 300;

/** SES's own header block, as it prepends it: the handler reads its verdicts. */
const SES_BLOCK = Buffer.from(
  'Return-Path: <a@example.net>\r\nReceived: from mail.example.net by inbound-smtp.us-east-1.amazonaws.com\r\n' +
    'X-SES-Spam-Verdict: PASS\r\nX-SES-Virus-Verdict: PASS\r\nReceived-SPF: pass\r\n' +
    'Authentication-Results: amazonses.com; spf=pass smtp.mailfrom=example.net; dkim=pass header.i=@example.net; dmarc=pass header.from=example.net\r\n' +
    'X-SES-RECEIPT: AEFBQUFBQUFBQUFB\r\n',
);

function objects(size: number) {
  return Array.from({ length: DISTINCT }, (_, i) => {
    const messageId = `benchmail${i.toString().padStart(4, '0')}`;
    const mime = Buffer.concat([SES_BLOCK, mailOf(size - SES_BLOCK.length)]);
    return { key: `raw/${messageId}`, ...sesObject(mime, messageId, KEY_ARN, randomBytes(64)) };
  });
}

function stubClients(stored: ReturnType<typeof objects>): BaselineClients {
  const byKey = new Map(stored.map((o) => [o.key, o]));
  const s3 = {
    send: async (command: { input: { Key: string } }) => {
      const object = byKey.get(command.input.Key);
      if (object === undefined) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey' });
      const body = object.body;
      return {
        Metadata: object.metadata,
        ContentLength: body.length,
        Body: (async function* () {
          for (let at = 0; at < body.length; at += PIECE) yield Buffer.from(body.subarray(at, at + PIECE));
        })(),
      };
    },
  };
  let lastKey: Buffer = stored[0]?.dataKey as Buffer;
  const wrappedToKey = new Map(stored.map((o) => [o.metadata['x-amz-key-v2'], o.dataKey]));
  const kms = {
    send: async (command: { input: { CiphertextBlob: Uint8Array } }) => {
      lastKey = wrappedToKey.get(Buffer.from(command.input.CiphertextBlob).toString('base64')) ?? lastKey;
      return { Plaintext: Uint8Array.from(lastKey), KeyId: KEY_ARN };
    },
  };
  const sqs = { send: async () => ({ MessageId: 'bench' }) };
  return { s3, kms, sqs } as unknown as BaselineClients;
}

/**
 * The DynamoDB client the delivery records use, answering every call (a conditional put, then an update) at once; shaped
 * enough like an SDK client (config, middleware stack) for Powertools to take it rather than make its own.
 */
const stubDynamoDb = {
  send: async () => ({}),
  config: {},
  middlewareStack: { identify: () => [], addRelativeTo: () => undefined },
};

/** S3's event for one stored object; over the emulators without a version (fauxqs keeps none). */
function s3EventFor(key: string, size: number, n: number, world: boolean): S3Event {
  return {
    Records: [
      {
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: {
          bucket: { name: 'inbound-mail' },
          object: { key, size, ...(world ? {} : { versionId: `v${n}` }), sequencer: n.toString(16) },
        },
      },
    ],
  } as unknown as S3Event;
}

/** An SQS batch from the work queue: mails `first` to `first + count - 1`, one S3 event per message. */
function batchFor(
  first: number,
  count: number,
  keyOf: (n: number) => string,
  sizeOf: (key: string) => number,
  world: boolean,
): SQSEvent {
  return {
    Records: Array.from({ length: count }, (_, i) => {
      const key = keyOf(first + i);
      return {
        messageId: `m${first + i}`,
        receiptHandle: `h${first + i}`,
        body: JSON.stringify(s3EventFor(key, sizeOf(key), first + i, world)),
        attributes: {},
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:work',
        awsRegion: 'us-east-1',
      };
    }),
  } as unknown as SQSEvent;
}

async function main(): Promise<void> {
  const [variant, sizeText, countText, batchText, option] = process.argv.slice(2);
  const size = Number(sizeText);
  const timed = Number(countText);
  const batch = Number(batchText ?? 1);
  const records = option === 'records';
  const worldFile = process.env.SMALL_MAIL_WORLD;
  const world = worldFile === undefined ? undefined : (JSON.parse(readFileSync(worldFile, 'utf8')) as WorldFile);
  const stored = world === undefined ? objects(size) : [];
  // The object size in the event, as S3 gives it: the handler retries a record whose object is not that size.
  const keys = world?.objects.map((o) => o.key) ?? stored.map((o) => o.key);
  const sizes = new Map(world?.objects.map((o) => [o.key, o.size]) ?? stored.map((o) => [o.key, o.body.length]));
  // Over the emulators the handler makes its own clients; the baseline's are made below.
  const clients = world === undefined ? stubClients(stored) : undefined;
  let handle: (event: SQSEvent) => Promise<unknown>;
  if (variant === 'handler' && world !== undefined) {
    const bundle = require(process.env.SMALL_MAIL_BUNDLE ?? join(ROOT, 'dist', 'functions', 'decrypt', 'index.js'));
    handle = bundle.createHandler({ env: process.env });
  } else if (variant === 'handler') {
    Object.assign(process.env, {
      [ENV.OUTPUT_QUEUE_URL]: QUEUE,
      [ENV.FAILURE_QUEUE_URL]: `${QUEUE}-failures`,
      [ENV.PAYLOAD_BUCKET]: 'payloads',
      [ENV.MAIL_PREFIX]: 'raw/',
      [ENV.EXPECTED_KMS_KEY_ARN]: KEY_ARN,
      [ENV.EXPECTED_SOURCE_ACCOUNT]: LOCAL_ACCOUNT,
      [ENV.ALLOWED_RULE_NAMES]: LOCAL_RULE,
      ...functionSettingsEnv(records),
    });
    // The deployed bundle, loaded after its environment is set (Powertools reads it at load).
    // SMALL_MAIL_BUNDLE: another build of it, to compare two builds pair by pair.
    const bundle = require(process.env.SMALL_MAIL_BUNDLE ?? join(ROOT, 'dist', 'functions', 'decrypt', 'index.js'));
    handle = bundle.createHandler({ env: process.env, clients, deliveryRecordsClient: stubDynamoDb });
  } else {
    // Over the emulators: the SDK's clients from the environment, as the function makes them (aws-clients.ts).
    const baselineClients = clients ?? {
      s3: new S3Client({}),
      kms: new KMSClient({}),
      sqs: new SQSClient({ useQueueUrlAsEndpoint: false }),
    };
    handle = createBaselineHandler(baselineClients as BaselineClients, world?.queueUrl ?? QUEUE, option === 'together');
  }
  const keyOf = (n: number) => keys[n % keys.length] as string;
  const sizeOf = (key: string) => sizes.get(key) as number;
  const invoke = async (first: number) => {
    const result = (await handle(batchFor(first, batch, keyOf, sizeOf, world !== undefined))) as
      | { batchItemFailures?: unknown[] }
      | number;
    if (result !== batch && (result as { batchItemFailures?: unknown[] }).batchItemFailures?.length !== 0) {
      throw new Error(`mails from ${first} were not all forwarded: ${JSON.stringify(result)}`);
    }
  };
  for (let n = 0; n < WARM_UP; n += batch) await invoke(n);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let n = WARM_UP; n < WARM_UP + timed; n += batch) await invoke(n);
  const used = process.cpuUsage(cpu);
  const wallMicros = (performance.now() - started) * 1000;
  process.stdout.write(
    `\n__RESULT__${JSON.stringify({ cpuMicrosPerMail: (used.user + used.system) / timed, wallMicrosPerMail: wallMicros / timed, mails: WARM_UP + timed })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`small-mail-worker: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
