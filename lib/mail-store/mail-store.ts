/**
 * Where SES stores mail: the mail key (SES encrypts each mail client-side with it), the mail bucket, and the bucket
 * both buckets' access logs go to.
 */
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acceptControl, NO_OBJECT_LOCK_REASON } from '../governance/accepted-findings';
import { useByPrincipalArns } from '../governance/key-policies';
import { customerManagedKey, secureBucketProps } from '../governance/secure-defaults';
import { oneOrList } from '../receiving/rule-history';

/** Properties of `MailStore`. */
export interface MailStoreProps {
  /** Key prefix of stored mail. */
  readonly objectKeyPrefix: string;
  /** Prefixes the rule stored mail under before: that mail keeps expiring. */
  readonly previousObjectKeyPrefixes?: readonly string[];
  /** Days stored (encrypted) mail is kept. */
  readonly retentionDays: number;
  readonly removalPolicy: RemovalPolicy;
  /** Require MFA for sensitive administration of the mail key. */
  readonly requireMfa: boolean;
  /** The only principals that may delete stored mail (`operatorRoleArns`); none: nobody may. */
  readonly operatorRoleArns: readonly string[];
}

/** The mail key, the mail bucket and the access-logs bucket. */
export class MailStore extends Construct {
  /** The key SES encrypts stored mail with; only the principals given to `allowUnwrap` may decrypt with it. */
  readonly key: kms.Key;
  readonly bucket: s3.Bucket;
  /** Receives the server access logs of every bucket of the pipeline. */
  readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: MailStoreProps) {
    super(scope, id);
    this.key = customerManagedKey(this, 'MailKey', {
      description:
        'Encrypts inbound mail stored by SES (client-side); only the decrypt function may use it to decrypt.',
      removalPolicy: props.removalPolicy,
      requireMfa: props.requireMfa,
    });
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      ...secureBucketProps(props.removalPolicy),
      // Server access log delivery supports SSE-S3 only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
    });
    const prefixes = [props.objectKeyPrefix, ...(props.previousObjectKeyPrefixes ?? [])];
    this.bucket = new s3.Bucket(this, 'MailBucket', {
      ...secureBucketProps(props.removalPolicy),
      // Objects are already encrypted client-side with the mail key; SSE-S3 adds encryption of the metadata at rest.
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'mail-bucket/',
      lifecycleRules: prefixes.map((prefix) => ({
        prefix,
        expiration: Duration.days(props.retentionDays),
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      })),
    });

    this.denyDeletingMail(prefixes, props.operatorRoleArns);

    acceptControl(
      this.accessLogsBucket,
      's3_bucket_default_encryption_kms_check',
      'Server access logs can be delivered only to a bucket encrypted with SSE-S3.',
    );
    acceptControl(
      this.accessLogsBucket,
      's3_bucket_logging_enabled_check',
      'This is the access-log bucket: logging it to itself would loop.',
    );
    acceptControl(
      this.accessLogsBucket,
      's3_event_notifications_enabled_check',
      'Nothing reacts to access logs being written.',
    );
    acceptControl(
      this.bucket,
      's3_bucket_default_encryption_kms_check',
      'Every stored mail is already encrypted client-side by SES with the mail key (a KMS key); SSE-S3 covers the metadata.',
    );
    acceptControl(
      this.bucket,
      's3_event_notifications_enabled_check',
      "The notification that triggers the function is set by aws-cdk-lib's Custom::S3BucketNotifications resource, which the rule does not see.",
    );
    for (const bucket of [this.bucket, this.accessLogsBucket]) {
      acceptControl(bucket, 's3_bucket_object_lock_enabled_check', NO_OBJECT_LOCK_REASON);
    }
  }

  /**
   * Denies deleting stored mail, a version or the object (a delete marker), under every prefix the rule has used, to
   * every principal but the operator roles (an erasure request is theirs to carry out); without operator roles, to
   * everyone until the bucket policy is changed. A delete marker would turn SES's version noncurrent, which the
   * lifecycle rule above removes a day later, before a redelivery from a dead-letter queue or a `replay`. AWS names
   * these two actions, and s3:PutLifecycleConfiguration, as what removes objects
   * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html): the lifecycle rules stay the stack's,
   * changed only by whoever may change the stack.
   */
  private denyDeletingMail(prefixes: readonly string[], operatorRoleArns: readonly string[]): void {
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyDeletingMailExceptOperators',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: prefixes.map((prefix) => this.bucket.arnForObjects(`${prefix}*`)),
        ...(operatorRoleArns.length > 0
          ? { conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...operatorRoleArns] } } }
          : {}),
      }),
    );
  }

  /**
   * Lets the principals (by ARN) unwrap data keys of mail this account's `ruleName` stored, and nothing else: the key
   * policy names them through `aws:PrincipalArn` (see `useByPrincipalArns`), with the encryption-context conditions.
   * Their IAM policies must allow kms:Decrypt on the key too, under the same conditions (`sesContext`).
   */
  allowUnwrap(sid: string, principalArns: readonly string[], ruleName: string | readonly string[]): void {
    this.key.addToResourcePolicy(
      useByPrincipalArns({
        sid,
        actions: ['kms:Decrypt'],
        principalArns,
        conditions: { StringEquals: this.sesContext(ruleName) },
      }),
    );
  }

  /** The encryption-context conditions of mail this account's `ruleName` (or any of its names) stored. */
  sesContext(ruleName: string | readonly string[]): Record<string, string | string[]> {
    return {
      'kms:EncryptionContext:aws:ses:source-account': Stack.of(this).account,
      // Several names: StringEquals with a list matches any of them.
      'kms:EncryptionContext:aws:ses:rule-name': typeof ruleName === 'string' ? ruleName : oneOrList(ruleName),
    };
  }
}
