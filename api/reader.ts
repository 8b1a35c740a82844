/**
 * `ses-encrypted-inbound/reader`: an S3 Encryption Client reader for JavaScript. It reads objects SES stores with
 * "encrypt message" on, and the V2 (`kms+context`) and, on request, V1 (AES/CBC) formats of the official clients, with
 * KMS keys; it releases plaintext only after the whole object has authenticated. docs/FORMAT.md says what it reads and
 * what it refuses, and why.
 *
 * @example
 * const { plaintext } = await decryptMail(
 *   { metadata: head.Metadata, body: object.Body, contentLength: object.ContentLength },
 *   { kms, expectedKmsKeyArn: 'arn:aws:kms:…:key/…' },
 * );
 */
export {
  type DecryptedMail,
  type DecryptMailOptions,
  decryptMail,
  type EncryptedObject,
  readEnvelope,
} from '../lambda/decrypt-mail';
export type { DecryptPolicy } from '../lambda/decrypt-policy';
export type { Envelope } from '../lambda/envelope';
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
} from '../lambda/errors';
export { loadInstructionFile, MAX_INSTRUCTION_FILE_BYTES } from '../lambda/instruction-file';
export type { MailPlaintext } from '../lambda/mail-decipher';
export { readSesVerdicts, type SesVerdicts } from '../lambda/ses-verdicts';
