/**
 * `replay --checkpoint FILE`: where an interrupted replay resumes. The file is replay's own, for one bucket and prefix;
 * anything else at that path (another file, a link, a device, a checkpoint of another replay) is refused before
 * anything is listed or sent, and is never overwritten: a file handed over or planted must not make a replay skip
 * mail while it reports success, nor send what it holds to S3 as a start key.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { folderExists, writePrivateFile } from './private-file';
import { escapeControls } from './terminal-text';
import { UsageError } from './usage-error';

/** The replay a checkpoint belongs to. */
export interface ReplayTarget {
  readonly bucket: string;
  readonly prefix: string;
}

/** Far more than a checkpoint needs: an S3 key is at most 1,024 bytes, six times that as JSON escapes. */
const MAX_CHECKPOINT_BYTES = 16 * 1024;

/**
 * Reads the key a checkpoint resumes after; undefined when there is no file yet (its folder must exist).
 * @throws UsageError when the path is not replay's checkpoint of this bucket and prefix
 */
export async function readCheckpoint(path: string, target: ReplayTarget): Promise<string | undefined> {
  const refuse = (why: string) =>
    new UsageError(`--checkpoint ${escapeControls(path)}: ${why}; give a new file name, or the file of this replay`);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NOFOLLOW: a link at the path is refused, never read through.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') {
      if (!(await folderExists(path))) throw refuse(`its folder ${escapeControls(dirname(path))} does not exist`);
      return undefined;
    }
    throw refuse(code === 'ELOOP' ? 'is a symbolic link' : `cannot be read (${String(code)})`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw refuse('is not a regular file');
    if (stats.size > MAX_CHECKPOINT_BYTES) throw refuse('is not a replay checkpoint');
    const text = (await handle.readFile()).subarray(0, MAX_CHECKPOINT_BYTES).toString('utf8');
    const key = checkpointKey(text, target);
    if (key === undefined) throw refuse(`is not a replay checkpoint of s3://${escapeControls(target.bucket)}/...`);
    return key;
  } finally {
    await handle.close();
  }
}

/** Saves the key to resume after, with the replay it belongs to. */
export async function writeCheckpoint(path: string, target: ReplayTarget, startAfter: string): Promise<void> {
  const body = { bucket: target.bucket, prefix: target.prefix, startAfter };
  await writePrivateFile(path, [Buffer.from(`${JSON.stringify(body)}\n`)]);
}

/**
 * The key a checkpoint's text resumes after, when it belongs to this replay: JSON naming this bucket and prefix (or,
 * as 0.2.0 wrote it, naming neither) with a key under the prefix; or, as the first versions wrote it, one bare key
 * under the prefix.
 */
function checkpointKey(text: string, target: ReplayTarget): string | undefined {
  const under = (key: unknown): key is string => typeof key === 'string' && key.startsWith(target.prefix);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const bare = text.replace(/\r?\n$/, '');
    return bare.length > 0 && !bare.includes('\n') && under(bare) ? bare : undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { bucket, prefix, startAfter } = parsed as Record<string, unknown>;
  const sameReplay =
    bucket === undefined && prefix === undefined ? true : bucket === target.bucket && prefix === target.prefix;
  return sameReplay && under(startAfter) ? startAfter : undefined;
}
