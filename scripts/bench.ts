/**
 * `npm run bench`: the performance figures in one run, each beside its reference measured in the same run. Prints a
 * table and writes bench-results/latest.json. Takes under a minute on two cores (44 to 46 s here).
 */
import { spawn } from 'node:child_process';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KMSClient } from '@aws-sdk/client-kms';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { decryptMail } from '../lambda/reader/decrypt-mail';
import {
  LOCAL_ACCOUNT,
  LOCAL_PAYLOAD_BUCKET,
  LOCAL_RULE,
  type LocalStack,
  startLocalStack,
} from '../local/local-stack';
import { drainQueue, objectCreatedEvent, storeMail } from '../local/pipeline';
import { writeV3Object } from '../local/s3ec-v3-writer';

const ROOT = join(__dirname, '..');
const MiB = 1024 * 1024;
const NODE = process.execPath;

interface Row {
  readonly measure: string;
  readonly value: string;
  readonly reference: string;
  readonly goal: string;
  readonly met: boolean | undefined;
}
const rows: Row[] = [];
const results: Record<string, unknown> = { node: process.version, date: new Date().toISOString() };

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** An SES-format object made here, so its data key is known (the Ruby reference and the core bench need it). */
function sesObject(mime: Buffer, messageId: string, keyArn: string, wrappedKey: Buffer) {
  const dataKey = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  const body = Buffer.concat([cipher.update(mime), cipher.final(), cipher.getAuthTag()]);
  const matdesc = {
    'aws:ses:message-id': messageId,
    'aws:ses:rule-name': LOCAL_RULE,
    'aws:ses:source-account': LOCAL_ACCOUNT,
    kms_cmk_id: keyArn,
  };
  const metadata = {
    'x-amz-key-v2': wrappedKey.toString('base64'),
    'x-amz-iv': iv.toString('base64'),
    'x-amz-cek-alg': 'AES/GCM/NoPadding',
    'x-amz-wrap-alg': 'kms',
    'x-amz-tag-len': '128',
    'x-amz-unencrypted-content-length': String(mime.length),
    'x-amz-matdesc': JSON.stringify(matdesc),
  };
  return { body, metadata, dataKey, matdesc };
}

/** A mail of `bytes` bytes: headers and a base64 body, as large attachments are. */
function mailOf(bytes: number): Buffer {
  const head = Buffer.from(
    'From: a@example.net\r\nTo: b@example.com\r\nSubject: bench\r\nContent-Transfer-Encoding: base64\r\n\r\n',
  );
  const body = Buffer.from(
    randomBytes(Math.ceil((bytes * 3) / 4))
      .toString('base64')
      .slice(0, bytes - head.length),
  );
  return Buffer.concat([head, body]);
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Core throughput against raw node:crypto on the same bytes.

/** What one format's core run needs: the stored object, a KMS stand-in, and the raw cipher's key, IV and AAD. */
interface CoreCase {
  readonly metadata: Record<string, string>;
  readonly body: Buffer;
  readonly kms: KMSClient;
  readonly contentKey: Buffer;
  readonly iv: Buffer;
  readonly aad?: Buffer;
}

/** Times the decrypt core against raw AES-256-GCM (with the same key, IV and AAD) on the same bytes, interleaved. */
async function compareWithRaw(
  size: number,
  object: CoreCase,
  keyArn: string,
): Promise<{ core: number[]; raw: number[] }> {
  const pieces: Buffer[] = [];
  for (let at = 0; at < object.body.length; at += MiB) pieces.push(object.body.subarray(at, at + MiB));
  const runs = Math.max(15, Math.min(400, Math.ceil((1200 * MiB) / size)));
  const core: number[] = [];
  const raw: number[] = [];
  // Each timed run starts from a collected heap, so neither pays for the other's garbage.
  const collect = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const runCore = async () => {
    collect();
    const started = performance.now();
    await decryptMail(
      {
        metadata: object.metadata,
        body: (async function* () {
          yield* pieces;
        })(),
        contentLength: object.body.length,
      },
      { kms: object.kms, expectedKmsKeyArn: keyArn, expectedEncryptionContext: benchContextOf(object) },
    );
    core.push(performance.now() - started);
  };
  const runRaw = () => {
    collect();
    const started = performance.now();
    const decipher = createDecipheriv('aes-256-gcm', object.contentKey, object.iv);
    if (object.aad !== undefined) decipher.setAAD(object.aad);
    const tagAt = object.body.length - 16;
    // Kept until the tag verifies, as any reader that releases nothing unverified must.
    const kept: Buffer[] = [];
    for (let at = 0; at < tagAt; at += MiB)
      kept.push(decipher.update(object.body.subarray(at, Math.min(at + MiB, tagAt))));
    decipher.setAuthTag(object.body.subarray(tagAt));
    kept.push(decipher.final());
    raw.push(performance.now() - started);
  };
  for (let run = 0; run < runs; run += 1) {
    // Interleaved, alternating which goes first, so both see the same machine and the same garbage to collect.
    if (run % 2 === 0) {
      await runCore();
      runRaw();
    } else {
      runRaw();
      await runCore();
    }
  }
  return { core, raw };
}

const V3_BENCH_CONTEXT = { purpose: 'bench' };
function benchContextOf(object: CoreCase): Record<string, string> | undefined {
  return object.aad === undefined ? undefined : V3_BENCH_CONTEXT;
}

/** An SES-format object and a KMS stand-in that returns its data key. */
function sesCase(size: number, keyArn: string): CoreCase {
  const object = sesObject(mailOf(size), 'benchmessage', keyArn, randomBytes(64));
  const kms = { send: async () => ({ Plaintext: Uint8Array.from(object.dataKey) }) } as unknown as KMSClient;
  return {
    metadata: object.metadata,
    body: object.body,
    kms,
    contentKey: object.dataKey,
    iv: Buffer.from(object.metadata['x-amz-iv'], 'base64'),
  };
}

/** A V3 object from the project's V3 writer, a KMS stand-in that knows its data key, and the derived content key. */
async function v3Case(size: number, keyArn: string): Promise<CoreCase> {
  const dataKey = randomBytes(32);
  const kms = {
    send: async () => ({ Plaintext: Uint8Array.from(dataKey), CiphertextBlob: randomBytes(64), KeyId: keyArn }),
  } as unknown as KMSClient;
  const written = await writeV3Object(kms, mailOf(size), { kmsKeyArn: keyArn, encryptionContext: V3_BENCH_CONTEXT });
  const info = Buffer.concat([Buffer.from([0x00, 0x73]), Buffer.from('DERIVEKEY')]);
  const messageId = Buffer.from(written.metadata['x-amz-i'] as string, 'base64');
  return {
    metadata: written.metadata,
    body: written.body,
    kms,
    contentKey: Buffer.from(hkdfSync('sha512', dataKey, messageId, info, 32)),
    iv: Buffer.alloc(12, 0x01),
    aad: Buffer.from([0x00, 0x73]),
  };
}

async function benchCore(): Promise<void> {
  log('core decrypt throughput ...');
  const keyArn = 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000';
  const cases: [string, number][] = [
    ['SES', 64 * 1024],
    ['SES', MiB],
    ['SES', 10 * MiB],
    ['SES', 40 * MiB],
    ['V3', 10 * MiB],
    ['V3', 40 * MiB],
  ];
  const coreRows: Record<string, unknown>[] = [];
  for (const [format, size] of cases) {
    const object = format === 'SES' ? sesCase(size, keyArn) : await v3Case(size, keyArn);
    const { core, raw } = await compareWithRaw(size, object, keyArn);
    const mbps = (ms: number) => size / 1e6 / (ms / 1000);
    const coreMBps = mbps(median(core));
    const rawMBps = mbps(median(raw));
    // Each run pairs the two back to back; the median of the pairs' ratios shrugs off the machine's drift.
    const ratio = median(core.map((ms, i) => (raw[i] as number) / ms));
    const label = size >= MiB ? `${size / MiB} MiB` : `${size / 1024} KiB`;
    rows.push({
      measure: format === 'SES' ? `core decrypt, ${label} mail` : `core decrypt, ${label} V3 object`,
      value: `${coreMBps.toFixed(0)} MB/s`,
      reference: `raw AES-256-GCM ${rawMBps.toFixed(0)} MB/s (${ratio.toFixed(2)}x)`,
      goal: size >= 10 * MiB ? '>= 0.90x raw' : '-',
      met: size >= 10 * MiB ? ratio >= 0.9 : undefined,
    });
    coreRows.push({ format, bytes: size, runs: core.length, coreMBps, rawMBps, ratio });
  }
  results.core = coreRows;
}

// ---------------------------------------------------------------------------------------------------------------
// 2. The handler end to end against the local emulators, and a copy-only pipeline (no crypto) as the reference.
async function benchHandler(stack: LocalStack): Promise<void> {
  log('handler end to end ...');
  Object.assign(process.env, stack.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  // Imported now: Powertools reads its settings when the module loads.
  const { createHandler } = await import('../lambda/decrypt-function/handler');
  const handler = createHandler();
  const e2e: Record<string, unknown>[] = [];
  for (const [label, size, count] of [
    ['10 KiB', 10 * 1024, 100],
    ['1 MiB', MiB, 60],
  ] as const) {
    const mime = mailOf(size);
    const handled: number[] = [];
    const copied: number[] = [];
    for (let i = 0; i < count + 5; i += 1) {
      const stored = await storeMail(stack, mime);
      let started = performance.now();
      await handler(objectCreatedEvent([stored]));
      const took = performance.now() - started;
      // The reference: the same object read and delivered the same way, without decryption.
      started = performance.now();
      const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: 'inbound-mail', Key: stored.key }));
      const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
      if (size > 200 * 1024) {
        await stack.clients.s3.send(
          new PutObjectCommand({ Bucket: LOCAL_PAYLOAD_BUCKET, Key: `copy/${stored.messageId}`, Body: bytes }),
        );
        await stack.clients.sqs.send(
          new SendMessageCommand({ QueueUrl: stack.outputQueueUrl, MessageBody: 'pointer' }),
        );
      } else {
        await stack.clients.sqs.send(
          new SendMessageCommand({ QueueUrl: stack.outputQueueUrl, MessageBody: bytes.toString('base64') }),
        );
      }
      const copyTook = performance.now() - started;
      if (i >= 5) {
        handled.push(took);
        copied.push(copyTook);
      }
      if (i % 20 === 0) await drainQueue(stack, stack.outputQueueUrl, 0);
    }
    await drainQueue(stack, stack.outputQueueUrl, 0);
    const row = {
      size: label,
      count,
      p50: percentile(handled, 50),
      p99: percentile(handled, 99),
      copyP50: percentile(copied, 50),
      copyP99: percentile(copied, 99),
    };
    e2e.push(row);
    rows.push({
      measure: `handler end to end, ${label} mail (n=${count})`,
      value: `p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms`,
      reference: `copy without crypto: p50 ${row.copyP50.toFixed(1)} ms, p99 ${row.copyP99.toFixed(1)} ms`,
      goal: '-',
      met: undefined,
    });
  }
  results.handler = e2e;
}

/** Runs a command and returns its wall time and (through /usr/bin/time, where present) its peak RSS. */
function measure(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ millis: number; maxRssKiB?: number; status: number | null; stdout: string }> {
  const timed = existsSync('/usr/bin/time');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(timed ? '/usr/bin/time' : command, timed ? ['-f', '__maxrss=%M', command, ...args] : args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      const millis = performance.now() - started;
      const rss = /__maxrss=(\d+)/.exec(stderr)?.[1];
      resolve({ millis, maxRssKiB: rss === undefined ? undefined : Number(rss), status, stdout });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Peak memory of a 40 MiB mail through the bundled handler, in a process of its own.
async function benchHandlerMemory(stack: LocalStack): Promise<void> {
  log('handler peak memory, 40 MiB ...');
  const size = 40 * MiB;
  const stored = await storeMail(stack, mailOf(size));
  const script = join(ROOT, 'scripts', 'run-bundled-handler.cjs');
  // The function's NODE_OPTIONS, as the stack sets them.
  const env = {
    ...process.env,
    ...stack.env,
    NODE_OPTIONS: '--enable-source-maps --expose-gc',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  const event = JSON.stringify(objectCreatedEvent([stored]));
  const idle = await measure(NODE, [script, JSON.stringify({ Records: [] })], env);
  const busy = await measure(NODE, [script, event], env);
  await drainQueue(stack, stack.outputQueueUrl, 1);
  const goalMiB = (1.5 * size) / MiB + 100;
  const peakMiB = (busy.maxRssKiB ?? 0) / 1024;
  results.handlerMemory = {
    mailBytes: size,
    peakKiB: busy.maxRssKiB,
    idleKiB: idle.maxRssKiB,
    output: busy.stdout.trim(),
  };
  rows.push({
    measure: 'handler peak RSS, 40 MiB mail',
    value: `${peakMiB.toFixed(0)} MiB`,
    reference: `same process, empty event: ${((idle.maxRssKiB ?? 0) / 1024).toFixed(0)} MiB`,
    goal: `< ${goalMiB.toFixed(0)} MiB (1.5x + 100)`,
    met: busy.maxRssKiB === undefined ? undefined : peakMiB < goalMiB && busy.status === 0,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 4. The bundled function: size and module-load time against `node -e 0`.
async function benchBundle(): Promise<void> {
  log('bundle size and load time ...');
  const bundle = join(ROOT, 'dist', 'functions', 'decrypt', 'index.js');
  const bytes = statSync(bundle).size;
  const load: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < 15; i += 1) {
    base.push((await measure(NODE, ['-e', '0'], process.env)).millis);
    load.push((await measure(NODE, ['-e', `require(${JSON.stringify(bundle)})`], process.env)).millis);
  }
  const over = median(load) - median(base);
  results.bundle = { bytes, loadMillis: median(load), baselineMillis: median(base) };
  rows.push({
    measure: 'function bundle size',
    value: `${(bytes / 1000).toFixed(0)} KB`,
    reference: '-',
    goal: '< 500 KB',
    met: bytes < 500_000,
  });
  rows.push({
    measure: 'function module load (median of 15)',
    value: `${median(load).toFixed(0)} ms (+${over.toFixed(0)} ms)`,
    reference: `node -e 0: ${median(base).toFixed(0)} ms`,
    goal: '< +60 ms',
    met: over < 60,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 5. The compiled CLI decrypting a 39 MiB mail from a file, against the Ruby SDK's S3 Encryption Client.
async function benchCli(stack: LocalStack): Promise<void> {
  log('CLI decrypt, 39 MiB, against the Ruby reference ...');
  const work = mkdtempSync(join(tmpdir(), 'bench-cli-'));
  try {
    const wrappedKey = randomBytes(64);
    const mime = mailOf(39 * MiB);
    const object = sesObject(mime, 'clibench', stack.kmsKeyArn, wrappedKey);
    stack.kms.addKnownCiphertext({
      ciphertextBlob: wrappedKey,
      plaintext: object.dataKey,
      encryptionContext: object.matdesc,
      keyId: stack.kmsKeyArn,
    });
    writeFileSync(join(work, 'object.bin'), object.body);
    writeFileSync(join(work, 'metadata.json'), JSON.stringify(object.metadata));
    const env = { ...process.env, ...stack.env };
    const cliArgs = [
      join(ROOT, 'dist', 'cli.js'),
      'decrypt',
      '--file',
      join(work, 'object.bin'),
      '--metadata',
      join(work, 'metadata.json'),
      '-o',
      join(work, 'out.eml'),
    ];
    const ours: Array<{ millis: number; maxRssKiB?: number }> = [];
    const ruby: Array<{ millis: number; maxRssKiB?: number }> = [];
    const rubyAvailable =
      (await measure('ruby', ['-e', 'require "aws-sdk-s3"; require "aws-sdk-kms"'], env).catch(() => undefined))
        ?.status === 0;
    await measure(NODE, cliArgs, env); // warms the V8 compile cache, as any second run has it
    for (let i = 0; i < 5; i += 1) {
      const run = await measure(NODE, cliArgs, env);
      if (run.status !== 0) throw new Error('CLI decrypt failed in the benchmark');
      ours.push(run);
      rmSync(join(work, 'out.eml'), { force: true });
      if (rubyAvailable) {
        const reference = await measure(
          'ruby',
          [
            join(ROOT, 'scripts', 'ruby-reference-decrypt.rb'),
            join(work, 'object.bin'),
            join(work, 'metadata.json'),
            object.dataKey.toString('hex'),
            stack.kmsKeyArn,
            join(work, 'ruby.eml'),
          ],
          env,
        );
        if (reference.status === 0) ruby.push(reference);
      }
    }
    const ourMillis = median(ours.map((r) => r.millis));
    const ourRss = median(ours.map((r) => r.maxRssKiB ?? 0)) / 1024;
    const rubyMillis = ruby.length > 0 ? median(ruby.map((r) => r.millis)) : undefined;
    const rubyRss = ruby.length > 0 ? median(ruby.map((r) => r.maxRssKiB ?? 0)) / 1024 : undefined;
    results.cli = { mailBytes: mime.length, millis: ourMillis, peakMiB: ourRss, rubyMillis, rubyPeakMiB: rubyRss };
    rows.push({
      measure: 'CLI decrypt, 39 MiB mail from a file (median of 5)',
      value: `${ourMillis.toFixed(0)} ms, peak ${ourRss.toFixed(0)} MiB`,
      reference:
        rubyMillis === undefined
          ? 'Ruby reference not measured (apt-get install ruby-aws-sdk-s3)'
          : `Ruby S3 Encryption Client: ${rubyMillis.toFixed(0)} ms, peak ${rubyRss?.toFixed(0)} MiB`,
      goal: '<= 0.5x Ruby time, <= Ruby memory',
      met: rubyMillis === undefined ? undefined : ourMillis <= rubyMillis / 2 && ourRss <= (rubyRss ?? 0),
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function printTable(): void {
  const headers = ['measure', 'value', 'reference (same run)', 'goal', 'met'];
  const cells = rows.map((r) => [
    r.measure,
    r.value,
    r.reference,
    r.goal,
    r.met === undefined ? '-' : r.met ? 'yes' : 'NO',
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i] as number)).join(' | ')} |`;
  process.stdout.write(`${line(headers)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n`);
  for (const row of cells) process.stdout.write(`${line(row)}\n`);
}

async function main(): Promise<void> {
  const started = performance.now();
  if (
    !existsSync(join(ROOT, 'dist', 'functions', 'decrypt', 'index.js')) ||
    !existsSync(join(ROOT, 'dist', 'cli.js'))
  ) {
    throw new Error('dist/ is missing: run npm run build');
  }
  await benchCore();
  await benchBundle();
  const stack = await startLocalStack();
  try {
    await benchHandler(stack);
    await benchHandlerMemory(stack);
    await benchCli(stack);
  } finally {
    await stack.stop();
  }
  results.rows = rows;
  results.seconds = (performance.now() - started) / 1000;
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench-results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  printTable();
  process.stdout.write(`\n${(results.seconds as number).toFixed(0)} s; written to bench-results/latest.json\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
