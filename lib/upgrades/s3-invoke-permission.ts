/**
 * S3's permission to invoke the decrypt function, kept when the work queue is the trigger (0.3.0's default).
 *
 * Releases up to 0.2.0 had S3 invoke the function. An upgrade to the work queue changes the bucket's notification
 * configuration to name the queue, but S3 applies such a change "typically" within five minutes
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-to-enable-disable-notification-intro.html): mail stored
 * meanwhile may still be announced to the function. Were the permission gone by then (CloudFormation removes it in the
 * same update), those notifications would be refused and their mail never delivered. So the permission stays, under
 * the id and with the properties aws-cdk-lib's `LambdaDestination` gives it (the upgrade neither replaces nor updates
 * it): only S3, for this bucket (`aws:SourceArn`) of this account (`aws:SourceAccount`), may invoke. A direct
 * invocation is handled as it was in 0.2.0 (the function takes both event shapes, and the delivery records keep it
 * from delivering a mail twice). A later release may drop it once no stack can still be upgraded from 0.2.0.
 */
import { Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** Adds S3's invoke permission for `bucket`'s notifications, as `LambdaDestination` would, unless it is there. */
export function keepS3InvokePermission(fn: lambda.Function, bucket: s3.Bucket): void {
  // The id aws-cdk-lib's LambdaDestination gives the permission (aws-s3-notifications, lambda.ts).
  const id = `AllowBucketNotificationsTo${Names.nodeUniqueId(fn.permissionsNode)}`;
  if (bucket.node.tryFindChild(id) !== undefined) return;
  fn.addPermission(id, {
    sourceAccount: Stack.of(bucket).account,
    principal: new iam.ServicePrincipal('s3.amazonaws.com'),
    sourceArn: bucket.bucketArn,
    scope: bucket,
  });
}
