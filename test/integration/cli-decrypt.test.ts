/**
 * The compiled CLI's `decrypt` against the KMS emulator over HTTP: every reference vector gives its expected outcome,
 * and a refusal writes nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LEGACY_CBC_WARNING } from '../../cli/decrypt-command';
import { DAMAGED_VECTOR_REASONS } from '../support/damaged-vector-reasons';
import { CLI_PATH, expectDecryptOutcome, runCli } from '../support/run-cli';
import { vectorCliWorld } from '../support/vector-cli-world';
import { loadAllVectors, VECTOR_KEY_ARN, type Vector } from '../support/vectors';

const vectors = loadAllVectors();
const world = vectorCliWorld(vectors, 'cli-decrypt-');

function argsFor(vector: Vector, ...extra: string[]): string[] {
  const context = Object.entries(vector.callerEncryptionContext ?? {}).flatMap(([k, v]) => [
    '--encryption-context',
    `${k}=${v}`,
  ]);
  return [
    'decrypt',
    '--file',
    join(vector.dir, 'object.bin'),
    '--metadata',
    join(vector.dir, 'metadata.json'),
    ...context,
    ...extra,
  ];
}

describe.each(vectors.map((v) => [v.name, v] as const))('vector %s', (_name, vector) => {
  it('gives its expected outcome through the CLI', async () => {
    const output = join(world.work, `${vector.name}.eml`);
    const result = await runCli(argsFor(vector, '-o', output), world.env);
    expectDecryptOutcome(result, output, vector, DAMAGED_VECTOR_REASONS[vector.name]);
  });

  if (vector.outcome === 'ok-only-with-legacy-cbc-allowed') {
    it('decrypts with --allow-legacy-cbc only (warning what it risks); the environment cannot switch it on', async () => {
      const byFlag = await runCli(argsFor(vector, '--allow-legacy-cbc'), world.env);
      expect(byFlag.status).toBe(0);
      expect(byFlag.stdout.equals(vector.plain as Buffer)).toBe(true);
      expect(byFlag.stderr).toBe(`${LEGACY_CBC_WARNING}\n`);
      const byEnv = await runCli(argsFor(vector), { ...world.env, ALLOW_LEGACY_CBC: 'true' });
      expect(byEnv.status).toBe(1);
      expect(byEnv.stderr).toContain('refused (LEGACY_CBC_REFUSED)');
    });
  }
});

it('leaves no file behind, not even a temporary one, when it refuses', async () => {
  const dir = mkdtempSync(join(world.work, 'refused-'));
  const vector = vectors.find((v) => v.name === 'bad-flipped-tag') as Vector;
  const result = await runCli(argsFor(vector, '-o', join(dir, 'out.eml')), world.env);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('AUTHENTICATION_FAILED');
  expect(readdirSync(dir)).toEqual([]);
  expect(result.stdout.length).toBe(0);
});

it('reads `aws s3api head-object` output as metadata', async () => {
  const vector = vectors.find((v) => v.name === '004-ses') as Vector;
  const headObject = join(world.work, 'head-object.json');
  writeFileSync(
    headObject,
    JSON.stringify({ AcceptRanges: 'bytes', ContentLength: vector.object.length, Metadata: vector.metadata }),
  );
  const result = await runCli(
    ['decrypt', '--file', join(vector.dir, 'object.bin'), '--metadata', headObject],
    world.env,
  );
  expect(result.status).toBe(0);
  expect(result.stdout.equals(vector.plain as Buffer)).toBe(true);
});

it('applies the source-account and rule-name policy from flags and from the environment', async () => {
  const vector = vectors.find((v) => v.name === '001-ses') as Vector;
  const wrongAccount = await runCli(argsFor(vector, '--source-account', '444455556666'), world.env);
  expect(wrongAccount.status).toBe(1);
  expect(wrongAccount.stderr).toContain('SOURCE_ACCOUNT_MISMATCH');
  const wrongRule = await runCli(argsFor(vector), { ...world.env, ALLOWED_RULE_NAMES: 'other-rule' });
  expect(wrongRule.stderr).toContain('RULE_NAME_NOT_ALLOWED');
  const allowed = await runCli(argsFor(vector, '--source-account', '111122223333', '--rule-name', 'store-encrypted'), {
    ...world.env,
    ALLOWED_RULE_NAMES: 'other-rule',
  });
  expect(allowed.status).toBe(0);
});

it('refuses when pinned to another key, whatever the key the object names', async () => {
  const vector = vectors.find((v) => v.name === '000-ses') as Vector;
  const other = 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000';
  const result = await runCli(argsFor(vector, '--kms-key-arn', other), world.env);
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/refused \(KMS_/);
});

it('says what is missing when no KMS key is configured, and exits 2', async () => {
  const vector = vectors.find((v) => v.name === '000-ses') as Vector;
  const { EXPECTED_KMS_KEY_ARN: _unused, ...noKey } = world.env;
  const result = await runCli(argsFor(vector), noKey);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('EXPECTED_KMS_KEY_ARN');
});

it('rejects a malformed command line with usage and exit 2', async () => {
  expect((await runCli(['decrypt', 'not-an-s3-uri'], world.env)).status).toBe(2);
  expect((await runCli(['decrypt', '--file', 'x'], world.env)).status).toBe(2);
  expect((await runCli(['decrypt', '--bogus'], world.env)).status).toBe(2);
  expect((await runCli(['frobnicate'], world.env)).status).toBe(2);
  expect((await runCli(['decrypt', '--help'], world.env)).stdout.toString()).toContain('--encryption-context');
});

describe('errors the user causes name the cause and the fix', () => {
  it('a misspelt flag: a plain message naming the closest flag, exit 2', async () => {
    const vector = vectors.find((v) => v.name === '000-ses') as Vector;
    const result = await runCli(argsFor(vector, '--kms-key', VECTOR_KEY_ARN), world.env);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      "ses-inbound decrypt: unknown option --kms-key; did you mean --kms-key-arn?\nRun 'ses-inbound decrypt --help' for its options.\n",
    );
    const typo = await runCli(argsFor(vector, '--ouptut', 'x.eml'), world.env);
    expect(typo.stderr).toContain('unknown option --ouptut; did you mean --output?');
    const command = await runCli(['decrpyt'], world.env);
    expect(command.status).toBe(2);
    expect(command.stderr).toContain("unknown command 'decrpyt'; did you mean decrypt?");
  });

  it('a file that is not there: its flag and path, exit 2', async () => {
    const vector = vectors.find((v) => v.name === '000-ses') as Vector;
    const missing = join(world.work, 'no-such-object.bin');
    const result = await runCli(
      ['decrypt', '--file', missing, '--metadata', join(vector.dir, 'metadata.json')],
      world.env,
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`ses-inbound decrypt: --file ${missing}: no such file\n`);
    const noMetadata = await runCli(
      ['decrypt', '--file', join(vector.dir, 'object.bin'), '--metadata', `${missing}.json`],
      world.env,
    );
    expect(noMetadata.status).toBe(2);
    expect(noMetadata.stderr).toContain(`--metadata ${missing}.json: no such file`);
  });

  it.each([
    ['a folder', (dir: string) => dir, /exists and is not a regular file/],
    [
      'a symbolic link (replaced, not written through, if it were allowed)',
      (dir: string) => {
        symlinkSync(join(dir, 'elsewhere'), join(dir, 'link.eml'));
        return join(dir, 'link.eml');
      },
      /is a symbolic link/,
    ],
    ['a path whose folder does not exist', (dir: string) => join(dir, 'missing', 'out.eml'), /does not exist/],
  ])('-o naming %s: exit 2 before decrypting, nothing written', async (_label, pathIn, message) => {
    const vector = vectors.find((v) => v.name === '000-ses') as Vector;
    const dir = mkdtempSync(join(world.work, 'output-'));
    const output = pathIn(dir);
    const before = readdirSync(dir).sort();
    const result = await runCli(argsFor(vector, '-o', output), world.env);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(result.stdout.length).toBe(0);
  });

  it('--file from a pipe (no size to read): decrypts the object byte-exact', async () => {
    const vector = vectors.find((v) => v.name === '000-ses') as Vector;
    const child = spawn(
      '/bin/sh',
      [
        '-c',
        'cat "$0" | exec "$@"',
        join(vector.dir, 'object.bin'),
        process.execPath,
        CLI_PATH,
        'decrypt',
        '--file',
        '/dev/stdin',
        '--metadata',
        join(vector.dir, 'metadata.json'),
      ],
      { env: world.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (piece: Buffer) => out.push(piece));
    child.stderr.on('data', (piece: Buffer) => err.push(piece));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(Buffer.concat(err).toString('utf8')).toBe('');
    expect(status).toBe(0);
    expect(Buffer.concat(out).equals(vector.plain as Buffer)).toBe(true);
  });

  it('an alias or key id as the pin: says to give the key ARN, and how to find it, exit 2', async () => {
    const vector = vectors.find((v) => v.name === '000-ses') as Vector;
    const result = await runCli(argsFor(vector, '--kms-key-arn', 'alias/inbound-mail'), world.env);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('must be a KMS key ARN');
    expect(result.stderr).toContain('aws kms describe-key');
  });

  it('no credentials at all: says where to set them, exit 4 (not a refusal of the object)', async () => {
    const vector = vectors.find((v) => v.name === '000-ses') as Vector;
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...noCredentials } = world.env;
    const result = await runCli(argsFor(vector), noCredentials);
    expect(result.status).toBe(4);
    expect(result.stderr).toMatch(/^ses-inbound decrypt: no AWS credentials found: set AWS_PROFILE/);
    expect(result.stdout.length).toBe(0);
  });

  it('no region (replay, which has no key ARN to take it from): says to set AWS_REGION, exit 4', async () => {
    const { AWS_REGION: _region, ...noRegion } = world.env;
    const result = await runCli(['replay', 's3://inbound-mail/raw/', '--dry-run'], noRegion);
    expect(result.status).toBe(4);
    expect(result.stderr).toBe('ses-inbound replay: no AWS region: set AWS_REGION (or a region in your AWS_PROFILE)\n');
  });

  it('--version prints the version', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    const result = await runCli(['--version'], world.env);
    expect(result.status).toBe(0);
    expect(result.stdout.toString()).toBe(`ses-inbound ${version}\n`);
  });
});

it.each([
  ['npx ses-inbound', ['ses-inbound']],
  ['npm run -s cli --', ['npm', 'run', '-s', 'cli', '--']],
])('writes nothing but the MIME to standard output through `%s`, so it can be piped', async (_how, command) => {
  const vector = vectors.find((v) => v.name === '001-ses') as Vector;
  const [program, ...prefix] = command[0] === 'ses-inbound' ? ['npx', 'ses-inbound'] : command;
  const result = await new Promise<{ status: number | null; stdout: Buffer }>((resolve, reject) => {
    const child = spawn(program as string, [...prefix, ...argsFor(vector)], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, ...world.env },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (piece: Buffer) => out.push(piece));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out) }));
  });
  expect(result.status).toBe(0);
  expect(result.stdout.equals(vector.plain as Buffer)).toBe(true);
});

it('leaves npm its own messages: an unknown script is reported, not silenced', async () => {
  const result = await new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn('npm', ['run', 'no-such-script'], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (piece: Buffer) => (stderr += piece.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain('Missing script');
});
