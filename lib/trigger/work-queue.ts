/**
 * The buffered trigger (the default): the mail bucket's object-created notifications go to an SQS work queue, which
 * the decrypt function consumes through an event source mapping with a bounded concurrency. Each setting is argued
 * beside it from AWS's documentation.
 */
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { accept, acceptControl } from '../governance/accepted-findings';
import { useByPrincipalArns } from '../governance/key-policies';
import { customerManagedKey, secureQueueProps } from '../governance/secure-defaults';
import { MAX_RECEIVE_COUNT, WORK_QUEUE_BATCH_SIZE, WORK_QUEUE_RETENTION } from './work-queue-settings';

/**
 * Visibility timeout over function timeout: "at least six times the configuration timeout on your function", so that
 * Lambda can retry a batch throttled behind an earlier one before the messages reappear
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** Properties of `WorkQueue`. */
export interface WorkQueueProps {
  readonly bucket: s3.Bucket;
  readonly objectKeyPrefix: string;
  readonly function: lambda.Function;
  readonly functionTimeout: Duration;
  readonly maxConcurrency: number;
  readonly removalPolicy: RemovalPolicy;
  readonly requireMfa: boolean;
}

/** The work queue, its dead-letter queue, their key, the bucket notification and the event source mapping. */
export class WorkQueue extends Construct {
  readonly key: kms.Key;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  /** What must exist before mail arrives (activating the rule set waits for them). */
  readonly readyForMail: readonly Construct[];

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // Its own key: the queue holds only S3 event notifications (bucket, key, size; no mail), and S3 must be allowed to
    // use the key, which the mail key and the delivery key should never allow.
    this.key = customerManagedKey(this, 'WorkQueueKey', {
      description: 'Encrypts the work queue of S3 notifications (no mail content) that triggers the decrypt function.',
      removalPolicy: props.removalPolicy,
      requireMfa: props.requireMfa,
    });
    // S3 sends to an SSE-KMS queue only when the key policy lets s3.amazonaws.com use the key
    // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html,
    // "AWS KMS key policy"). S3's statement carries no condition. SQS's key-management page names S3 among the services
    // whose calls to an SSE queue's key carry aws:SourceArn, but its example is for another principal and value
    // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html): with no
    // account to try it in, the statement follows S3's page. Who may send is bounded by the queue policy instead (this
    // bucket, this account), and this key encrypts this queue only.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'S3SendsNotificationsToTheWorkQueue',
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
    // Receiving from an SSE-KMS queue needs kms:Decrypt (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-lambda-function-trigger.html).
    this.key.addToResourcePolicy(
      useByPrincipalArns({
        sid: 'FunctionReceivesThroughSqs',
        actions: ['kms:Decrypt'],
        principalArns: [(props.function.role as iam.IRole).roleArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${stack.region}.amazonaws.com` } },
      }),
    );

    const queue = secureQueueProps(this.key);
    this.deadLetterQueue = new sqs.Queue(this, 'WorkDeadLetterQueue', {
      ...queue,
      // A message's age counts from its first enqueue, so the dead-letter queue keeps messages longer than the
      // source queue does (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html).
      retentionPeriod: Duration.days(WORK_QUEUE_RETENTION.deadLetterQueueDays),
      removalPolicy: props.removalPolicy,
    });
    acceptControl(this.deadLetterQueue, 'sqs_dlq_check', "This queue is the work queue's dead-letter queue.");
    accept(this.deadLetterQueue, 'Serverless-SQSRedrivePolicy', "This queue is the work queue's dead-letter queue.");
    this.queue = new sqs.Queue(this, 'WorkQueue', {
      ...queue,
      visibilityTimeout: Duration.seconds(props.functionTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      // Four days (SQS's default) covers a weekend's outage of KMS or the function; stored mail lives 30 days.
      retentionPeriod: Duration.days(WORK_QUEUE_RETENTION.retentionDays),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
      removalPolicy: props.removalPolicy,
    });
    // Only S3, for this bucket of this account, may send (confused-deputy conditions:
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html).
    const policy = this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'MailBucketNotifies',
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': props.bucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    ).policyDependable;
    const destination: s3.IBucketNotificationDestination = {
      bind: () => ({
        arn: this.queue.queueArn,
        type: s3.BucketNotificationDestinationType.QUEUE,
        dependencies: policy === undefined ? [] : [policy],
      }),
    };
    props.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, destination, { prefix: props.objectKeyPrefix });

    const source = new sources.SqsEventSource(this.queue, {
      // A transient failure returns only its own message
      // (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
      reportBatchItemFailures: true,
      // No batching window: mail is forwarded as soon as it is polled (the batch size is argued in work-queue-settings.ts).
      batchSize: WORK_QUEUE_BATCH_SIZE,
      maxBatchingWindow: Duration.seconds(0),
      maxConcurrency: props.maxConcurrency,
    });
    props.function.addEventSource(source);
    const mapping = props.function.node.children.find((child) => child instanceof lambda.EventSourceMapping);
    if (mapping !== undefined) {
      // An on-failure destination is for stream and Kafka sources; an SQS source's failures go to its queue's
      // dead-letter queue (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
      accept(
        mapping,
        'Serverless-LambdaEventSourceMappingDestination',
        "The work queue's redrive policy sends a message that failed ten receives to its dead-letter queue.",
      );
    }
    this.readyForMail = [this.queue, props.bucket.node.tryFindChild('Notifications'), mapping].filter(
      (construct): construct is Construct => construct !== undefined,
    );
  }

  /**
   * Lets operator roles use the work key through SQS, so they can read the dead-letter queue (`redrive --queue-url`)
   * and move its messages back to the work queue (StartMessageMoveTask): receiving from an SSE-KMS queue needs
   * `kms:Decrypt`, sending to one `kms:GenerateDataKey`
   * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html). The queues
   * hold S3 notifications only: bucket, key, size, never mail.
   */
  allowOperators(principalArns: readonly string[]): void {
    if (principalArns.length === 0) return;
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      useByPrincipalArns({
        sid: 'OperatorsRedriveThroughSqs',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        principalArns,
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${stack.region}.amazonaws.com` } },
      }),
    );
  }
}
