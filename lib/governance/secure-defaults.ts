/**
 * The settings every bucket, queue and key of the pipeline shares: TLS 1.2 or later only, public access blocked, ACLs
 * off, customer-managed keys with rotation and the longest deletion window.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { administrationOnlyKeyPolicy } from './key-policies';

/** Bucket settings that hold for every bucket here; callers add encryption, versioning, logging and lifecycle. */
export function secureBucketProps(removalPolicy: RemovalPolicy) {
  return {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy,
  } satisfies s3.BucketProps;
}

/** Queue settings: encrypted with `key` (SSE-KMS), TLS only. */
export function secureQueueProps(key: kms.IKey) {
  return {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    dataKeyReuse: Duration.minutes(5),
    enforceSSL: true,
  } satisfies sqs.QueueProps;
}

/** Options of `customerManagedKey`. */
export interface CustomerManagedKeyOptions {
  readonly description: string;
  readonly removalPolicy: RemovalPolicy;
  readonly requireMfa: boolean;
}

/**
 * A symmetric key whose policy only administers it (use is granted statement by statement), with rotation and a
 * 30-day deletion window.
 */
export function customerManagedKey(scope: Construct, id: string, options: CustomerManagedKeyOptions): kms.Key {
  return new kms.Key(scope, id, {
    description: options.description,
    enableKeyRotation: true,
    pendingWindow: Duration.days(30),
    removalPolicy: options.removalPolicy,
    policy: administrationOnlyKeyPolicy(scope, { requireMfa: options.requireMfa }),
  });
}
