/**
 * The small-mail bench's world over the emulators: fauxqs (S3, SQS) and the KMS emulator (local/local-stack.ts), a
 * DynamoDB endpoint (dynamodb-stub.ts), and DISTINCT mails per size stored as SES stores them (encrypted under the
 * emulator's key with SES's encryption context). Workers (small-mail-worker.ts) then use real SDK clients, as deployed,
 * from the environment this gives them; the emulators run in this process and fauxqs's, never in the measured one.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { LOCAL_MAIL_BUCKET, type LocalStack, startLocalStack } from '../../local/local-stack';
import { storeMail } from '../../local/pipeline';
import { CLEAN_VERDICTS } from '../../local/ses-simulator';
import { queueDepth } from '../../local/work-queue';
import { type DynamoDbStub, startDynamoDbStub } from './dynamodb-stub';
import { functionSettingsEnv } from './function-settings-env';
import { mailOf } from './objects';

/** Distinct stored mails per size; the worker cycles through them. */
const DISTINCT = 64;

/** What a worker reads from SMALL_MAIL_WORLD: the bucket, the output queue and the stored keys of its size. */
export interface WorldFile {
  readonly bucket: string;
  readonly queueUrl: string;
  readonly objects: { readonly key: string; readonly size: number }[];
}

export interface SmallMailWorld {
  /** The environment of a worker for mails of `bytes`: endpoints, credentials, the function's settings, the file. */
  envFor(bytes: number, records: boolean): NodeJS.ProcessEnv;
  /** The number of mails on the output queue, which it then empties (so fauxqs's memory stays flat). */
  takeDelivered(): Promise<number>;
  /** DynamoDB calls answered so far, by operation (a check that delivery records were really kept). */
  readonly dynamoDbCalls: Map<string, number>;
  /** Mails the driver counted as handled with the records on (each should have made one PutItem and one UpdateItem). */
  recordedMails: number;
  stop(): Promise<void>;
}

export async function startSmallMailWorld(work: string, sizes: readonly number[]): Promise<SmallMailWorld> {
  const stack: LocalStack = await startLocalStack();
  let dynamodb: DynamoDbStub | undefined;
  try {
    dynamodb = await startDynamoDbStub();
    const files = new Map<number, string>();
    for (const bytes of sizes) {
      const objects: WorldFile['objects'] = [];
      for (let i = 0; i < DISTINCT; i += 1) {
        // With SES's own header block (clean verdicts), which the function reads and the stub rows' mails carry too.
        const stored = await storeMail(stack, mailOf(bytes), undefined, CLEAN_VERDICTS);
        objects.push({ key: stored.key, size: stored.size });
      }
      const file = join(work, `world-${bytes}.json`);
      const world: WorldFile = { bucket: LOCAL_MAIL_BUCKET, queueUrl: stack.outputQueueUrl, objects };
      writeFileSync(file, JSON.stringify(world));
      files.set(bytes, file);
    }
    const endpoint = dynamodb.url;
    const stub = dynamodb;
    return {
      envFor(bytes, records) {
        return {
          ...process.env,
          ...stack.env,
          AWS_ENDPOINT_URL_DYNAMODB: endpoint,
          ...functionSettingsEnv(records),
          SMALL_MAIL_WORLD: files.get(bytes),
        };
      },
      takeDelivered: async () => {
        // Nothing is in flight on the output queue between workers: its depth is what was delivered.
        const delivered = await queueDepth(stack.clients.sqs, stack.outputQueueUrl);
        await stack.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: stack.outputQueueUrl }));
        return delivered;
      },
      dynamoDbCalls: stub.calls,
      recordedMails: 0,
      stop: async () => {
        await stub.close();
        await stack.stop();
      },
    };
  } catch (error) {
    await dynamodb?.close();
    await stack.stop();
    throw error;
  }
}
