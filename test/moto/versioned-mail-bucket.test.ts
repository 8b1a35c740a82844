/**
 * `npm run test:moto`: the object an event names, end to end on a versioned mail bucket (moto's server, which models
 * S3 versioning; fauxqs for SQS and the KMS emulator as everywhere else). Whoever can write under the mail prefix
 * overwrites or delete-marks a mail after SES stored it: the bundled function still reads and forwards the version its
 * event named, a rejection names its version, and the CLI decrypts that version with --version-id.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Message } from '@aws-sdk/client-sqs';
import { readForwardedMail } from '../../lambda/consumer/read-forwarded-mail';
import {
  LOCAL_ACCOUNT,
  LOCAL_MAIL_BUCKET,
  LOCAL_PAYLOAD_BUCKET,
  LOCAL_REGION,
  LOCAL_RULE,
  type LocalStack,
  startLocalStack,
} from '../../local/local-stack';
import { type MotoServer, startMotoServer } from '../../local/moto-server';
import { drainQueue, objectCreatedEvent } from '../../local/pipeline';
import { type SesStoredObject, storeAsSes } from '../../local/ses-simulator';
import { INSTALL_HINT, pythonCommand } from '../../scripts/python';
import { runBundledHandler } from '../support/bundled-handler';
import { offlineAwsEnv, runCli } from '../support/run-cli';

let stack: LocalStack;
let moto: MotoServer;
let s3: S3Client;
let env: Record<string, string>;
let work: string;

beforeAll(async () => {
  moto = await startMotoServer(pythonCommand(), INSTALL_HINT);
  stack = await startLocalStack();
  s3 = new S3Client({
    region: LOCAL_REGION,
    endpoint: moto.url,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  for (const bucket of [LOCAL_MAIL_BUCKET, LOCAL_PAYLOAD_BUCKET]) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: LOCAL_MAIL_BUCKET, VersioningConfiguration: { Status: 'Enabled' } }),
  );
  env = { ...stack.env, AWS_ENDPOINT_URL_S3: moto.url, POWERTOOLS_LOG_LEVEL: 'WARN' };
  work = mkdtempSync(join(tmpdir(), 'versioned-'));
}, 90_000);
afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
  await moto?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

async function sesMail(subject: string): Promise<SesStoredObject> {
  return storeAsSes(stack.clients.kms, Buffer.from(`From: a@example.org\r\nSubject: ${subject}\r\n\r\nhello\r\n`), {
    kmsKeyArn: stack.kmsKeyArn,
    ruleName: LOCAL_RULE,
    sourceAccount: LOCAL_ACCOUNT,
  });
}

/** Puts the object into the versioned bucket and gives the version S3 assigned. */
async function put(key: string, body: Buffer, metadata: Record<string, string>): Promise<string> {
  const put = await s3.send(
    new PutObjectCommand({ Bucket: LOCAL_MAIL_BUCKET, Key: key, Body: body, Metadata: metadata }),
  );
  return put.VersionId as string;
}

function eventNaming(stored: SesStoredObject, versionId: string) {
  return objectCreatedEvent([{ key: stored.key, size: stored.body.length, versionId }]);
}

async function forwardedMime(): Promise<Buffer> {
  const [message] = await drainQueue(stack, stack.outputQueueUrl, 1);
  const mail = await readForwardedMail(message as Message, {
    s3: stack.clients.s3,
    payloadBucket: LOCAL_PAYLOAD_BUCKET,
  });
  return mail.mime;
}

it('forwards the version its event names, though another object was written over it since', async () => {
  const stored = await sesMail('overwritten');
  const version = await put(stored.key, stored.body, stored.metadata);
  await put(stored.key, Buffer.from('a later object under the same key'), {});

  const result = await runBundledHandler(eventNaming(stored, version), env);

  expect(result.stderr).toBe('');
  expect(JSON.parse(result.stdout)).toEqual({ forwarded: 1, skipped: 0, rejected: 0 });
  expect((await forwardedMime()).equals(stored.plaintext)).toBe(true);
}, 60_000);

it('forwards the version its event names, though the key was delete-marked since', async () => {
  const stored = await sesMail('delete-marked');
  const version = await put(stored.key, stored.body, stored.metadata);
  await s3.send(new DeleteObjectCommand({ Bucket: LOCAL_MAIL_BUCKET, Key: stored.key }));

  const result = await runBundledHandler(eventNaming(stored, version), env);

  expect(JSON.parse(result.stdout)).toEqual({ forwarded: 1, skipped: 0, rejected: 0 });
  expect((await forwardedMime()).equals(stored.plaintext)).toBe(true);
}, 60_000);

it('names the version in its failure record; the CLI decrypts that version with --version-id, not the newest', async () => {
  const stored = await sesMail('cli');
  const damaged = await put(stored.key, stored.body, {});
  const genuine = await put(stored.key, stored.body, stored.metadata);
  await put(stored.key, Buffer.from('newest'), {});

  const result = await runBundledHandler(eventNaming(stored, damaged), env);
  expect(JSON.parse(result.stdout)).toEqual({ forwarded: 0, skipped: 0, rejected: 1 });
  const [record] = await drainQueue(stack, stack.failureQueueUrl, 1);
  expect(JSON.parse((record as Message).Body as string)).toMatchObject({
    key: stored.key,
    versionId: damaged,
    reason: 'NOT_ENCRYPTED',
  });

  const cliEnv = offlineAwsEnv({
    AWS_ENDPOINT_URL_S3: moto.url,
    AWS_ENDPOINT_URL_KMS: env.AWS_ENDPOINT_URL_KMS as string,
    EXPECTED_KMS_KEY_ARN: stack.kmsKeyArn,
  });
  const uri = `s3://${LOCAL_MAIL_BUCKET}/${stored.key}`;
  const output = join(work, 'genuine.eml');
  const byVersion = await runCli(['decrypt', uri, '--version-id', genuine, '-o', output], cliEnv);
  expect(byVersion.stderr).toBe('');
  expect(byVersion.status).toBe(0);
  expect(readFileSync(output).equals(stored.plaintext)).toBe(true);
  const newest = await runCli(['decrypt', uri, '-o', join(work, 'newest.eml')], cliEnv);
  expect(newest.status).toBe(1);
  expect(newest.stderr).toMatch(/refused \(NOT_ENCRYPTED\)/);
}, 60_000);

it('retries an event that names no version of a versioned object (S3 names it in every event): nothing is sent', async () => {
  const stored = await sesMail('noversion');
  await put(stored.key, stored.body, stored.metadata);

  const result = await runBundledHandler(objectCreatedEvent([{ key: stored.key, size: stored.body.length }]), env);

  expect(result.stderr.trim().split('\n').at(-1)).toBe('RetryableRecordsError');
  expect(result.stderr).toContain('"reason":"EVENT_VERSION_MISMATCH"');
  expect(await drainQueue(stack, stack.outputQueueUrl, 0)).toHaveLength(0);
}, 60_000);
