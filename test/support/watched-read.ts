/** A GetObject answer whose body tells whether anything read it: for tests that a body is refused unread. */
import { Readable } from 'node:stream';
import { sdkStreamMixin } from '@smithy/util-stream';

interface StoredObject {
  readonly body: Buffer;
  readonly metadata: Record<string, string>;
}

/**
 * Answers GetObject with `object` (its `ContentLength` the body's length unless given, `null` for none) and
 * remembers whether the body was pulled.
 */
export function watchedRead(object: StoredObject, contentLength: number | null = object.body.length) {
  let pulled = false;
  const answer = async () => ({
    Body: sdkStreamMixin(
      Readable.from(
        (function* () {
          pulled = true;
          yield object.body;
        })(),
      ),
    ),
    ContentLength: contentLength ?? undefined,
    Metadata: object.metadata,
  });
  return { answer, pulled: () => pulled };
}
