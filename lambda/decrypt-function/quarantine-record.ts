/**
 * A record whose verdicts ask for quarantine: copied, still encrypted, under the quarantine prefix
 * (quarantine-mail.ts), and reported as `quarantined` with its reasons. Nothing is forwarded and nothing goes to the
 * failure queue: a quarantine is a decision, not a failure (its record is the key, which names the reasons, and the
 * `Quarantined` metric per reason).
 */
import { DEFAULT_QUARANTINE_PREFIX, quarantineKey } from '../contract/verdict-actions';
import type { RefusalReason } from '../contract/verdict-policy';
import type { AwsClients } from './aws-clients';
import type { FunctionConfig } from './config';
import { type MailToQuarantine, quarantineMail } from './quarantine-mail';

/** A record quarantined (or, in a dry run, that would be). */
export interface QuarantinedOutcome {
  readonly outcome: 'quarantined';
  readonly bucket: string;
  readonly key: string;
  readonly reasons: readonly RefusalReason[];
  /** Where the copy is (or would be, in a dry run). */
  readonly quarantineKey: string;
}

/** What `quarantine` needs of the record's dependencies. */
export interface QuarantineDeps {
  readonly clients: AwsClients;
  readonly config: FunctionConfig;
  readonly dryRun?: boolean;
}

/** Copies the mail to quarantine (not in a dry run). */
export async function quarantine(
  deps: QuarantineDeps,
  mail: Omit<MailToQuarantine, 'reasons'>,
  reasons: readonly RefusalReason[],
): Promise<QuarantinedOutcome> {
  const prefix = deps.config.verdicts?.quarantinePrefix ?? DEFAULT_QUARANTINE_PREFIX;
  const target =
    deps.dryRun === true
      ? quarantineKey(prefix, reasons, mail.messageId)
      : await quarantineMail(deps.clients.s3, prefix, { ...mail, reasons });
  return { outcome: 'quarantined', bucket: mail.bucket, key: mail.key, reasons, quarantineKey: target };
}
