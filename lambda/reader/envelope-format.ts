/**
 * The S3 Encryption Client envelope as this reader knows it (docs/FORMAT.md): the algorithms, the names SES and the
 * official clients write, and the validated `Envelope` that envelope.ts reads from an object. No logic here.
 */

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

/** A validated envelope: everything needed to unwrap the data key and decrypt the body. */
export interface Envelope {
  /** The body's cipher (`x-amz-cek-alg`, or V3's suite). */
  readonly contentAlgorithm: ContentAlgorithm;
  /** How the data key was wrapped with KMS (`x-amz-wrap-alg`: `kms` or `kms+context`). */
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
  /**
   * V3 only: the 28-byte key commitment (`x-amz-d`), checked before anything is decrypted.
   * @default - absent for V1 and V2 objects
   */
  readonly commitment?: Uint8Array;
  /**
   * V3 only: the 28-byte message id (`x-amz-i`), the HKDF salt.
   * @default - absent for V1 and V2 objects
   */
  readonly messageId?: Uint8Array;
  /**
   * V3 only: the additional authenticated data (the suite id, bytes 00 73).
   * @default - absent for V1 and V2 objects
   */
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
