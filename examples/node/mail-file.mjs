// Where consume.mjs writes a mail: <OUT_DIR>/<SES message id>.eml, and never anywhere else. The id comes from a
// message attribute, which anyone allowed to send to the queue can set: an id that is not a plain name (SES's are
// letters and digits) is refused, and the resolved path must still be a file directly in OUT_DIR.
import { dirname, resolve } from 'node:path';

// Letters, digits, '.', '_' and '-', not starting with '.', at most 128 characters: no '/', '\\', '..', NUL or
// absolute path, and short enough for any file system.
const PLAIN_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** The file for this message id inside `outDir`, or undefined when the id must not name a file. */
export function mailFilePath(outDir, sesMessageId) {
  if (typeof sesMessageId !== 'string' || !PLAIN_NAME.test(sesMessageId)) {
    return undefined;
  }
  const folder = resolve(outDir);
  const file = resolve(folder, `${sesMessageId}.eml`);
  return dirname(file) === folder ? file : undefined;
}
