/**
 * The whole pipeline: SES receipt rule → mail bucket (client-side encrypted with the mail key) → decrypt-and-forward
 * function → output queue, payload bucket and failure queue (under a separate delivery key).
 *
 * Secure by default, every default overridable: TLS required on receipt and on every bucket and queue, customer-managed
 * keys with rotation, least-privilege grants conditioned on the SES encryption context, no personal data in names.
 * It composes one construct per concern: `MailStore`, `Delivery`, `DecryptFunction`, `VerdictGate`,
 * `InboundReceiptRule` with its `ReceiptRuleSetActivation`, `ReceivingDomain`, `PipelineAlarms`, and the optional `AuditTrail` and
 * `PayloadDiscoveryJob`.
 */
import { AspectPriority, Aspects, CfnOutput, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
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
import { type EncryptedInboundMailProps, receivingDomainOf, settingsOf } from './encrypted-inbound-mail-props';
import { DecryptFunction } from './functions/decrypt-function';
import { retainFunctionLogs } from './functions/function-log-groups';
import { VerdictGate } from './functions/verdict-gate-function';
import { acceptCdkHelperFindings } from './governance/accepted-findings';
import { AuditTrail } from './governance/audit-trail';
import { NoPersonalDataAspect } from './governance/no-personal-data-aspect';
import { allowMacieToReadPayloads, PayloadDiscoveryJob } from './governance/payload-discovery-job';
import { MailStore } from './mail-store/mail-store';
import { configureQuarantine } from './mail-store/quarantine';
import { PipelineAlarms } from './monitoring/pipeline-alarms';
import { OUTPUT_NAMES } from './output-names';
import { acceptPipelineFindings } from './pipeline-findings';
import { InboundReceiptRule } from './receiving/receipt-rule';
import { ReceiptRuleSetActivation } from './receiving/receipt-rule-set-activation';
import { ReceivingDomain } from './receiving/receiving-domain';
import type { RuleHistory } from './receiving/rule-history';
import { keepFirstReleaseIds } from './upgrades/first-release-ids';
import { RetiredRuleSetActivation } from './upgrades/retired-rule-set-activation';
import { keepStatefulIds } from './upgrades/stateful-ids';

export type { EncryptedInboundMailProps } from './encrypted-inbound-mail-props';
export { HANDLER_ENTRY } from './functions/decrypt-function';
export { OUTPUT_NAMES } from './output-names';

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
  readonly function: lambda.Function;
  /** The construct's own rule set, or the existing one given as `ruleSet`. */
  readonly ruleSet: ses.IReceiptRuleSet;
  readonly rule: ses.ReceiptRule;
  /** The receipt rule's first action: stops mail whose SES verdicts the policy refuses, before it is stored. */
  readonly verdictGate: VerdictGate;
  /**
   * Activates the construct's own rule set when asked; on delete, while it is the active one, restores the set active
   * before it. None with `ruleSet` (an existing set's activation is its owner's).
   */
  readonly activation: ReceiptRuleSetActivation | undefined;
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
  /** False when the rule went into an existing set (`ruleSet`). */
  private readonly ownsRuleSet: boolean;

  constructor(scope: Construct, id: string, props: EncryptedInboundMailProps) {
    super(scope, id);
    const settings = settingsOf(props, this);
    const { ruleName, objectKeyPrefix, removalPolicy, requireMfa } = settings;

    // Server access logs are delivered through a bucket policy, never an ACL (ACLs are off on every bucket here).
    // Set for this construct's scope so it holds in any app, whatever its cdk.json says.
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
    });
    const operators = [...(props.operatorRoleArns ?? [])];
    if (operators.length > 0) {
      store.allowUnwrap('OperatorsUnwrapDataKeysOfThisAccountAndRule', operators, history.ruleNames);
      // replay and redrive deliver as the function does.
      for (const arn of operators) this.delivery.allowKeyUse(arn);
    }

    this.verdictGate = new VerdictGate(this, 'VerdictGate', {
      policy: settings.verdictPolicy,
      logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      reservedConcurrency: props.verdictGateReservedConcurrency,
    });
    configureQuarantine({
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
    this.activation = receipt.ownsRuleSet
      ? new ReceiptRuleSetActivation(this, 'Activation', {
          ruleSetName: settings.ruleSetName,
          activate: props.activateRuleSet === true,
        })
      : undefined;
    // Mail may arrive the moment the set is active: the function, its trigger and its retry settings (the bucket
    // notifications handler is a stack-level singleton) come first, and every other resource too (activateAfterAll).
    this.activation?.node.addDependency(...decrypt.readyForMail);

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
      gate: this.verdictGate,
      quarantineAlarmThreshold: settings.quarantineAlarmThreshold,
      topic: props.alarmTopic,
    }).alarms;

    if (props.activateRuleSet === true) {
      // 0.1.0 activated with a resource whose delete deactivates every rule set: it stays, doing nothing.
      new RetiredRuleSetActivation(this, 'RetiredActivation', { ruleSetName: settings.ruleSetName });
    }
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

    keepStatefulIds(this, {
      mailKey: this.mailKey,
      deliveryKey: this.deliveryKey,
      accessLogsBucket: this.accessLogsBucket,
      mailBucket: this.mailBucket,
      payloadBucket: this.payloadBucket,
      failureQueue: this.failureQueue,
      outputDeadLetterQueue: this.outputDeadLetterQueue,
      outputQueue: this.outputQueue,
      rule: this.rule,
      ownRuleSet: this.ownsRuleSet ? this.ruleSet : undefined,
      receivingDomain: this.receivingDomain,
    });
    keepFirstReleaseIds(this);
    acceptPipelineFindings(this.delivery, decrypt, store.bucket, history.objectKeyPrefixes);
    acceptCdkHelperFindings(Stack.of(this));
    retainFunctionLogs(Stack.of(this), props.logRetention ?? logs.RetentionDays.THREE_MONTHS);
    this.addOutputs(ruleName, objectKeyPrefix);
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
    const activation = this.activation;
    if (activation === undefined) return;
    for (const child of this.node.children) {
      if (child !== activation) activation.node.addDependency(child);
    }
  }

  /**
   * The stack outputs the operator CLI reads (`--stack NAME`) and people copy: named after the construct id and the
   * value (`InboundMailOutputQueueUrl`), with no hash suffix, so they read the same in every deployment.
   */
  private addOutputs(ruleName: string, objectKeyPrefix: string): void {
    const outputs: Array<[string, string, string]> = [
      [OUTPUT_NAMES.outputQueueUrl, this.outputQueue.queueUrl, 'Consume decrypted mail here'],
      [OUTPUT_NAMES.failureQueueUrl, this.failureQueue.queueUrl, 'Rejected objects'],
      [OUTPUT_NAMES.payloadBucketName, this.payloadBucket.bucketName, 'Large mail'],
      [OUTPUT_NAMES.mailBucketName, this.mailBucket.bucketName, 'Stored (encrypted) mail'],
      [OUTPUT_NAMES.mailObjectPrefix, objectKeyPrefix, 'Where SES stores mail in the mail bucket'],
      [OUTPUT_NAMES.ruleName, ruleName, 'The receipt rule (bound into every stored mail)'],
      [OUTPUT_NAMES.mxRecordValue, this.mxRecordValue, 'Publish as the MX record'],
      [OUTPUT_NAMES.mailKeyArn, this.mailKey.keyArn, 'SES encrypts stored mail with it'],
      [OUTPUT_NAMES.deliveryKeyArn, this.deliveryKey.keyArn, 'Consumers decrypt with it'],
    ];
    const prefix = this.node.id.replace(/[^A-Za-z0-9]/g, '');
    for (const [name, value, description] of outputs) {
      const output = new CfnOutput(this, name, { value, description });
      output.overrideLogicalId(`${prefix}${name}`);
    }
  }
}
