/**
 * Stored objects for handler tests, made with real cryptography: SES's format through the SES simulator, and
 * legacy or damaged variants built the way the reference clients would.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { objectCreatedEvent } from '../../local/pipeline';
import { type SesStoredObject, type SimulatedVerdicts, storeAsSes } from '../../local/ses-simulator';

export const ACCOUNT = '111122223333';
export const RULE = 'store-encrypted';

export function sesObject(
  kms: KMSClient,
  keyArn: string,
  mime: Uint8Array,
  messageId?: string,
  verdicts?: SimulatedVerdicts,
): Promise<SesStoredObject> {
  return storeAsSes(kms, mime, { kmsKeyArn: keyArn, ruleName: RULE, sourceAccount: ACCOUNT, messageId, verdicts });
}

/**
 * A V1 legacy object (kms wrap, AES/CBC) with an SES-shaped material description; the function refuses it whatever
 * its settings (SES never writes CBC). `badPadding` makes its last block decrypt to invalid PKCS#7 padding.
 */
export async function cbcObject(
  kms: KMSClient,
  keyArn: string,
  mime: Uint8Array,
  messageId: string,
  options: { badPadding?: boolean } = {},
): Promise<SesStoredObject> {
  const matdesc = {
    'aws:ses:message-id': messageId,
    'aws:ses:rule-name': RULE,
    'aws:ses:source-account': ACCOUNT,
    kms_cmk_id: keyArn,
  };
  return {
    ...(await cbcObjectWithMatdesc(kms, keyArn, mime, matdesc, options)),
    key: `raw/${messageId}`,
    messageId,
    plaintext: Buffer.from(mime),
  };
}

/** A V1 legacy object (kms wrap, AES/CBC) as the Ruby and Java V1 clients write it, with any material description. */
export async function cbcObjectWithMatdesc(
  kms: KMSClient,
  keyArn: string,
  mime: Uint8Array,
  matdesc: Record<string, string>,
  options: { badPadding?: boolean } = {},
): Promise<{ body: Buffer; metadata: Record<string, string> }> {
  const key = await kms.send(
    new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: matdesc }),
  );
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key.Plaintext as Uint8Array, iv);
  let body: Buffer;
  if (options.badPadding) {
    cipher.setAutoPadding(false);
    const padded = Buffer.concat([Buffer.from(mime), Buffer.alloc(16 - (mime.length % 16), 0)]);
    body = Buffer.concat([cipher.update(padded), cipher.final()]);
  } else {
    body = Buffer.concat([cipher.update(mime), cipher.final()]);
  }
  return {
    body,
    metadata: {
      'x-amz-key-v2': Buffer.from(key.CiphertextBlob as Uint8Array).toString('base64'),
      'x-amz-iv': iv.toString('base64'),
      'x-amz-cek-alg': 'AES/CBC/PKCS5Padding',
      'x-amz-wrap-alg': 'kms',
      'x-amz-matdesc': JSON.stringify(matdesc),
    },
  };
}

/** An S3 object-created event as S3 sends it (keys URL-encoded with `+` for space). */
export const s3Event = objectCreatedEvent;
