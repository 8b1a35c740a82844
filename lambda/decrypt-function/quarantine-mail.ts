/**
 * Quarantines a stored mail: a server-side copy of the object, still encrypted as SES wrote it, to its quarantine key
 * (`quarantine/<REASONS>/<SES message id>`, lambda/contract/verdict-actions.ts) in the same bucket. Nothing is
 * decrypted into it and nothing is forwarded.
 *
 * CopyObject with the COPY metadata directive keeps the user metadata, where the S3 Encryption Client envelope (and
 * with it SES's KMS encryption context) lives (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html);
 * the key still ends with the SES message id, so the reader's key check holds for the quarantine prefix too. An
 * envelope kept in an instruction file is copied beside it. The copy names the exact version the event named.
 */
import { CopyObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { quarantineKey } from '../contract/verdict-actions';
import type { RefusalReason } from '../contract/verdict-policy';
import { INSTRUCTION_FILE_SUFFIX } from '../reader/envelope';
import { errorNameOf, ForwardError, isTransientFailure, TransientError } from '../reader/errors';

/** The stored object and why it is quarantined. */
export interface MailToQuarantine {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string | undefined;
  readonly messageId: string;
  readonly reasons: readonly RefusalReason[];
  /** The envelope was read from `<key>.instruction`: copy it too. */
  readonly instructionFile: boolean;
}

/**
 * Copies the object (and its instruction file) under the quarantine prefix; returns the quarantine key.
 * @throws TransientError when S3 may succeed on retry; ForwardError (FORWARD_FAILED) when it refuses the copy
 */
export async function quarantineMail(s3: S3Client, prefix: string, mail: MailToQuarantine): Promise<string> {
  const target = quarantineKey(prefix, mail.reasons, mail.messageId);
  const copy = async (from: string, to: string, versionId: string | undefined) => {
    try {
      await s3.send(
        new CopyObjectCommand({
          Bucket: mail.bucket,
          Key: to,
          CopySource: `${mail.bucket}/${encodeURIComponent(from)}${versionId === undefined ? '' : `?versionId=${encodeURIComponent(versionId)}`}`,
          MetadataDirective: 'COPY',
        }),
      );
    } catch (error) {
      const name = errorNameOf(error);
      throw isTransientFailure(error)
        ? new TransientError(`S3 CopyObject to quarantine failed transiently (${name})`, { cause: error })
        : new ForwardError(`S3 CopyObject to quarantine refused (${name})`, { cause: error });
    }
  };
  await copy(mail.key, target, mail.versionId);
  if (mail.instructionFile) {
    await copy(`${mail.key}${INSTRUCTION_FILE_SUFFIX}`, `${target}${INSTRUCTION_FILE_SUFFIX}`, undefined);
  }
  return target;
}
