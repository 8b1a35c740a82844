/**
 * Where `decrypt` puts plaintext, once the whole object has authenticated: a stream, or a file that appears whole or
 * not at all (a private temporary file, then a rename: private-file.ts).
 */
import type { MailPlaintext } from '../lambda/reader/mail-decipher';
import { writePrivateFile } from './private-file';

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

/** Writes the plaintext to a private (0600) file that appears whole or not at all (private-file.ts). */
export async function writeFileAtomically(path: string, plaintext: MailPlaintext): Promise<void> {
  if (plaintext.chunks.reduce((total, chunk) => total + chunk.byteLength, 0) !== plaintext.byteLength) {
    throw new Error('plaintext length disagrees with its pieces');
  }
  await writePrivateFile(path, plaintext.chunks);
}
