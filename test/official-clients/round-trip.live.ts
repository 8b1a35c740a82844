/**
 * `npm run test:official-clients`: AWS's official S3 Encryption Clients against the project, live, both ways, on
 * 127.0.0.1 (the project's KMS emulator with one fixed key, moto's server as S3; scripts/official-clients/):
 * - the official client writes V2 and V3 objects now; the reader (api/reader.ts, from S3) and the compiled CLI
 *   (`decrypt s3://…`) decrypt each to the mail that was encrypted, byte for byte;
 * - the project's V3 writer (local/s3ec-v3-writer.ts) writes objects, envelope in the metadata or in an instruction
 *   file; the official client decrypts each byte for byte;
 * - every object of both writers damaged the ways the vectors are (scripts/official-clients/damage.ts) is refused by
 *   the official client and by the reader and the CLI, with the reason the damage deserves.
 * The Python client runs always; the Java client when OFFICIAL_CLIENTS includes `java` (the npm script sets it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { decryptMail, loadInstructionFile } from '../../api/reader';
import { writeV3Object } from '../../local/s3ec-v3-writer';
import { type Damage, V2_DAMAGES, V3_DAMAGES } from '../../scripts/official-clients/damage';
import { type OracleClient, officialClients } from '../../scripts/official-clients/official-client-runners';
import { ORACLE_BUCKET, type OracleWorld, startOracleWorld } from '../../scripts/official-clients/oracle-world';
import { reasonForDamage } from '../support/official-client-damage-reasons';
import { codeOf } from '../support/refusals';
import { expectDecryptOutcome, runCli } from '../support/run-cli';
import { inPieces, joinPlaintext } from '../support/streams';

const VECTORS = join(__dirname, '..', 'fixtures', 'vectors');
const MAILS = ['001-ses', '004-ses', '000-ses', '005-ses'].map((name) => ({
  name,
  plain: readFileSync(join(VECTORS, name, 'plain.eml')),
}));
const CONTEXTS: (Record<string, string> | undefined)[] = [undefined, { purpose: 'oracle', tenant: 'live' }];
const clients = officialClients({ java: (process.env.OFFICIAL_CLIENTS ?? '').split(',').includes('java') });

let world: OracleWorld;
let kms: KMSClient;
let work: string;
beforeAll(async () => {
  world = await startOracleWorld();
  kms = new KMSClient({
    region: 'us-east-1',
    endpoint: world.env.AWS_ENDPOINT_URL_KMS,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  work = mkdtempSync(join(tmpdir(), 'official-clients-live-'));
}, 60_000);
afterAll(async () => {
  kms?.destroy();
  await world?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

/** The reader, as a user of api/reader.ts calls it, on an object in S3. */
async function readerDecrypt(key: string, context: Record<string, string> | undefined): Promise<Buffer> {
  const stored = await world.get(key);
  const result = await decryptMail(
    {
      metadata: stored.metadata,
      body: inPieces(stored.body),
      contentLength: stored.body.length,
      loadInstructionFile: () => loadInstructionFile(world.s3, ORACLE_BUCKET, key),
    },
    { kms, expectedKmsKeyArn: world.keyArn, expectedEncryptionContext: context },
  );
  return joinPlaintext(result.plaintext);
}

function cliDecrypt(key: string, context: Record<string, string> | undefined, output: string) {
  const contextArgs = Object.entries(context ?? {}).flatMap(([k, v]) => ['--encryption-context', `${k}=${v}`]);
  return runCli(['decrypt', `s3://${ORACLE_BUCKET}/${key}`, ...contextArgs, '-o', output], {
    ...world.env,
    EXPECTED_KMS_KEY_ARN: world.keyArn,
  });
}

interface Written {
  readonly key: string;
  readonly format: 'v2' | 'v3';
  readonly plain: Buffer;
  readonly context?: Record<string, string>;
}

/** Damages each written object every way its format can be damaged; puts the damaged copies in S3. */
async function damageAll(written: readonly Written[]): Promise<(Written & { damage: string })[]> {
  const out: (Written & { damage: string })[] = [];
  for (const w of written) {
    const damages: Readonly<Record<string, Damage>> = w.format === 'v2' ? V2_DAMAGES : V3_DAMAGES;
    const stored = await world.get(w.key);
    const instruction = await loadInstructionFile(world.s3, ORACLE_BUCKET, w.key);
    for (const [damage, apply] of Object.entries(damages)) {
      const key = `${w.key}.${damage}`;
      await world.put(key, apply({ ...stored, instruction }, w.plain));
      out.push({ ...w, key, damage });
    }
  }
  return out;
}

describe.each(clients.map((c) => [c.label, c] as const))('%s', (_label, client: OracleClient) => {
  const written: Written[] = [];

  it('writes V2 and V3 objects that the reader and the CLI decrypt byte for byte', async () => {
    for (const format of ['v2', 'v3'] as const) {
      for (const [index, mail] of MAILS.entries()) {
        const context = CONTEXTS[index % CONTEXTS.length];
        const path = join(work, `${client.name}-${mail.name}.eml`);
        writeFileSync(path, mail.plain);
        written.push({ key: `${client.name}/${format}/${mail.name}`, format, plain: mail.plain, context });
      }
    }
    const results = await client.run(
      world,
      written.map((w) => ({
        op: 'put' as const,
        key: w.key,
        plaintext: join(work, `${client.name}-${w.key.split('/').pop()}.eml`),
        format: w.format,
        context: w.context,
      })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    for (const w of written) {
      const stored = await world.get(w.key);
      expect(stored.metadata[w.format === 'v3' ? 'x-amz-c' : 'x-amz-cek-alg']).toBe(
        w.format === 'v3' ? '115' : 'AES/GCM/NoPadding',
      );
      expect((await readerDecrypt(w.key, w.context)).equals(w.plain)).toBe(true);
      const output = join(work, `${client.name}-cli-${w.format}-${w.plain.length}.eml`);
      expectDecryptOutcome(await cliDecrypt(w.key, w.context, output), output, { outcome: 'ok', plain: w.plain });
    }
  }, 300_000);

  it('decrypts the project V3 writer objects byte for byte (envelope in the metadata or an instruction file)', async () => {
    const ours: Written[] = [];
    for (const [index, mail] of MAILS.entries()) {
      const context = CONTEXTS[index % CONTEXTS.length];
      const object = await writeV3Object(kms, mail.plain, {
        kmsKeyArn: world.keyArn,
        encryptionContext: context,
        instructionFile: mail.name === '000-ses',
      });
      const key = `ours-for-${client.name}/${mail.name}`;
      await world.put(key, object);
      ours.push({ key, format: 'v3', plain: mail.plain, context });
    }
    const results = await client.run(
      world,
      ours.map((w, index) => ({
        op: 'get' as const,
        key: w.key,
        output: join(work, `${client.name}-ours-${index}.out`),
        policy: 'require' as const,
        context: w.context,
      })),
    );
    for (const [index, w] of ours.entries()) {
      expect(results[index]).toEqual({ ok: true });
      expect(readFileSync(join(work, `${client.name}-ours-${index}.out`)).equals(w.plain)).toBe(true);
    }
    written.push(...ours);
  }, 300_000);

  it('refuses every damaged object, as the reader and the CLI do, for the reason its damage deserves', async () => {
    // One object of each writer and format (the 004-ses mail, with a caller context, envelope in the metadata).
    const damaged = await damageAll(written.filter((w) => w.key.endsWith('/004-ses')));
    const results = await client.run(
      world,
      damaged.map((d, index) => ({
        op: 'get' as const,
        key: d.key,
        output: join(work, `${client.name}-damaged-${index}.out`),
        policy: 'allow' as const,
        context: d.context,
      })),
    );
    for (const [index, d] of damaged.entries()) {
      expect([d.key, results[index]?.ok]).toEqual([d.key, false]);
      expect([d.key, await codeOf(readerDecrypt(d.key, d.context))]).toEqual([d.key, reasonForDamage(d.damage)]);
      const output = join(work, `${client.name}-damaged-cli-${index}.eml`);
      expectDecryptOutcome(
        await cliDecrypt(d.key, d.context, output),
        output,
        { outcome: 'reject' },
        reasonForDamage(d.damage),
      );
    }
  }, 600_000);
});
