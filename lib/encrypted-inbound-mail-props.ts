/**
 * The properties of `EncryptedInboundMail`, their defaults, and the checks that refuse values the pipeline cannot be
 * built with (each error names the setting and the fix).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { DEFAULT_VERDICT_POLICY } from '../lambda/contract/verdict-policy';
import { ConfigurationError } from './configuration-error';
import { checkRecipients } from './receiving/recipients';

/** Properties of `EncryptedInboundMail`; only `recipients` is required. */
export interface EncryptedInboundMailProps {
  /** Addresses or domains SES accepts mail for. Must not be empty. */
  readonly recipients: readonly string[];

  /**
   * Name of the receipt rule set.
   *
   * @default 'encrypted-inbound'
   */
  readonly ruleSetName?: string;

  /**
   * Name of the receipt rule; it is bound into every stored mail's encryption context.
   *
   * @default 'store-encrypted'
   */
  readonly ruleName?: string;

  /**
   * Key prefix of stored mail in the mail bucket.
   *
   * @default 'raw/'
   */
  readonly objectKeyPrefix?: string;

  /**
   * Largest message sent inline on the output queue, in bytes (1,024 to 1,048,576); larger mail goes to the payload
   * bucket.
   *
   * @default 262_144
   */
  readonly inlineMaxBytes?: number;

  /**
   * Days stored (encrypted) mail is kept in the mail bucket.
   *
   * @default 30
   */
  readonly rawMailRetentionDays?: number;

  /**
   * Days messages stay on the output queue; payload objects expire one day later.
   *
   * @default 4
   */
  readonly queueRetentionDays?: number;

  /**
   * Make the output queue a FIFO queue (ids derived from the SES message id).
   *
   * @default false
   */
  readonly fifo?: boolean;

  /**
   * Use FIPS 140 endpoints for the function's AWS calls.
   *
   * @default false
   */
  readonly useFipsEndpoints?: boolean;

  /**
   * Make the rule set the account's active one (replacing whatever set is active). Whether or not this is on, deleting
   * the stack deactivates the set if, and only if, it is still the active one.
   *
   * @default false
   */
  readonly activateRuleSet?: boolean;

  /**
   * A public hosted zone for the receiving domain: the construct then creates the SES domain identity (DKIM records)
   * and the MX record pointing at SES inbound, for `receivingDomain`.
   *
   * @default - no identity and no MX record; publish them yourself
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * The domain mail is received for, with `hostedZone`: a subdomain of the zone (mail.example.org), so that the
   * domain's existing mail is untouched. The zone's own name is accepted only with `replaceApexMx`.
   *
   * @default - required with `hostedZone`
   */
  readonly receivingDomain?: string;

  /**
   * Put the MX record at the zone apex, replacing where the whole domain's mail goes. Only with `hostedZone`, and
   * `receivingDomain` left out or equal to the zone's name.
   *
   * @default false
   */
  readonly replaceApexMx?: boolean;

  /**
   * An SNS topic every alarm notifies when it fires and when it clears (in the stack's region; if it is encrypted,
   * its key must let CloudWatch use it).
   *
   * @default - alarms only change state in CloudWatch; nobody is notified
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * The function's memory, in MiB; sized for a 40 MB mail.
   *
   * @default 1024
   */
  readonly memorySize?: number;

  /**
   * How long the function's logs are kept.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Removal policy of the keys and buckets (stored mail cannot be read without the mail key).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Require MFA for the administrative actions a person would take on the keys (policy changes, disabling, disabling
   * rotation, scheduling deletion). CDK's CloudFormation execution role is exempt so deployments keep working.
   *
   * @default false
   */
  readonly requireMfaForKeyAdministration?: boolean;

  /**
   * IAM roles allowed to decrypt stored mail with the mail key (operators running `decrypt`, `replay`, `redrive`),
   * under the same encryption-context conditions as the function. They also need s3:GetObject on the mail bucket.
   *
   * @default - nobody but the function
   */
  readonly operatorRoleArns?: readonly string[];

  /**
   * Record an audit trail: a CloudTrail trail (KMS-encrypted, log file validation on, its own access-logged bucket)
   * with S3 data events for the mail and payload buckets. Every data-key unwrap is a KMS Decrypt event whose encryption
   * context names the SES message id.
   *
   * @default false
   */
  readonly auditTrail?: boolean;

  /**
   * Days audit log files are kept, when `auditTrail` is on.
   *
   * @default 365
   */
  readonly auditRetentionDays?: number;

  /**
   * Stop mail whose SES virus verdict is FAIL before it is stored (the verdict gate).
   *
   * @default true
   */
  readonly refuseVirus?: boolean;

  /**
   * Stop mail whose SES spam verdict is FAIL before it is stored.
   *
   * @default false
   */
  readonly refuseSpam?: boolean;

  /**
   * Stop mail whose SPF verdict is FAIL before it is stored.
   *
   * @default false
   */
  readonly refuseSpfFail?: boolean;

  /**
   * Stop mail whose DKIM verdict is FAIL before it is stored.
   *
   * @default false
   */
  readonly refuseDkimFail?: boolean;

  /**
   * Stop mail whose DMARC verdict is FAIL when the sending domain's DMARC policy is quarantine or reject.
   *
   * @default false
   */
  readonly refuseDmarcFail?: boolean;

  /**
   * Run a daily Amazon Macie sensitive-data discovery job over the payload bucket (the only place decrypted mail
   * rests). Macie must be enabled in the account.
   *
   * @default false
   */
  readonly payloadDiscovery?: boolean;
}

/** The props with defaults applied, validated where they are not tokens. */
export function settingsOf(props: EncryptedInboundMailProps) {
  const settings = {
    recipients: [...props.recipients],
    ruleSetName: props.ruleSetName ?? 'encrypted-inbound',
    ruleName: props.ruleName ?? 'store-encrypted',
    objectKeyPrefix: props.objectKeyPrefix ?? 'raw/',
    inlineMaxBytes: props.inlineMaxBytes ?? 262_144,
    rawMailRetentionDays: props.rawMailRetentionDays ?? 30,
    queueRetentionDays: props.queueRetentionDays ?? 4,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    requireMfa: props.requireMfaForKeyAdministration === true,
    auditRetentionDays: props.auditRetentionDays ?? 365,
    verdictPolicy: {
      refuseVirus: props.refuseVirus ?? DEFAULT_VERDICT_POLICY.refuseVirus,
      refuseSpam: props.refuseSpam ?? DEFAULT_VERDICT_POLICY.refuseSpam,
      refuseSpfFail: props.refuseSpfFail ?? DEFAULT_VERDICT_POLICY.refuseSpfFail,
      refuseDkimFail: props.refuseDkimFail ?? DEFAULT_VERDICT_POLICY.refuseDkimFail,
      refuseDmarcFail: props.refuseDmarcFail ?? DEFAULT_VERDICT_POLICY.refuseDmarcFail,
    },
  };
  checkRecipients(settings.recipients);
  const { inlineMaxBytes, rawMailRetentionDays, queueRetentionDays, auditRetentionDays } = settings;
  if (!Number.isInteger(inlineMaxBytes) || inlineMaxBytes < 1024 || inlineMaxBytes > 1_048_576) {
    throw new ConfigurationError('inlineMaxBytes must be a whole number from 1024 to 1048576 (the SQS message limit)');
  }
  if (!Number.isInteger(rawMailRetentionDays) || rawMailRetentionDays < 1) {
    throw new ConfigurationError('rawMailRetentionDays must be a whole number of days, at least 1');
  }
  if (!Number.isInteger(queueRetentionDays) || queueRetentionDays < 1 || queueRetentionDays > 14) {
    throw new ConfigurationError('queueRetentionDays must be a whole number from 1 to 14 (the SQS limit)');
  }
  // SES's rule for both names: letters, digits, '.', '_' and '-', starting and ending with a letter or digit, at most
  // 64 characters (https://docs.aws.amazon.com/ses/latest/APIReference/API_ReceiptRule.html).
  const sesName = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$/;
  if (!sesName.test(settings.ruleSetName) || !sesName.test(settings.ruleName)) {
    throw new ConfigurationError(
      'ruleSetName and ruleName must be 1 to 64 letters, digits, dots, dashes or underscores, starting and ending with a letter or digit',
    );
  }
  if (!Number.isInteger(auditRetentionDays) || auditRetentionDays < 1) {
    throw new ConfigurationError('auditRetentionDays must be a whole number of days, at least 1');
  }
  for (const arn of props.operatorRoleArns ?? []) {
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(arn)) {
      throw new ConfigurationError('operatorRoleArns must hold IAM role ARNs (arn:aws:iam::<account>:role/<name>)');
    }
  }
  if (settings.objectKeyPrefix.length > 0 && !settings.objectKeyPrefix.endsWith('/')) {
    throw new ConfigurationError(
      "objectKeyPrefix must end with '/' so the function can tell the SES message id from the prefix",
    );
  }
  if (props.hostedZone === undefined && (props.receivingDomain !== undefined || props.replaceApexMx === true)) {
    throw new ConfigurationError('receivingDomain and replaceApexMx need hostedZone (the zone the records go in)');
  }
  return settings;
}

/**
 * The domain the MX record and identity are for: a subdomain of the zone, or the apex only when `replaceApexMx` says
 * so, because an MX record at the apex redirects all of the domain's mail.
 */
export function receivingDomainOf(props: EncryptedInboundMailProps, zone: route53.IHostedZone): string {
  const zoneName = zone.zoneName.replace(/\.$/, '');
  const domain = (props.receivingDomain ?? (props.replaceApexMx === true ? zoneName : '')).replace(/\.$/, '');
  if (domain === '') {
    throw new ConfigurationError(
      `hostedZone needs receivingDomain, a subdomain such as mail.${zoneName} (an MX record at ${zoneName} itself would take over the domain's mail; set replaceApexMx to do that on purpose)`,
    );
  }
  if (domain === zoneName && props.replaceApexMx !== true) {
    throw new ConfigurationError(
      `receivingDomain ${zoneName} is the zone apex: its MX record would take over the domain's mail; use a subdomain such as mail.${zoneName}, or set replaceApexMx`,
    );
  }
  if (domain !== zoneName && !domain.endsWith(`.${zoneName}`)) {
    throw new ConfigurationError(
      `receivingDomain must be within the hosted zone ${zoneName}, such as mail.${zoneName}`,
    );
  }
  if (domain !== zoneName && props.replaceApexMx === true) {
    throw new ConfigurationError(
      'replaceApexMx puts the MX record at the zone apex: leave receivingDomain out, or set it to the zone name',
    );
  }
  return domain;
}
