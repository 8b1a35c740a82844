/**
 * The decrypt function's world with every SDK client mocked (aws-sdk-client-mock) and KMS answered by the emulator:
 * a map of stored objects (with versions), the payload objects it writes, and what it sent to each queue. Call
 * `mockedFunctionWorld()` once at the top of a test file; it registers its own beforeEach and afterAll.
 */
import { Readable } from 'node:stream';
import { KMSClient } from '@aws-sdk/client-kms';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { readForwardedMail } from '../../lambda/consumer/read-forwarded-mail';
import { KmsEmulator } from '../../local/kms-emulator';
import type { SesStoredObject } from '../../local/ses-simulator';
import { mockKmsWith } from './mock-kms';
import { ACCOUNT, RULE, s3Event } from './ses-objects';

export const MAIL_BUCKET = 'mail-bucket';
export const PAYLOAD_BUCKET = 'payload-bucket';
export const OUTPUT = 'https://sqs.us-east-1.amazonaws.com/111122223333/output';
export const FAILURE = 'https://sqs.us-east-1.amazonaws.com/111122223333/failure';

interface StoredObject {
  readonly body: Buffer;
  readonly metadata: Record<string, string>;
}

export function mockedFunctionWorld() {
  const emulator = new KmsEmulator();
  const keyArn = emulator.createKey();
  const kmsMock = mockKmsWith(emulator);
  const s3Mock = mockClient(S3Client);
  const sqsMock = mockClient(SQSClient);
  const kms = new KMSClient({ region: 'us-east-1' });
  const clients = { kms, s3: new S3Client({ region: 'us-east-1' }), sqs: new SQSClient({ region: 'us-east-1' }) };
  /** Objects "in S3", by key: the current one; and earlier or later versions by `key@versionId`. */
  const stored = new Map<string, StoredObject>();
  /** Payload objects the function wrote. */
  const payloads = new Map<string, Buffer>();

  /** Whether S3 answers with the version read (a versioned bucket): `versioned(true)` in a test. */
  let answerVersions = false;
  const latest = new Map<string, string>();

  beforeEach(() => {
    answerVersions = false;
    latest.clear();
    stored.clear();
    payloads.clear();
    s3Mock.reset();
    sqsMock.reset();
    kmsMock.resetHistory();
    s3Mock.on(GetObjectCommand).callsFake(async (input: { Key: string; VersionId?: string }) => {
      const object = stored.get(input.VersionId === undefined ? input.Key : `${input.Key}@${input.VersionId}`);
      if (object === undefined) {
        throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $fault: 'client' });
      }
      const versionId = input.VersionId ?? latest.get(input.Key);
      return {
        Body: sdkStreamMixin(Readable.from([object.body])),
        ContentLength: object.body.length,
        Metadata: object.metadata,
        ...(answerVersions && versionId !== undefined ? { VersionId: versionId } : {}),
      };
    });
    s3Mock.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: unknown }) => {
      payloads.set(input.Key, await collect(input.Body));
      return { ETag: '"e"' };
    });
    const parts = new Map<string, Buffer[]>();
    s3Mock.on(CreateMultipartUploadCommand).callsFake(async (input: { Key: string }) => {
      parts.set(input.Key, []);
      return { UploadId: 'upload' };
    });
    s3Mock.on(UploadPartCommand).callsFake(async (input: { Key: string; PartNumber: number; Body: unknown }) => {
      (parts.get(input.Key) as Buffer[])[input.PartNumber - 1] = await collect(input.Body);
      return { ETag: `"p${input.PartNumber}"` };
    });
    s3Mock.on(CompleteMultipartUploadCommand).callsFake(async (input: { Key: string }) => {
      payloads.set(input.Key, Buffer.concat(parts.get(input.Key) as Buffer[]));
      return {};
    });
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  });
  afterAll(() => {
    kmsMock.restore();
    s3Mock.restore();
    sqsMock.restore();
  });

  function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
    return { ...functionEnv(keyArn), ...extra };
  }

  /** Stores the object as the current version of its key (and as `versionId`, when given). */
  function put(object: SesStoredObject, versionId?: string): SesStoredObject {
    stored.set(object.key, { body: object.body, metadata: object.metadata });
    if (versionId !== undefined) {
      stored.set(`${object.key}@${versionId}`, { body: object.body, metadata: object.metadata });
      latest.set(object.key, versionId);
    }
    return object;
  }

  /** Makes S3 answer each read with the version it read, as a versioned bucket does. */
  function versioned(on: boolean): void {
    answerVersions = on;
  }

  function eventFor(...objects: SesStoredObject[]) {
    return s3Event(objects.map((o) => ({ bucket: MAIL_BUCKET, key: o.key, size: o.body.length })));
  }

  function sent(queueUrl: string) {
    return sqsMock
      .commandCalls(SendMessageCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.QueueUrl === queueUrl);
  }

  function failureRecords() {
    return sent(FAILURE).map((input) => JSON.parse(input.MessageBody as string));
  }

  /** The mail the index-th output message delivers, read back with the consumer helper. */
  async function received(index = 0, payloadPrefix = 'payloads/'): Promise<Buffer> {
    const input = sent(OUTPUT)[index];
    if (input === undefined) throw new Error('nothing on the output queue');
    const s3 = new S3Client({ region: 'us-east-1' });
    s3Mock.on(GetObjectCommand).callsFake(async (i: { Key: string }) => ({
      ContentLength: payloads.get(i.Key)?.length,
      Body: sdkStreamMixin(Readable.from([payloads.get(i.Key) as Buffer])),
    }));
    const mail = await readForwardedMail(
      { Body: input.MessageBody, MessageAttributes: input.MessageAttributes },
      { s3, payloadBucket: PAYLOAD_BUCKET, payloadPrefix },
    );
    return mail.mime;
  }

  return {
    emulator,
    keyArn,
    kmsMock,
    s3Mock,
    sqsMock,
    kms,
    clients,
    stored,
    payloads,
    baseEnv,
    put,
    versioned,
    eventFor,
    sent,
    failureRecords,
    received,
  };
}

async function collect(body: unknown): Promise<Buffer> {
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  const pieces: Buffer[] = [];
  for await (const piece of body as AsyncIterable<Uint8Array>) pieces.push(Buffer.from(piece));
  return Buffer.concat(pieces);
}

/** The function's variables as the stack sets them, for these queues, buckets and the key `keyArn`. */
export function functionEnv(keyArn: string): Record<string, string> {
  return {
    OUTPUT_QUEUE_URL: OUTPUT,
    FAILURE_QUEUE_URL: FAILURE,
    PAYLOAD_BUCKET,
    EXPECTED_KMS_KEY_ARN: keyArn,
    EXPECTED_SOURCE_ACCOUNT: ACCOUNT,
    ALLOWED_RULE_NAMES: RULE,
    MAIL_BUCKET,
  };
}
