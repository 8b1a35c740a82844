/**
 * An opt-in CloudTrail trail for this pipeline: management events (every KMS Decrypt of a mail's data key among them)
 * and S3 data events for the mail and payload buckets, written encrypted, with log file validation, to a bucket of
 * its own that is itself access-logged.
 */
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acceptControl, NO_OBJECT_LOCK_REASON } from './accepted-findings';
import { administrationOnlyKeyPolicy } from './key-policies';

/** Properties of `AuditTrail`. */
export interface AuditTrailProps {
  /** Buckets whose object reads and writes are recorded (S3 data events). */
  readonly dataBuckets: readonly s3.IBucket[];
  /** Where the trail bucket's own access logs go. */
  readonly accessLogsBucket: s3.IBucket;
  /** Require MFA for sensitive administration of the trail key. */
  readonly requireMfaForKeyAdministration: boolean;
  /** Days log files are kept. */
  readonly retentionDays: number;
  readonly removalPolicy: RemovalPolicy;
}

/** The trail, its bucket and its key. */
export class AuditTrail extends Construct {
  readonly trail: cloudtrail.Trail;
  readonly bucket: s3.Bucket;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // A fixed name, so the key policy can name the trail's ARN without depending on the trail (which depends on it).
    const trailName = `${stack.stackName}-mail-audit`;
    const trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: trailName });
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the audit trail of the inbound-mail pipeline.',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: props.removalPolicy,
      policy: administrationOnlyKeyPolicy(this, { requireMfa: props.requireMfaForKeyAdministration }),
    });
    const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    // CloudTrail's documented statements, narrowed to this trail with aws:SourceArn as CloudTrail recommends
    // (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailEncryptsThisTrail',
        principals: [cloudTrail],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceArn': trailArn, 'kms:EncryptionContext:aws:cloudtrail:arn': trailArn },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailDescribesKey',
        principals: [cloudTrail],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AccountReadsTrailLogsThroughS3',
        principals: [new iam.AccountRootPrincipal()],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:CallerAccount': stack.account,
            'kms:ViaService': `s3.${stack.region}.amazonaws.com`,
            'kms:EncryptionContext:aws:cloudtrail:arn': trailArn,
          },
        },
      }),
    );

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      // No S3 Bucket Key: under one, a log file's encryption context is the bucket's ARN, not aws:cloudtrail:arn, so
      // the conditions above could not match, and CloudTrail would need kms:Decrypt as well.
      bucketKeyEnabled: false,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'audit-trail-bucket/',
      lifecycleRules: [
        { expiration: Duration.days(props.retentionDays), noncurrentVersionExpiration: Duration.days(30) },
      ],
      removalPolicy: props.removalPolicy,
    });

    this.trail = new cloudtrail.Trail(this, 'Trail', {
      trailName,
      bucket: this.bucket,
      encryptionKey: this.key,
      enableFileValidation: true,
      includeGlobalServiceEvents: true,
      isMultiRegionTrail: false,
      // Management events include every KMS Decrypt: the record of who unwrapped which mail's data key.
      managementEvents: cloudtrail.ReadWriteType.ALL,
    });
    // aws-cdk-lib's Trail gives CloudTrail GetBucketAcl and PutObject on the bucket without aws:SourceArn, so any trail,
    // of any account, could write here. CloudTrail's bucket policy guidance narrows both to this trail
    // (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html); a deny
    // for every other SourceArn does that without rewriting the statements the construct adds.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailOnlyForThisTrail',
        effect: iam.Effect.DENY,
        principals: [cloudTrail],
        actions: ['s3:GetBucketAcl', 's3:PutObject'],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
        conditions: { StringNotEquals: { 'aws:SourceArn': trailArn } },
      }),
    );
    acceptControl(
      this.bucket,
      's3_event_notifications_enabled_check',
      'Nothing reacts to trail log files being written.',
    );
    acceptControl(this.bucket, 's3_bucket_object_lock_enabled_check', NO_OBJECT_LOCK_REASON);
    this.trail.addS3EventSelector(
      props.dataBuckets.map((bucket) => ({ bucket })),
      { readWriteType: cloudtrail.ReadWriteType.ALL, includeManagementEvents: true },
    );
  }
}
