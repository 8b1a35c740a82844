/**
 * Unwraps an envelope's data key with KMS, pinned to the expected key and bound to the whole material description.
 */
import { DecryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { Envelope } from './envelope';
import {
  CredentialsError,
  errorNameOf,
  isCredentialsFailure,
  isTransientFailure,
  KeyUnwrapError,
  type KeyUnwrapErrorCode,
  TransientError,
} from './errors';

/** AES-256 data keys are 32 bytes. */
export const DATA_KEY_BYTES = 32;

// A Map, not an object literal: an error named `constructor` or `toString` must not find a code.
const PERMANENT_KMS_ERRORS: ReadonlyMap<string, KeyUnwrapErrorCode> = new Map([
  ['InvalidCiphertextException', 'KMS_DECRYPT_REFUSED'],
  // Our KeyId and context are well formed (the pin is validated in config), so a malformed request means the object's
  // wrapped key or material description is.
  ['ValidationException', 'KMS_DECRYPT_REFUSED'],
  ['IncorrectKeyException', 'KMS_WRONG_KEY'],
  ['AccessDeniedException', 'KMS_ACCESS_DENIED'],
  ['NotFoundException', 'KMS_KEY_UNUSABLE'],
  ['DisabledException', 'KMS_KEY_UNUSABLE'],
  ['KMSInvalidStateException', 'KMS_KEY_UNUSABLE'],
  ['InvalidKeyUsageException', 'KMS_KEY_UNUSABLE'],
  ['InvalidArnException', 'KMS_KEY_UNUSABLE'],
]);

/**
 * Asks KMS to decrypt the wrapped data key. The caller owns the returned bytes and must zero them after use.
 *
 * `EncryptionContext` is the whole material description (KMS compares it byte for byte with what the key was
 * wrapped under) and `KeyId` pins the key, so a key wrapped under any other KMS key is refused even where the caller
 * could use that key.
 * @throws KeyUnwrapError when KMS refuses for good, or answers with a key that is not 32 bytes
 * @throws CredentialsError when the caller's credentials are missing or refused (retryable: never the object's fault)
 * @throws TransientError on throttling, KMS 5xx, timeouts, and any failure KMS does not name as the object's
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
    if (isCredentialsFailure(error)) {
      throw new CredentialsError(`AWS credentials missing or refused calling KMS Decrypt (${name})`, { cause: error });
    }
    const code = PERMANENT_KMS_ERRORS.get(name);
    if (code !== undefined) {
      throw new KeyUnwrapError(code, `KMS Decrypt refused the data key (${name})`, { cause: error });
    }
    if (isTransientFailure(error)) {
      throw new TransientError(`KMS Decrypt failed transiently (${name})`, { cause: error });
    }
    // Not a refusal KMS names as the object's: retried, so an unknown failure never consumes mail (after Lambda's
    // retries the event reaches the on-failure destination, from which `redrive` brings it back).
    throw new TransientError(`KMS Decrypt failed (${name})`, { cause: error });
  }
  /* Precondition: KMS returns a 32-byte data key. */
  if (plaintext === undefined || plaintext.length !== DATA_KEY_BYTES) {
    plaintext?.fill(0);
    throw new KeyUnwrapError('DATA_KEY_INVALID', `KMS returned a data key of ${plaintext?.length ?? 0} bytes, not 32`);
  }
  return plaintext;
}
