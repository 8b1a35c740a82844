/**
 * The files `decrypt --file OBJECT --metadata FILE` reads: the metadata bounded before it is read (a path can name a
 * file of any size, or a pipe), the object streamed through one reused buffer.
 */
import { type FileHandle, open } from 'node:fs/promises';
import type { EncryptedObject } from '../lambda/reader/decrypt-mail';
import { escapeControls } from './terminal-text';
import { UsageError } from './usage-error';

/**
 * The largest --metadata file read. The reader takes at most 8 KiB of metadata (names and values); written as JSON,
 * where a byte can take six characters (`\u0000`), and with head-object's other fields around it, that fits in 64 KiB.
 * S3 itself keeps at most 2 KB of user metadata.
 */
export const MAX_METADATA_FILE_BYTES = 65_536;

/** An object to decrypt, from S3 or from files. */
export interface OpenedSource {
  readonly object: EncryptedObject;
  /** The S3 key, for an object read from S3. */
  readonly objectKey?: string;
  close(): void;
}

/** Opens `--file` and reads `--metadata`. */
export async function openFileSource(file: string, metadataFile: string): Promise<OpenedSource> {
  const metadata = await readMetadataFile(metadataFile);
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (cause) {
    throw fileError('--file', file, cause);
  }
  const stats = await handle.stat();
  return {
    object: {
      metadata,
      body: readInto(handle, Buffer.allocUnsafe(READ_BYTES)),
      // A pipe (`--file <(...)`, /dev/stdin) has no size: read to its end, the envelope's own lengths still checked.
      contentLength: stats.isFile() ? stats.size : undefined,
    },
    close: () => void handle.close().catch(() => undefined),
  };
}

/** 1 MiB reads: large enough that per-call overhead vanishes next to AES-GCM, small enough to keep memory flat. */
const READ_BYTES = 1 << 20;

/**
 * Reads a file into one reused buffer: the ciphertext never piles up as garbage next to the plaintext, so a 40 MiB
 * mail costs about its own size in memory. (decryptMail copies any piece it must hold.)
 */
async function* readInto(handle: FileHandle, buffer: Buffer): AsyncGenerator<Uint8Array> {
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) return;
    yield buffer.subarray(0, bytesRead);
  }
}

/** Reads a metadata file: either the bare map, or `aws s3api head-object` output with its `Metadata` field. */
export async function readMetadataFile(path: string): Promise<Record<string, unknown>> {
  const text = await readBounded(path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new UsageError(`--metadata ${escapeControls(path)} is not JSON`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--metadata ${escapeControls(path)} must hold a JSON object`);
  }
  const record = parsed as Record<string, unknown>;
  const inner = record.Metadata;
  if (inner !== undefined) {
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
      throw new UsageError(`--metadata ${escapeControls(path)} has a Metadata field that is not a JSON object`);
    }
    return inner as Record<string, unknown>;
  }
  return record;
}

/**
 * The metadata file's text. A regular file over the bound is refused from its size, unread; any file (a pipe from
 * `<(aws s3api head-object …)` has no size) is read into one buffer of the bound and a byte, and refused if it fills.
 */
async function readBounded(path: string): Promise<string> {
  const tooLarge = () =>
    new UsageError(
      `--metadata ${escapeControls(path)}: larger than ${MAX_METADATA_FILE_BYTES} bytes, more than any object's ` +
        "metadata or 'aws s3api head-object' output; not read",
    );
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    throw fileError('--metadata', path, cause);
  }
  try {
    const stats = await handle.stat();
    if (stats.isFile() && stats.size > MAX_METADATA_FILE_BYTES) {
      throw tooLarge();
    }
    const buffer = Buffer.alloc(MAX_METADATA_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_METADATA_FILE_BYTES) {
      throw tooLarge();
    }
    return buffer.toString('utf8', 0, length);
  } catch (error) {
    throw error instanceof UsageError ? error : fileError('--metadata', path, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Names the file and what is wrong with it, for a path the user gave. */
function fileError(flag: string, path: string, cause: unknown): UsageError {
  const code = (cause as { code?: unknown }).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a directory'
          : `cannot be read (${typeof code === 'string' ? code : 'error'})`;
  return new UsageError(`${flag} ${escapeControls(path)}: ${why}`, { cause });
}
