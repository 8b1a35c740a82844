/**
 * SES's envelope and the official clients' V1 and V2 ones (`x-amz-key-v2`, `kms` or `kms+context`), validated field by
 * field.
 */
import { decodeBase64Field, decodeWrappedKey } from './envelope-fields';
import {
  AES_CBC,
  AES_GCM,
  CEK_ALG_CONTEXT_KEY,
  type ContentAlgorithm,
  type Envelope,
  type ReadEnvelopeOptions,
  SES_CONTEXT_PREFIX,
  type WrapAlgorithm,
} from './envelope-format';
import { EnvelopeError } from './errors';
import { parseJsonStringMap } from './json-string-map';

const GCM_IV_BYTES = 12;
const CBC_IV_BYTES = 16;

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

  const wrappedKey = decodeWrappedKey(fields, keyV2 !== undefined ? 'x-amz-key-v2' : 'x-amz-key');

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

  // kms+context binds the content algorithm in the context. Its data key relabelled `kms` (the same material
  // description, so KMS still unwraps it) and AES/CBC would CBC-decrypt bytes of the writer's choosing with that key:
  // a padding oracle with --allow-legacy-cbc. So wherever the material description names the algorithm, it must be
  // x-amz-cek-alg.
  if (wrapAlgorithm === 'kms+context' || materialDescription[CEK_ALG_CONTEXT_KEY] !== undefined) {
    /* Precondition: the content algorithm the material description binds is x-amz-cek-alg. */
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
