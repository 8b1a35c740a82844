/**
 * Reads an S3 Encryption Client instruction file, `<key>.instruction`: the envelope of an object that carries none in
 * its metadata. SES never writes one; other S3 Encryption Clients can.
 */
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { INSTRUCTION_FILE_SUFFIX } from './envelope';
import { EnvelopeError, errorNameOf } from './errors';
import { parseJsonStringMap, type StringMap } from './json-string-map';

/**
 * The largest instruction file read. A real one holds a wrapped key, an IV and a material description: well under
 * 2 KiB. Whoever can write to the bucket can make one of any size, and it is read into memory, so it is bounded.
 */
export const MAX_INSTRUCTION_FILE_BYTES = 64 * 1024;

/**
 * Returns the instruction file's fields (of `versionId`, when given), or undefined when there is none.
 *
 * A reader with GetObject but not ListBucket (the function's role) is told AccessDenied rather than NoSuchKey for a
 * missing object; both mean "no instruction file" here, since the reader may read everything under the prefix.
 * A file larger than `MAX_INSTRUCTION_FILE_BYTES` is refused unread when S3 gives its size, and as soon as the bound
 * is passed otherwise.
 * @throws EnvelopeError ENVELOPE_INVALID when the file is too large or not a JSON object of strings; other S3 errors
 *   pass through
 * @param s3 - the client to read with (needs `s3:GetObject` on the file)
 * @param bucket - the bucket of the encrypted object
 * @param key - the encrypted object's key; the file read is `<key>.instruction`
 * @param versionId - the instruction file's version, when the bucket is versioned (default: the latest)
 */
export async function loadInstructionFile(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<StringMap | undefined> {
  let body: (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
  let contentLength: number | undefined;
  try {
    const response = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: `${key}${INSTRUCTION_FILE_SUFFIX}`, VersionId: versionId }),
    );
    body = response.Body as typeof body;
    contentLength = response.ContentLength;
  } catch (error) {
    const name = errorNameOf(error);
    if (error instanceof NoSuchKey || name === 'NoSuchKey' || name === 'AccessDenied') {
      return undefined;
    }
    throw error;
  }
  try {
    /* Precondition: an instruction file is no larger than MAX_INSTRUCTION_FILE_BYTES. */
    if (contentLength !== undefined && contentLength > MAX_INSTRUCTION_FILE_BYTES) {
      throw tooLarge();
    }
    const pieces: Buffer[] = [];
    let bytes = 0;
    for await (const piece of body ?? []) {
      bytes += piece.length;
      if (bytes > MAX_INSTRUCTION_FILE_BYTES) {
        throw tooLarge();
      }
      pieces.push(Buffer.from(piece));
    }
    /* Precondition: an instruction file is a JSON object of strings, each member named once. */
    return parseJsonStringMap(decodeUtf8(Buffer.concat(pieces)), 'instruction file');
  } finally {
    body?.destroy?.();
  }
}

/** Decodes strictly: a byte that is not UTF-8 is refused, not replaced with U+FFFD. */
function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_INVALID', 'instruction file is not UTF-8', { cause });
  }
}

function tooLarge(): EnvelopeError {
  return new EnvelopeError('ENVELOPE_INVALID', `instruction file is larger than ${MAX_INSTRUCTION_FILE_BYTES} bytes`);
}
