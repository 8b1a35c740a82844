/**
 * The CLI parses only what a command needs: `--help` none of the AWS SDK, `decrypt` no CloudFormation client; that
 * client is loaded only with `--stack`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_PATH, offlineAwsEnv } from '../support/run-cli';

const RECORDER = join(__dirname, '..', 'support', 'record-loaded-files.mjs');
const DIST = join(__dirname, '..', '..', 'dist');

/** The bundle files the CLI loaded (under dist/) for one command line. */
function loadedBundleFiles(args: readonly string[], env: Record<string, string> = {}): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', RECORDER, CLI_PATH, ...args], {
      env: offlineAwsEnv(env),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const line = /__LOADED__(.*)/.exec(stderr)?.[1];
      if (line === undefined) return reject(new Error(`no list of loaded files: ${stderr}`));
      const files = (JSON.parse(line) as string[]).map((url) => fileURLToPath(url));
      resolve(files.filter((file) => file.startsWith(DIST)));
    });
  });
}

/** Whether any of the files holds the named code: the SDK's user-agent header, or CloudFormation's signing name. */
const holds = (files: readonly string[], text: string) =>
  files.some((file) => readFileSync(file, 'utf8').includes(text));
const SDK = 'x-amz-user-agent';
const CLOUDFORMATION = '"cloudformation"';

it('--help loads none of the AWS SDK', async () => {
  const files = await loadedBundleFiles(['--help']);
  expect(files.length).toBeGreaterThan(0);
  expect(holds(files, SDK)).toBe(false);
  expect(holds(files, CLOUDFORMATION)).toBe(false);
});

it('decrypt loads the SDK but not the CloudFormation client', async () => {
  const files = await loadedBundleFiles([
    'decrypt',
    '--file',
    '/nonexistent/object',
    '--metadata',
    '/nonexistent/m.json',
  ]);
  expect(holds(files, SDK)).toBe(true);
  expect(holds(files, CLOUDFORMATION)).toBe(false);
});

it('--stack loads the CloudFormation client', async () => {
  const files = await loadedBundleFiles(['decrypt', '--stack', 'nostack', '--file', '/nonexistent/object'], {
    // Nothing listens there: the call fails at once, after the client is loaded.
    AWS_ENDPOINT_URL_CLOUDFORMATION: 'http://127.0.0.1:9',
    AWS_MAX_ATTEMPTS: '1',
  });
  expect(holds(files, CLOUDFORMATION)).toBe(true);
});
