/**
 * Fetching an offloaded mail: the object's size is compared with the announced size before its body is read, and the
 * body is read as a stream that stops the moment it runs past that size. No more than the announced size (which the
 * caller has already held under its limit) is ever held.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ForwardedMailError } from './forwarded-mail-error';
import type { PayloadLocation } from './payload-pointer';

/**
 * Returns exactly `size` bytes of the payload object.
 * @throws ForwardedMailError LENGTH_MISMATCH when the object's ContentLength is not `size`, or its body is longer or
 *   shorter; PAYLOAD_UNREADABLE when S3 has no such object or refuses it
 */
export async function readPayload(s3: S3Client, location: PayloadLocation, size: number): Promise<Buffer> {
  const object = await getPayload(s3, location);
  if (object.ContentLength !== size) {
    discard(object.Body);
    throw new ForwardedMailError(
      'LENGTH_MISMATCH',
      `payload object's ContentLength is not the announced ${size} bytes`,
    );
  }
  const mime = Buffer.alloc(size);
  let received = 0;
  for await (const chunk of chunksOf(object.Body)) {
    if (received + chunk.length > size) {
      // Leaving the loop early closes the stream: nothing past the announced size is read.
      throw new ForwardedMailError('LENGTH_MISMATCH', `payload is longer than the announced ${size} bytes`);
    }
    mime.set(chunk, received);
    received += chunk.length;
  }
  if (received !== size) {
    throw new ForwardedMailError('LENGTH_MISMATCH', `payload is ${received} bytes, ${size} were announced`);
  }
  return mime;
}

/** S3 answers that no retry changes: the object is not there (expired, or never written), or the caller may not read it. */
const UNREADABLE = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'AccessDenied', 'Forbidden']);

/**
 * GetObject, with a missing or refused payload as a refusal of the message: a pointer to nothing (forged, or a payload
 * past its lifetime) must not stop a consumer's loop with S3's own error, whose text may name the bucket, the key and
 * the caller's role. Other failures (throttling, 5xx, the network) are thrown as they are, to be retried.
 */
async function getPayload(s3: S3Client, location: PayloadLocation) {
  try {
    return await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
  } catch (error) {
    const name = (error as { name?: unknown } | null)?.name;
    const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
    // By S3's error code; a bare 403 or 404 only when S3 named none (a 403 may also be a skewed clock or a bad
    // signature, which are the caller's to fix and are thrown as they are).
    const unnamed = typeof name !== 'string' || name === 'UnknownError' || name === String(status);
    if ((typeof name === 'string' && UNREADABLE.has(name)) || (unnamed && (status === 403 || status === 404))) {
      throw new ForwardedMailError(
        'PAYLOAD_UNREADABLE',
        `payload object could not be read (${unnamed ? status : name})`,
      );
    }
    throw error;
  }
}

/** The body as an async iterable of byte chunks: a Node stream as it is, a web stream through its reader. */
function chunksOf(body: unknown): AsyncIterable<Uint8Array> {
  if (body !== null && typeof body === 'object' && Symbol.asyncIterator in body) {
    return body as AsyncIterable<Uint8Array>;
  }
  if (body !== null && typeof body === 'object' && 'transformToWebStream' in body) {
    return (body as { transformToWebStream(): ReadableStream<Uint8Array> }).transformToWebStream();
  }
  if (body === undefined) {
    return (async function* () {})();
  }
  throw new TypeError('the S3 client returned a body that is not a stream');
}

/** Closes a body that will not be read, so its connection is not left open. */
function discard(body: unknown): void {
  if (body !== null && typeof body === 'object') {
    const stream = body as { destroy?: () => void; cancel?: () => Promise<void> };
    if (typeof stream.destroy === 'function') {
      stream.destroy();
    } else if (typeof stream.cancel === 'function') {
      stream.cancel().catch(() => undefined);
    }
  }
}
