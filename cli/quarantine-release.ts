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
import { readSesVerdicts } from '../lambda/decrypt-function/ses-verdicts';
import { collectingAsItGoes, getObject, sourceError, storedMailPolicy } from '../lambda/decrypt-function/stored-object';
import { decryptMail } from '../lambda/reader/decrypt-mail';
import { EnvelopeError, TransientError } from '../lambda/reader/errors';
import { loadInstructionFile } from '../lambda/reader/instruction-file';

/** A quarantined mail, as its key names it. */
export interface QuarantinedMail {
  readonly bucket: string;
  readonly key: string;
  /** The key up to the message id (`quarantine/VIRUS/`): the reader checks the key is it plus the SES message id. */
  readonly keyPrefix: string;
  readonly reasons: readonly RefusalReason[];
}

/** Decrypts and delivers one quarantined mail; returns how it was delivered. */
export async function releaseQuarantined(
  mail: QuarantinedMail,
  options: { readonly config: FunctionConfig; readonly clients: AwsClients; readonly virusRiskAccepted: boolean },
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
    return await forwardMail(
      {
        messageId: decrypted.messageId as string,
        plaintext: decrypted.plaintext,
        sourceBucket: mail.bucket,
        sourceKey: mail.key,
        verdicts: readSesVerdicts(decrypted.plaintext),
        refusal: {
          action: 'released',
          reasons: mail.reasons,
          ...(object.LastModified === undefined ? {} : { quarantinedAt: object.LastModified.toISOString() }),
          releasedAt: new Date().toISOString(),
          ...(options.virusRiskAccepted ? { virusRiskAccepted: true } : {}),
        },
      },
      forwardTargets(clients, config),
    );
  } finally {
    (object.Body as { destroy?: () => void } | undefined)?.destroy?.();
  }
}
