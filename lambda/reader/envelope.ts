/**
 * Reads an object's envelope, once: from its metadata, or from its `<key>.instruction` file when the metadata holds
 * none, as one validated `Envelope` (SES/V1/V2 or V3). decrypt-mail.ts takes it from here and never parses a field.
 * Written by hand: there is no JavaScript S3 Encryption Client to delegate to (docs/FORMAT.md).
 */
import {
  hasEnvelopeFields,
  hasV3Fields,
  normalizeMetadata,
  V1_V2_FIELDS,
  V3_INSTRUCTION_FIELDS,
  V3_OBJECT_FIELDS,
} from './envelope-fields';
import { AES_GCM, type Envelope, GCM_TAG_BYTES, type ReadEnvelopeOptions } from './envelope-format';
import { parseEnvelope } from './envelope-v1-v2';
import { parseV3Envelope } from './envelope-v3';
import { EnvelopeError } from './errors';

export * from './envelope-format';
export { isSesMaterialDescription } from './envelope-v1-v2';

/** Where an envelope can be: the object's user metadata, or the instruction file beside it. */
export interface EnvelopeSource {
  /** User metadata (`GetObject().Metadata`): names with or without `x-amz-meta-`. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /**
   * Loads `<key>.instruction` as a JSON object, or undefined when there is none (`loadInstructionFile` of this entry
   * point reads it from S3).
   * @default - no instruction file is looked for: an object without an envelope in its metadata is refused
   */
  readonly loadInstructionFile?: () => Promise<Readonly<Record<string, unknown>> | undefined>;
}

/**
 * Finds the envelope in the metadata, or in the instruction file when the metadata holds none.
 * @param object - the object's metadata and, optionally, how to load its instruction file
 * @param options - which formats to accept (`allowLegacyCbc`, `requireKeyCommitment`; both false by default)
 * @throws EnvelopeError
 */
export async function readEnvelope(object: EnvelopeSource, options: ReadEnvelopeOptions = {}): Promise<Envelope> {
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
  object: EnvelopeSource,
  options: ReadEnvelopeOptions,
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
async function readV3Envelope(metadata: Record<string, string>, object: EnvelopeSource): Promise<Envelope> {
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
 * The stored object size an envelope implies, or undefined when the plaintext length is not announced.
 *
 * GCM appends a 16-byte tag; CBC pads to the next whole block (a full block when already aligned).
 */
export function expectedObjectLength(envelope: Envelope): number | undefined {
  if (envelope.plaintextLength === undefined) {
    return undefined;
  }
  if (envelope.contentAlgorithm === AES_GCM) {
    return envelope.plaintextLength + GCM_TAG_BYTES;
  }
  return (Math.floor(envelope.plaintextLength / 16) + 1) * 16;
}
