/**
 * replay --checkpoint writes its file as decrypt -o does: a temporary file of a random name, created exclusively and
 * private (0600), renamed over the checkpoint. A symlink planted where earlier versions wrote (`FILE.tmp`), or at the
 * checkpoint itself, is never written through. A file that is not this replay's checkpoint is refused, unchanged.
 */
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runReplayCommand } from '../../cli/replay-command';
import { LOCAL_MAIL_BUCKET, type LocalStack, startLocalStack } from '../../local/local-stack';
import { storeMail } from '../../local/pipeline';

let stack: LocalStack;
let work: string;
let lastKey: string;
let umask: number;

beforeAll(async () => {
  stack = await startLocalStack();
  work = mkdtempSync(join(tmpdir(), 'replay-checkpoint-'));
  const keys: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    keys.push((await storeMail(stack, Buffer.from(`Subject: checkpoint ${i}\r\n\r\nbody\r\n`))).key);
  }
  lastKey = keys.sort().at(-1) as string;
  // No umask: a file created 0644 or 0666 would show as such, not as what a umask of 077 leaves of it.
  umask = process.umask(0);
}, 60_000);
afterAll(async () => {
  process.umask(umask);
  await stack?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function replayWithCheckpoint(checkpoint: string) {
  const stdout = new PassThrough();
  const out: Buffer[] = [];
  stdout.on('data', (piece: Buffer) => out.push(piece));
  const status = await runReplayCommand([`s3://${LOCAL_MAIL_BUCKET}/raw/`, '--dry-run', '--checkpoint', checkpoint], {
    env: stack.env,
    stdout,
    stderr: new PassThrough(),
    clients: stack.clients,
  });
  return { status, stdout: Buffer.concat(out).toString('utf8') };
}

function expectPrivateCheckpoint(checkpoint: string): void {
  const stats = lstatSync(checkpoint);
  expect(stats.isFile()).toBe(true);
  expect(stats.mode & 0o777).toBe(0o600);
  expect(JSON.parse(readFileSync(checkpoint, 'utf8'))).toEqual({
    bucket: LOCAL_MAIL_BUCKET,
    prefix: 'raw/',
    startAfter: lastKey,
  });
}

it('does not write through a symlink planted at FILE.tmp; the checkpoint is a 0600 file', async () => {
  const dir = mkdtempSync(join(work, 'tmp-link-'));
  const checkpoint = join(dir, 'replay.checkpoint');
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'precious\n');
  symlinkSync(victim, `${checkpoint}.tmp`);
  const result = await replayWithCheckpoint(checkpoint);
  expect(result.status).toBe(0);
  expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  expectPrivateCheckpoint(checkpoint);
  // No temporary file is left behind.
  expect(readdirSync(dir).sort()).toEqual(['replay.checkpoint', 'replay.checkpoint.tmp', 'victim']);
});

it('refuses a symlink planted at the checkpoint itself: neither read through (its target would be the start key) nor replaced', async () => {
  const dir = mkdtempSync(join(work, 'link-'));
  const checkpoint = join(dir, 'replay.checkpoint');
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'raw/precious\n');
  symlinkSync(victim, checkpoint);
  await expect(replayWithCheckpoint(checkpoint)).rejects.toThrow(/is a symbolic link/);
  expect(readFileSync(victim, 'utf8')).toBe('raw/precious\n');
  expect(lstatSync(checkpoint).isSymbolicLink()).toBe(true);
});

describe("a file that is not this replay's checkpoint is refused before anything is listed, and left as it was", () => {
  it.each([
    ['an unrelated file', 'zzz operator notes, do not lose\n', /is not a replay checkpoint/],
    [
      'a checkpoint of another bucket',
      '{"bucket":"other","prefix":"raw/","startAfter":"raw/x"}\n',
      /is not a replay checkpoint/,
    ],
    [
      'a checkpoint of another prefix',
      `{"bucket":"${LOCAL_MAIL_BUCKET}","prefix":"old/","startAfter":"old/x"}\n`,
      /is not a replay checkpoint/,
    ],
    ['a key outside the prefix', '{"startAfter":"zzz"}\n', /is not a replay checkpoint/],
    ['a bare key outside the prefix', 'zzz\n', /is not a replay checkpoint/],
    ['a file over 16 KiB', `{"startAfter":"raw/${'x'.repeat(17_000)}"}`, /is not a replay checkpoint/],
  ])('%s', async (_label, content, message) => {
    const checkpoint = join(mkdtempSync(join(work, 'foreign-')), 'replay.json');
    writeFileSync(checkpoint, content);
    await expect(replayWithCheckpoint(checkpoint)).rejects.toThrow(message);
    expect(readFileSync(checkpoint, 'utf8')).toBe(content);
  });

  it('a folder, and a path whose folder does not exist (nothing forwarded first)', async () => {
    await expect(replayWithCheckpoint(mkdtempSync(join(work, 'dir-')))).rejects.toThrow(/is not a regular file/);
    await expect(replayWithCheckpoint(join(work, 'no-such-folder', 'replay.json'))).rejects.toThrow(/does not exist/);
  });
});

it.each([
  ['0.2.0 wrote it: JSON without bucket and prefix', (key: string) => `${JSON.stringify({ startAfter: key })}\n`],
  ['the first versions wrote it: a bare key', (key: string) => `${key}\n`],
  [
    'this version writes it',
    (key: string) => JSON.stringify({ bucket: LOCAL_MAIL_BUCKET, prefix: 'raw/', startAfter: key }),
  ],
])('resumes from a checkpoint as %s, and says after which key', async (_label, write) => {
  const checkpoint = join(mkdtempSync(join(work, 'resume-')), 'replay.json');
  writeFileSync(checkpoint, write(lastKey));
  const stderr = new PassThrough();
  const err: Buffer[] = [];
  stderr.on('data', (piece: Buffer) => err.push(piece));
  const status = await runReplayCommand([`s3://${LOCAL_MAIL_BUCKET}/raw/`, '--dry-run', '--checkpoint', checkpoint], {
    env: stack.env,
    stdout: new PassThrough(),
    stderr,
    clients: stack.clients,
  });
  expect(status).toBe(0);
  expect(Buffer.concat(err).toString('utf8')).toContain(`resuming after ${JSON.stringify(lastKey)}`);
});
