/**
 * One core-throughput measurement in a process of its own (scripts/bench/core.ts starts one per format, size and
 * piece size): the reader's decryptMail against raw AES-256-GCM (node:crypto) over the same bytes, in interleaved
 * pairs after a warm-up, with no forced collection. Prints {core, raw} in milliseconds per run, as JSON.
 * Usage: tsx core-worker.ts SES|V3 BYTES PIECE_BYTES
 */
import { createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { decryptMail } from '../../lambda/reader/decrypt-mail';
import { writeV3Object } from '../../local/s3ec-v3-writer';
import { mailOf, sesObject } from './objects';
import { MiB } from './report';

/** What one format's run needs: the stored object, a KMS stand-in, and the raw cipher's key, IV and AAD. */
interface CoreCase {
  readonly metadata: Record<string, string>;
  readonly body: Buffer;
  readonly kms: KMSClient;
  readonly contentKey: Buffer;
  readonly iv: Buffer;
  readonly aad?: Buffer;
  readonly context?: Record<string, string>;
}

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000';
const V3_CONTEXT = { purpose: 'bench' };

function sesCase(size: number): CoreCase {
  const object = sesObject(mailOf(size), 'benchmessage', KEY_ARN, randomBytes(64));
  const kms = { send: async () => ({ Plaintext: Uint8Array.from(object.dataKey) }) } as unknown as KMSClient;
  const iv = Buffer.from(object.metadata['x-amz-iv'], 'base64');
  return { metadata: object.metadata, body: object.body, kms, contentKey: object.dataKey, iv };
}

async function v3Case(size: number): Promise<CoreCase> {
  const dataKey = randomBytes(32);
  // GenerateDataKey (the writer, once) also returns the wrapped key; Decrypt (each timed run) only the key and its id.
  const kms = {
    send: async (command: object) =>
      command instanceof GenerateDataKeyCommand
        ? { Plaintext: Uint8Array.from(dataKey), CiphertextBlob: randomBytes(64), KeyId: KEY_ARN }
        : { Plaintext: Uint8Array.from(dataKey), KeyId: KEY_ARN },
  } as unknown as KMSClient;
  const written = await writeV3Object(kms, mailOf(size), { kmsKeyArn: KEY_ARN, encryptionContext: V3_CONTEXT });
  const info = Buffer.concat([Buffer.from([0x00, 0x73]), Buffer.from('DERIVEKEY')]);
  const messageId = Buffer.from(written.metadata['x-amz-i'] as string, 'base64');
  return {
    metadata: written.metadata,
    body: written.body,
    kms,
    contentKey: Buffer.from(hkdfSync('sha512', dataKey, messageId, info, 32)),
    iv: Buffer.alloc(12, 0x01),
    aad: Buffer.from([0x00, 0x73]),
    context: V3_CONTEXT,
  };
}

async function main(): Promise<void> {
  const [format, sizeText, pieceText] = process.argv.slice(2);
  const size = Number(sizeText);
  const piece = Number(pieceText);
  const object = format === 'V3' ? await v3Case(size) : sesCase(size);
  // The pieces S3 hands over (16 to 64 KiB from a socket) or larger ones, cut once, outside the timed runs.
  const pieces: Buffer[] = [];
  for (let at = 0; at < object.body.length; at += piece) pieces.push(object.body.subarray(at, at + piece));

  const runCore = async (): Promise<number> => {
    const started = performance.now();
    await decryptMail(
      {
        metadata: object.metadata,
        body: (async function* () {
          yield* pieces;
        })(),
        contentLength: object.body.length,
      },
      { kms: object.kms, expectedKmsKeyArn: KEY_ARN, expectedEncryptionContext: object.context },
    );
    return performance.now() - started;
  };
  const runRaw = async (): Promise<number> => {
    const started = performance.now();
    const decipher = createDecipheriv('aes-256-gcm', object.contentKey, object.iv);
    if (object.aad !== undefined) decipher.setAAD(object.aad);
    const tagAt = object.body.length - 16;
    // The same pieces, the tag split off as any streaming reader must; kept until the tag verifies.
    const kept: Buffer[] = [];
    let at = 0;
    for (const p of pieces) {
      const end = Math.min(at + p.length, tagAt);
      if (end > at) kept.push(decipher.update(p.subarray(0, end - at)));
      at += p.length;
    }
    decipher.setAuthTag(object.body.subarray(tagAt));
    kept.push(decipher.final());
    return performance.now() - started;
  };

  // About 1.2 GB decrypted per variant after the warm-up: between 15 and 400 runs.
  const runs = Math.max(15, Math.min(400, Math.ceil((1200 * MiB) / size)));
  const warmUp = Math.max(3, Math.ceil(runs / 10));
  const core: number[] = [];
  const raw: number[] = [];
  for (let run = 0; run < warmUp + runs; run += 1) {
    // Interleaved, alternating which goes first, so both see the same machine and the same garbage to collect.
    const [c, r] = run % 2 === 0 ? [await runCore(), await runRaw()] : [await runRaw(), await runCore()].reverse();
    if (run >= warmUp) {
      core.push(c as number);
      raw.push(r as number);
    }
  }
  process.stdout.write(`${JSON.stringify({ core, raw })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`core-worker: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
