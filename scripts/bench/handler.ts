import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { Upload } from '@aws-sdk/lib-storage';
import { LOCAL_PAYLOAD_BUCKET, type LocalStack } from '../../local/local-stack';
import { drainQueue, objectCreatedEvent, storeMail } from '../../local/pipeline';
import { measure } from './measure';
import { mailOf } from './objects';
import { log, MiB, NODE, percentile, ROOT, results, rows } from './report';

export async function benchHandler(stack: LocalStack): Promise<void> {
  log('handler end to end ...');
  Object.assign(process.env, stack.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  // Imported now: Powertools reads its settings when the module loads.
  const { createHandler } = await import('../../lambda/decrypt-function/handler');
  const handler = createHandler();
  const e2e: Record<string, unknown>[] = [];
  for (const [label, size, count] of [
    ['10 KiB', 10 * 1024, 100],
    ['1 MiB', MiB, 60],
    // The largest mail SES takes (40 MB with headers): read, decrypted, offloaded in 5 MiB parts.
    ['40 MiB', 40 * MiB, 8],
  ] as const) {
    const mime = mailOf(size);
    const handled: number[] = [];
    const copied: number[] = [];
    const warmUp = size > 10 * MiB ? 2 : 5;
    for (let i = 0; i < count + warmUp; i += 1) {
      const stored = await storeMail(stack, mime);
      let started = performance.now();
      const result = await handler(objectCreatedEvent([stored]));
      const took = performance.now() - started;
      // A mail refused or skipped would read as fast: every one must have gone through.
      if (result.forwarded !== 1) throw new Error(`handler end to end, ${label}: ${JSON.stringify(result)}`);
      // The reference: the same object read and delivered the same way, without decryption.
      started = performance.now();
      const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: 'inbound-mail', Key: stored.key }));
      const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
      if (size > 200 * 1024) {
        // Offloaded as the function offloads (forward-mail.ts: lib-storage, 5 MiB parts, one at a time).
        await new Upload({
          client: stack.clients.s3,
          partSize: 5 * MiB,
          queueSize: 1,
          params: {
            Bucket: LOCAL_PAYLOAD_BUCKET,
            Key: `copy/${stored.messageId}`,
            Body: Readable.from([bytes]),
            ContentLength: bytes.length,
          },
        }).done();
        await stack.clients.sqs.send(
          new SendMessageCommand({ QueueUrl: stack.outputQueueUrl, MessageBody: 'pointer' }),
        );
      } else {
        await stack.clients.sqs.send(
          new SendMessageCommand({ QueueUrl: stack.outputQueueUrl, MessageBody: bytes.toString('base64') }),
        );
      }
      const copyTook = performance.now() - started;
      if (i >= warmUp) {
        handled.push(took);
        copied.push(copyTook);
      }
      if (i % 20 === 0) await drainQueue(stack, stack.outputQueueUrl, 0);
      // fauxqs keeps every object in memory: the large rows leave nothing behind (the mail, its payload, the copy).
      if (size > 10 * MiB) await deleteAll(stack, stored.key);
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
      reference: `copy (no KMS call, no decryption): p50 ${row.copyP50.toFixed(1)} ms, p99 ${row.copyP99.toFixed(1)} ms`,
      goal: '-',
      met: undefined,
    });
  }
  results.handler = e2e;
}

async function deleteAll(stack: LocalStack, mailKey: string): Promise<void> {
  const s3 = stack.clients.s3;
  await s3.send(new DeleteObjectCommand({ Bucket: 'inbound-mail', Key: mailKey }));
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: LOCAL_PAYLOAD_BUCKET }));
  for (const object of listed.Contents ?? []) {
    await s3.send(new DeleteObjectCommand({ Bucket: LOCAL_PAYLOAD_BUCKET, Key: object.Key as string }));
  }
}

export async function benchHandlerMemory(stack: LocalStack): Promise<void> {
  log('handler peak memory, 40 MiB ...');
  const size = 40 * MiB;
  const stored = await storeMail(stack, mailOf(size));
  const script = join(ROOT, 'scripts', 'run-bundled-handler.cjs');
  // The function's NODE_OPTIONS, as the stack sets them by default.
  const env = {
    ...process.env,
    ...stack.env,
    NODE_OPTIONS: '--expose-gc',
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
