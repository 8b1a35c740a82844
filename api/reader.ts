/**
 * `ses-encrypted-inbound/reader`: an S3 Encryption Client reader for JavaScript, for KMS-wrapped objects. It reads
 * - what SES stores with "encrypt message" on (AES-256-GCM, `kms` wrapping);
 * - the official clients' V2 format (AES-256-GCM, `kms+context`);
 * - their V3 key-committing format (suite 115, `x-amz-w` 12), the default of today's clients, envelope in the metadata
 *   or in a `<key>.instruction` file: the commitment is checked before anything is decrypted;
 * - V1 AES/CBC only with `allowLegacyCbc` (unauthenticated; never for SES-shaped objects).
 *
 * The commitment policy, `requireKeyCommitment`: false (the default) also reads non-committing objects, which SES
 * mail needs; true reads V3 objects only and refuses every other with KEY_COMMITMENT_REQUIRED. It releases plaintext
 * only after the whole object has authenticated. docs/FORMAT.md says what it reads and what it refuses, and why.
 *
 * @example
 * const { plaintext } = await decryptMail(
 *   { metadata: head.Metadata, body: object.Body, contentLength: object.ContentLength },
 *   { kms, expectedKmsKeyArn: 'arn:aws:kms:…:key/…' },
 * );
 */

export { readSesVerdicts, type SesVerdicts } from '../lambda/decrypt-function/ses-verdicts';
export {
  type DecryptedMail,
  type DecryptMailOptions,
  decryptMail,
  type EncryptedObject,
} from '../lambda/reader/decrypt-mail';
export type { DecryptPolicy } from '../lambda/reader/decrypt-policy';
export { type Envelope, type EnvelopeSource, readEnvelope } from '../lambda/reader/envelope';
export {
  CredentialsError,
  EnvelopeError,
  InboundMailError,
  IntegrityError,
  KeyUnwrapError,
  PolicyError,
  type ReasonCode,
  SourceError,
  TransientError,
} from '../lambda/reader/errors';
export { loadInstructionFile, MAX_INSTRUCTION_FILE_BYTES } from '../lambda/reader/instruction-file';
export type { MailPlaintext } from '../lambda/reader/mail-decipher';
