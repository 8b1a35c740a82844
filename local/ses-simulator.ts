/**
 * Writes a mail to S3 exactly as an SES receipt rule's S3 action does with "encrypt message" on: AES-256-GCM under a
 * fresh KMS data key, the 16-byte tag appended, and the envelope in user metadata (docs/FORMAT.md).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';

/** The receipt rule's settings that shape what SES stores. */
export interface SesStoreOptions {
  /** The KMS key the rule encrypts with (key or alias ARN; it becomes `kms_cmk_id`). */
  readonly kmsKeyArn: string;
  readonly ruleName: string;
  readonly sourceAccount: string;
  /** @default - a random SES-like id */
  readonly messageId?: string;
  /** The rule's object key prefix. @default 'raw/' */
  readonly objectKeyPrefix?: string;
}

/** One object as SES stores it. */
export interface SesStoredObject {
  readonly key: string;
  readonly messageId: string;
  readonly body: Buffer;
  /** User metadata as `GetObject().Metadata` returns it (no `x-amz-meta-` prefix). */
  readonly metadata: Record<string, string>;
}

/** Encrypts `mime` as SES does, asking KMS for the data key with the material description as encryption context. */
export async function storeAsSes(kms: KMSClient, mime: Uint8Array, options: SesStoreOptions): Promise<SesStoredObject> {
  const messageId = options.messageId ?? randomSesMessageId();
  const materialDescription = {
    'aws:ses:message-id': messageId,
    'aws:ses:rule-name': options.ruleName,
    'aws:ses:source-account': options.sourceAccount,
    kms_cmk_id: options.kmsKeyArn,
  };
  const dataKey = await kms.send(
    new GenerateDataKeyCommand({
      KeyId: options.kmsKeyArn,
      KeySpec: 'AES_256',
      EncryptionContext: materialDescription,
    }),
  );
  if (dataKey.Plaintext === undefined || dataKey.CiphertextBlob === undefined) {
    throw new Error('KMS GenerateDataKey returned no key');
  }
  const iv = randomBytes(12);
  try {
    const cipher = createCipheriv('aes-256-gcm', dataKey.Plaintext, iv);
    const body = Buffer.concat([cipher.update(mime), cipher.final(), cipher.getAuthTag()]);
    return {
      key: `${options.objectKeyPrefix ?? 'raw/'}${messageId}`,
      messageId,
      body,
      metadata: {
        'x-amz-key-v2': Buffer.from(dataKey.CiphertextBlob).toString('base64'),
        'x-amz-iv': iv.toString('base64'),
        'x-amz-cek-alg': 'AES/GCM/NoPadding',
        'x-amz-wrap-alg': 'kms',
        'x-amz-tag-len': '128',
        'x-amz-unencrypted-content-length': String(mime.length),
        'x-amz-matdesc': JSON.stringify(materialDescription),
      },
    };
  } finally {
    dataKey.Plaintext.fill(0);
  }
}

/** A random id shaped like SES's (lower-case base-32 characters, 20 to 40 long). */
export function randomSesMessageId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(32);
  let id = '';
  for (const byte of bytes) {
    id += alphabet[byte % alphabet.length];
  }
  return id;
}
