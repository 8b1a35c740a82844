/**
 * Files the CLI writes for the operator (decrypted mail, replay checkpoints): they appear whole or not at all, are
 * readable by the operator only, and are never written through a name someone else placed.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `chunks` to a temporary file beside `path` and renames it over `path`. The temporary name is random and
 * created exclusively (`wx`: a file or symlink already there fails the call, never is written through) with mode
 * 0600; the rename replaces whatever `path` was, a symlink included, without following it.
 */
export async function writePrivateFile(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    let expected = 0;
    let written = 0;
    // writev in batches: one system call per batch instead of per piece.
    for (let at = 0; at < chunks.length; at += 512) {
      const batch = chunks.slice(at, at + 512);
      for (const chunk of batch) expected += chunk.byteLength;
      const { bytesWritten } = await handle.writev(batch);
      written += bytesWritten;
    }
    if (written !== expected) {
      throw new Error('short write');
    }
    await handle.close();
    await rename(temporary, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Whether the folder `path` would be written into exists (checked before any work whose result it would hold). */
export async function folderExists(path: string): Promise<boolean> {
  const folder = await stat(dirname(path)).catch(() => undefined);
  return folder?.isDirectory() === true;
}
