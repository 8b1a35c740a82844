/**
 * Decrypts one stored mail: envelope, policy, data key, body, in that order, releasing nothing unverified.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import { unwrapDataKey } from './data-key';
import { checkDecryptPolicy, checkMessageId, type DecryptPolicy } from './decrypt-policy';
import {
  type Envelope,
  type EnvelopeSource,
  expectedObjectLength,
  isSesMaterialDescription,
  readEnvelope,
} from './envelope';
import { IntegrityError, PolicyError } from './errors';
import { committedContentKey } from './key-commitment';
import { checkBodyLength, MailDecipher, type MailPlaintext } from './mail-decipher';

/** SES stores mail up to 40 MB; the default limit (40 MiB) leaves room above that. */
export const DEFAULT_MAX_MAIL_BYTES = 41_943_040;

/**
 * What encryption adds to a mail's size: the GCM tag, or at most one block of CBC padding. `maxMailBytes` limits the
 * mail itself, so the stored object may be this much larger.
 */
export const MAX_ENCRYPTION_OVERHEAD_BYTES = 16;

/** Ciphertext held while KMS answers, before reading pauses: a few round trips' worth of S3 download. */
const MAX_BYTES_AHEAD_OF_KEY = 8 * 1024 * 1024;

/** A stored object as S3 returns it. */
export interface EncryptedObject extends EnvelopeSource {
  /** The stored body, in pieces of any size; a piece's buffer may be reused once the next piece is asked for. */
  readonly body: AsyncIterable<Uint8Array>;
  /**
   * The stored size when known (`ContentLength`), in bytes, checked against the envelope before KMS is asked.
   * @default - unknown: the body is counted as it arrives, against the same bounds
   */
  readonly contentLength?: number;
}

/** The policy plus the KMS client and limits `decryptMail` works with. */
export interface DecryptMailOptions extends DecryptPolicy {
  /** The KMS client that unwraps the data key (`kms:Decrypt` on the key in `expectedKmsKeyArn`). */
  readonly kms: KMSClient;
  /** Larger objects are refused, in bytes (40 MiB, SES's largest mail). @default 41_943_040 */
  readonly maxMailBytes?: number;
  /** The object's key: when given, `aws:ses:message-id` must be its last part (see `sesMailOnly`). @default - not checked */
  readonly objectKey?: string;
  /**
   * With `objectKey`: the receipt rule's object key prefix (or the prefixes it has had); the key must then be exactly
   * such a prefix followed by the message id (the function). @default - only the key's last part is compared
   */
  readonly objectKeyPrefix?: string | readonly string[];
  /**
   * With `objectKey`: true requires every object to be SES mail named by its message id (the function); false checks
   * the message id only of objects whose material description is SES's, so other clients' objects can be read (the
   * CLI). Either way an SES object copied under another key is refused: its `aws:ses:*` members are bound by KMS, so
   * they cannot be removed to dodge the check.
   *
   * @default true
   */
  readonly sesMailOnly?: boolean;
}

/** A mail that has authenticated: its envelope, SES message id and plaintext. */
export interface DecryptedMail {
  /** The validated envelope the mail was decrypted with. */
  readonly envelope: Envelope;
  /** The SES message id, when `objectKey` was given and matched. */
  readonly messageId: string | undefined;
  /** The verified plaintext: the MIME bytes as SES received them. */
  readonly plaintext: MailPlaintext;
}

/**
 * Reads the envelope, checks the policy, unwraps the data key while the body is still arriving, decrypts and
 * verifies. Returns plaintext only when all of it has authenticated.
 * @param object - the stored object: its metadata, body stream and (when known) length
 * @param options - the KMS client, the key it must be wrapped with, and the policy
 * @throws EnvelopeError | PolicyError | KeyUnwrapError | IntegrityError for objects to reject
 * @throws TransientError when KMS may succeed on retry; errors of the body stream pass through unchanged
 */
export async function decryptMail(object: EncryptedObject, options: DecryptMailOptions): Promise<DecryptedMail> {
  const maxMailBytes = options.maxMailBytes ?? DEFAULT_MAX_MAIL_BYTES;
  const maxObjectBytes = maxMailBytes + MAX_ENCRYPTION_OVERHEAD_BYTES;
  /* Precondition: the object holds no more than the largest mail allowed plus the encryption overhead. */
  if (object.contentLength !== undefined && object.contentLength > maxObjectBytes) {
    throw new PolicyError('TOO_LARGE', `object is larger than a ${maxMailBytes}-byte mail`);
  }

  const envelope = await readEnvelope(object, options);
  checkDecryptPolicy(envelope, options);
  const checkId =
    options.objectKey !== undefined &&
    (options.sesMailOnly !== false || isSesMaterialDescription(envelope.materialDescription));
  const messageId = checkId
    ? checkMessageId(envelope, options.objectKey as string, options.objectKeyPrefix)
    : undefined;

  const expectedLength = expectedObjectLength(envelope);
  /* Precondition: the stored size is the one the envelope implies. */
  if (expectedLength !== undefined && object.contentLength !== undefined && object.contentLength !== expectedLength) {
    throw new IntegrityError('LENGTH_MISMATCH', 'object size differs from the size its envelope implies');
  }
  /* Precondition: the announced mail is no larger than the configured maximum. */
  if (envelope.plaintextLength !== undefined && envelope.plaintextLength > maxMailBytes) {
    throw new PolicyError('TOO_LARGE', `announced mail is larger than ${maxMailBytes} bytes`);
  }

  let body: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = object.body;
  let objectLength = expectedLength ?? object.contentLength;
  if (objectLength === undefined) {
    // Neither S3 nor the envelope says how large the object is: read it (ciphertext only, at most one byte past the
    // maximum) before KMS is asked, so an oversized object costs no KMS call and is never read whole.
    const held = await holdWithin(object.body, maxObjectBytes, maxMailBytes);
    body = held.pieces;
    objectLength = held.length;
  }
  const plaintext = await decryptBody(body, envelope, options, maxObjectBytes, objectLength);
  return { envelope, messageId, plaintext };
}

/**
 * Holds a body of unknown length, copied (a source may reuse its buffer), refusing it as soon as it passes `limit`.
 * @throws PolicyError TOO_LARGE
 */
async function holdWithin(
  body: AsyncIterable<Uint8Array>,
  limit: number,
  maxMailBytes: number,
): Promise<{ pieces: Buffer[]; length: number }> {
  const pieces: Buffer[] = [];
  let length = 0;
  for await (const piece of body) {
    length += piece.length;
    if (length > limit) {
      throw new PolicyError('TOO_LARGE', `object is larger than a ${maxMailBytes}-byte mail`);
    }
    pieces.push(Buffer.from(piece));
  }
  return { pieces, length };
}

/**
 * Decrypts the body. The KMS call starts at once; pieces that arrive before the key are held (ciphertext only) and
 * decrypted as soon as it comes, so the download and the KMS round trip overlap.
 */
async function decryptBody(
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  envelope: Envelope,
  options: DecryptMailOptions,
  maxObjectBytes: number,
  objectLength: number | undefined,
): Promise<MailPlaintext> {
  let decipher: MailDecipher | undefined;
  let keyFailure: { error: unknown } | undefined;
  const keyReady = unwrapDataKey(options.kms, envelope, options.expectedKmsKeyArn).then(
    (dataKey) => {
      let contentKey: Uint8Array | undefined;
      try {
        // V3: the content key is derived, and only once the commitment matches is a decipher made at all.
        contentKey = envelope.commitment === undefined ? dataKey : committedContentKey(dataKey, envelope);
        decipher = new MailDecipher(envelope, contentKey, maxObjectBytes, objectLength);
      } catch (error) {
        keyFailure = { error };
      } finally {
        dataKey.fill(0);
        contentKey?.fill(0);
      }
    },
    (error: unknown) => {
      keyFailure = { error };
    },
  );

  const waiting: Uint8Array[] = [];
  let waitingBytes = 0;
  try {
    for await (const piece of body) {
      if (keyFailure !== undefined) {
        break;
      }
      if (decipher !== undefined) {
        drain(decipher, waiting);
        decipher.update(piece);
        continue;
      }
      waitingBytes += piece.length;
      checkBodyLength(waitingBytes, envelope, maxObjectBytes);
      // Copied: a source may reuse its buffer once the next piece is asked for (the CLI's file reader does).
      waiting.push(Buffer.from(piece));
      if (waitingBytes >= MAX_BYTES_AHEAD_OF_KEY) {
        // Bounded read-ahead: past this, wait for the key instead of holding the whole body twice in memory.
        await keyReady;
        if (decipher !== undefined) {
          drain(decipher, waiting);
        }
      }
    }
    await keyReady;
    if (keyFailure !== undefined) {
      throw keyFailure.error;
    }
    if (decipher === undefined) {
      throw new Error('data key settled without a cipher');
    }
    drain(decipher, waiting);
    return decipher.final();
  } catch (error) {
    decipher?.discard();
    throw error;
  }
}

/** Feeds held pieces in order, letting go of each as soon as it is decrypted. */
function drain(decipher: MailDecipher, waiting: Uint8Array[]): void {
  let piece = waiting.shift();
  while (piece !== undefined) {
    decipher.update(piece);
    piece = waiting.shift();
  }
}
