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
 *   shorter
 */
export async function readPayload(s3: S3Client, location: PayloadLocation, size: number): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
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
