/**
 * What the official-client checks share: the project's KMS emulator over HTTP with one fixed key (so every wrapped
 * data key names the same key ARN, and fixtures made here can be answered offline from their kms.json), moto's server
 * as S3, and the official Python client (scripts/official-clients/python_client.py) run against both. Everything
 * listens on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { KmsEmulator } from '../../local/kms-emulator';
import { startKmsEmulatorServer } from '../../local/kms-emulator-http';
import { type MotoServer, startMotoServer } from '../../local/moto-server';
import { INSTALL_HINT, pythonCommand } from '../python';

/** The fixed key: account 111122223333, us-east-1, the same ARN as the reference vectors' key. */
export const ORACLE_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
export const ORACLE_BUCKET = 'official-clients';
export const PYTHON_CLIENT = join(__dirname, 'python_client.py');

/** A stored object as S3 returns it: body and user metadata (no `x-amz-meta-` prefix), and an instruction file. */
export interface StoredObject {
  readonly body: Buffer;
  readonly metadata: Record<string, string>;
  readonly instruction?: Record<string, string>;
}

/** One job of python_client.py (see its docstring). */
export type PythonJob =
  | { op: 'put'; key: string; plaintext: string; format: 'v2' | 'v3'; context?: Record<string, string> }
  | { op: 'get'; key: string; output: string; policy: 'allow' | 'require'; context?: Record<string, string> };

export interface PythonResult {
  readonly ok: boolean;
  readonly error?: string;
}

export interface OracleWorld {
  readonly kms: KmsEmulator;
  readonly keyArn: string;
  readonly s3: S3Client;
  /** Fake credentials, region, and both endpoints: for the CLI and the Python client. */
  readonly env: Record<string, string>;
  put(key: string, object: StoredObject): Promise<void>;
  get(key: string): Promise<StoredObject>;
  python(jobs: readonly PythonJob[]): Promise<PythonResult[]>;
  stop(): Promise<void>;
}

export async function startOracleWorld(): Promise<OracleWorld> {
  const kms = new KmsEmulator();
  const keyArn = kms.createKey(ORACLE_KEY_ID);
  const kmsServer = await startKmsEmulatorServer(kms);
  let moto: MotoServer;
  try {
    moto = await startMotoServer(pythonCommand(), INSTALL_HINT);
  } catch (error) {
    await kmsServer.close();
    throw error;
  }
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: moto.url,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: ORACLE_BUCKET }));
  const env = {
    PATH: process.env.PATH ?? '',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ENDPOINT_URL_S3: moto.url,
    AWS_ENDPOINT_URL_KMS: kmsServer.url,
  };
  const put = async (key: string, object: StoredObject) => {
    await s3.send(
      new PutObjectCommand({ Bucket: ORACLE_BUCKET, Key: key, Body: object.body, Metadata: object.metadata }),
    );
    if (object.instruction !== undefined) {
      await s3.send(
        new PutObjectCommand({
          Bucket: ORACLE_BUCKET,
          Key: `${key}.instruction`,
          Body: JSON.stringify(object.instruction),
          Metadata: { 'x-amz-crypto-instr-file': '' },
        }),
      );
    }
  };
  const get = async (key: string): Promise<StoredObject> => {
    const out = await s3.send(new GetObjectCommand({ Bucket: ORACLE_BUCKET, Key: key }));
    return {
      body: Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()),
      metadata: out.Metadata ?? {},
    };
  };
  return {
    kms,
    keyArn,
    s3,
    env,
    put,
    get,
    python: (jobs) => runPythonClient(jobs, keyArn, env),
    stop: async () => {
      s3.destroy();
      await moto.stop();
      await kmsServer.close();
    },
  };
}

/** Runs the official Python client over the jobs; rejects when the script itself fails. */
function runPythonClient(
  jobs: readonly PythonJob[],
  keyArn: string,
  env: Record<string, string>,
): Promise<PythonResult[]> {
  const withBucket = jobs.map((job) => ({ ...job, bucket: ORACLE_BUCKET }));
  return new Promise((resolve, reject) => {
    const child = spawn(pythonCommand(), [PYTHON_CLIENT, '--kms-key-arn', keyArn], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (piece: Buffer) => out.push(piece));
    child.stderr.on('data', (piece: Buffer) => err.push(piece));
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0) {
        reject(new Error(`python_client.py exited ${status}: ${Buffer.concat(err).toString('utf8')}`));
        return;
      }
      resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as PythonResult[]);
    });
    child.stdin.end(JSON.stringify(withBucket));
  });
}
