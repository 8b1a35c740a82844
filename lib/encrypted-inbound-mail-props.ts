/**
 * The properties of `EncryptedInboundMail`, their defaults, and the checks that refuse values the pipeline cannot be
 * built with (each error names the setting and the fix).
 */
import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import type { IConstruct } from 'constructs';
import { DEFAULT_QUARANTINE_RETENTION_DAYS } from '../lambda/contract/verdict-actions';
import { DEFAULT_VERDICT_POLICY } from '../lambda/contract/verdict-policy';
import { ConfigurationError } from './configuration-error';
import type { DeliveryProps } from './delivery/delivery-props';
import { checkDeploymentRegion } from './deployment-region';
import type { FunctionsProps } from './functions/functions-props';
import type { GovernanceProps } from './governance/governance-props';
import type { MailStoreProps } from './mail-store/mail-store-props';
import { checkQuarantine, verdictActionsOf } from './mail-store/quarantine-settings';
import { uniqueDefaultName } from './receiving/default-names';
import type { ReceivingProps } from './receiving/receiving-props';
import { checkRecipients } from './receiving/recipients';
import { checkMaxConcurrency, DEFAULT_WORK_QUEUE_MAX_CONCURRENCY } from './trigger/work-queue-settings';

/**
 * Properties of `EncryptedInboundMail`; only `recipients` is required. Each group is declared beside the part of the
 * construct it configures.
 */
export interface EncryptedInboundMailProps
  extends ReceivingProps,
    MailStoreProps,
    DeliveryProps,
    FunctionsProps,
    GovernanceProps {}

/**
 * The props with defaults applied, validated where they are not tokens.
 * @param scope the construct, whose place in its stack makes the default names unique (receiving/default-names.ts)
 */
export function settingsOf(props: EncryptedInboundMailProps, scope: IConstruct) {
  const settings = {
    recipients: [...props.recipients],
    ruleSetName:
      props.ruleSet?.receiptRuleSetName ?? props.ruleSetName ?? uniqueDefaultName('encrypted-inbound', scope),
    ruleName:
      props.ruleName ?? (props.ruleSet === undefined ? 'store-encrypted' : uniqueDefaultName('store-encrypted', scope)),
    objectKeyPrefix: props.objectKeyPrefix ?? 'raw/',
    previousRuleNames: [...(props.previousRuleNames ?? [])],
    previousRuleSetNames: [...(props.previousRuleSetNames ?? [])],
    previousObjectKeyPrefixes: [...(props.previousObjectKeyPrefixes ?? [])],
    inlineMaxBytes: props.inlineMaxBytes ?? 262_144,
    memorySize: props.memorySize ?? 1024,
    useFipsEndpoints: props.useFipsEndpoints === true,
    directInvocation: props.directInvocation === true,
    workQueueMaxConcurrency: props.workQueueMaxConcurrency ?? DEFAULT_WORK_QUEUE_MAX_CONCURRENCY,
    rawMailRetentionDays: props.rawMailRetentionDays ?? 30,
    queueRetentionDays: props.queueRetentionDays ?? 4,
    removalPolicy: retainExceptOnCreate(props.removalPolicy ?? RemovalPolicy.RETAIN),
    requireMfa: props.requireMfaForKeyAdministration === true,
    auditRetentionDays: props.auditRetentionDays ?? 365,
    verdictActions: verdictActionsOf(props),
    quarantineRetentionDays: props.quarantineRetentionDays ?? DEFAULT_QUARANTINE_RETENTION_DAYS,
    quarantineAlarmThreshold: props.quarantineAlarmThreshold ?? 10,
    verdictPolicy: {
      refuseVirus: props.refuseVirus ?? DEFAULT_VERDICT_POLICY.refuseVirus,
      refuseSpam: props.refuseSpam ?? DEFAULT_VERDICT_POLICY.refuseSpam,
      refuseSpfFail: props.refuseSpfFail ?? DEFAULT_VERDICT_POLICY.refuseSpfFail,
      refuseDkimFail: props.refuseDkimFail ?? DEFAULT_VERDICT_POLICY.refuseDkimFail,
      refuseDmarcFail: props.refuseDmarcFail ?? DEFAULT_VERDICT_POLICY.refuseDmarcFail,
    },
  };
  checkQuarantine(settings);
  checkDeploymentRegion(Stack.of(scope).region, { useFipsEndpoints: settings.useFipsEndpoints });
  checkRecipients(settings.recipients);
  checkRuleSetChoice(props);
  checkMemorySize(settings.memorySize);
  checkMaxConcurrency(settings.workQueueMaxConcurrency);
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
  const ruleSetNameOk = Token.isUnresolved(settings.ruleSetName) || sesName.test(settings.ruleSetName);
  if (!ruleSetNameOk || !sesName.test(settings.ruleName)) {
    throw new ConfigurationError(
      'ruleSetName and ruleName must be 1 to 64 letters, digits, dots, dashes or underscores, starting and ending with a letter or digit',
    );
  }
  if (![...settings.previousRuleNames, ...settings.previousRuleSetNames].every((name) => sesName.test(name))) {
    throw new ConfigurationError(
      'previousRuleNames and previousRuleSetNames must be SES names: 1 to 64 letters, digits, dots, dashes or underscores, starting and ending with a letter or digit',
    );
  }
  for (const prefix of settings.previousObjectKeyPrefixes) {
    if (prefix === settings.objectKeyPrefix || (prefix.length > 0 && !prefix.endsWith('/'))) {
      throw new ConfigurationError(
        "previousObjectKeyPrefixes must each end with '/' and differ from objectKeyPrefix (list only prefixes the rule had before)",
      );
    }
  }
  if (!Number.isInteger(auditRetentionDays) || auditRetentionDays < 1) {
    throw new ConfigurationError('auditRetentionDays must be a whole number of days, at least 1');
  }
  for (const arn of props.operatorRoleArns ?? []) {
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(arn)) {
      throw new ConfigurationError('operatorRoleArns must hold IAM role ARNs (arn:aws:iam::<account>:role/<name>)');
    }
    // The key and bucket policies compare them with ArnEquals/ArnNotEquals, which IAM's table of ARN operators lists
    // with ArnLike as matching * and ? in each part of the ARN
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN):
    // role/* could let every role of the account decrypt and release mail, so a wildcard is refused either way.
    if (/[*?]/.test(arn)) {
      throw new ConfigurationError(
        'operatorRoleArns must name roles exactly: no * or ? (they are wildcards in the key policies)',
      );
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

/** The least memory the decrypt function is given: a 40 MiB mail must fit (`checkMemorySize`). */
export const MIN_MEMORY_SIZE = 256;

/**
 * The function holds a 40 MiB mail once as plaintext while it authenticates: the README's bench measures a peak RSS
 * of 150 MiB for it (70 MiB for an empty event). 256 MiB leaves 1.5 times that peak plus room for the runtime; less
 * fails the largest mails SES delivers. The upper bound is Lambda's
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
 */
function checkMemorySize(memorySize: number): void {
  if (Token.isUnresolved(memorySize)) {
    return;
  }
  if (!Number.isInteger(memorySize) || memorySize < MIN_MEMORY_SIZE || memorySize > 10_240) {
    throw new ConfigurationError(
      `memorySize must be a whole number of MiB from ${MIN_MEMORY_SIZE} to 10240: the function holds a 40 MB mail in memory (peak about 150 MiB); leave it out for the default, 1024`,
    );
  }
}

/**
 * RETAIN kept what a rolled-back first deploy had created, leaving orphaned keys and empty buckets that break the
 * retry; RetainExceptOnCreate retains on stack delete and replacement but deletes resources that the rolled-back
 * operation itself created
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html).
 */
function retainExceptOnCreate(policy: RemovalPolicy): RemovalPolicy {
  return policy === RemovalPolicy.RETAIN ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : policy;
}

/**
 * One of the two ways to receive: the construct's own set (`ruleSetName`, activated or not with `activateRuleSet`), or
 * a rule in a set the account already has (`ruleSet`, `after`), whose activation is not the construct's to change.
 */
function checkRuleSetChoice(props: EncryptedInboundMailProps): void {
  if (props.ruleSet !== undefined && props.activateRuleSet === true) {
    throw new ConfigurationError(
      'activateRuleSet activates the rule set the construct creates; with ruleSet the construct creates none and adds its rule to that set: leave activateRuleSet out, and activate that set yourself if it is not active',
    );
  }
  if (props.ruleSet !== undefined && props.ruleSetName !== undefined) {
    throw new ConfigurationError(
      'ruleSetName names the rule set the construct creates; with ruleSet it creates none: leave ruleSetName out',
    );
  }
  if (props.ruleSet === undefined && props.after !== undefined) {
    throw new ConfigurationError('after places the rule in an existing rule set: it needs ruleSet');
  }
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
