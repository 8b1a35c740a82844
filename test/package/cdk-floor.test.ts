/**
 * The oldest aws-cdk-lib the package supports (its peer range's floor, 2.250.0) as a user pinned there has it: the
 * packed tarball installs beside aws-cdk-lib at the floor without `--legacy-peer-deps`, a ten-line app with cdk-nag 2
 * (cdk-nag 3 needs aws-cdk-lib 2.257.0) synthesizes with no finding of the construct's left unacknowledged, and the
 * construct's own sources type-check against the floor's declarations (a property a newer release added would be an
 * excess property there, silently dropped at run time). The newest release is test/package/pack-install.test.ts's.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, run, sharedTarball, synth } from '../support/packed-package';

const { peerDependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  peerDependencies: Record<string, string>;
};
/** The floor, read from the peer range a user's npm resolves against. */
const FLOOR = /^\^(\d+\.\d+\.\d+)$/.exec(peerDependencies['aws-cdk-lib'] ?? '')?.[1];
/** The newest cdk-nag 2 (what an app on aws-cdk-lib < 2.257.0 runs). */
const CDK_NAG_2 = '2.36.8';
const work = mkdtempSync(join(tmpdir(), 'cdk-floor-'));
const app = join(work, 'app');

const APP_JS = `const { App, Aspects, Stack } = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');
const { AwsSolutionsChecks, NagSuppressions } = require('cdk-nag');
const { EncryptedInboundMail } = require('ses-encrypted-inbound');

const app = new App();
const stack = new Stack(app, 'MyMail', { env: { account: '111122223333', region: 'eu-west-1' } });
const mail = new EncryptedInboundMail(stack, 'InboundMail', { recipients: ['inbox@mail.example.org'] });
const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
mail.grantConsume(consumer);
// The user's own acknowledgement of the consumer's read grant, as the README shows.
NagSuppressions.addResourceSuppressions(consumer, [{ id: 'AwsSolutions-IAM5', reason: 'Reads offloaded mail under payloads/.', appliesTo: [{ regex: '/payloads\\\\/\\\\*$/' }] }], true);
Aspects.of(app).add(new AwsSolutionsChecks());
app.synth();
`;

beforeAll(() => {
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pinned-cdk-app', version: '1.0.0', private: true }));
  writeFileSync(join(app, 'app.js'), APP_JS);
  const args = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', sharedTarball(work)];
  run('npm', [...args, `aws-cdk-lib@${FLOOR}`, 'constructs@10.8.1', `cdk-nag@${CDK_NAG_2}`], app);
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('reads the floor from the peer range: 2.250.0', () => {
  expect(FLOOR).toBe('2.250.0');
  const installed = JSON.parse(readFileSync(join(app, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8'));
  expect(installed.version).toBe(FLOOR);
});

it('synthesizes at the floor with cdk-nag 2 and no unacknowledged finding of the construct', () => {
  const result = synth(app);
  expect(result.stdout + result.stderr).not.toMatch(/AwsSolutions-|ERROR/);
  const template = JSON.parse(readFileSync(join(app, 'cdk.out', 'MyMail.template.json'), 'utf8'));
  const types = Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
  expect(types).toEqual(expect.arrayContaining(['AWS::SES::ReceiptRule', 'AWS::SQS::Queue', 'AWS::KMS::Key']));
}, 240_000);

it("type-checks the construct's sources against the floor's declarations", () => {
  const floorLib = join(app, 'node_modules');
  const tsconfig = join(work, 'tsconfig.floor.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: {
        noEmit: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules', '@types')],
        paths: {
          'aws-cdk-lib': [join(floorLib, 'aws-cdk-lib')],
          'aws-cdk-lib/*': [join(floorLib, 'aws-cdk-lib', '*')],
          constructs: [join(floorLib, 'constructs')],
        },
      },
      include: [],
      files: [join(ROOT, 'api', 'construct.ts')],
    }),
  );
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(tsc.stdout + tsc.stderr).toBe('');
  expect(tsc.status).toBe(0);
}, 240_000);
