/**
 * The compiled CLI reads the key-committing V3 format: every case of test/fixtures/vectors-v3 from files and from S3
 * (fauxqs), the instruction-file case from S3 as `<key>.instruction`, objects of the project's V3 writer either way, and
 * the commitment policy flag.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { LOCAL_MAIL_BUCKET, type LocalStack, startLocalStack } from '../../local/local-stack';
import { writeV3Object } from '../../local/s3ec-v3-writer';
import { DAMAGED_VECTOR_REASONS } from '../support/damaged-vector-reasons';
import { expectDecryptOutcome, offlineAwsEnv, runCli } from '../support/run-cli';
import { addVectorKeys, loadAllVectors, VECTOR_KEY_ARN, VECTORS_V3_DIR, type Vector } from '../support/vectors';

const vectors = loadAllVectors(VECTORS_V3_DIR);
const sesVector = loadAllVectors().find((v) => v.name === '000-ses') as Vector;
let stack: LocalStack;
let work: string;

/** The emulators' endpoints and credentials only: no SES account or rule policy, which V3 objects cannot meet. */
function envFor(kmsKeyArn: string): Record<string, string> {
  return offlineAwsEnv({
    AWS_ENDPOINT_URL_S3: stack.env.AWS_ENDPOINT_URL_S3 as string,
    AWS_ENDPOINT_URL_KMS: stack.env.AWS_ENDPOINT_URL_KMS as string,
    EXPECTED_KMS_KEY_ARN: kmsKeyArn,
  });
}

/** The context the writer bound (kms.json), less the suite: what a caller of the vectors expects. */
function contextArgs(vector: Vector): string[] {
  return Object.entries(vector.kms.encryptionContext ?? {})
    .filter(([name]) => name !== 'aws:x-amz-cek-alg')
    .flatMap(([name, value]) => ['--encryption-context', `${name}=${value}`]);
}

async function putVector(key: string, vector: Pick<Vector, 'object' | 'metadata' | 'instruction'>): Promise<void> {
  await stack.clients.s3.send(
    new PutObjectCommand({ Bucket: LOCAL_MAIL_BUCKET, Key: key, Body: vector.object, Metadata: vector.metadata }),
  );
  if (vector.instruction !== undefined) {
    await stack.clients.s3.send(
      new PutObjectCommand({
        Bucket: LOCAL_MAIL_BUCKET,
        Key: `${key}.instruction`,
        Body: JSON.stringify(vector.instruction),
        Metadata: { 'x-amz-crypto-instr-file': '' },
      }),
    );
  }
}

beforeAll(async () => {
  stack = await startLocalStack();
  addVectorKeys(stack.kms, [...vectors, sesVector]);
  for (const vector of vectors) {
    await putVector(`v3/${vector.name}`, vector);
  }
  work = mkdtempSync(join(tmpdir(), 'cli-v3-'));
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe.each(vectors.map((v) => [v.name, v] as const))('V3 vector %s through the compiled CLI', (_name, vector) => {
  const expectOutcome = (result: Awaited<ReturnType<typeof runCli>>, output: string) =>
    expectDecryptOutcome(result, output, vector, DAMAGED_VECTOR_REASONS[vector.name]);

  it('gives its expected outcome from S3 (either envelope location)', async () => {
    const output = join(work, `${vector.name}-s3.eml`);
    const result = await runCli(
      ['decrypt', `s3://${LOCAL_MAIL_BUCKET}/v3/${vector.name}`, ...contextArgs(vector), '-o', output],
      envFor(VECTOR_KEY_ARN),
    );
    expectOutcome(result, output);
  });

  if (vector.instruction === undefined) {
    it('gives its expected outcome from files, with --require-key-commitment too', async () => {
      for (const flags of [[], ['--require-key-commitment']]) {
        const output = join(work, `${vector.name}-file${flags.length}.eml`);
        const result = await runCli(
          [
            'decrypt',
            '--file',
            join(vector.dir, 'object.bin'),
            '--metadata',
            join(vector.dir, 'metadata.json'),
            ...contextArgs(vector),
            ...flags,
            '-o',
            output,
          ],
          envFor(VECTOR_KEY_ARN),
        );
        expectOutcome(result, output);
      }
    });
  }
});

it('refuses SES mail with --require-key-commitment (KEY_COMMITMENT_REQUIRED) and reads it without', async () => {
  const args = [
    'decrypt',
    '--file',
    join(sesVector.dir, 'object.bin'),
    '--metadata',
    join(sesVector.dir, 'metadata.json'),
  ];
  const required = await runCli([...args, '--require-key-commitment'], envFor(VECTOR_KEY_ARN));
  expect(required.status).toBe(1);
  expect(required.stderr).toContain('refused (KEY_COMMITMENT_REQUIRED)');
  expect(required.stdout.length).toBe(0);
  const allowed = await runCli(args, envFor(VECTOR_KEY_ARN));
  expect(allowed.status).toBe(0);
  expect(allowed.stdout.equals(sesVector.plain as Buffer)).toBe(true);
});

it.each([false, true])(
  'reads a 3 MiB 8-bit mail the project V3 writer put in S3 (instruction file: %s)',
  async (split) => {
    const mime = Buffer.concat([Buffer.from('Subject: =?iso-8859-1?q?caf=E9?=\r\n\r\n'), Buffer.alloc(3 << 20, 0xe9)]);
    const written = await writeV3Object(stack.clients.kms, mime, {
      kmsKeyArn: stack.kmsKeyArn,
      encryptionContext: { tenant: 'acme' },
      instructionFile: split,
    });
    const key = `v3/written-${split}`;
    await putVector(key, { object: written.body, metadata: written.metadata, instruction: written.instruction });
    const result = await runCli(
      [
        'decrypt',
        `s3://${LOCAL_MAIL_BUCKET}/${key}`,
        '--encryption-context',
        'tenant=acme',
        '--require-key-commitment',
      ],
      envFor(stack.kmsKeyArn),
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.equals(mime)).toBe(true);
  },
);

it('writes nothing for a V3 object whose commitment was changed in S3', async () => {
  const vector = vectors.find((v) => v.name === 'v3-01') as Vector;
  const commitment = Buffer.from(vector.metadata['x-amz-d'] as string, 'base64');
  commitment[0] = (commitment[0] as number) ^ 1;
  await putVector('v3/changed', {
    ...vector,
    metadata: { ...vector.metadata, 'x-amz-d': commitment.toString('base64') },
  });
  const output = join(work, 'changed.eml');
  const result = await runCli(
    ['decrypt', `s3://${LOCAL_MAIL_BUCKET}/v3/changed`, ...contextArgs(vector), '-o', output],
    envFor(VECTOR_KEY_ARN),
  );
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('refused (KEY_COMMITMENT_MISMATCH)');
  expect(() => readFileSync(output)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
});
