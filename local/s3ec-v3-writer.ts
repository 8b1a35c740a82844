/**
 * Writes objects in the S3 Encryption Client's V3 (key-committing) message format, as today's official clients do by
 * default (suite 115, `kms+context` wrapping), for tests and the benchmark. SES never writes this format.
 *
 * Written by hand from the specification (docs/FORMAT.md, "The V3 message format") and deliberately independent of the
 * reader in lambda/: it derives its keys with its own HKDF calls, so a mistake shared by writer and reader would still
 * be caught by the Ruby-written vectors in test/fixtures/vectors-v3.
 */
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';

const SUITE = Buffer.from([0x00, 0x73]);

export interface V3Object {
  /** Ciphertext followed by the 16-byte tag. */
  readonly body: Buffer;
  /** User metadata without the `x-amz-meta-` prefix: all of the envelope, or `x-amz-c/d/i` when split. */
  readonly metadata: Record<string, string>;
  /** With `instructionFile: true`, the fields stored as `<key>.instruction`. */
  readonly instruction?: Record<string, string>;
}

export interface V3WriteOptions {
  readonly kmsKeyArn: string;
  /** The caller's encryption context; `aws:x-amz-cek-alg` = 115 is added, as the official clients do. */
  readonly encryptionContext?: Readonly<Record<string, string>>;
  /** Split the envelope: `x-amz-3/w/t` in an instruction file, `x-amz-c/d/i` in the metadata. */
  readonly instructionFile?: boolean;
}

/** Encrypts a mail (or any bytes) as a V3 client's put_object would. */
export async function writeV3Object(kms: KMSClient, plaintext: Uint8Array, options: V3WriteOptions): Promise<V3Object> {
  const context = { ...options.encryptionContext, 'aws:x-amz-cek-alg': '115' };
  const dataKey = await kms.send(
    new GenerateDataKeyCommand({ KeyId: options.kmsKeyArn, KeySpec: 'AES_256', EncryptionContext: context }),
  );
  const key = Buffer.from(dataKey.Plaintext as Uint8Array);
  const messageId = randomBytes(28);
  const contentKey = Buffer.from(
    hkdfSync('sha512', key, messageId, Buffer.concat([SUITE, Buffer.from('DERIVEKEY')]), 32),
  );
  const commitment = Buffer.from(
    hkdfSync('sha512', key, messageId, Buffer.concat([SUITE, Buffer.from('COMMITKEY')]), 28),
  );
  key.fill(0);
  const cipher = createCipheriv('aes-256-gcm', contentKey, Buffer.alloc(12, 0x01), { authTagLength: 16 });
  contentKey.fill(0);
  cipher.setAAD(SUITE);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const inObject = {
    'x-amz-c': '115',
    'x-amz-d': commitment.toString('base64'),
    'x-amz-i': messageId.toString('base64'),
  };
  const inEnvelope = {
    'x-amz-3': Buffer.from(dataKey.CiphertextBlob as Uint8Array).toString('base64'),
    'x-amz-w': '12',
    'x-amz-t': JSON.stringify(context),
  };
  return options.instructionFile === true
    ? { body, metadata: inObject, instruction: inEnvelope }
    : { body, metadata: { ...inEnvelope, ...inObject } };
}
