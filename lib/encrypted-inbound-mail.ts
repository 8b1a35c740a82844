/**
 * The whole pipeline: SES receipt rule → mail bucket (client-side encrypted with the mail key) → work queue →
 * decrypt-and-forward function → output queue, payload bucket and failure queue (under a separate delivery key).
 * Secure by default, every default overridable (README, "Security and data protection"); one construct per concern
 * (docs/ARCHITECTURE.md): `MailStore`, `Delivery`, `DecryptFunction`, `VerdictGate`, `InboundReceiptRule`,
 * `ReceiptRuleSetActivation`, `ReceivingDomain`, `PipelineAlarms`, and the optional governance.
 */
import { AspectPriority, Aspects, type CustomResource, Stack } from 'aws-cdk-lib';
import type * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_QUARANTINE_PREFIX } from '../lambda/contract/verdict-actions';
import { Delivery } from './delivery/delivery';
import { addDeliveryRecords } from './delivery/delivery-records-table';
import { type EncryptedInboundMailProps, receivingDomainOf, settingsOf } from './encrypted-inbound-mail-props';
import { DecryptFunction } from './functions/decrypt-function';
import { retainFunctionLogs } from './functions/function-log-groups';
import { VerdictGate } from './functions/verdict-gate-function';
import { acceptCdkHelperFindings } from './governance/accepted-findings';
import { NoPersonalDataAspect } from './governance/no-personal-data-aspect';
import { addOptionalGovernance } from './governance/optional-governance';
import { MailStore } from './mail-store/mail-store';
import { configureQuarantine } from './mail-store/quarantine';
import { PipelineAlarms } from './monitoring/pipeline-alarms';
import { acceptPipelineFindings } from './pipeline-findings';
import { addPipelineOutputs } from './pipeline-outputs';
import { InboundReceiptRule } from './receiving/receipt-rule';
import { ReceiptRuleSetActivation } from './receiving/receipt-rule-set-activation';
import { ReceivingDomain } from './receiving/receiving-domain';
import type { RuleHistory } from './receiving/rule-history';
import { keepFirstReleaseIds } from './upgrades/first-release-ids';
import { keepRetiredActivation } from './upgrades/retired-rule-set-activation';
import { keepStatefulIds } from './upgrades/stateful-ids';

export type { EncryptedInboundMailProps } from './encrypted-inbound-mail-props';
export { HANDLER_ENTRY } from './functions/decrypt-function';
export { OUTPUT_NAMES } from './output-names';

/**
 * Receives SES mail encrypted with a customer-managed KMS key and delivers it decrypted to SQS.
 *
 * Its public API keeps to jsii's rules (docs/ARCHITECTURE.md, "jsii"): Python, Java, .NET and Go users get it too.
 */
export class EncryptedInboundMail extends Construct {
  /** The key SES encrypts stored mail with; only the function (and operator roles) may decrypt with it. */
  readonly mailKey: kms.Key;
  /** The key of the output queue, failure queue and payload bucket; consumers get it through `grantConsume`. */
  readonly deliveryKey: kms.Key;
  /** The bucket SES stores each mail in, encrypted client-side with `mailKey` (under `objectKeyPrefix`). */
  readonly mailBucket: s3.Bucket;
  /** The bucket holding mail too large to send inline (`inlineMaxBytes`), encrypted with `deliveryKey`. */
  readonly payloadBucket: s3.Bucket;
  /** The bucket receiving the server access logs of the mail and payload buckets. */
  readonly accessLogsBucket: s3.Bucket;
  /** The queue consumers read decrypted mail from (docs/CONTRACT.md); `grantConsume` grants it. */
  readonly outputQueue: sqs.Queue;
  /** The dead-letter queue of `outputQueue`: messages consumers failed to process `maxReceiveCount` times. */
  readonly outputDeadLetterQueue: sqs.Queue;
  /** The queue of stored objects the function refused or could not deliver (reason code, no content). */
  readonly failureQueue: sqs.Queue;
  /** The decrypt-and-forward function, fed the mail bucket's notifications by the work queue (or S3 itself). */
  readonly function: lambda.Function;
  /** The delivery records' table; undefined when `deliveryRecords` is false. */
  readonly deliveryRecordsTable: dynamodb.Table | undefined;
  /** The construct's own rule set, or the existing one given as `ruleSet`. */
  readonly ruleSet: ses.IReceiptRuleSet;
  /** The receipt rule: the verdict gate, then the encrypted S3 action. */
  readonly rule: ses.ReceiptRule;
  /** The receipt rule's first action: stops mail refused with the action `stop` before it is stored. */
  readonly verdictGateFunction: lambda.Function;
  /**
   * The custom resource that activates the construct's own rule set when asked and, on delete, while it is the active
   * one, restores the set active before it.
   *
   * @default - none with `ruleSet` (an existing set's activation is its owner's)
   */
  readonly activation?: CustomResource;
  /** The pipeline's alarms: eight, six with `directInvocation` (README, "Alarms"). */
  readonly alarms: cloudwatch.Alarm[];
  /** The SES domain identity (DKIM records) of the receiving domain. @default - none unless `hostedZone` is given */
  readonly receivingIdentity?: ses.EmailIdentity;
  /** The audit trail. @default - none unless `auditTrail` is on */
  readonly auditTrail?: cloudtrail.Trail;
  /** The audit trail's own bucket, where its log files land. @default - none unless `auditTrail` is on */
  readonly auditTrailBucket?: s3.Bucket;
  /**
   * The custom resource running the Macie job over the payload bucket.
   *
   * @default - none unless `payloadDiscovery` is on
   */
  readonly payloadDiscoveryJob?: CustomResource;
  /** The MX record value to publish for the receiving domain (`10 inbound-smtp.<region>.amazonaws.com`). */
  readonly mxRecordValue: string;

  private readonly delivery: Delivery;
  /** False when the rule went into an existing set (`ruleSet`). */
  private readonly ownsRuleSet: boolean;
  private readonly verdictGate: VerdictGate;
  private readonly activationConstruct: ReceiptRuleSetActivation | undefined;

  /**
   * @param scope - the stack (or construct) to add the pipeline to
   * @param id - the construct id; the stack outputs are named after it (`InboundMailOutputQueueUrl`)
   * @param props - the recipients, and every setting with its default (`EncryptedInboundMailProps`)
   */
  constructor(scope: Construct, id: string, props: EncryptedInboundMailProps) {
    super(scope, id);
    const settings = settingsOf(props, this);
    const { ruleName, objectKeyPrefix, removalPolicy, requireMfa } = settings;

    // Access logs through a bucket policy, never an ACL (ACLs are off here), in any app whatever its cdk.json says.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    // No e-mail address in this construct's names and tags, in any app; read-only, so it sees tags added by others.
    Aspects.of(this).add(new NoPersonalDataAspect(), { priority: AspectPriority.READONLY });

    const history: RuleHistory = {
      ruleNames: [ruleName, ...settings.previousRuleNames],
      ruleSetNames: [settings.ruleSetName, ...settings.previousRuleSetNames],
      objectKeyPrefixes: [objectKeyPrefix, ...settings.previousObjectKeyPrefixes],
    };
    const store = new MailStore(this, 'Store', {
      objectKeyPrefix,
      previousObjectKeyPrefixes: settings.previousObjectKeyPrefixes,
      operatorRoleArns: props.operatorRoleArns ?? [],
      retentionDays: settings.rawMailRetentionDays,
      removalPolicy,
      requireMfa,
    });
    this.delivery = new Delivery(this, 'Delivery', {
      queueRetentionDays: settings.queueRetentionDays,
      fifo: props.fifo === true,
      acceptQueueReplacement: props.acceptQueueReplacement === true,
      accessLogsBucket: store.accessLogsBucket,
      removalPolicy,
      requireMfa,
    });
    const decrypt = new DecryptFunction(this, 'Decrypt', {
      store,
      delivery: this.delivery,
      ruleName,
      objectKeyPrefix,
      history,
      inlineMaxBytes: settings.inlineMaxBytes,
      memorySize: settings.memorySize,
      logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      useFipsEndpoints: settings.useFipsEndpoints,
      sourceMaps: props.sourceMaps,
      directInvocation: settings.directInvocation,
      workQueueMaxConcurrency: settings.workQueueMaxConcurrency,
      removalPolicy,
      requireMfa,
    });
    this.deliveryRecordsTable = addDeliveryRecords(this, {
      enabled: props.deliveryRecords !== false,
      decrypt,
      removalPolicy,
      requireMfa,
    });
    const operators = [...(props.operatorRoleArns ?? [])];
    if (operators.length > 0) {
      store.allowUnwrap('OperatorsUnwrapDataKeysOfThisAccountAndRule', operators, history.ruleNames);
      // replay and redrive deliver as the function does; the work dead-letter queue is theirs to redrive.
      for (const arn of operators) this.delivery.allowKeyUse(arn);
      decrypt.workQueue?.allowOperators(operators);
    }

    this.verdictGate = new VerdictGate(this, 'VerdictGate', {
      policy: settings.verdictPolicy,
      logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      reservedConcurrency: props.verdictGateReservedConcurrency,
      sourceMaps: props.sourceMaps,
    });
    const verdictSettings = configureQuarantine({
      bucket: store.bucket,
      prefix: DEFAULT_QUARANTINE_PREFIX,
      retentionDays: settings.quarantineRetentionDays,
      decryptFunction: decrypt.function,
      functionRole: decrypt.role,
      gateFunction: this.verdictGate.function,
      policy: settings.verdictPolicy,
      actions: settings.verdictActions,
      operatorRoleArns: operators,
    });
    const receipt = new InboundReceiptRule(this, 'Receipt', {
      store,
      gate: this.verdictGate.function,
      recipients: settings.recipients,
      ruleSetName: settings.ruleSetName,
      existing: props.ruleSet,
      after: props.after,
      ruleName,
      objectKeyPrefix,
      history,
    });
    this.ownsRuleSet = receipt.ownsRuleSet;
    this.activationConstruct = receipt.ownsRuleSet
      ? new ReceiptRuleSetActivation(this, 'Activation', {
          ruleSetName: settings.ruleSetName,
          activate: props.activateRuleSet === true,
        })
      : undefined;
    // Mail may arrive the moment the set is active: the function, its trigger and its retry settings (the bucket
    // notifications handler is a stack-level singleton) come first, and every other resource too (activateAfterAll).
    this.activationConstruct?.node.addDependency(...decrypt.readyForMail);
    this.activation = this.activationConstruct?.resource;
    this.verdictGateFunction = this.verdictGate.function;

    const receivingDomain =
      props.hostedZone === undefined
        ? undefined
        : new ReceivingDomain(this, 'Receiving', {
            hostedZone: props.hostedZone,
            domainName: receivingDomainOf(props, props.hostedZone),
          });
    this.mxRecordValue = receivingDomain?.mxRecordValue ?? `10 inbound-smtp.${Stack.of(this).region}.amazonaws.com`;
    this.receivingIdentity = receivingDomain?.identity;
    const governance = addOptionalGovernance(this, {
      auditTrail: props.auditTrail === true,
      payloadDiscovery: props.payloadDiscovery === true,
      mailBucket: store.bucket,
      payloadBucket: this.delivery.payloadBucket,
      payloadKey: this.delivery.key,
      accessLogsBucket: store.accessLogsBucket,
      requireMfa,
      auditRetentionDays: settings.auditRetentionDays,
      removalPolicy,
    });
    this.auditTrail = governance.trail;
    this.auditTrailBucket = governance.trailBucket;
    this.payloadDiscoveryJob = governance.discoveryJob;

    this.alarms = new PipelineAlarms(this, 'Alarms', {
      failureQueue: this.delivery.failureQueue,
      outputDeadLetterQueue: this.delivery.outputDeadLetterQueue,
      function: decrypt.function,
      workQueue: decrypt.workQueue,
      gate: this.verdictGate,
      quarantineAlarmThreshold: settings.quarantineAlarmThreshold,
      topic: props.alarmTopic,
    }).alarms.slice();

    // 0.1.0 activated with a resource whose delete deactivates every rule set: it stays, doing nothing.
    keepRetiredActivation(this, props.activateRuleSet === true, settings.ruleSetName);
    this.activateAfterAll();
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

    // The public fields name the stateful resources; the rule set only when it is the construct's own.
    keepStatefulIds(this, { ...this, ownRuleSet: this.ownsRuleSet ? this.ruleSet : undefined, receivingDomain });
    keepFirstReleaseIds(this);
    acceptPipelineFindings(this.delivery, decrypt, store.bucket, history.objectKeyPrefixes);
    acceptCdkHelperFindings(Stack.of(this));
    retainFunctionLogs(Stack.of(this), props.logRetention ?? logs.RetentionDays.THREE_MONTHS);
    addPipelineOutputs(this, { ruleName, objectKeyPrefix, history, verdictSettings }, decrypt);
  }

  /**
   * Grants a consumer everything it needs to read the output queue, payload objects included: receive and delete
   * messages, read (and delete) payloads, decrypt (never encrypt: no `kms:GenerateDataKey`) with the delivery key
   * through SQS and S3. Nothing of the mail key.
   * @param grantee - an IAM role or user (not an account, service or other principal: the key policy names it by ARN)
   * @returns the grant, every statement added to the grantee's IAM policy combined (`grant.assertSuccess()` holds)
   * @throws Error when the grantee is not an IAM role or user (the delivery key policy names consumers by ARN)
   */
  grantConsume(grantee: iam.IGrantable): iam.Grant {
    return this.delivery.grantConsume(grantee);
  }

  /**
   * The activation comes after every other resource of the construct (the Macie job and the trail included): mail may
   * arrive the moment the set is active, and a create that fails before then leaves the account's active set alone.
   * On delete, CloudFormation deletes in the reverse order, so the activation gives the account back its previous set
   * before anything else, the rule set included, goes (SES refuses to delete the active set).
   */
  private activateAfterAll(): void {
    const activation = this.activationConstruct;
    if (activation === undefined) return;
    for (const child of this.node.children) {
      if (child !== activation) activation.node.addDependency(child);
    }
  }
}
