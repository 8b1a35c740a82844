/**
 * The whole pipeline: SES receipt rule → mail bucket (client-side encrypted with the mail key) → decrypt-and-forward
 * function → output queue, payload bucket and failure queue (under a separate delivery key).
 *
 * Secure by default, every default overridable: TLS required on receipt and on every bucket and queue, customer-managed
 * keys with rotation, least-privilege grants conditioned on the SES encryption context, no personal data in names.
 * It composes one construct per concern: `MailStore`, `Delivery`, `DecryptFunction`, `InboundReceiptRule` with its
 * `ReceiptRuleSetActivation`, `ReceivingDomain`, `PipelineAlarms`, and the optional `AuditTrail` and
 * `PayloadDiscoveryJob`.
 */
import { CfnOutput, type CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { acceptCdkHelperFindings, acceptPipelineFindings } from './accepted-findings';
import { AuditTrail } from './audit-trail';
import { ConfigurationError } from './configuration-error';
import { DecryptFunction } from './decrypt-function';
import { Delivery } from './delivery';
import { MailStore } from './mail-store';
import { allowMacieToReadPayloads, PayloadDiscoveryJob } from './payload-discovery-job';
import { PipelineAlarms } from './pipeline-alarms';
import { InboundReceiptRule } from './receipt-rule';
import { ReceiptRuleSetActivation } from './receipt-rule-set-activation';
import { ReceivingDomain } from './receiving-domain';
import { checkRecipients } from './recipients';
import { keepLogicalId } from './stable-logical-id';

export { HANDLER_ENTRY } from './decrypt-function';

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
   * Run a daily Amazon Macie sensitive-data discovery job over the payload bucket (the only place decrypted mail
   * rests). Macie must be enabled in the account.
   *
   * @default false
   */
  readonly payloadDiscovery?: boolean;
}

/** Receives SES mail encrypted with a customer-managed KMS key and delivers it decrypted to SQS. */
export class EncryptedInboundMail extends Construct {
  /** The key SES encrypts stored mail with; only the function (and operator roles) may decrypt with it. */
  readonly mailKey: kms.Key;
  /** The key of the output queue, failure queue and payload bucket; consumers get it through `grantConsume`. */
  readonly deliveryKey: kms.Key;
  readonly mailBucket: s3.Bucket;
  readonly payloadBucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly outputQueue: sqs.Queue;
  readonly outputDeadLetterQueue: sqs.Queue;
  readonly failureQueue: sqs.Queue;
  readonly function: NodejsFunction;
  readonly ruleSet: ses.ReceiptRuleSet;
  readonly rule: ses.ReceiptRule;
  /** Activates the rule set when asked; deactivates it on delete while it is the active one. */
  readonly activation: ReceiptRuleSetActivation;
  readonly alarms: readonly cloudwatch.Alarm[];
  /** The identity and MX record, when `hostedZone` is given. */
  readonly receivingDomain: ReceivingDomain | undefined;
  /** The audit trail, when `auditTrail` is on. */
  readonly auditTrail: AuditTrail | undefined;
  /** The Macie job over the payload bucket, when `payloadDiscovery` is on. */
  readonly payloadDiscoveryJob: PayloadDiscoveryJob | undefined;
  /** The MX record value to publish for the receiving domain. */
  readonly mxRecordValue: string;

  private readonly delivery: Delivery;

  constructor(scope: Construct, id: string, props: EncryptedInboundMailProps) {
    super(scope, id);
    const settings = settingsOf(props);
    const { ruleName, objectKeyPrefix, removalPolicy, requireMfa } = settings;

    // Server access logs are delivered through a bucket policy, never an ACL (ACLs are off on every bucket here).
    // Set for this construct's scope so it holds in any app, whatever its cdk.json says.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    const store = new MailStore(this, 'Store', {
      objectKeyPrefix,
      retentionDays: settings.rawMailRetentionDays,
      removalPolicy,
      requireMfa,
    });
    this.delivery = new Delivery(this, 'Delivery', {
      queueRetentionDays: settings.queueRetentionDays,
      fifo: props.fifo === true,
      accessLogsBucket: store.accessLogsBucket,
      removalPolicy,
      requireMfa,
    });
    const decrypt = new DecryptFunction(this, 'Decrypt', {
      store,
      delivery: this.delivery,
      ruleName,
      objectKeyPrefix,
      inlineMaxBytes: settings.inlineMaxBytes,
      memorySize: props.memorySize ?? 1024,
      logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      useFipsEndpoints: props.useFipsEndpoints === true,
    });
    const operators = [...(props.operatorRoleArns ?? [])];
    if (operators.length > 0) {
      store.allowUnwrap('OperatorsUnwrapDataKeysOfThisAccountAndRule', operators, ruleName);
      // replay and redrive deliver as the function does.
      for (const arn of operators) this.delivery.allowKeyUse(arn);
    }

    const receipt = new InboundReceiptRule(this, 'Receipt', {
      store,
      recipients: settings.recipients,
      ruleSetName: settings.ruleSetName,
      ruleName,
      objectKeyPrefix,
    });
    this.activation = new ReceiptRuleSetActivation(this, 'Activation', {
      ruleSetName: settings.ruleSetName,
      activate: props.activateRuleSet === true,
    });
    // Mail may arrive the moment the set is active: the function, its trigger and its retry settings come first.
    // The rule set is deleted only after it has been deactivated.
    this.activation.node.addDependency(receipt, ...decrypt.readyForMail);

    this.receivingDomain =
      props.hostedZone === undefined
        ? undefined
        : new ReceivingDomain(this, 'Receiving', {
            hostedZone: props.hostedZone,
            domainName: receivingDomainOf(props, props.hostedZone),
          });
    this.mxRecordValue =
      this.receivingDomain?.mxRecordValue ?? `10 inbound-smtp.${Stack.of(this).region}.amazonaws.com`;

    this.auditTrail = props.auditTrail
      ? new AuditTrail(this, 'Audit', {
          dataBuckets: [store.bucket, this.delivery.payloadBucket],
          accessLogsBucket: store.accessLogsBucket,
          requireMfaForKeyAdministration: requireMfa,
          retentionDays: settings.auditRetentionDays,
          removalPolicy,
        })
      : undefined;
    if (props.payloadDiscovery === true) {
      allowMacieToReadPayloads(this.delivery.key, this);
      this.payloadDiscoveryJob = new PayloadDiscoveryJob(this, 'PayloadDiscovery', {
        bucket: this.delivery.payloadBucket,
      });
    } else {
      this.payloadDiscoveryJob = undefined;
    }

    this.alarms = new PipelineAlarms(this, 'Alarms', {
      failureQueue: this.delivery.failureQueue,
      outputDeadLetterQueue: this.delivery.outputDeadLetterQueue,
      function: decrypt.function,
      topic: props.alarmTopic,
    }).alarms;

    this.mailKey = store.key;
    this.deliveryKey = this.delivery.key;
    this.mailBucket = store.bucket;
    this.accessLogsBucket = store.accessLogsBucket;
    this.payloadBucket = this.delivery.payloadBucket;
    this.outputQueue = this.delivery.outputQueue;
    this.outputDeadLetterQueue = this.delivery.outputDeadLetterQueue;
    this.failureQueue = this.delivery.failureQueue;
    this.function = decrypt.function;
    this.ruleSet = receipt.ruleSet;
    this.rule = receipt.rule;

    this.keepStatefulLogicalIds();
    acceptPipelineFindings(this.delivery, decrypt, store.bucket, objectKeyPrefix);
    acceptCdkHelperFindings(Stack.of(this));
    this.addOutputs();
  }

  /**
   * Grants a consumer everything it needs to read the output queue, payload objects included: receive and delete
   * messages, read (and delete) payloads, decrypt with the delivery key through SQS and S3. Nothing of the mail key.
   * @throws Error when the grantee is not an IAM role or user (the delivery key policy names consumers by ARN)
   */
  grantConsume(grantee: iam.IGrantable): void {
    this.delivery.grantConsume(grantee);
  }

  /**
   * Keys, buckets, queues, the rule set and rule, the audit trail's key and bucket keep the logical IDs 0.1 gave them,
   * when everything was one construct: a changed ID would replace them (see stable-logical-id.ts).
   */
  private keepStatefulLogicalIds(): void {
    const legacy: Array<[IConstruct, string[]]> = [
      [this.mailKey, ['MailKey', 'Resource']],
      [this.deliveryKey, ['DeliveryKey', 'Resource']],
      [this.accessLogsBucket, ['AccessLogs', 'Resource']],
      [this.mailBucket, ['MailBucket', 'Resource']],
      [this.payloadBucket, ['PayloadBucket', 'Resource']],
      [this.failureQueue, ['FailureQueue', 'Resource']],
      [this.outputDeadLetterQueue, ['OutputDeadLetterQueue', 'Resource']],
      [this.outputQueue, ['OutputQueue', 'Resource']],
      [this.ruleSet, ['RuleSet', 'Resource']],
      [this.rule, ['RuleSet', 'StoreEncrypted', 'Resource']],
    ];
    if (this.receivingDomain?.apex === true) {
      legacy.push([this.receivingDomain.identity, ['DomainIdentity', 'Resource']]);
      for (const token of [1, 2, 3]) {
        const record = this.receivingDomain.identity.node.tryFindChild(`DkimDnsToken${token}`);
        // aws-cdk-lib writes these as bare L1 record sets (no 'Resource' below them).
        if (record !== undefined) legacy.push([record, ['DomainIdentity', `DkimDnsToken${token}`]]);
      }
      legacy.push([this.receivingDomain.mxRecord, ['MxRecord', 'Resource']]);
    }
    for (const [construct, path] of legacy) {
      const resource = (construct.node.defaultChild ?? construct) as CfnResource;
      keepLogicalId(resource, this, path);
    }
  }

  private addOutputs(): void {
    const outputs: Array<[string, string, string]> = [
      ['OutputQueueUrl', this.outputQueue.queueUrl, 'Consume decrypted mail here'],
      ['FailureQueueUrl', this.failureQueue.queueUrl, 'Rejected objects'],
      ['PayloadBucketName', this.payloadBucket.bucketName, 'Large mail'],
      ['MailBucketName', this.mailBucket.bucketName, 'Stored (encrypted) mail'],
      ['MxRecordValue', this.mxRecordValue, 'Publish as the MX record'],
      ['MailKeyArn', this.mailKey.keyArn, 'SES encrypts stored mail with it'],
      ['DeliveryKeyArn', this.deliveryKey.keyArn, 'Consumers decrypt with it'],
    ];
    for (const [id, value, description] of outputs) {
      new CfnOutput(this, id, { value, description });
    }
  }
}

/** The props with defaults applied, validated where they are not tokens. */
function settingsOf(props: EncryptedInboundMailProps) {
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
function receivingDomainOf(props: EncryptedInboundMailProps, zone: route53.IHostedZone): string {
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
