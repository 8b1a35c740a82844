import { createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import { decryptMail } from '../../lambda/reader/decrypt-mail';
import { writeV3Object } from '../../local/s3ec-v3-writer';
import { mailOf, sesObject } from './objects';
import { log, MiB, median, results, rows } from './report';

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

export async function benchCore(): Promise<void> {
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
