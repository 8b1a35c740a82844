/**
 * The embedded defaults: fauxqs for S3 and SQS (a child process) and the KMS emulator, all on 127.0.0.1, with the
 * buckets, queues (the work queue too) and key the pipeline needs. `npm start`, the integration tests and the benchmarks share it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from '../lambda/contract/env-names';
import { KmsEmulator } from './kms-emulator';
import { startKmsEmulatorServer } from './kms-emulator-http';
import { createWorkQueue, type LocalWorkQueue } from './work-queue';

/** The local stack's fixed names: region, account, rule, buckets, prefix. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '111122223333';
export const LOCAL_RULE = 'store-encrypted';
export const LOCAL_MAIL_BUCKET = 'inbound-mail';
export const LOCAL_PAYLOAD_BUCKET = 'inbound-payloads';
export const LOCAL_MAIL_PREFIX = 'raw/';

/** Options of `startLocalStack`. */
export interface LocalStackOptions {
  /** Answer every Nth KMS request with ThrottlingException. @default - never */
  readonly kmsThrottleEvery?: number;
  /** Make the output queue a FIFO queue. @default false */
  readonly fifo?: boolean;
}

/** The running emulators and what was created in them. */
export interface LocalStack {
  readonly kms: KmsEmulator;
  readonly kmsKeyArn: string;
  /** SDK clients pointed at the emulators. */
  readonly clients: { s3: S3Client; sqs: SQSClient; kms: KMSClient };
  readonly outputQueueUrl: string;
  readonly failureQueueUrl: string;
  /** The work queue the mail bucket's notifications go to, and its dead-letter queue (local/work-queue.ts). */
  readonly workQueue: LocalWorkQueue;
  /** The environment the function runs with here: endpoints, region, fake credentials, and its configuration. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts the emulators and creates the resources. Call `stop()` when done. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const kms = new KmsEmulator({
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT,
    throttleEvery: options.kmsThrottleEvery,
  });
  const kmsKeyArn = kms.createKey();
  const kmsServer = await startKmsEmulatorServer(kms);
  let fauxqs: ChildProcess | undefined;
  try {
    const port = await freePort();
    fauxqs = await startFauxqs(port);
    const awsEnv = {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
      AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${port}`,
      AWS_ENDPOINT_URL_KMS: kmsServer.url,
    };
    const common = { region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    const clients = {
      s3: new S3Client({ ...common, endpoint: awsEnv.AWS_ENDPOINT_URL_S3, forcePathStyle: true }),
      sqs: new SQSClient({ ...common, endpoint: awsEnv.AWS_ENDPOINT_URL_SQS, useQueueUrlAsEndpoint: false }),
      kms: new KMSClient({ ...common, endpoint: kmsServer.url }),
    };
    for (const bucket of [LOCAL_MAIL_BUCKET, LOCAL_PAYLOAD_BUCKET]) {
      await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    }
    const outputName = options.fifo ? 'inbound-mail.fifo' : 'inbound-mail';
    const output = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: outputName, Attributes: options.fifo ? { FifoQueue: 'true' } : {} }),
    );
    const failure = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'inbound-mail-failures' }));
    const workQueue = await createWorkQueue(clients.sqs);
    const outputQueueUrl = output.QueueUrl as string;
    const failureQueueUrl = failure.QueueUrl as string;
    const running = fauxqs;
    return {
      kms,
      kmsKeyArn,
      clients,
      outputQueueUrl,
      failureQueueUrl,
      workQueue,
      env: {
        ...awsEnv,
        [ENV.OUTPUT_QUEUE_URL]: outputQueueUrl,
        [ENV.FAILURE_QUEUE_URL]: failureQueueUrl,
        [ENV.PAYLOAD_BUCKET]: LOCAL_PAYLOAD_BUCKET,
        [ENV.EXPECTED_KMS_KEY_ARN]: kmsKeyArn,
        [ENV.EXPECTED_SOURCE_ACCOUNT]: LOCAL_ACCOUNT,
        [ENV.ALLOWED_RULE_NAMES]: LOCAL_RULE,
        [ENV.MAIL_BUCKET]: LOCAL_MAIL_BUCKET,
        [ENV.MAIL_PREFIX]: LOCAL_MAIL_PREFIX,
      },
      async stop() {
        for (const client of Object.values(clients)) {
          client.destroy();
        }
        await kmsServer.close();
        await stopProcess(running);
      },
    };
  } catch (error) {
    await kmsServer.close();
    if (fauxqs !== undefined) {
      await stopProcess(fauxqs);
    }
    throw error;
  }
}

/** fauxqs 2.x needs Node 22.5 or newer; the project's devDependency `node@22` provides it when this one is older. */
function nodeForFauxqs(): string {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 5)) {
    return process.execPath;
  }
  const bundled = join(__dirname, '..', 'node_modules', 'node', 'bin', 'node');
  if (existsSync(bundled)) {
    return bundled;
  }
  throw new Error('fauxqs needs Node.js 22.5 or newer: run through npm (npm start, npm test), which uses node@22');
}

async function startFauxqs(port: number): Promise<ChildProcess> {
  const cli = join(__dirname, '..', 'node_modules', 'fauxqs', 'dist', 'cli.js');
  const child = spawn(nodeForFauxqs(), ['--no-warnings', cli], {
    env: {
      PATH: process.env.PATH ?? '',
      FAUXQS_PORT: String(port),
      FAUXQS_HOST: 'localhost',
      FAUXQS_LOGGER: 'false',
      FAUXQS_DEFAULT_REGION: LOCAL_REGION,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (piece: Buffer) => {
    stderr += piece.toString('utf8');
  });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`fauxqs exited with status ${child.exitCode}: ${stderr.slice(0, 500)}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/_fauxqs/queues`);
      if (response.ok) {
        return child;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error('fauxqs did not start within 20 s');
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}
