/**
 * `quarantine release`: decrypts a quarantined mail with the function's own reader and settings and delivers it
 * with the function's own `forwardMail`, with SES's verdicts and a record of the release (the `VerdictRefusal`
 * attribute: `{"action":"released","reasons":[…],"quarantinedAt":…,"releasedAt":…}`). The quarantined object stays
 * until `purge` or its lifecycle removes it.
 */
import type { RefusalReason } from '../lambda/contract/verdict-policy';
import type { AwsClients } from '../lambda/decrypt-function/aws-clients';
import type { FunctionConfig } from '../lambda/decrypt-function/config';
import { type ForwardResult, forwardMail, forwardTargets } from '../lambda/decrypt-function/forward-mail';
import { discardPlaintext } from '../lambda/decrypt-function/process-record';
import { readSesVerdicts } from '../lambda/decrypt-function/ses-verdicts';
import { collectingAsItGoes, getObject, sourceError, storedMailPolicy } from '../lambda/decrypt-function/stored-object';
import { decryptMail } from '../lambda/reader/decrypt-mail';
import { EnvelopeError, TransientError } from '../lambda/reader/errors';
import { loadInstructionFile } from '../lambda/reader/instruction-file';
import { UsageError } from './usage-error';

/** The flag that names the risk of delivering mail SES found a virus in. */
export const ACCEPT_VIRUS_RISK = '--accept-virus-risk';

/** A quarantined mail, as its key names it. */
export interface QuarantinedMail {
  readonly bucket: string;
  readonly key: string;
  /** The key up to the message id (`quarantine/VIRUS/`): the reader checks the key is it plus the SES message id. */
  readonly keyPrefix: string;
  readonly reasons: readonly RefusalReason[];
}

/**
 * Decrypts and delivers one quarantined mail; returns how it was delivered.
 * @param options.acceptVirusRisk - deliver mail SES found a virus in: named by its key's reasons or by SES's own
 *   verdict in the mail, which is read too (the key is the function's word, the header SES's)
 * @throws UsageError when SES found a virus in it and the risk is not accepted; nothing is delivered
 */
export async function releaseQuarantined(
  mail: QuarantinedMail,
  options: { readonly config: FunctionConfig; readonly clients: AwsClients; readonly acceptVirusRisk: boolean },
): Promise<ForwardResult> {
  const { config, clients } = options;
  const object = await getObject(clients.s3, mail.bucket, mail.key, undefined);
  try {
    const body = object.Body as AsyncIterable<Uint8Array> | undefined;
    if (body === undefined) throw new TransientError('S3 returned no body');
    const decrypted = await decryptMail(
      {
        metadata: object.Metadata ?? {},
        body: collectingAsItGoes(body, object.ContentLength),
        contentLength: object.ContentLength,
        loadInstructionFile: async () => {
          try {
            return await loadInstructionFile(clients.s3, mail.bucket, mail.key);
          } catch (error) {
            throw error instanceof EnvelopeError ? error : sourceError(error);
          }
        },
      },
      storedMailPolicy(clients.kms, config, mail.key, mail.keyPrefix),
    );
    const verdicts = readSesVerdicts(decrypted.plaintext);
    const virus = mail.reasons.includes('VIRUS') || verdicts?.virus === 'FAIL';
    if (virus && !options.acceptVirusRisk) {
      discardPlaintext(decrypted.plaintext);
      throw new UsageError(
        `${decrypted.messageId} holds a virus by SES's verdict; to deliver it all the same to your consumers, pass ${ACCEPT_VIRUS_RISK}`,
      );
    }
    return await forwardMail(
      {
        messageId: decrypted.messageId as string,
        plaintext: decrypted.plaintext,
        sourceBucket: mail.bucket,
        sourceKey: mail.key,
        verdicts,
        refusal: {
          action: 'released',
          reasons: mail.reasons,
          ...(object.LastModified === undefined ? {} : { quarantinedAt: object.LastModified.toISOString() }),
          releasedAt: new Date().toISOString(),
          ...(virus ? { virusRiskAccepted: true } : {}),
        },
      },
      forwardTargets(clients, config),
    );
  } finally {
    (object.Body as { destroy?: () => void } | undefined)?.destroy?.();
  }
}
