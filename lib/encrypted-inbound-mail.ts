/**
 * The whole pipeline as one construct: SES receipt rule → mail bucket (client-side encrypted with the mail key) →
 * decrypt-and-forward function → output queue, payload bucket and failure queue (under a separate delivery key).
 *
 * Secure by default, every default overridable: TLS required on receipt and on every bucket and queue, customer-managed
 * keys with rotation, least-privilege grants conditioned on the SES encryption context, no personal data in names.
 */
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../lambda/env-names';
import { AuditTrail } from './audit-trail';
import { EncryptedS3Action } from './encrypted-s3-action';
import functionBundle from './function-bundle.json';
import { administrationOnlyKeyPolicy } from './key-policies';
import { PayloadDiscoveryJob } from './payload-discovery-job';
import { ReceiptRuleSetActivation } from './receipt-rule-set-activation';

const PROJECT_ROOT = join(__dirname, '..');
/** The function's source; the only thing `lib/` knows of `lambda/` besides its environment names. */
export const HANDLER_ENTRY = join(PROJECT_ROOT, 'lambda', 'handler.ts');

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
   * Make the rule set the account's active one (replacing the active set; deactivated when removed).
   *
   * @default false
   */
  readonly activateRuleSet?: boolean;

  /**
   * A public hosted zone for the receiving domain: the stack then creates the SES domain identity (DKIM records) and
   * the MX record pointing at SES inbound.
   *
   * @default - no identity and no MX record; publish them yourself
   */
  readonly hostedZone?: route53.IHostedZone;

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
  /** The key SES encrypts stored mail with; only the function may decrypt with it. */
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
  readonly alarms: readonly cloudwatch.Alarm[];
  /** The audit trail, when `auditTrail` is on. */
  readonly auditTrail: AuditTrail | undefined;
  /** The Macie job over the payload bucket, when `payloadDiscovery` is on. */
  readonly payloadDiscoveryJob: PayloadDiscoveryJob | undefined;
  /** The MX record value to publish for the receiving domain. */
  readonly mxRecordValue: string;

  private readonly payloadPrefix = 'payloads/';

  constructor(scope: Construct, id: string, props: EncryptedInboundMailProps) {
    super(scope, id);
    const recipients = [...props.recipients];
    const ruleSetName = props.ruleSetName ?? 'encrypted-inbound';
    const ruleName = props.ruleName ?? 'store-encrypted';
    const objectKeyPrefix = props.objectKeyPrefix ?? 'raw/';
    const inlineMaxBytes = props.inlineMaxBytes ?? 262_144;
    const rawMailRetentionDays = props.rawMailRetentionDays ?? 30;
    const queueRetentionDays = props.queueRetentionDays ?? 4;
    const memorySize = props.memorySize ?? 1024;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const requireMfa = props.requireMfaForKeyAdministration === true;
    const auditRetentionDays = props.auditRetentionDays ?? 365;

    if (recipients.length === 0 || recipients.some((r) => r.trim() === '')) {
      throw new Error('recipients must name at least one address or domain');
    }
    if (!Number.isInteger(inlineMaxBytes) || inlineMaxBytes < 1024 || inlineMaxBytes > 1_048_576) {
      throw new Error('inlineMaxBytes must be a whole number from 1024 to 1048576 (the SQS message limit)');
    }
    if (!Number.isInteger(rawMailRetentionDays) || rawMailRetentionDays < 1) {
      throw new Error('rawMailRetentionDays must be a whole number of days, at least 1');
    }
    if (!Number.isInteger(queueRetentionDays) || queueRetentionDays < 1 || queueRetentionDays > 14) {
      throw new Error('queueRetentionDays must be a whole number from 1 to 14 (the SQS limit)');
    }
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(ruleSetName) || !/^[A-Za-z0-9_.-]{1,64}$/.test(ruleName)) {
      throw new Error('ruleSetName and ruleName must be 1 to 64 letters, digits, dots, dashes or underscores');
    }
    if (!Number.isInteger(auditRetentionDays) || auditRetentionDays < 1) {
      throw new Error('auditRetentionDays must be a whole number of days, at least 1');
    }
    for (const arn of props.operatorRoleArns ?? []) {
      if (!/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(arn)) {
        throw new Error('operatorRoleArns must hold IAM role ARNs (arn:aws:iam::<account>:role/<name>)');
      }
    }
    if (objectKeyPrefix.length > 0 && !objectKeyPrefix.endsWith('/')) {
      throw new Error("objectKeyPrefix must end with '/' so the function can tell the SES message id from the prefix");
    }

    // Server access logs are delivered through a bucket policy, never an ACL (ACLs are off on every bucket here).
    // Set for this construct's scope so it holds in any app, whatever its cdk.json says.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    // Both keys: administration by the account's IAM principals, use only as granted below; retained on delete, and a
    // 30-day waiting period if someone schedules deletion anyway.
    this.mailKey = new kms.Key(this, 'MailKey', {
      description:
        'Encrypts inbound mail stored by SES (client-side); only the decrypt function may use it to decrypt.',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy,
      policy: administrationOnlyKeyPolicy(this, { requireMfa }),
    });
    this.deliveryKey = new kms.Key(this, 'DeliveryKey', {
      description: 'Encrypts decrypted mail on the output queue, failure queue and payload bucket.',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy,
      policy: administrationOnlyKeyPolicy(this, { requireMfa }),
    });
    const region = Stack.of(this).region;
    const account = Stack.of(this).account;
    // The account's principals (the function, consumers granted with grantConsume) use the delivery key only through
    // SQS and S3, as their IAM policies allow.
    this.deliveryKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'UseThroughSqsAndS3Only',
        principals: [new iam.AccountRootPrincipal()],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:CallerAccount': account,
            'kms:ViaService': [`sqs.${region}.amazonaws.com`, `s3.${region}.amazonaws.com`],
          },
        },
      }),
    );

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      // Server access log delivery supports SSE-S3 only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy,
    });
    const secureBucket = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      removalPolicy,
    } satisfies s3.BucketProps;

    this.mailBucket = new s3.Bucket(this, 'MailBucket', {
      ...secureBucket,
      // Objects are already encrypted client-side with the mail key; SSE-S3 adds encryption of the metadata at rest.
      encryption: s3.BucketEncryption.S3_MANAGED,
      serverAccessLogsPrefix: 'mail-bucket/',
      lifecycleRules: [
        {
          prefix: objectKeyPrefix,
          expiration: Duration.days(rawMailRetentionDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    this.payloadBucket = new s3.Bucket(this, 'PayloadBucket', {
      ...secureBucket,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.deliveryKey,
      bucketKeyEnabled: true,
      serverAccessLogsPrefix: 'payload-bucket/',
      lifecycleRules: [
        {
          // Payloads live as long as the message that points at them could.
          expiration: Duration.days(queueRetentionDays + 1),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    const secureQueue = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.deliveryKey,
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
    } satisfies sqs.QueueProps;
    const fifo = props.fifo === true;
    this.failureQueue = new sqs.Queue(this, 'FailureQueue', { ...secureQueue, retentionPeriod: Duration.days(14) });
    this.outputDeadLetterQueue = new sqs.Queue(this, 'OutputDeadLetterQueue', {
      ...secureQueue,
      fifo: fifo || undefined,
      retentionPeriod: Duration.days(14),
    });
    this.outputQueue = new sqs.Queue(this, 'OutputQueue', {
      ...secureQueue,
      fifo: fifo || undefined,
      retentionPeriod: Duration.days(queueRetentionDays),
      // A consumer that fails on a message five times moves it aside instead of blocking or losing it.
      deadLetterQueue: { queue: this.outputDeadLetterQueue, maxReceiveCount: 5 },
      visibilityTimeout: Duration.minutes(5),
    });

    const logGroup = new logs.LogGroup(this, 'FunctionLogs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Decrypts stored inbound mail and delivers it; nothing more.',
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'DecryptFunction', {
      description: 'Decrypts SES mail stored with KMS client-side encryption and forwards it to SQS.',
      entry: HANDLER_ENTRY,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      // A 40 MB mail is held once as plaintext while it authenticates, plus the upload's parts.
      memorySize,
      timeout: Duration.minutes(2),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      // The role already may send to the failure queue (below); aws-lambda-destinations' SqsDestination would also
      // grant unconditioned use of the delivery key.
      onFailure: { bind: () => ({ destination: this.failureQueue.queueArn }) },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node22',
        format: OutputFormat.CJS,
        // The SDK the tests ran against is bundled, not the runtime's; function-bundle.json says what is left out.
        mainFields: [...functionBundle.mainFields],
        externalModules: [...functionBundle.external],
        forceDockerBundling: false,
      },
      environment: {
        [ENV.OUTPUT_QUEUE_URL]: this.outputQueue.queueUrl,
        [ENV.FAILURE_QUEUE_URL]: this.failureQueue.queueUrl,
        [ENV.PAYLOAD_BUCKET]: this.payloadBucket.bucketName,
        [ENV.PAYLOAD_PREFIX]: this.payloadPrefix,
        [ENV.INLINE_MAX_BYTES]: String(inlineMaxBytes),
        [ENV.EXPECTED_KMS_KEY_ARN]: this.mailKey.keyArn,
        [ENV.EXPECTED_SOURCE_ACCOUNT]: Stack.of(this).account,
        [ENV.ALLOWED_RULE_NAMES]: ruleName,
        [ENV.MAX_MAIL_BYTES]: String(41_943_040),
        [ENV.BODY_ENCODING]: 'auto',
        // --expose-gc lets the function free a large mail's consumed ciphertext before uploading it (process-record.ts).
        NODE_OPTIONS: '--enable-source-maps --expose-gc',
        POWERTOOLS_SERVICE_NAME: 'ses-encrypted-inbound',
        POWERTOOLS_METRICS_NAMESPACE: 'SesEncryptedInbound',
        ...(props.useFipsEndpoints === true ? { AWS_USE_FIPS_ENDPOINT: 'true' } : {}),
      },
    });
    this.grantFunction(role, objectKeyPrefix, ruleName);
    this.allowMailKeyDecrypt(
      'FunctionUnwrapsDataKeysOfThisAccountAndRule',
      [new iam.ArnPrincipal(role.roleArn)],
      ruleName,
    );
    if ((props.operatorRoleArns ?? []).length > 0) {
      this.allowMailKeyDecrypt(
        'OperatorsUnwrapDataKeysOfThisAccountAndRule',
        (props.operatorRoleArns ?? []).map((arn) => new iam.ArnPrincipal(arn)),
        ruleName,
      );
    }

    this.mailBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(this.function), {
      prefix: objectKeyPrefix,
    });

    this.ruleSet = new ses.ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: ruleSetName });
    this.rule = this.ruleSet.addRule('StoreEncrypted', {
      receiptRuleName: ruleName,
      recipients,
      enabled: true,
      scanEnabled: true,
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      actions: [
        new EncryptedS3Action({
          bucket: this.mailBucket,
          kmsKey: this.mailKey,
          objectKeyPrefix,
          ruleSetName,
          ruleName,
        }),
      ],
    });
    if (props.activateRuleSet === true) {
      const activation = new ReceiptRuleSetActivation(this, 'Activation', { ruleSetName });
      activation.node.addDependency(this.rule);
    }

    this.mxRecordValue = `10 inbound-smtp.${region}.amazonaws.com`;
    if (props.hostedZone !== undefined) {
      new ses.EmailIdentity(this, 'DomainIdentity', { identity: ses.Identity.publicHostedZone(props.hostedZone) });
      new route53.MxRecord(this, 'MxRecord', {
        zone: props.hostedZone,
        values: [{ priority: 10, hostName: `inbound-smtp.${region}.amazonaws.com` }],
      });
    }

    this.auditTrail = props.auditTrail
      ? new AuditTrail(this, 'Audit', {
          dataBuckets: [this.mailBucket, this.payloadBucket],
          accessLogsBucket: this.accessLogsBucket,
          requireMfaForKeyAdministration: requireMfa,
          retentionDays: auditRetentionDays,
          removalPolicy,
        })
      : undefined;
    this.payloadDiscoveryJob = props.payloadDiscovery
      ? new PayloadDiscoveryJob(this, 'PayloadDiscovery', { bucket: this.payloadBucket })
      : undefined;
    if (this.payloadDiscoveryJob !== undefined) {
      // Macie reads the payloads through its service-linked role, which needs the delivery key.
      this.deliveryKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'MacieReadsPayloads',
          principals: [
            new iam.ArnPrincipal(
              `arn:${Stack.of(this).partition}:iam::${account}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`,
            ),
          ],
          actions: ['kms:Decrypt'],
          resources: ['*'],
        }),
      );
    }

    const period = Duration.minutes(5);
    this.alarms = [
      this.alarmOnAny(
        'RejectedMailAlarm',
        'Stored mail was rejected or exhausted its retries: see the failure queue.',
        this.failureQueue.metricApproximateNumberOfMessagesVisible({ period }),
      ),
      this.alarmOnAny(
        'FunctionErrorsAlarm',
        'The decrypt function failed (it will be retried; persistent errors end on the failure queue).',
        this.function.metricErrors({ period }),
      ),
      this.alarmOnAny(
        'ConsumerDeadLetterAlarm',
        'A consumer failed on a delivered mail five times: see the output dead-letter queue.',
        this.outputDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period }),
      ),
    ];

    this.acknowledgeAcceptedFindings(objectKeyPrefix);

    new CfnOutput(this, 'OutputQueueUrl', {
      value: this.outputQueue.queueUrl,
      description: 'Consume decrypted mail here',
    });
    new CfnOutput(this, 'FailureQueueUrl', { value: this.failureQueue.queueUrl, description: 'Rejected objects' });
    new CfnOutput(this, 'PayloadBucketName', { value: this.payloadBucket.bucketName, description: 'Large mail' });
    new CfnOutput(this, 'MailBucketName', {
      value: this.mailBucket.bucketName,
      description: 'Stored (encrypted) mail',
    });
    new CfnOutput(this, 'MxRecordValue', { value: this.mxRecordValue, description: 'Publish as the MX record' });
    new CfnOutput(this, 'MailKeyArn', { value: this.mailKey.keyArn, description: 'SES encrypts stored mail with it' });
    new CfnOutput(this, 'DeliveryKeyArn', { value: this.deliveryKey.keyArn, description: 'Consumers decrypt with it' });
  }

  /**
   * Grants a consumer everything it needs to read the output queue, payload objects included: receive and delete
   * messages, read (and delete) payloads, decrypt with the delivery key through SQS and S3. Nothing of the mail key.
   */
  grantConsume(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
      ],
      resourceArns: [this.outputQueue.queueArn],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:DeleteObject'],
      resourceArns: [this.payloadBucket.arnForObjects(`${this.payloadPrefix}*`)],
    });
    grantKeyVia(grantee, this.deliveryKey, ['kms:Decrypt'], ['sqs', 's3'], Stack.of(this).region);
  }

  /**
   * The cdk-nag findings this design accepts, each with its reason. Everything else must pass: a test runs both packs
   * and expects no unacknowledged finding.
   */
  private acknowledgeAcceptedFindings(objectKeyPrefix: string): void {
    const ack = (scope: Construct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    ack(
      this.failureQueue,
      'AwsSolutions-SQS3',
      'The failure queue is itself the terminal dead-letter destination (Lambda on-failure destination and rejection records); it is not consumed automatically.',
    );
    ack(
      this.failureQueue,
      'Serverless-SQSRedrivePolicy',
      'The failure queue is the terminal dead-letter destination; a redrive policy would hide failures from the alarm.',
    );
    ack(
      this.outputDeadLetterQueue,
      'Serverless-SQSRedrivePolicy',
      "This queue is the output queue's dead-letter queue.",
    );
    const role = this.function.role as iam.Role;
    const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy;
    ack(
      policy,
      `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.mailBucket.node.defaultChild as s3.CfnBucket)}.Arn>/${objectKeyPrefix}*]`,
      'GetObject on the rule prefix: object names are SES message ids, unknown in advance; this is the narrowest scope.',
    );
    ack(
      policy,
      `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.payloadBucket.node.defaultChild as s3.CfnBucket)}.Arn>/${this.payloadPrefix}*]`,
      'PutObject on the payload prefix: object names are SES message ids, unknown in advance; this is the narrowest scope.',
    );
    ack(
      this.function,
      'AwsSolutions-L1',
      'Pinned to Node.js 22, the major version the test suite runs on (node@22 devDependency); move both together.',
    );
    ack(
      this.function,
      'Serverless-LambdaLatestVersion',
      'Pinned to Node.js 22, the major version the test suite runs on (node@22 devDependency); move both together.',
    );
    ack(
      this.function,
      'Serverless-LambdaDLQ',
      'Async invocations end on the failure queue through an on-failure destination, which carries more context than a DLQ.',
    );
    ack(
      this.function,
      'Serverless-LambdaTracing',
      'X-Ray needs xray:PutTraceSegments on Resource "*", which this design does not grant; logs and metrics carry timings.',
    );
    acknowledgeCdkHelpers(Stack.of(this));
  }

  /** An alarm that fires as soon as the metric is at least 1 in a period; no data means nothing happened. */
  private alarmOnAny(id: string, alarmDescription: string, metric: cloudwatch.IMetric): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      alarmDescription,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** A key-policy statement letting `principals` unwrap data keys only under this account's and rule's context. */
  private allowMailKeyDecrypt(sid: string, principals: iam.IPrincipal[], ruleName: string): void {
    this.mailKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals,
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:EncryptionContext:aws:ses:source-account': Stack.of(this).account,
            'kms:EncryptionContext:aws:ses:rule-name': ruleName,
          },
        },
      }),
    );
  }

  private grantFunction(role: iam.Role, objectKeyPrefix: string, ruleName: string): void {
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadStoredMail',
        actions: ['s3:GetObject'],
        resources: [this.mailBucket.arnForObjects(`${objectKeyPrefix}*`)],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'UnwrapDataKeysOfThisAccountAndRule',
        actions: ['kms:Decrypt'],
        resources: [this.mailKey.keyArn],
        conditions: {
          StringEquals: {
            'kms:EncryptionContext:aws:ses:source-account': Stack.of(this).account,
            'kms:EncryptionContext:aws:ses:rule-name': ruleName,
          },
        },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DeliverMail',
        actions: ['sqs:SendMessage'],
        resources: [this.outputQueue.queueArn, this.failureQueue.queueArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteLargeMail',
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [this.payloadBucket.arnForObjects(`${this.payloadPrefix}*`)],
      }),
    );
    // SQS and S3 encrypt with the delivery key on the function's behalf; multipart uploads also decrypt the data key.
    grantKeyVia(role, this.deliveryKey, ['kms:GenerateDataKey', 'kms:Decrypt'], ['sqs', 's3'], Stack.of(this).region);
  }
}

/** Grants use of a key only through the named services in this region (`kms:ViaService`). */
function grantKeyVia(
  grantee: iam.IGrantable,
  key: kms.IKey,
  actions: string[],
  services: string[],
  region: string,
): void {
  iam.Grant.addToPrincipal({
    grantee,
    actions,
    resourceArns: [key.keyArn],
    conditions: {
      StringEquals: { 'kms:ViaService': services.map((service) => `${service}.${region}.amazonaws.com`) },
    },
  });
}

/**
 * Acknowledges findings on the helper functions aws-cdk-lib adds to the stack (the bucket-notification handler and the
 * custom-resource provider): their code and roles are the CDK's, not this project's.
 */
function acknowledgeCdkHelpers(stack: Stack): void {
  for (const child of stack.node.children) {
    const id = child.node.id;
    if (id.startsWith('BucketNotificationsHandler')) {
      const role = child.node.tryFindChild('Role');
      if (role !== undefined) {
        Validations.of(role).acknowledge({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: "aws-cdk-lib's bucket-notification handler runs once at deployment with the basic execution role.",
        });
        Validations.of(role).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: "aws-cdk-lib's bucket-notification handler: s3:PutBucketNotification, run once at deployment.",
        });
      }
    }
    if (id === AWS_CUSTOM_RESOURCE_PROVIDER_ID) {
      const why = "aws-cdk-lib's AwsCustomResource provider, run only at deployment to activate the rule set";
      const role = child.node.tryFindChild('ServiceRole');
      if (role !== undefined) {
        Validations.of(role).acknowledge({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: `${why}, with the basic execution role.`,
        });
      }
      for (const rule of ['Serverless-LambdaDefaultMemorySize', 'Serverless-LambdaDLQ', 'Serverless-LambdaTracing']) {
        Validations.of(child).acknowledge({ id: rule, reason: `${why}; its settings are the CDK's.` });
      }
    }
  }
}

/** The construct id aws-cdk-lib gives its singleton AwsCustomResource provider function. */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';
