/**
 * The decrypt-and-forward function with its role, log group and trigger: it takes the mail bucket's object-created
 * notifications from the work queue (lib/trigger/work-queue.ts) or, with `directInvocation`, is invoked by S3 itself;
 * it may read stored mail, unwrap data keys of this account's rule, and deliver; nothing more.
 */
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { ENV } from '../../lambda/contract/env-names';
import { Delivery } from '../delivery/delivery';
import type { MailStore } from '../mail-store/mail-store';
import { previousPrefixesSetting, type RuleHistory } from '../receiving/rule-history';
import { WorkQueue } from '../trigger/work-queue';
import { keepS3InvokePermission } from '../upgrades/s3-invoke-permission';
import { bundledOrBuilt, type FunctionSettings } from './function-code';
import { packageRoot } from './function-source';

/** The function's TypeScript entry in this repository (the package ships it prebuilt instead). */
export const HANDLER_ENTRY = join(packageRoot(), 'lambda', 'decrypt-function', 'handler.ts');

/** How long Lambda keeps an event for asynchronous invocation, retries included (delivery-record-lifetime.ts reads it). */
export const MAX_EVENT_AGE = Duration.hours(6);

/** Properties of `DecryptFunction`. */
export interface DecryptFunctionProps {
  readonly store: MailStore;
  readonly delivery: Delivery;
  readonly ruleName: string;
  readonly objectKeyPrefix: string;
  /** The names and prefixes the rule has had, current first: stored mail under any of them stays readable. */
  readonly history: RuleHistory;
  readonly inlineMaxBytes: number;
  readonly memorySize: number;
  readonly logRetention: logs.RetentionDays;
  readonly useFipsEndpoints: boolean;
  /** `--enable-source-maps` in the function's NODE_OPTIONS (FunctionsProps.sourceMaps). */
  readonly sourceMaps?: boolean;

  /** S3 invokes the function itself (asynchronously) instead of through the work queue. */
  readonly directInvocation: boolean;
  /** The work queue's event source mapping's maximum concurrency. */
  readonly workQueueMaxConcurrency: number;
  /** The work queue's and its key's removal policy. */
  readonly removalPolicy: RemovalPolicy;
  readonly requireMfa: boolean;
}

/** The function, its role and its log group. */
export class DecryptFunction extends Construct {
  /** The function's timeout; the work queue's visibility timeout is six times it. */
  static readonly TIMEOUT = Duration.minutes(2);

  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /**
   * What must exist before mail arrives: the function, the bucket's notification, the work queue and its event source
   * mapping (or, with `directInvocation`, the asynchronous-invoke settings: retries, on-failure destination).
   * Activating the rule set waits for them.
   */
  readonly readyForMail: readonly Construct[];
  /** The work queue (the default trigger); undefined with `directInvocation`. */
  readonly workQueue: WorkQueue | undefined;
  /** How the function delivers (payload prefix, inline limit, size limit, body encoding), as its variables. */
  readonly deliverySettings: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: DecryptFunctionProps) {
    super(scope, id);
    const { store, delivery, objectKeyPrefix, history } = props;
    this.deliverySettings = {
      [ENV.PAYLOAD_PREFIX]: Delivery.PAYLOAD_PREFIX,
      [ENV.INLINE_MAX_BYTES]: String(props.inlineMaxBytes),
      [ENV.MAX_MAIL_BYTES]: String(41_943_040),
      [ENV.BODY_ENCODING]: 'auto',
    };
    this.logGroup = new logs.LogGroup(this, 'FunctionLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Decrypts stored inbound mail and delivers it; nothing more.',
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    const options: FunctionSettings = {
      description: 'Decrypts SES mail stored with KMS client-side encryption and forwards it to SQS.',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      // A 40 MB mail is held once as plaintext while it authenticates, plus the upload's parts.
      memorySize: props.memorySize,
      timeout: DecryptFunction.TIMEOUT,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // Asynchronous invocations (S3 with directInvocation, or an operator's): two retries, then the failure queue.
      retryAttempts: 2,
      maxEventAge: MAX_EVENT_AGE,
      // The role already may send to the failure queue (below); aws-lambda-destinations' SqsDestination would also
      // grant unconditioned use of the delivery key.
      onFailure: { bind: () => ({ destination: delivery.failureQueue.queueArn }) },
      environment: {
        [ENV.OUTPUT_QUEUE_URL]: delivery.outputQueue.queueUrl,
        [ENV.FAILURE_QUEUE_URL]: delivery.failureQueue.queueUrl,
        [ENV.PAYLOAD_BUCKET]: delivery.payloadBucket.bucketName,
        ...this.deliverySettings,
        [ENV.MAIL_BUCKET]: store.bucket.bucketName,
        [ENV.MAIL_PREFIX]: objectKeyPrefix,
        ...previousPrefixesSetting(history),
        [ENV.EXPECTED_KMS_KEY_ARN]: store.key.keyArn,
        [ENV.EXPECTED_SOURCE_ACCOUNT]: Stack.of(this).account,
        [ENV.ALLOWED_RULE_NAMES]: history.ruleNames.join(','),
        // --expose-gc lets the function free a large mail's consumed ciphertext before uploading it (process-record.ts);
        // source maps only on request (FunctionsProps.sourceMaps), as they slow the module load.
        NODE_OPTIONS: props.sourceMaps === true ? '--enable-source-maps --expose-gc' : '--expose-gc',
        POWERTOOLS_SERVICE_NAME: 'ses-encrypted-inbound',
        POWERTOOLS_METRICS_NAMESPACE: 'SesEncryptedInbound',
        ...(props.useFipsEndpoints ? { AWS_USE_FIPS_ENDPOINT: 'true' } : {}),
      },
    };
    this.function = bundledOrBuilt(this, 'DecryptFunction', 'decrypt', options);

    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadStoredMail',
        // The function reads the version its event names: GetObject with a VersionId needs s3:GetObjectVersion
        // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "Permissions").
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: history.objectKeyPrefixes.map((prefix) => store.bucket.arnForObjects(`${prefix}*`)),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'UnwrapDataKeysOfThisAccountAndRule',
        actions: ['kms:Decrypt'],
        resources: [store.key.keyArn],
        conditions: { StringEquals: store.sesContext(history.ruleNames) },
      }),
    );
    store.allowUnwrap('FunctionUnwrapsDataKeysOfThisAccountAndRule', [this.role.roleArn], history.ruleNames);
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DeliverMail',
        actions: ['sqs:SendMessage'],
        resources: [delivery.outputQueue.queueArn, delivery.failureQueue.queueArn],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteLargeMail',
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [delivery.payloadBucket.arnForObjects(`${Delivery.PAYLOAD_PREFIX}*`)],
      }),
    );
    // SQS and S3 encrypt with the delivery key on the function's behalf; multipart uploads also decrypt the data key.
    delivery.grantKeyViaServices(this.role, ['kms:GenerateDataKey', 'kms:Decrypt']);
    delivery.allowKeyUse(this.role.roleArn);

    this.workQueue = props.directInvocation
      ? undefined
      : new WorkQueue(this, 'Trigger', {
          bucket: store.bucket,
          objectKeyPrefix,
          function: this.function,
          functionTimeout: DecryptFunction.TIMEOUT,
          maxConcurrency: props.workQueueMaxConcurrency,
          removalPolicy: props.removalPolicy,
          requireMfa: props.requireMfa,
        });
    if (props.directInvocation) {
      store.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(this.function), {
        prefix: objectKeyPrefix,
      });
    } else {
      keepS3InvokePermission(this.function, store.bucket);
    }
    this.readyForMail = [
      this.function,
      store.bucket.node.tryFindChild('Notifications'),
      this.function.node.tryFindChild('EventInvokeConfig'),
      ...(this.workQueue?.readyForMail ?? []),
    ].filter((construct): construct is Construct => construct !== undefined);
  }
}
