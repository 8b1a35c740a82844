/**
 * replay --checkpoint writes its file as decrypt -o does: a temporary file of a random name, created exclusively and
 * private (0600), renamed over the checkpoint. A symlink planted where earlier versions wrote (`FILE.tmp`), or at the
 * checkpoint itself, is never written through.
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
  expect(JSON.parse(readFileSync(checkpoint, 'utf8'))).toEqual({ startAfter: lastKey });
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

it('replaces a symlink planted at the checkpoint itself rather than writing through it', async () => {
  const dir = mkdtempSync(join(work, 'link-'));
  const checkpoint = join(dir, 'replay.checkpoint');
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'precious\n');
  symlinkSync(victim, checkpoint);
  const result = await replayWithCheckpoint(checkpoint);
  expect(result.status).toBe(0);
  expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  expectPrivateCheckpoint(checkpoint);
});
