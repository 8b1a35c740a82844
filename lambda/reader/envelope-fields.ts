/**
 * The envelope's raw fields: user metadata or an instruction file normalised to one spelling, which fields exist in
 * each format, and strict base64. Shared by the V1/V2 and V3 parsers.
 */
import { EnvelopeError } from './errors';

/**
 * The most user metadata read, names and values in UTF-8. S3 itself stores at most 2 KB of user-defined metadata
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html); the slack is for raw header spellings.
 * A metadata file given to the CLI can be anything, so the bound is checked rather than assumed.
 */
export const MAX_METADATA_BYTES = 8192;

/** The V3 fields that always stay in the object's own metadata (never in an instruction file). */
export const V3_OBJECT_FIELDS = ['x-amz-c', 'x-amz-d', 'x-amz-i'] as const;
/** The V3 fields that move to the instruction file when the envelope is split. */
export const V3_INSTRUCTION_FIELDS = ['x-amz-3', 'x-amz-w', 'x-amz-t', 'x-amz-m'] as const;
/** V1/V2 fields that make an object with V3 fields ambiguous (which envelope is meant?). */
export const V1_V2_FIELDS = [
  'x-amz-key',
  'x-amz-key-v2',
  'x-amz-iv',
  'x-amz-cek-alg',
  'x-amz-wrap-alg',
  'x-amz-matdesc',
] as const;

export const V3_FIELDS = [...V3_OBJECT_FIELDS, ...V3_INSTRUCTION_FIELDS] as const;

export const ENVELOPE_FIELDS = [
  ...V1_V2_FIELDS,
  'x-amz-tag-len',
  'x-amz-unencrypted-content-length',
  ...V3_FIELDS,
] as const;

/**
 * Normalises user metadata to lower-case names without the `x-amz-meta-` prefix.
 *
 * The SDK already returns it that way; raw HTTP headers and hand-written files may not.
 * @throws EnvelopeError ENVELOPE_INVALID when two names collide after normalisation, or a value is not a string.
 */
export function normalizeMetadata(metadata: Readonly<Record<string, unknown>>): Record<string, string> {
  // Null prototype: a field named __proto__ is a field like any other, never a way to reach Object.prototype.
  const normalized: Record<string, string> = Object.create(null);
  let bytes = 0;
  for (const [rawName, value] of Object.entries(metadata)) {
    if (value === undefined) {
      continue;
    }
    const lower = rawName.toLowerCase();
    const name = lower.startsWith('x-amz-meta-') ? lower.slice('x-amz-meta-'.length) : lower;
    /* Precondition: metadata values are strings. */
    if (typeof value !== 'string') {
      throw new EnvelopeError('ENVELOPE_INVALID', `metadata field ${safeName(name)} is not a string`);
    }
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
    /* Precondition: the metadata is no larger than S3 lets an object carry. */
    if (bytes > MAX_METADATA_BYTES) {
      throw new EnvelopeError('ENVELOPE_INVALID', `metadata is larger than ${MAX_METADATA_BYTES} bytes`);
    }
    /* Precondition: no field is given twice under different spellings. */
    if (Object.hasOwn(normalized, name)) {
      throw new EnvelopeError('ENVELOPE_INVALID', `metadata field ${safeName(name)} appears twice`);
    }
    normalized[name] = value;
  }
  return normalized;
}

/** True when the fields hold any V3 field. */
export function hasV3Fields(fields: Readonly<Record<string, string>>): boolean {
  return V3_FIELDS.some((field) => Object.hasOwn(fields, field));
}

/** True when the metadata holds any envelope field, so the envelope must be read from it (not an instruction file). */
export function hasEnvelopeFields(metadata: Readonly<Record<string, string>>): boolean {
  return ENVELOPE_FIELDS.some((field) => Object.hasOwn(metadata, field));
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function decodeBase64Field(fields: Readonly<Record<string, string>>, name: string): Buffer {
  const value = fields[name];
  if (value === undefined) {
    throw new EnvelopeError('ENVELOPE_INVALID', `${name} is missing`);
  }
  // Node's decoder skips characters it does not know; a strict pattern plus a round trip makes sure every byte of
  // the field means what it says (no padding tricks, no trailing garbage).
  if (!BASE64.test(value)) {
    throw new EnvelopeError('ENVELOPE_INVALID', `${name} is not canonical base64`);
  }
  const decoded = Buffer.from(value, 'base64');
  if (decoded.toString('base64') !== value) {
    throw new EnvelopeError('ENVELOPE_INVALID', `${name} is not canonical base64`);
  }
  return decoded;
}

function safeName(name: string): string {
  return /^[a-z0-9-]{1,64}$/.test(name) ? name : '(unprintable name)';
}

/** The most a KMS ciphertext blob can be: a wrapped data key larger than this is not one. */
const DATA_KEY_BLOB_MAX_BYTES = 6144;

/**
 * The wrapped data key in field `name`: canonical base64 of a plausible KMS ciphertext blob.
 * @throws EnvelopeError ENVELOPE_INVALID
 */
export function decodeWrappedKey(fields: Readonly<Record<string, string>>, name: string): Buffer {
  const wrappedKey = decodeBase64Field(fields, name);
  /* Precondition: the wrapped key is a plausible KMS ciphertext blob. */
  if (wrappedKey.length === 0 || wrappedKey.length > DATA_KEY_BLOB_MAX_BYTES) {
    throw new EnvelopeError(
      'ENVELOPE_INVALID',
      `wrapped data key has an impossible length (${wrappedKey.length} bytes)`,
    );
  }
  return wrappedKey;
}
