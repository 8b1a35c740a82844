import { createCipheriv, randomBytes } from 'node:crypto';
import { LOCAL_ACCOUNT, LOCAL_RULE } from '../../local/local-stack';

/** An SES-format object made here, so its data key is known (the Ruby reference and the core bench need it). */
export function sesObject(mime: Buffer, messageId: string, keyArn: string, wrappedKey: Buffer) {
  const dataKey = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  const body = Buffer.concat([cipher.update(mime), cipher.final(), cipher.getAuthTag()]);
  const matdesc = {
    'aws:ses:message-id': messageId,
    'aws:ses:rule-name': LOCAL_RULE,
    'aws:ses:source-account': LOCAL_ACCOUNT,
    kms_cmk_id: keyArn,
  };
  const metadata = {
    'x-amz-key-v2': wrappedKey.toString('base64'),
    'x-amz-iv': iv.toString('base64'),
    'x-amz-cek-alg': 'AES/GCM/NoPadding',
    'x-amz-wrap-alg': 'kms',
    'x-amz-tag-len': '128',
    'x-amz-unencrypted-content-length': String(mime.length),
    'x-amz-matdesc': JSON.stringify(matdesc),
  };
  return { body, metadata, dataKey, matdesc };
}

/** A mail of `bytes` bytes: headers and a base64 body, as large attachments are. */
export function mailOf(bytes: number): Buffer {
  const head = Buffer.from(
    'From: a@example.net\r\nTo: b@example.com\r\nSubject: bench\r\nContent-Transfer-Encoding: base64\r\n\r\n',
  );
  const body = Buffer.from(
    randomBytes(Math.ceil((bytes * 3) / 4))
      .toString('base64')
      .slice(0, bytes - head.length),
  );
  return Buffer.concat([head, body]);
}
