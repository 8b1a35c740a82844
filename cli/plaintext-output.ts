/**
 * Where `decrypt` puts plaintext, once the whole object has authenticated: a stream, or a file that appears whole or
 * not at all (a private temporary file, then a rename).
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { MailPlaintext } from '../lambda/reader/mail-decipher';

/** Writes the plaintext to a stream, waiting for it to drain. */
export async function writeToStream(stream: NodeJS.WritableStream, plaintext: MailPlaintext): Promise<void> {
  for (const chunk of plaintext.chunks) {
    if (!stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        stream.once('error', onError);
        stream.once('drain', () => {
          stream.removeListener('error', onError);
          resolve();
        });
      });
    }
  }
}

/** Writes to a private temporary file beside the target and renames it into place, so no partial file is ever seen. */
export async function writeFileAtomically(path: string, plaintext: MailPlaintext): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    let written = 0;
    const chunks = plaintext.chunks;
    // writev in batches: one system call per batch instead of per piece.
    for (let at = 0; at < chunks.length; at += 512) {
      const batch = chunks.slice(at, at + 512);
      const { bytesWritten } = await handle.writev(batch);
      written += bytesWritten;
    }
    if (written !== plaintext.byteLength) {
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
