/**
 * Reads and validates the S3 Encryption Client envelope that SES (and the other S3 Encryption Clients) store with an
 * object. Written by hand: there is no JavaScript S3 Encryption Client to delegate to (docs/FORMAT.md).
 */
import { EnvelopeError } from './errors';
import { parseJsonStringMap } from './json-string-map';

/** AES-256-GCM, the content algorithm SES and the V2 clients write. */
export const AES_GCM = 'AES/GCM/NoPadding';
/** AES-256-CBC with PKCS#7 padding: the unauthenticated V1 format, read only on request. */
export const AES_CBC = 'AES/CBC/PKCS5Padding';

/**
 * The V3 message format's algorithm suite 115: AES-256-GCM with a key derived by HKDF-SHA512 and committed to
 * (ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY), the default of today's official clients. SES does not write it.
 */
export const AES_GCM_COMMITTING = '115';

/** The content algorithms this reader implements. */
export type ContentAlgorithm = typeof AES_GCM | typeof AES_CBC | typeof AES_GCM_COMMITTING;
/** KMS wrapping: `kms` (SES, V1) binds the material description; `kms+context` (V2) also binds the algorithm. */
export type WrapAlgorithm = 'kms' | 'kms+context';

/** The suffix of S3 Encryption Client instruction files, `<key>.instruction`: another object's envelope, not mail. */
export const INSTRUCTION_FILE_SUFFIX = '.instruction';

/** The V2 clients' reserved encryption-context key that binds the content algorithm. */
export const CEK_ALG_CONTEXT_KEY = 'aws:x-amz-cek-alg';

/** The prefix of the material-description members SES writes (`aws:ses:message-id`, `aws:ses:rule-name`, …). */
export const SES_CONTEXT_PREFIX = 'aws:ses:';

/**
 * The most user metadata read, names and values in UTF-8. S3 itself stores at most 2 KB of user-defined metadata
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html); the slack is for raw header spellings.
 * A metadata file given to the CLI can be anything, so the bound is checked rather than assumed.
 */
export const MAX_METADATA_BYTES = 8192;

/** A validated envelope: everything needed to unwrap the data key and decrypt the body. */
export interface Envelope {
  readonly contentAlgorithm: ContentAlgorithm;
  readonly wrapAlgorithm: WrapAlgorithm;
  /** KMS `CiphertextBlob` of the data key. */
  readonly wrappedKey: Uint8Array;
  /** 12 bytes for GCM, 16 for CBC. */
  readonly iv: Uint8Array;
  /** The parsed material description: the whole encryption context KMS bound the data key to. */
  readonly materialDescription: Readonly<Record<string, string>>;
  /** `x-amz-unencrypted-content-length`, when present. */
  readonly plaintextLength: number | undefined;
  /** Where the envelope was found. */
  readonly source: 'metadata' | 'instruction-file';
  /** V3 only: the 28-byte key commitment (`x-amz-d`), checked before anything is decrypted. */
  readonly commitment?: Uint8Array;
  /** V3 only: the 28-byte message id (`x-amz-i`), the HKDF salt. */
  readonly messageId?: Uint8Array;
  /** V3 only: the additional authenticated data (the suite id, bytes 00 73). */
  readonly aad?: Uint8Array;
}

/** What an envelope may be besides SES's own format. */
export interface ReadEnvelopeOptions {
  /** Read AES/CBC objects (unauthenticated). @default false */
  readonly allowLegacyCbc?: boolean;
  /**
   * The commitment policy: true reads only key-committing (V3) objects and refuses every other (SES mail included),
   * as the official clients' require-decrypt policy does; false also reads non-committing ones.
   *
   * @default false
   */
  readonly requireKeyCommitment?: boolean;
}

/** GCM tag length in bytes; the only one any S3 Encryption Client writes (`x-amz-tag-len: 128`). */
export const GCM_TAG_BYTES = 16;
const GCM_IV_BYTES = 12;
const CBC_IV_BYTES = 16;
const DATA_KEY_BLOB_MAX_BYTES = 6144;

/** The V3 fields that always stay in the object's own metadata (never in an instruction file). */
export const V3_OBJECT_FIELDS = ['x-amz-c', 'x-amz-d', 'x-amz-i'] as const;
/** The V3 fields that move to the instruction file when the envelope is split. */
export const V3_INSTRUCTION_FIELDS = ['x-amz-3', 'x-amz-w', 'x-amz-t', 'x-amz-m'] as const;
/** The 28-byte lengths of the V3 key commitment and message id. */
const V3_COMMITMENT_BYTES = 28;
const V3_MESSAGE_ID_BYTES = 28;
/** V3's fixed IV (twelve 0x01 bytes) and AAD (the suite id as two bytes). */
const V3_IV = Buffer.alloc(12, 0x01);
const V3_AAD = Buffer.from([0x00, 0x73]);
/** `x-amz-w` 12: KMS with context, the only V3 wrapping this reader implements (02 AES/GCM and 22 RSA are raw keys). */
const V3_WRAP_KMS_CONTEXT = '12';

/** V1/V2 fields that make an object with V3 fields ambiguous (which envelope is meant?). */
export const V1_V2_FIELDS = [
  'x-amz-key',
  'x-amz-key-v2',
  'x-amz-iv',
  'x-amz-cek-alg',
  'x-amz-wrap-alg',
  'x-amz-matdesc',
] as const;

const V3_FIELDS = [...V3_OBJECT_FIELDS, ...V3_INSTRUCTION_FIELDS] as const;

const ENVELOPE_FIELDS = [...V1_V2_FIELDS, 'x-amz-tag-len', 'x-amz-unencrypted-content-length', ...V3_FIELDS] as const;

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

/**
 * Validates a V3 (key-committing) envelope and returns it parsed: suite 115, KMS-with-context wrapping, the context
 * (`x-amz-t`) binding the suite, a 28-byte commitment and message id.
 * @throws EnvelopeError
 */
export function parseV3Envelope(fields: Readonly<Record<string, string>>, source: Envelope['source']): Envelope {
  /* Precondition: a V3 envelope holds no V1 or V2 key, IV, algorithm or material description (a mix is ambiguous). */
  if (V1_V2_FIELDS.some((field) => Object.hasOwn(fields, field))) {
    throw new EnvelopeError('ENVELOPE_INVALID', 'object mixes V3 (x-amz-3) and V1/V2 (x-amz-key-v2) envelope fields');
  }
  const suite = fields['x-amz-c'];
  /* Precondition: the V3 algorithm suite is named, and is 115. */
  if (suite === undefined) {
    throw new EnvelopeError('ENVELOPE_INVALID', 'x-amz-c is missing');
  }
  if (suite !== AES_GCM_COMMITTING) {
    throw new EnvelopeError(
      'CONTENT_ALGORITHM_UNSUPPORTED',
      'x-amz-c is not 115 (AES-256-GCM, HKDF-SHA512, key commitment)',
    );
  }
  /* Precondition: the V3 data key is wrapped by KMS with context (x-amz-w 12). */
  if (fields['x-amz-w'] !== V3_WRAP_KMS_CONTEXT) {
    throw new EnvelopeError('WRAP_ALGORITHM_UNSUPPORTED', 'x-amz-w is not 12 (KMS with encryption context)');
  }
  const wrappedKey = decodeBase64Field(fields, 'x-amz-3');
  /* Precondition: the wrapped key is a plausible KMS ciphertext blob. */
  if (wrappedKey.length === 0 || wrappedKey.length > DATA_KEY_BLOB_MAX_BYTES) {
    throw new EnvelopeError(
      'ENVELOPE_INVALID',
      `wrapped data key has an impossible length (${wrappedKey.length} bytes)`,
    );
  }
  const context = fields['x-amz-t'] === undefined ? {} : parseJsonStringMap(fields['x-amz-t'], 'x-amz-t');
  /* Precondition: the V3 encryption context binds the suite (aws:x-amz-cek-alg is 115). */
  if (context[CEK_ALG_CONTEXT_KEY] !== AES_GCM_COMMITTING) {
    throw new EnvelopeError('CONTEXT_MISMATCH', `${CEK_ALG_CONTEXT_KEY} in x-amz-t is not 115`);
  }
  const commitment = decodeBase64Field(fields, 'x-amz-d');
  const messageId = decodeBase64Field(fields, 'x-amz-i');
  /* Precondition: the key commitment and the message id are 28 bytes each. */
  if (commitment.length !== V3_COMMITMENT_BYTES || messageId.length !== V3_MESSAGE_ID_BYTES) {
    throw new EnvelopeError('ENVELOPE_INVALID', 'x-amz-d and x-amz-i must be 28 bytes each');
  }
  return {
    contentAlgorithm: AES_GCM_COMMITTING,
    wrapAlgorithm: 'kms+context',
    wrappedKey,
    iv: V3_IV,
    materialDescription: context,
    plaintextLength: undefined,
    source,
    commitment,
    messageId,
    aad: V3_AAD,
  };
}

/** True when the metadata holds any envelope field, so the envelope must be read from it (not an instruction file). */
export function hasEnvelopeFields(metadata: Readonly<Record<string, string>>): boolean {
  return ENVELOPE_FIELDS.some((field) => Object.hasOwn(metadata, field));
}

/**
 * Validates an envelope strictly and returns it parsed.
 *
 * Accepts SES's format (`kms` wrap, AES/GCM), the V2 `kms+context` format, and, only with `allowLegacyCbc`, the V1
 * AES/CBC format. Anything else is refused with a stable code.
 * @throws EnvelopeError
 */
export function parseEnvelope(
  fields: Readonly<Record<string, string>>,
  source: Envelope['source'],
  options: ReadEnvelopeOptions = {},
): Envelope {
  const keyV2 = fields['x-amz-key-v2'];
  const keyV1 = fields['x-amz-key'];
  /* Precondition: the envelope names a wrapped data key. */
  if (keyV2 === undefined && keyV1 === undefined) {
    throw new EnvelopeError('ENVELOPE_INVALID', 'envelope has no wrapped data key (x-amz-key-v2)');
  }
  /* Precondition: the envelope does not name two wrapped data keys. */
  if (keyV2 !== undefined && keyV1 !== undefined) {
    throw new EnvelopeError('ENVELOPE_INVALID', 'envelope has both x-amz-key and x-amz-key-v2');
  }

  const wrapAlgorithm = readWrapAlgorithm(fields['x-amz-wrap-alg']);
  // V1 objects written with x-amz-key and no x-amz-cek-alg are AES/CBC (docs/FORMAT.md, "Other variants").
  const contentAlgorithm = readContentAlgorithm(fields['x-amz-cek-alg'] ?? (keyV1 !== undefined ? AES_CBC : undefined));

  const materialDescription = readMaterialDescription(fields['x-amz-matdesc']);
  /*
   * Precondition: an object whose material description is SES's is never AES/CBC, whatever the legacy setting.
   * SES writes only AES/GCM, and its `kms` wrapping does not bind x-amz-cek-alg: with a genuine SES data key and
   * `x-amz-cek-alg` changed to CBC, a reader would CBC-decrypt bytes of the writer's choosing with the real key, and
   * its answers (padding error or not) would make a padding oracle.
   */
  if (contentAlgorithm === AES_CBC && isSesMaterialDescription(materialDescription)) {
    throw new EnvelopeError('LEGACY_CBC_REFUSED', 'SES never writes AES/CBC: an SES object naming it is refused');
  }
  /* Precondition: AES/CBC is read only when legacy reading is switched on. */
  if (contentAlgorithm === AES_CBC && options.allowLegacyCbc !== true) {
    throw new EnvelopeError('LEGACY_CBC_REFUSED', 'object uses unauthenticated AES/CBC and legacy CBC reading is off');
  }
  /* Precondition: x-amz-key (the V1 name) is only found on legacy CBC objects. */
  if (keyV1 !== undefined && contentAlgorithm !== AES_CBC) {
    throw new EnvelopeError('ENVELOPE_INVALID', 'x-amz-key is only valid on legacy AES/CBC objects');
  }
  /* Precondition: kms+context is only written with AES/GCM. */
  if (wrapAlgorithm === 'kms+context' && contentAlgorithm !== AES_GCM) {
    throw new EnvelopeError('ENVELOPE_INVALID', 'kms+context wrapping requires AES/GCM');
  }

  const wrappedKey = decodeBase64Field(fields, keyV2 !== undefined ? 'x-amz-key-v2' : 'x-amz-key');
  /* Precondition: the wrapped key is a plausible KMS ciphertext blob. */
  if (wrappedKey.length === 0 || wrappedKey.length > DATA_KEY_BLOB_MAX_BYTES) {
    throw new EnvelopeError(
      'ENVELOPE_INVALID',
      `wrapped data key has an impossible length (${wrappedKey.length} bytes)`,
    );
  }

  const iv = decodeBase64Field(fields, 'x-amz-iv');
  const ivBytes = contentAlgorithm === AES_GCM ? GCM_IV_BYTES : CBC_IV_BYTES;
  /* Precondition: the IV is 12 bytes for AES/GCM and 16 bytes for AES/CBC. */
  if (iv.length !== ivBytes) {
    throw new EnvelopeError('ENVELOPE_INVALID', `x-amz-iv must be ${ivBytes} bytes, not ${iv.length}`);
  }

  const tagLength = fields['x-amz-tag-len'];
  if (contentAlgorithm === AES_GCM) {
    /* Precondition: the GCM tag is 128 bits, as every S3 Encryption Client writes and requires. */
    if (tagLength !== '128') {
      throw new EnvelopeError('ENVELOPE_INVALID', 'x-amz-tag-len must be 128 for AES/GCM');
    }
  } else if (tagLength !== undefined) {
    /* Precondition: a CBC object carries no tag length. */
    throw new EnvelopeError('ENVELOPE_INVALID', 'x-amz-tag-len is not valid on an AES/CBC object');
  }

  if (wrapAlgorithm === 'kms+context') {
    /* Precondition: kms+context binds the content algorithm in the context, and it matches x-amz-cek-alg. */
    if (materialDescription[CEK_ALG_CONTEXT_KEY] !== contentAlgorithm) {
      throw new EnvelopeError(
        'CONTEXT_MISMATCH',
        `${CEK_ALG_CONTEXT_KEY} in x-amz-matdesc does not match x-amz-cek-alg`,
      );
    }
  }

  return {
    contentAlgorithm,
    wrapAlgorithm,
    wrappedKey,
    iv,
    materialDescription,
    plaintextLength: readPlaintextLength(fields['x-amz-unencrypted-content-length']),
    source,
  };
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

function readWrapAlgorithm(value: string | undefined): WrapAlgorithm {
  /* Precondition: the data key is wrapped by KMS (kms or kms+context). */
  if (value === 'kms' || value === 'kms+context') {
    return value;
  }
  if (value === undefined) {
    throw new EnvelopeError(
      'WRAP_ALGORITHM_UNSUPPORTED',
      'x-amz-wrap-alg is missing: the data key is wrapped by a client-side master key, not KMS',
    );
  }
  throw new EnvelopeError('WRAP_ALGORITHM_UNSUPPORTED', 'x-amz-wrap-alg is not kms or kms+context');
}

function readContentAlgorithm(value: string | undefined): ContentAlgorithm {
  /* Precondition: the content algorithm is named. */
  if (value === undefined) {
    throw new EnvelopeError('ENVELOPE_INVALID', 'x-amz-cek-alg is missing');
  }
  /* Precondition: the content algorithm is AES/GCM/NoPadding or AES/CBC/PKCS5Padding. */
  if (value === AES_GCM || value === AES_CBC) {
    return value;
  }
  throw new EnvelopeError(
    'CONTENT_ALGORITHM_UNSUPPORTED',
    'x-amz-cek-alg is not AES/GCM/NoPadding or AES/CBC/PKCS5Padding',
  );
}

function readMaterialDescription(value: string | undefined): Readonly<Record<string, string>> {
  /* Precondition: a KMS-wrapped envelope has a material description. */
  if (value === undefined) {
    throw new EnvelopeError('ENVELOPE_INVALID', 'x-amz-matdesc is missing');
  }
  /* Precondition: the material description is a JSON object of strings, each member named once. */
  return parseJsonStringMap(value, 'x-amz-matdesc');
}

/** True when the material description holds a member SES writes (`aws:ses:…`): the object claims to be SES mail. */
export function isSesMaterialDescription(materialDescription: Readonly<Record<string, string>>): boolean {
  return Object.keys(materialDescription).some((name) => name.startsWith(SES_CONTEXT_PREFIX));
}

function readPlaintextLength(value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  /* Precondition: x-amz-unencrypted-content-length is a canonical non-negative decimal integer. */
  if (!/^(0|[1-9][0-9]{0,14})$/.test(value)) {
    throw new EnvelopeError('ENVELOPE_INVALID', 'x-amz-unencrypted-content-length is not a whole number');
  }
  return Number(value);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64Field(fields: Readonly<Record<string, string>>, name: string): Buffer {
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
