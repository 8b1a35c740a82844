/**
 * What the CLI lets reach a terminal: `decrypt` does not write a mail's raw bytes to one unless asked, and every
 * message naming a path, an S3 key or a prefix shows its control characters escaped (ESC, CR, LF, C1, DEL).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli as runCliInProcess } from '../../cli/run-cli';
import { LOCAL_MAIL_BUCKET, type LocalStack, startLocalStack } from '../../local/local-stack';
import { storeMail } from '../../local/pipeline';
import { offlineAwsEnv, runCli } from '../support/run-cli';

let stack: LocalStack;
let work: string;
let mail: { key: string; plaintext: Buffer };
let restoreEnv: () => void = () => undefined;
/** A mail whose bytes would act on a terminal: a clear-screen sequence and a C1 CSI. */
const MIME = Buffer.from('Subject: escapes\r\n\r\n\u001b[2J\u001b]0;owned\u0007 \u009b31m\r\n', 'latin1');
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
  mail = await storeMail(stack, MIME);
  work = mkdtempSync(join(tmpdir(), 'cli-terminal-'));
}, 60_000);
afterAll(async () => {
  restoreEnv();
  await stack?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Runs the CLI in-process with a standard output that says it is (or is not) a terminal. */
async function decryptTo(terminal: boolean, ...args: string[]) {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = Object.assign(new PassThrough(), { isTTY: terminal });
  const stderr = new PassThrough();
  stdout.on('data', (piece: Buffer) => out.push(piece));
  stderr.on('data', (piece: Buffer) => err.push(piece));
  const status = await runCliInProcess(['decrypt', `s3://${LOCAL_MAIL_BUCKET}/${mail.key}`, ...args], {
    env: process.env,
    stdout,
    stderr,
  });
  return { status, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
}

describe('decrypt and a terminal', () => {
  it('refuses to write the mail to a terminal without -o, saying how (exit 2, nothing written)', async () => {
    const result = await decryptTo(true);
    expect(result.status).toBe(2);
    expect(result.stdout.length).toBe(0);
    expect(result.stderr).toBe(
      'ses-inbound decrypt: standard output is a terminal, and a mail written to it raw can drive it with escape ' +
        'sequences: give -o FILE, or --to-terminal to show it here anyway\n' +
        "Run 'ses-inbound decrypt --help' for its options.\n",
    );
  });

  it('writes to the terminal with --to-terminal, to a pipe without it, and to a file with -o', async () => {
    const shown = await decryptTo(true, '--to-terminal');
    expect(shown.stderr).toBe('');
    expect(shown.status).toBe(0);
    expect(shown.stdout.equals(MIME)).toBe(true);
    const piped = await decryptTo(false);
    expect(piped.status).toBe(0);
    expect(piped.stdout.equals(MIME)).toBe(true);
    const output = join(work, 'mail.eml');
    const filed = await decryptTo(true, '-o', output);
    expect(filed.status).toBe(0);
    expect(filed.stdout.length).toBe(0);
    expect(readFileSync(output).equals(MIME)).toBe(true);
  });

  it('takes --to-terminal or -o, not both (exit 2)', async () => {
    const result = await decryptTo(true, '--to-terminal', '-o', join(work, 'both.eml'));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--to-terminal and -o exclude each other');
  });
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
