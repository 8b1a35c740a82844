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
  /**
   * SES's scan and authentication results: with them, the header block SES prepends (verdicts included) is written
   * in front of the mail before it is encrypted, as SES does. @default - no block (the mail is stored as given)
   */
  readonly verdicts?: SimulatedVerdicts;
  /** The sender's MAIL FROM and HELO, which SES copies into its header block. @default - a plain sender */
  readonly envelope?: SmtpEnvelope;
  /**
   * The domains of the mail's DKIM signatures: SES's Authentication-Results gives one dkim result for each, so a
   * sender who signs many times swells SES's block. @default ['example.net']
   */
  readonly dkimSigners?: readonly string[];
}

/** A verdict status as SES reports it. */
export type VerdictStatus = 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED' | 'DISABLED';

/** What SES's scans and checks found, for the simulator to write into headers and the receipt. */
export interface SimulatedVerdicts {
  readonly spam: VerdictStatus;
  readonly virus: VerdictStatus;
  readonly spf: VerdictStatus;
  readonly dkim: VerdictStatus;
  readonly dmarc: VerdictStatus;
  /** The sending domain's DMARC policy; SES gives it when DMARC failed. */
  readonly dmarcPolicy?: 'none' | 'quarantine' | 'reject';
}

/** Everything passed. */
export const CLEAN_VERDICTS: SimulatedVerdicts = {
  spam: 'PASS',
  virus: 'PASS',
  spf: 'PASS',
  dkim: 'PASS',
  dmarc: 'PASS',
};

/** One object as SES stores it. */
export interface SesStoredObject {
  readonly key: string;
  readonly messageId: string;
  readonly body: Buffer;
  /** The plaintext that was encrypted: the mail, behind SES's header block when verdicts were given. */
  readonly plaintext: Buffer;
  /** User metadata as `GetObject().Metadata` returns it (no `x-amz-meta-` prefix). */
  readonly metadata: Record<string, string>;
}

/** Encrypts `mime` as SES does, asking KMS for the data key with the material description as encryption context. */
export async function storeAsSes(
  kms: KMSClient,
  original: Uint8Array,
  options: SesStoreOptions,
): Promise<SesStoredObject> {
  const messageId = options.messageId ?? randomSesMessageId();
  const mime =
    options.verdicts === undefined
      ? Buffer.from(original)
      : Buffer.concat([
          Buffer.from(
            sesHeaderBlock(messageId, options.verdicts, undefined, options.envelope, options.dkimSigners),
            'latin1',
          ),
          original,
        ]);
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
      plaintext: mime,
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

/**
 * The header block SES prepends to a received mail, in SES's order: Return-Path, its Received, the verdicts (scanning
 * on), Received-SPF, Authentication-Results, X-SES-RECEIPT, X-SES-DKIM-SIGNATURE. Placeholder hosts and addresses.
 */
export function sesHeaderBlock(
  messageId: string,
  verdicts: SimulatedVerdicts,
  region = 'us-east-1',
  envelope: SmtpEnvelope = { mailFrom: 'sender@example.net', helo: 'mail.example.net' },
  dkimSigners: readonly string[] = ['example.net'],
): string {
  const lower = (status: VerdictStatus) => status.toLowerCase();
  // SES copies the sender's MAIL FROM and HELO into its results as they were given: sender-chosen text.
  const spf = `${lower(verdicts.spf)} (spfCheck: domain of example.net designates 192.0.2.1 as permitted sender) client-ip=192.0.2.1; envelope-from=${envelope.mailFrom}; helo=${envelope.helo};`;
  return [
    'Return-Path: <sender@example.net>',
    `Received: from mail.example.net (mail.example.net [192.0.2.1])\r\n by inbound-smtp.${region}.amazonaws.com with SMTP id ${messageId}\r\n for recipient@example.com;\r\n Mon, 23 Nov 2026 12:00:00 +0000 (UTC)`,
    `X-SES-Spam-Verdict: ${verdicts.spam}`,
    `X-SES-Virus-Verdict: ${verdicts.virus}`,
    `Received-SPF: ${spf}`,
    `Authentication-Results: amazonses.com;\r\n spf=${spf}\r\n${dkimSigners.map((d) => ` dkim=${lower(verdicts.dkim)} header.i=@${d};\r\n`).join('')} dmarc=${lower(verdicts.dmarc)} header.from=example.net;`,
    `X-SES-RECEIPT: ${randomBytes(96).toString('base64')}`,
    `X-SES-DKIM-SIGNATURE: a=rsa-sha256; q=dns/txt; b=${randomBytes(64).toString('base64')}; c=relaxed/simple; s=local; d=amazonses.com; t=1795000000; v=1; bh=${randomBytes(32).toString('base64')}; h=From:To:Subject;`,
    '',
  ].join('\r\n');
}

/** What the sending server said in SMTP: its MAIL FROM address and its HELO name, both the sender's choice. */
export interface SmtpEnvelope {
  readonly mailFrom: string;
  readonly helo: string;
}

/** The event SES hands a receipt rule's Lambda action (RequestResponse) for a mail, with the verdicts in its receipt. */
export function sesLambdaActionEvent(messageId: string, verdicts: SimulatedVerdicts, functionArn: string) {
  const status = (value: VerdictStatus) => ({ status: value });
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          receipt: {
            timestamp: '2026-11-23T12:00:00.000Z',
            processingTimeMillis: 420,
            recipients: ['recipient@example.com'],
            spamVerdict: status(verdicts.spam),
            virusVerdict: status(verdicts.virus),
            spfVerdict: status(verdicts.spf),
            dkimVerdict: status(verdicts.dkim),
            dmarcVerdict: status(verdicts.dmarc),
            ...(verdicts.dmarcPolicy === undefined ? {} : { dmarcPolicy: verdicts.dmarcPolicy }),
            action: { type: 'Lambda', functionArn, invocationType: 'RequestResponse' },
          },
          mail: {
            timestamp: '2026-11-23T12:00:00.000Z',
            source: 'sender@example.net',
            messageId,
            destination: ['recipient@example.com'],
            headersTruncated: false,
            headers: [
              { name: 'From', value: 'sender@example.net' },
              { name: 'Subject', value: 'a subject' },
            ],
            commonHeaders: { from: ['sender@example.net'], to: ['recipient@example.com'], subject: 'a subject' },
          },
        },
      },
    ],
  };
}
