/**
 * Unwraps an envelope's data key with KMS, pinned to the expected key and bound to the whole material description.
 */
import { DecryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { Envelope } from './envelope';
import { errorNameOf, isTransientFailure, KeyUnwrapError, type KeyUnwrapErrorCode, TransientError } from './errors';

/** AES-256 data keys are 32 bytes. */
export const DATA_KEY_BYTES = 32;

const PERMANENT_KMS_ERRORS: Readonly<Record<string, KeyUnwrapErrorCode>> = {
  InvalidCiphertextException: 'KMS_DECRYPT_REFUSED',
  IncorrectKeyException: 'KMS_WRONG_KEY',
  AccessDeniedException: 'KMS_ACCESS_DENIED',
  NotFoundException: 'KMS_KEY_UNUSABLE',
  DisabledException: 'KMS_KEY_UNUSABLE',
  KMSInvalidStateException: 'KMS_KEY_UNUSABLE',
  InvalidKeyUsageException: 'KMS_KEY_UNUSABLE',
  InvalidArnException: 'KMS_KEY_UNUSABLE',
};

/**
 * Asks KMS to decrypt the wrapped data key. The caller owns the returned bytes and must zero them after use.
 *
 * `EncryptionContext` is the whole material description (KMS compares it byte for byte with what the key was
 * wrapped under) and `KeyId` pins the key, so a key wrapped under any other KMS key is refused even where the caller
 * could use that key.
 * @throws KeyUnwrapError when KMS refuses for good, or answers with a key that is not 32 bytes
 * @throws TransientError on throttling, KMS 5xx, timeouts
 */
export async function unwrapDataKey(
  kms: KMSClient,
  envelope: Envelope,
  expectedKmsKeyArn: string,
): Promise<Uint8Array> {
  let plaintext: Uint8Array | undefined;
  try {
    const response = await kms.send(
      new DecryptCommand({
        CiphertextBlob: envelope.wrappedKey,
        EncryptionContext: { ...envelope.materialDescription },
        KeyId: expectedKmsKeyArn,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      }),
    );
    plaintext = response.Plaintext;
  } catch (error) {
    const name = errorNameOf(error);
    const code = PERMANENT_KMS_ERRORS[name];
    if (code !== undefined) {
      throw new KeyUnwrapError(code, `KMS Decrypt refused the data key (${name})`, { cause: error });
    }
    if (isTransientFailure(error)) {
      throw new TransientError(`KMS Decrypt failed transiently (${name})`, { cause: error });
    }
    throw new KeyUnwrapError('KMS_DECRYPT_REFUSED', `KMS Decrypt failed (${name})`, { cause: error });
  }
  /* Precondition: KMS returns a 32-byte data key. */
  if (plaintext === undefined || plaintext.length !== DATA_KEY_BYTES) {
    plaintext?.fill(0);
    throw new KeyUnwrapError('DATA_KEY_INVALID', `KMS returned a data key of ${plaintext?.length ?? 0} bytes, not 32`);
  }
  return plaintext;
}
