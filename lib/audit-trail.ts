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
    const trailArnPattern = `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*`;
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the audit trail of the inbound-mail pipeline.',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: props.removalPolicy,
      policy: administrationOnlyKeyPolicy(this, { requireMfa: props.requireMfaForKeyAdministration }),
    });
    const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailEncryptsThisAccountsTrails',
        principals: [cloudTrail],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': trailArnPattern },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailDescribesKey',
        principals: [cloudTrail],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AccountReadsTrailLogsThroughS3',
        principals: [new iam.AccountRootPrincipal()],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'kms:CallerAccount': stack.account, 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': trailArnPattern },
        },
      }),
    );

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
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
      bucket: this.bucket,
      encryptionKey: this.key,
      enableFileValidation: true,
      includeGlobalServiceEvents: true,
      isMultiRegionTrail: false,
      // Management events include every KMS Decrypt: the record of who unwrapped which mail's data key.
      managementEvents: cloudtrail.ReadWriteType.ALL,
    });
    this.trail.addS3EventSelector(
      props.dataBuckets.map((bucket) => ({ bucket })),
      { readWriteType: cloudtrail.ReadWriteType.ALL, includeManagementEvents: true },
    );
  }
}
