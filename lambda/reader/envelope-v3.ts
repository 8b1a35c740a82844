/**
 * The V3 key-committing envelope (suite 115, `x-amz-w` 12) of the official clients, validated field by field.
 */
import { decodeBase64Field, decodeWrappedKey, V1_V2_FIELDS } from './envelope-fields';
import { AES_GCM_COMMITTING, CEK_ALG_CONTEXT_KEY, type Envelope } from './envelope-format';
import { EnvelopeError } from './errors';
import { parseJsonStringMap } from './json-string-map';

/** The 28-byte lengths of the V3 key commitment and message id. */
const V3_COMMITMENT_BYTES = 28;
const V3_MESSAGE_ID_BYTES = 28;
/** V3's fixed IV (twelve 0x01 bytes) and AAD (the suite id as two bytes). */
const V3_IV = Buffer.alloc(12, 0x01);
const V3_AAD = Buffer.from([0x00, 0x73]);
/** `x-amz-w` 12: KMS with context, the only V3 wrapping this reader implements (02 AES/GCM and 22 RSA are raw keys). */
const V3_WRAP_KMS_CONTEXT = '12';

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
  const wrappedKey = decodeWrappedKey(fields, 'x-amz-3');
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
