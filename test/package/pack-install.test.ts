/**
 * The package as a user installs it: `npm pack`, the tarball installed into a fresh CDK app outside the repository
 * (with aws-cdk-lib and constructs, nothing of ours), a ten-line stack using `EncryptedInboundMail` and
 * `grantConsume` synthesized there with no esbuild and no Docker, and the consumer helper and the reader imported
 * from the installed package.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, run, sharedTarball, synth } from '../support/packed-package';

/** The newest aws-cdk-lib: the one the repository develops against (the floor is test/package/cdk-floor.test.ts's). */
const { devDependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};
const work = mkdtempSync(join(tmpdir(), 'pack-install-'));
const app = join(work, 'app');
let tarball = '';

const APP_JS = `const { App, Stack } = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');
const { EncryptedInboundMail } = require('ses-encrypted-inbound');

const app = new App();
const stack = new Stack(app, 'MyMail', { env: { account: '111122223333', region: 'eu-west-1' } });
const mail = new EncryptedInboundMail(stack, 'InboundMail', { recipients: ['inbox@mail.example.org'] });
const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
mail.grantConsume(consumer);
app.synth();
`;

beforeAll(() => {
  // The library and bundles are built by the global setup; the tarball is this run's (packed once).
  tarball = sharedTarball(work);
  run('mkdir', ['-p', app], work);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'my-cdk-app', version: '1.0.0', private: true }));
  writeFileSync(join(app, 'app.js'), APP_JS);
  run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      tarball,
      `aws-cdk-lib@${devDependencies['aws-cdk-lib']}`,
      `constructs@${devDependencies.constructs}`,
    ],
    app,
  );
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('holds only what users need: the compiled library, the bundles, the CLI, the docs', () => {
  const listed = run('tar', ['tzf', tarball], work).stdout.split('\n').filter(Boolean);
  // jsii packs every non-jsii dependency inside the package (bundledDependencies): the SDK clients and postal-mime
  // of the reader and the consumer helper, with their own dependencies.
  const bundled = listed.filter((path) => path.startsWith('package/node_modules/'));
  for (const name of ['@aws-sdk/client-kms', '@aws-sdk/client-s3', 'postal-mime']) {
    expect(bundled).toContain(`package/node_modules/${name}/package.json`);
  }
  const tops = new Set(
    listed.filter((path) => !bundled.includes(path)).map((path) => path.split('/').slice(1, 3).join('/')),
  );
  expect([...tops].sort()).toEqual(
    [
      '.jsii',
      'API.md',
      'LICENSE',
      'README.md',
      'dist/cli',
      'dist/cli.js',
      'dist/functions',
      'dist/pkg',
      'docs/ARCHITECTURE.md',
      'docs/CONTRACT.md',
      'docs/FORMAT.md',
      'package.json',
    ].sort(),
  );
  expect(listed.some((path) => !bundled.includes(path) && path.endsWith('.ts') && !path.endsWith('.d.ts'))).toBe(false);
});

it('synthesizes a ten-line app with the prebuilt functions: no esbuild, no Docker, no lockfile of ours', () => {
  expect(existsSync(join(app, 'node_modules', 'esbuild'))).toBe(false);
  const synthesis = synth(app);
  expect(synthesis.stderr).not.toMatch(/docker|esbuild|package-lock/i);
  const template = JSON.parse(readFileSync(join(app, 'cdk.out', 'MyMail.template.json'), 'utf8'));
  const functions = Object.values(
    template.Resources as Record<
      string,
      { Type: string; Metadata: Record<string, string>; Properties: { Description?: string; Handler?: string } }
    >,
  ).filter(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      /^(Decrypts SES mail|Stops inbound mail)/.test(r.Properties.Description ?? ''),
  );
  expect(functions.map((fn) => fn.Properties.Handler)).toEqual(['index.handler', 'index.handler']);
  // The decrypt function and the verdict gate, each from the bundle the package ships.
  const assets = functions.map((fn) => join(app, 'cdk.out', fn.Metadata['aws:asset:path'] as string, 'index.js'));
  expect(assets.length).toBe(2);
  for (const asset of assets) {
    expect(statSync(asset).size).toBeGreaterThan(10_000);
  }
  const consumerPolicy = JSON.stringify(template.Resources);
  expect(consumerPolicy).toContain('sqs:ReceiveMessage');
  expect(readdirSync(join(app, 'cdk.out')).some((name) => name === 'MyMail.template.json')).toBe(true);
}, 120_000);

it('exports the consumer helper and the reader as entry points of their own, with type declarations', () => {
  const probe = run(
    process.execPath,
    [
      '-e',
      `const c = require('ses-encrypted-inbound/consumer');
       const r = require('ses-encrypted-inbound/reader');
       c.parseForwardedMail(Buffer.from('Subject: hi\\r\\n\\r\\nbody')).then((mail) =>
         console.log(JSON.stringify([typeof c.readForwardedMail, c.MESSAGE_ATTRIBUTES.sesVerdicts, typeof r.decryptMail,
           typeof r.EnvelopeError, mail.subject, mail.text, typeof c.ParsedMailError])));`,
    ],
    app,
  );
  // parseForwardedMail runs from the installed package, with postal-mime installed as its dependency.
  expect(JSON.parse(probe.stdout)).toEqual([
    'function',
    'SesVerdicts',
    'function',
    'function',
    'hi',
    'body\n',
    'function',
  ]);
  for (const entry of ['construct', 'consumer', 'reader']) {
    expect(existsSync(join(app, 'node_modules', 'ses-encrypted-inbound', 'dist', 'pkg', 'api', `${entry}.d.ts`))).toBe(
      true,
    );
  }
});

it('ships declarations that compile in a strict app with skipLibCheck off, importing every entry point', () => {
  writeFileSync(
    join(app, 'uses-types.ts'),
    `import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EncryptedInboundMail } from 'ses-encrypted-inbound';
import { type QueueMessage, readForwardedMail, type SqsApiMessage } from 'ses-encrypted-inbound/consumer';
import { decryptMail } from 'ses-encrypted-inbound/reader';

const stack = new Stack(new App(), 'Typed');
const mail = new EncryptedInboundMail(stack, 'Mail', { recipients: ['inbox@mail.example.org'] });
const grant: iam.Grant = mail.grantConsume(new iam.Role(stack, 'C', { assumedBy: new iam.AccountRootPrincipal() }));
const sdkShaped: SqsApiMessage = { Body: '{}', MessageAttributes: { A: { DataType: 'String', StringValue: 'x' } } };
export const used = [grant, readForwardedMail, decryptMail, sdkShaped as QueueMessage];
`,
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        // A user's app has Node's types; nothing else of the repository's.
        typeRoots: [join(ROOT, 'node_modules', '@types')],
        types: ['node'],
      },
      files: ['uses-types.ts'],
    }),
  );
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], {
    cwd: app,
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(tsc.stdout + tsc.stderr).toBe('');
  expect(tsc.status).toBe(0);
}, 240_000);
