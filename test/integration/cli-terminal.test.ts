/**
 * What the CLI lets reach a terminal: `decrypt` does not write a mail's raw bytes to one unless asked, and every
 * message naming a path, an S3 key or a prefix shows its control characters escaped (ESC, CR, LF, C1, DEL).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_MAIL_BUCKET, type LocalStack, startLocalStack } from '../../local/local-stack';
import { offlineAwsEnv, runCli } from '../support/run-cli';

let stack: LocalStack;
let work: string;
let restoreEnv: () => void = () => undefined;
/** Any control character but the line feeds that end the CLI's own lines. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test is that none of these is printed.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

beforeAll(async () => {
  stack = await startLocalStack();
  // In-process runs build their SDK clients from the default chain, as the operator's do.
  const added = offlineAwsEnv(stack.env);
  const saved = Object.fromEntries(Object.keys(added).map((name) => [name, process.env[name]]));
  Object.assign(process.env, added);
  restoreEnv = () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  work = mkdtempSync(join(tmpdir(), 'cli-terminal-'));
}, 60_000);
afterAll(async () => {
  restoreEnv();
  await stack?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('paths and keys print with their control characters escaped', () => {
  const hostile = 'x\u001b[2J\ny\r\u009b\u007f';
  const escaped = 'x\\x1b[2J\\x0ay\\x0d\\u009b\\x7f';

  it('an S3 key that is not there', async () => {
    const result = await runCli(['decrypt', `s3://${LOCAL_MAIL_BUCKET}/raw/${hostile}`], offlineAwsEnv(stack.env));
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      `ses-inbound decrypt: no object s3://${LOCAL_MAIL_BUCKET}/raw/${escaped} (NoSuchKey): check the bucket and key`,
    );
    expect(result.stderr).not.toMatch(RAW_CONTROL);
  });

  it.each([
    ['holding no JSON', 'not json', 'is not JSON'],
    ['holding a JSON array', '[]', 'must hold a JSON object'],
    ['whose Metadata is not an object', '{"Metadata": 1}', 'has a Metadata field that is not a JSON object'],
  ])('a --metadata file %s', async (_what, content, complaint) => {
    const dir = mkdtempSync(join(work, 'meta-'));
    const metadata = join(dir, `meta${hostile}.json`);
    writeFileSync(metadata, content);
    const result = await runCli(
      ['decrypt', '--file', metadata, '--metadata', metadata],
      offlineAwsEnv({ EXPECTED_KMS_KEY_ARN: stack.kmsKeyArn }),
    );
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      `ses-inbound decrypt: --metadata ${dir}/meta${escaped}.json ${complaint}`,
    );
    expect(result.stderr).not.toMatch(RAW_CONTROL);
  });

  it('a --metadata file that is not there', async () => {
    const result = await runCli(
      ['decrypt', '--file', join(work, hostile), '--metadata', join(work, hostile)],
      offlineAwsEnv({ EXPECTED_KMS_KEY_ARN: stack.kmsKeyArn }),
    );
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`ses-inbound decrypt: --metadata ${work}/${escaped}: no such file`);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
  });

  it("replay's summary line names the prefix escaped", async () => {
    const result = await runCli(
      ['replay', `s3://${LOCAL_MAIL_BUCKET}/${hostile}/`, '--dry-run'],
      offlineAwsEnv(stack.env),
    );
    expect(result.status).toBe(0);
    expect(result.stdout.toString().split('\n')[0]).toBe(
      `replay s3://${LOCAL_MAIL_BUCKET}/${escaped}/ (dry run: nothing sent): 0 objects`,
    );
    expect(result.stdout.toString()).not.toMatch(RAW_CONTROL);
  });
});
