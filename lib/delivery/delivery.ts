/**
 * Where decrypted mail goes: the delivery key (separate from the mail key), the output queue with its dead-letter
 * queue, the failure queue, and the payload bucket for mail too large to travel inline.
 */
import { Duration, Lazy, type RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { useByPrincipalArns } from '../governance/key-policies';
import { customerManagedKey, secureBucketProps, secureQueueProps } from '../governance/secure-defaults';
import { OutputQueueTypeGuard } from './output-queue-type-guard';
import { deliveryRetention } from './retention';

/** Properties of `Delivery`. */
export interface DeliveryProps {
  /** Days messages stay on the output queue; payload objects outlive every pointer to them (see retention.ts). */
  readonly queueRetentionDays: number;
  /** Make the output queue (and its dead-letter queue) FIFO. */
  readonly fifo: boolean;
  /** Let a deployment change the queues' type, which replaces them (see output-queue-type-guard.ts). */
  readonly acceptQueueReplacement: boolean;
  /** Where the payload bucket's access logs go. */
  readonly accessLogsBucket: s3.IBucket;
  readonly removalPolicy: RemovalPolicy;
  readonly requireMfa: boolean;
}

/** The delivery key, queues and payload bucket; who may read them is granted through `grantConsume`. */
export class Delivery extends Construct {
  /** Key prefix of payload objects in the payload bucket. */
  static readonly PAYLOAD_PREFIX = 'payloads/';

  readonly key: kms.Key;
  readonly outputQueue: sqs.Queue;
  readonly outputDeadLetterQueue: sqs.Queue;
  readonly failureQueue: sqs.Queue;
  readonly payloadBucket: s3.Bucket;
  /** The principals allowed to encrypt and decrypt with the delivery key (through SQS and S3 only), by ARN. */
  private readonly keyUsers: string[] = [];
  /** The consumers allowed to decrypt with it (through SQS and S3 only), by ARN: `grantConsume`'s grantees. */
  private readonly keyDecrypters: string[] = [];

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    const retention = deliveryRetention({ queueRetentionDays: props.queueRetentionDays, fifo: props.fifo });
    this.key = customerManagedKey(this, 'DeliveryKey', {
      description: 'Encrypts decrypted mail on the output queue, failure queue and payload bucket.',
      removalPolicy: props.removalPolicy,
      requireMfa: props.requireMfa,
    });
    // Only the principals named here (the function and operators; consumers in their own statement, added by
    // grantConsume) may use the key, and only through SQS and S3: an administrator-like role of the account with SQS
    // or S3 read gets no plaintext.
    this.key.addToResourcePolicy(
      useByPrincipalArns({
        sid: 'NamedPrincipalsUseThroughSqsAndS3',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        principalArns: Lazy.list({ produce: () => this.keyUsers }),
        conditions: this.throughSqsAndS3(),
      }),
    );

    this.payloadBucket = new s3.Bucket(this, 'PayloadBucket', {
      ...secureBucketProps(props.removalPolicy),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'payload-bucket/',
      lifecycleRules: [
        {
          // Payloads live as long as any message that points at them could, dead-letter queue included.
          expiration: Duration.days(retention.payloadExpirationDays),
          // Versions left from before versioning was suspended (0.1 enabled it) go the next day.
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    // The one bucket holding plaintext keeps nothing after a consumer deletes it: no versioning. "Suspended", not
    // absent, so that a bucket 0.1 created with versioning on stops keeping versions too (versioning cannot be turned
    // off once on, only suspended: https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html).
    (this.payloadBucket.node.defaultChild as s3.CfnBucket).versioningConfiguration = { status: 'Suspended' };

    const queue = secureQueueProps(this.key);
    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      ...queue,
      retentionPeriod: Duration.days(retention.failureQueueDays),
    });
    this.outputDeadLetterQueue = new sqs.Queue(this, 'OutputDeadLetterQueue', {
      ...queue,
      fifo: props.fifo || undefined,
      retentionPeriod: Duration.days(retention.deadLetterQueueDays),
    });
    this.outputQueue = new sqs.Queue(this, 'OutputQueue', {
      ...queue,
      fifo: props.fifo || undefined,
      retentionPeriod: Duration.days(retention.outputQueueDays),
      // A consumer that fails on a message five times moves it aside instead of blocking or losing it.
      deadLetterQueue: { queue: this.outputDeadLetterQueue, maxReceiveCount: 5 },
      visibilityTimeout: Duration.minutes(5),
    });
    for (const producedQueue of [this.outputQueue, this.failureQueue]) {
      producedQueue.addToResourcePolicy(this.onlyProducersSend(producedQueue));
    }
    new OutputQueueTypeGuard(this, 'QueueTypeGuard', {
      outputQueue: this.outputQueue,
      guarded: [this.outputQueue, this.outputDeadLetterQueue],
      fifo: props.fifo,
      acceptQueueReplacement: props.acceptQueueReplacement,
    });
  }

  /**
   * Lets the principal with this ARN encrypt and decrypt with the delivery key through SQS and S3 (its IAM policy must
   * allow it too), and send to the output and failure queues (no one else may): the function, and operators, whose
   * replay and redrive send as the function does.
   */
  allowKeyUse(principalArn: string): void {
    if (!this.keyUsers.includes(principalArn)) {
      this.keyUsers.push(principalArn);
    }
  }

  /**
   * Grants a consumer everything it needs to read the output queue, payload objects included: receive and delete
   * messages, read (and delete) payloads, decrypt (never encrypt) with the delivery key through SQS and S3, in its
   * IAM policy and in the key policy. Nothing of the mail key.
   * @returns the grant, every statement added to the grantee's IAM policy combined
   * @throws Error when the grantee is not an IAM role or user (the key policy names it by ARN)
   */
  grantConsume(grantee: iam.IGrantable): iam.Grant {
    this.allowKeyDecrypt(principalArnOf(grantee));
    const queue = iam.Grant.addToPrincipal({
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
    const payloads = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:DeleteObject'],
      resourceArns: [this.payloadBucket.arnForObjects(`${Delivery.PAYLOAD_PREFIX}*`)],
    });
    // Decrypt only: consumers receive and download, they never send or upload. See allowKeyDecrypt.
    return queue.combine(payloads).combine(this.grantKeyViaServices(grantee, ['kms:Decrypt']));
  }

  /**
   * Lets a consumer decrypt with the delivery key through SQS and S3, and nothing more: receiving from an SSE-KMS
   * queue and downloading an SSE-KMS object need `kms:Decrypt` only; `kms:GenerateDataKey` is for sending and
   * uploading, which consumers never do (SQS: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html,
   * and aws-cdk-lib's own `Queue.grantConsumeMessages` grants `kms:Decrypt` alone; S3:
   * https://repost.aws/knowledge-center/decrypt-kms-encrypted-objects-s3).
   */
  private allowKeyDecrypt(principalArn: string): void {
    if (this.keyDecrypters.length === 0) {
      this.key.addToResourcePolicy(
        useByPrincipalArns({
          sid: 'ConsumersDecryptThroughSqsAndS3',
          actions: ['kms:Decrypt'],
          principalArns: Lazy.list({ produce: () => this.keyDecrypters }),
          conditions: this.throughSqsAndS3(),
        }),
      );
    }
    if (!this.keyDecrypters.includes(principalArn)) {
      this.keyDecrypters.push(principalArn);
    }
  }

  /**
   * Producers and consumers separated: nobody but the principals of `allowKeyUse` (the function, whose role also sends
   * its rejections and, with directInvocation, its failed events as Lambda's on-failure destination; and operators,
   * who replay and redrive) may send to this queue, whatever their own IAM policy says, so a consumer with a broad
   * `sqs:SendMessage` cannot inject a "verified" mail. A Deny in a resource policy wins over any Allow
   * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html); a request without
   * `aws:PrincipalArn` (an AWS service principal) matches `ArnNotEquals` too and is denied: no service sends to these
   * queues (S3 notifies the work queue, or the function itself, never these). `sqs:SendMessage` covers
   * `SendMessageBatch` (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api.html).
   */
  private onlyProducersSend(queue: sqs.IQueue): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid: 'OnlyTheFunctionAndOperatorsSend',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => this.keyUsers }) } },
    });
  }

  /** The key-policy conditions of every use: a caller of this account, through SQS or S3 of this region. */
  private throughSqsAndS3(): Record<string, Record<string, unknown>> {
    const stack = Stack.of(this);
    return {
      StringEquals: {
        'kms:CallerAccount': stack.account,
        'kms:ViaService': [`sqs.${stack.region}.amazonaws.com`, `s3.${stack.region}.amazonaws.com`],
      },
    };
  }

  /** The IAM side of key use: `actions` on the delivery key, only through SQS and S3 in this region. */
  grantKeyViaServices(grantee: iam.IGrantable, actions: readonly string[]): iam.Grant {
    const region = Stack.of(this).region;
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...actions],
      resourceArns: [this.key.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': ['sqs', 's3'].map((service) => `${service}.${region}.amazonaws.com`) },
      },
    });
  }
}

/**
 * The ARN the key policy can name a grantee by: a role's or a user's. An account (its root or `AccountPrincipal`), a
 * service or any other principal is refused: the key policy would let a whole account, or nobody, decrypt.
 */
function principalArnOf(grantee: iam.IGrantable): string {
  const principal = grantee.grantPrincipal as Partial<iam.IRole & iam.IUser> & iam.IPrincipal;
  const arn =
    principal.roleArn ??
    principal.userArn ??
    (principal instanceof iam.ArnPrincipal && !(principal instanceof iam.AccountPrincipal) ? principal.arn : undefined);
  if (arn === undefined || (!Token.isUnresolved(arn) && !/^arn:[^:]+:iam::[^:]*:(role|user)\//.test(arn))) {
    throw new Error(
      `grantConsume takes an IAM role or user: the delivery key policy names consumers by ARN, and ${principal} is neither (an account, a service or another principal cannot be named)`,
    );
  }
  return arn;
}
