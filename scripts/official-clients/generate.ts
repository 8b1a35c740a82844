/**
 * `npx tsx scripts/official-clients/generate.ts [python] [java]` (default: python): writes
 * test/fixtures/official-clients/<client>/, objects written by AWS's official S3 Encryption Clients (the Python
 * client, from requirements-dev.txt in .venv; the Java client, scripts/official-clients/java, built with Maven first) with a KMS keyring against the project's KMS emulator
 * (one fixed key) and moto's S3 on 127.0.0.1, then damaged the ways the vectors are. Each good object is read back
 * by the same client byte for byte, each damaged one must be refused by it; otherwise nothing is written.
 *
 * Per case, the reference vectors' layout (test/fixtures/vectors/README.md): object.bin, metadata.json, kms.json (the
 * wrapped data key, its plaintext, the exact context and key: what the emulator needs to answer offline),
 * instruction.json when split, plain.eml for good cases, expect.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Damage, V2_DAMAGES, V3_DAMAGES } from './damage';
import { type OracleClient, officialClients } from './official-client-runners';
import { type OracleWorld, type StoredObject, startOracleWorld } from './oracle-world';

const ROOT = join(__dirname, '..', '..');
const PLAINS = join(ROOT, 'test', 'fixtures', 'vectors');
export const OFFICIAL_FIXTURES = join(ROOT, 'test', 'fixtures', 'official-clients');

interface GoodCase {
  readonly name: string;
  readonly format: 'v2' | 'v3';
  /** The reference vector whose plain.eml (a nodemailer/mailparser test mail) is encrypted. */
  readonly mail: string;
  readonly context?: Record<string, string>;
}

export const GOOD_CASES: readonly GoodCase[] = [
  { name: 'v2-00', format: 'v2', mail: '001-ses' },
  { name: 'v2-01', format: 'v2', mail: '004-ses', context: { purpose: 'oracle', tenant: 'example' } },
  { name: 'v2-02', format: 'v2', mail: '000-ses', context: { purpose: 'oracle' } },
  { name: 'v3-00', format: 'v3', mail: '001-ses' },
  { name: 'v3-01', format: 'v3', mail: '004-ses', context: { purpose: 'oracle', tenant: 'example' } },
  { name: 'v3-02', format: 'v3', mail: '000-ses', context: { purpose: 'oracle' } },
];
/** The good case each format's damaged copies are made from. */
const DAMAGE_SOURCE = { v2: 'v2-01', v3: 'v3-01' } as const;

/** The context KMS bound a stored object's data key to, and the wrapped key: from its envelope. */
export function wrappedKeyOf(object: StoredObject): { blob: Buffer; context: Record<string, string> } {
  const m = { ...object.metadata, ...object.instruction };
  const v3 = m['x-amz-3'] !== undefined;
  return {
    blob: Buffer.from((v3 ? m['x-amz-3'] : m['x-amz-key-v2']) ?? '', 'base64'),
    context: JSON.parse((v3 ? m['x-amz-t'] : m['x-amz-matdesc']) ?? '{}') as Record<string, string>,
  };
}

function kmsJson(world: OracleWorld, object: StoredObject): Record<string, unknown> {
  const { blob, context } = wrappedKeyOf(object);
  const { Plaintext } = world.kms.decrypt({ CiphertextBlob: blob, EncryptionContext: context, KeyId: world.keyArn });
  return {
    ciphertextBlob: blob.toString('base64'),
    plaintext: Plaintext.toString('base64'),
    encryptionContext: context,
    keyId: world.keyArn,
  };
}

function writeCase(dir: string, object: StoredObject, kms: unknown, expect: unknown, plain?: Buffer): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'object.bin'), object.body);
  writeFileSync(join(dir, 'metadata.json'), `${JSON.stringify(object.metadata, null, 2)}\n`);
  if (object.instruction !== undefined) {
    writeFileSync(join(dir, 'instruction.json'), `${JSON.stringify(object.instruction, null, 2)}\n`);
  }
  writeFileSync(join(dir, 'kms.json'), `${JSON.stringify(kms, null, 2)}\n`);
  writeFileSync(join(dir, 'expect.json'), `${JSON.stringify(expect, null, 2)}\n`);
  if (plain !== undefined) writeFileSync(join(dir, 'plain.eml'), plain);
}

async function generateFor(client: OracleClient, world: OracleWorld, work: string): Promise<void> {
  const plainOf = (c: GoodCase) => readFileSync(join(PLAINS, c.mail, 'plain.eml'));
  const key = (name: string) => `${client.name}/${name}`;
  const put = await client.run(
    world,
    GOOD_CASES.map((c) => ({
      op: 'put' as const,
      key: key(c.name),
      plaintext: join(PLAINS, c.mail, 'plain.eml'),
      format: c.format,
      context: c.context,
    })),
  );
  if (!put.every((r) => r.ok)) throw new Error(`${client.name}: a put failed: ${JSON.stringify(put)}`);
  const stored = new Map<string, StoredObject>();
  for (const c of GOOD_CASES) stored.set(c.name, await world.get(key(c.name)));

  const damaged: { name: string; damage: string; source: GoodCase; object: StoredObject }[] = [];
  for (const format of ['v2', 'v3'] as const) {
    const source = GOOD_CASES.find((c) => c.name === DAMAGE_SOURCE[format]) as GoodCase;
    const damages: Readonly<Record<string, Damage>> = format === 'v2' ? V2_DAMAGES : V3_DAMAGES;
    for (const [damage, apply] of Object.entries(damages)) {
      const object = apply(stored.get(source.name) as StoredObject, plainOf(source));
      const name = `${damage}-${format}`;
      await world.put(key(name), object);
      damaged.push({ name, damage, source, object });
    }
  }
  const reads = [
    ...GOOD_CASES.map((c) => ({ name: c.name, context: c.context, policy: c.format === 'v3' ? 'require' : 'allow' })),
    ...damaged.map((d) => ({ name: d.name, context: d.source.context, policy: 'allow' })),
  ];
  const got = await client.run(
    world,
    reads.map((r) => ({
      op: 'get' as const,
      key: key(r.name),
      output: join(work, `${client.name}-${r.name}.out`),
      policy: r.policy as 'allow' | 'require',
      context: r.context,
    })),
  );
  const verdict = new Map(reads.map((r, index) => [r.name, got[index]]));
  const out = join(OFFICIAL_FIXTURES, client.name);
  rmSync(out, { recursive: true, force: true });
  for (const c of GOOD_CASES) {
    const plain = plainOf(c);
    const back = readFileSync(join(work, `${client.name}-${c.name}.out`));
    if (verdict.get(c.name)?.ok !== true || !back.equals(plain)) {
      throw new Error(`${client.name} did not read its own ${c.name} back byte for byte`);
    }
    const object = stored.get(c.name) as StoredObject;
    const expect = {
      outcome: 'ok',
      format: c.format,
      ...(c.context === undefined ? {} : { callerEncryptionContext: c.context }),
      source: `../../vectors/${c.mail}/plain.eml`,
      writtenBy: client.writtenBy(c.format),
      readBackBy: `${client.label}: byte for byte`,
    };
    writeCase(join(out, c.name), object, kmsJson(world, object), expect, plain);
  }
  for (const d of damaged) {
    const refusal = verdict.get(d.name);
    if (refusal?.ok !== false) throw new Error(`${client.name} did not refuse ${d.name}`);
    const expect = {
      outcome: 'reject',
      damage: d.damage,
      source: d.source.name,
      refusedBy: `${client.label}: ${refusal.error}`,
    };
    const sourceObject = stored.get(d.source.name) as StoredObject;
    writeCase(join(out, d.name), d.object, kmsJson(world, sourceObject), expect);
  }
  client.writeReadme(out);
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).length === 0 ? ['python'] : process.argv.slice(2);
  const clients = officialClients({ java: wanted.includes('java') }).filter((c) => wanted.includes(c.name));
  const world = await startOracleWorld();
  const work = mkdtempSync(join(tmpdir(), 'official-clients-'));
  try {
    for (const client of clients) {
      await generateFor(client, world, work);
      process.stdout.write(`wrote ${join(OFFICIAL_FIXTURES, client.name)}\n`);
    }
  } finally {
    await world.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`generate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
