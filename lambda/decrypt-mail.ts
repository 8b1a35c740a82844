/**
 * Decrypts one stored mail: envelope, policy, data key, body, in that order, releasing nothing unverified.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import { unwrapDataKey } from './data-key';
import { checkDecryptPolicy, checkMessageId, type DecryptPolicy } from './decrypt-policy';
import {
  type Envelope,
  expectedObjectLength,
  hasEnvelopeFields,
  hasV3Fields,
  isSesMaterialDescription,
  normalizeMetadata,
  parseEnvelope,
  parseV3Envelope,
  V1_V2_FIELDS,
  V3_INSTRUCTION_FIELDS,
  V3_OBJECT_FIELDS,
} from './envelope';
import { EnvelopeError, IntegrityError, PolicyError } from './errors';
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
export interface EncryptedObject {
  /** User metadata (`GetObject().Metadata`): names with or without `x-amz-meta-`. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The stored body, in pieces of any size; a piece's buffer may be reused once the next piece is asked for. */
  readonly body: AsyncIterable<Uint8Array>;
  /** The stored size when known (`ContentLength`), checked against the envelope before KMS is asked. */
  readonly contentLength?: number;
  /** Loads `<key>.instruction` as a JSON object, or undefined when there is none. */
  readonly loadInstructionFile?: () => Promise<Readonly<Record<string, unknown>> | undefined>;
}

/** The policy plus the KMS client and limits `decryptMail` works with. */
export interface DecryptMailOptions extends DecryptPolicy {
  readonly kms: KMSClient;
  /** Larger objects are refused. @default 41_943_040 */
  readonly maxMailBytes?: number;
  /** The object's key: when given, `aws:ses:message-id` must be its last part (see `sesMailOnly`). @default - not checked */
  readonly objectKey?: string;
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
  readonly envelope: Envelope;
  /** The SES message id, when `objectKey` was given and matched. */
  readonly messageId: string | undefined;
  readonly plaintext: MailPlaintext;
}

/**
 * Reads the envelope, checks the policy, unwraps the data key while the body is still arriving, decrypts and
 * verifies. Returns plaintext only when all of it has authenticated.
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
  const messageId = checkId ? checkMessageId(envelope, options.objectKey as string) : undefined;

  const expectedLength = expectedObjectLength(envelope);
  /* Precondition: the stored size is the one the envelope implies. */
  if (expectedLength !== undefined && object.contentLength !== undefined && object.contentLength !== expectedLength) {
    throw new IntegrityError('LENGTH_MISMATCH', 'object size differs from the size its envelope implies');
  }
  /* Precondition: the announced mail is no larger than the configured maximum. */
  if (envelope.plaintextLength !== undefined && envelope.plaintextLength > maxMailBytes) {
    throw new PolicyError('TOO_LARGE', `announced mail is larger than ${maxMailBytes} bytes`);
  }

  const objectLength = expectedLength ?? object.contentLength;
  const plaintext = await decryptBody(object.body, envelope, options, maxObjectBytes, objectLength);
  return { envelope, messageId, plaintext };
}

/**
 * Finds the envelope in the metadata, or in the instruction file when the metadata holds none.
 * @throws EnvelopeError
 */
export async function readEnvelope(
  object: Pick<EncryptedObject, 'metadata' | 'loadInstructionFile'>,
  options: Pick<DecryptPolicy, 'allowLegacyCbc' | 'requireKeyCommitment'> = {},
): Promise<Envelope> {
  const metadata = normalizeMetadata(object.metadata);
  const envelope = hasV3Fields(metadata)
    ? await readV3Envelope(metadata, object)
    : await readV1V2Envelope(metadata, object, options);
  /* Precondition: under the require-commitment policy, the object is key-committing (V3). */
  if (options.requireKeyCommitment === true && envelope.commitment === undefined) {
    throw new EnvelopeError('KEY_COMMITMENT_REQUIRED', 'object is not key-committing (V3) and the policy requires it');
  }
  return envelope;
}

async function readV1V2Envelope(
  metadata: Record<string, string>,
  object: Pick<EncryptedObject, 'loadInstructionFile'>,
  options: Pick<DecryptPolicy, 'allowLegacyCbc'>,
): Promise<Envelope> {
  if (hasEnvelopeFields(metadata)) {
    return parseEnvelope(metadata, 'metadata', options);
  }
  const instruction = await object.loadInstructionFile?.();
  /* Precondition: an object with no envelope in its metadata has an instruction file. */
  if (instruction === undefined) {
    throw new EnvelopeError('NOT_ENCRYPTED', 'object has no encryption envelope');
  }
  const fields = normalizeMetadata(instruction);
  if (!hasEnvelopeFields(fields)) {
    throw new EnvelopeError('NOT_ENCRYPTED', 'instruction file holds no encryption envelope');
  }
  if (hasV3Fields(fields)) {
    // V3 keeps x-amz-c, x-amz-d and x-amz-i in the object's metadata; an instruction file cannot make an object V3.
    throw new EnvelopeError('ENVELOPE_INVALID', 'instruction file holds V3 fields but the object metadata has none');
  }
  return parseEnvelope(fields, 'instruction-file', options);
}

/**
 * A V3 envelope: all in the metadata, or split, with x-amz-c, x-amz-d and x-amz-i in the metadata and the rest in the
 * instruction file. The commitment must come from the object itself: whoever can write an instruction file could
 * otherwise pair another data key with a commitment of their own.
 */
async function readV3Envelope(
  metadata: Record<string, string>,
  object: Pick<EncryptedObject, 'loadInstructionFile'>,
): Promise<Envelope> {
  if (Object.hasOwn(metadata, 'x-amz-3')) {
    return parseV3Envelope(metadata, 'metadata');
  }
  const instruction = await object.loadInstructionFile?.();
  if (instruction === undefined) {
    throw new EnvelopeError('ENVELOPE_INVALID', 'V3 object has no x-amz-3 and no instruction file');
  }
  const fields = normalizeMetadata(instruction);
  /* Precondition: x-amz-c, x-amz-d and x-amz-i are never found in an instruction file. */
  if (V3_OBJECT_FIELDS.some((field) => Object.hasOwn(fields, field))) {
    throw new EnvelopeError(
      'ENVELOPE_INVALID',
      'x-amz-c, x-amz-d and x-amz-i must be in the object metadata, not the instruction file',
    );
  }
  /* Precondition: a split envelope keeps x-amz-w, x-amz-t and x-amz-m in the instruction file only. */
  if (V3_INSTRUCTION_FIELDS.some((field) => Object.hasOwn(metadata, field))) {
    throw new EnvelopeError('ENVELOPE_INVALID', 'V3 envelope is split between object metadata and instruction file');
  }
  const merged: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(fields)) merged[name] = value;
  // The object's own V1/V2 fields, if any, still make the mix ambiguous: parseV3Envelope sees them too.
  for (const field of [...V3_OBJECT_FIELDS, ...V1_V2_FIELDS]) {
    const value = metadata[field];
    if (value !== undefined) merged[field] = value;
  }
  return parseV3Envelope(merged, 'instruction-file');
}

/**
 * Decrypts the body. The KMS call starts at once; pieces that arrive before the key are held (ciphertext only) and
 * decrypted as soon as it comes, so the download and the KMS round trip overlap.
 */
async function decryptBody(
  body: AsyncIterable<Uint8Array>,
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
