/**
 * Where `decrypt` puts plaintext, once the whole object has authenticated: a stream, or a file that appears whole or
 * not at all (a private temporary file, then a rename: private-file.ts).
 */
import { lstat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MailPlaintext } from '../lambda/reader/mail-decipher';
import { folderExists, writePrivateFile } from './private-file';
import { escapeControls } from './terminal-text';
import { UsageError } from './usage-error';

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

/**
 * Refuses, before anything is decrypted, an `-o` path the write would fail on or replace what is not a file: an
 * existing folder, link, device or other special file (`-o /dev/stdout` would replace that link with a mail file), or a
 * path whose folder does not exist.
 * @throws UsageError naming the path
 */
export async function checkOutputPath(path: string): Promise<void> {
  const refuse = (why: string) =>
    new UsageError(`-o ${escapeControls(path)}: ${why}; give a new file name, or write to standard output (> or |)`);
  const stats = await lstat(path).catch((error: { code?: unknown }) => {
    if (error.code === 'ENOENT') return undefined;
    throw refuse(`cannot be used (${String(error.code)})`);
  });
  if (stats !== undefined && !stats.isFile()) {
    throw refuse(stats.isSymbolicLink() ? 'is a symbolic link' : 'exists and is not a regular file');
  }
  if (!(await folderExists(path))) {
    throw refuse(`its folder ${escapeControls(dirname(path))} does not exist`);
  }
}

/** Writes the plaintext to a private (0600) file that appears whole or not at all (private-file.ts). */
export async function writeFileAtomically(path: string, plaintext: MailPlaintext): Promise<void> {
  if (plaintext.chunks.reduce((total, chunk) => total + chunk.byteLength, 0) !== plaintext.byteLength) {
    throw new Error('plaintext length disagrees with its pieces');
  }
  await writePrivateFile(path, plaintext.chunks);
}
