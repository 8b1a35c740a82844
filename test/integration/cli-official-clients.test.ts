/**
 * `ses-inbound decrypt --file --metadata` over the objects AWS's official S3 Encryption Clients for Python and Java
 * wrote (test/fixtures/official-clients/python and java): each V2 and V3 object gives the mail that was encrypted, byte for byte;
 * each damaged one is refused with the reason its damage deserves and no output file. The split-envelope damage needs
 * its instruction file from S3: `npm run test:official-clients` reads it there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reasonForDamage } from '../support/official-client-damage-reasons';
import { expectDecryptOutcome, runCli } from '../support/run-cli';
import { vectorCliWorld } from '../support/vector-cli-world';
import { loadAllVectors, VECTOR_KEY_ARN, type Vector } from '../support/vectors';

const byClient = ['python', 'java'].map((client) => ({
  client,
  objects: loadAllVectors(join(__dirname, '..', 'fixtures', 'official-clients', client)),
}));
const objects = byClient.flatMap((c) => c.objects.map((o) => ({ ...o, name: `${c.client}/${o.name}` })));
const world = vectorCliWorld(objects, 'cli-official-clients-');
const expectOf = (o: Vector) =>
  JSON.parse(readFileSync(join(o.dir, 'expect.json'), 'utf8')) as { format?: string; damage?: string; source?: string };
const contextArgs = (context: Record<string, string> | undefined) =>
  Object.entries(context ?? {}).flatMap(([name, value]) => ['--encryption-context', `${name}=${value}`]);

function decrypt(o: Vector, context: Record<string, string> | undefined, output: string, flags: string[] = []) {
  return runCli(
    [
      'decrypt',
      '--file',
      join(o.dir, 'object.bin'),
      '--metadata',
      join(o.dir, 'metadata.json'),
      ...contextArgs(context),
      ...flags,
      '-o',
      output,
    ],
    world.env,
  );
}

it('pins the key the official client wrapped every data key under', () => {
  expect(new Set(objects.map((o) => o.kms.keyId))).toEqual(new Set([VECTOR_KEY_ARN]));
});

describe.each(objects.filter((o) => o.outcome === 'ok').map((o) => [o.name, o] as const))(
  'official client object %s through the compiled CLI',
  (_name, o) => {
    it('decrypts to the mail that was encrypted, byte for byte', async () => {
      const output = join(world.work, `${o.name.replace('/', '-')}.eml`);
      expectDecryptOutcome(await decrypt(o, o.callerEncryptionContext, output), output, o);
    });

    if (expectOf(o).format === 'v3') {
      it('decrypts with --require-key-commitment too', async () => {
        const output = join(world.work, `${o.name.replace('/', '-')}-required.eml`);
        const result = await decrypt(o, o.callerEncryptionContext, output, ['--require-key-commitment']);
        expectDecryptOutcome(result, output, o);
      });
    }
  },
);

const damaged = objects.filter((o) => o.outcome === 'reject' && o.instruction === undefined);
describe.each(damaged.map((o) => [o.name, o] as const))('damaged official client object %s', (_name, o) => {
  it('is refused with the reason its damage deserves, writing nothing', async () => {
    const expected = expectOf(o);
    const source = objects.find((s) => s.name === `${o.name.split('/')[0]}/${expected.source}`) as Vector;
    const output = join(world.work, `${o.name.replace('/', '-')}.eml`);
    const result = await decrypt(o, source.callerEncryptionContext, output);
    expectDecryptOutcome(result, output, o, reasonForDamage(expected.damage as string));
  });
});
