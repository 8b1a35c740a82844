/**
 * Exit statuses the operator scripts on, through the compiled CLI and the KMS emulator over HTTP: a throttled KMS is
 * a transient failure (3, run again), never a refusal (1); an object whose encryption context lacks a pair the
 * operator asked for is refused (1, CONTEXT_MISMATCH).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/run-cli';
import { vectorCliWorld } from '../support/vector-cli-world';
import { loadAllVectors, type Vector } from '../support/vectors';

const vectors = loadAllVectors();
const world = vectorCliWorld(vectors, 'cli-exit-status-');

function decryptArgs(name: string, ...extra: string[]): string[] {
  const vector = vectors.find((v) => v.name === name) as Vector;
  return [
    'decrypt',
    '--file',
    join(vector.dir, 'object.bin'),
    '--metadata',
    join(vector.dir, 'metadata.json'),
    ...extra,
  ];
}

describe('a throttled KMS', () => {
  afterEach(() => world.kms.throttleNext(0));

  it('exits 3 (transient: run again), not 1, and writes nothing', async () => {
    // Every attempt the SDK makes is throttled.
    world.kms.throttleNext(1000);
    const output = join(world.work, 'throttled.eml');
    const result = await runCli(decryptArgs('000-ses', '-o', output), world.env);
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(/^ses-inbound decrypt: failed, may succeed on retry \(TRANSIENT\): [^\n]+\n$/);
    expect(existsSync(output)).toBe(false);
    expect(result.stdout.length).toBe(0);
  });

  it('the same command succeeds once KMS answers again', async () => {
    const result = await runCli(decryptArgs('000-ses'), world.env);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('--encryption-context with a pair the object does not carry', () => {
  it.each([
    // kms+context (V2): the context must be exactly the operator's.
    ['v2-00', ['purpose=oracle'], ['purpose=oracle', 'tenant=acme']],
    // kms (SES): every pair the operator gives must be in the material description.
    ['000-ses', ['aws:ses:rule-name=store-encrypted'], ['aws:ses:rule-name=store-encrypted', 'tenant=acme']],
  ])(
    '%s: one pair it carries decrypts; two of which it carries one are refused CONTEXT_MISMATCH, exit 1',
    async (name, carried, asked) => {
      const pairs = (list: string[]) => list.flatMap((pair) => ['--encryption-context', pair]);
      const accepted = await runCli(decryptArgs(name, ...pairs(carried)), world.env);
      expect(accepted.stderr).toBe('');
      expect(accepted.status).toBe(0);

      const output = join(world.work, `${name}-context.eml`);
      const refused = await runCli(decryptArgs(name, ...pairs(asked), '-o', output), world.env);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/^ses-inbound decrypt: refused \(CONTEXT_MISMATCH\): [^\n]+\n$/);
      expect(existsSync(output)).toBe(false);
    },
  );
});
