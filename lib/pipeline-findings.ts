/**
 * The policy-validation findings of the delivery resources and the decrypt function that this design accepts, each
 * with its reason (governance/accepted-findings.ts holds the rest and says how findings are acknowledged). Called by
 * the construct once every grant is made, so the function's policy is complete.
 */
import { type CfnElement, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import type { Delivery } from './delivery/delivery';
import type { DecryptFunction } from './functions/decrypt-function';
import { accept, acceptControl, NO_OBJECT_LOCK_REASON, NO_VPC_REASON } from './governance/accepted-findings';

/** The findings of the delivery resources and the function. */
export function acceptPipelineFindings(
  delivery: Delivery,
  decrypt: DecryptFunction,
  mailBucket: s3.Bucket,
  /** The rule's prefix and those it had before (previousObjectKeyPrefixes): the function reads under each. */
  objectKeyPrefixes: readonly string[],
): void {
  accept(
    delivery.failureQueue,
    'AwsSolutions-SQS3',
    'The failure queue is itself the terminal dead-letter destination (Lambda on-failure destination and rejection records); it is not consumed automatically.',
  );
  accept(
    delivery.failureQueue,
    'Serverless-SQSRedrivePolicy',
    'The failure queue is the terminal dead-letter destination; a redrive policy would hide failures from the alarm.',
  );
  accept(
    delivery.outputDeadLetterQueue,
    'Serverless-SQSRedrivePolicy',
    "This queue is the output queue's dead-letter queue.",
  );
  acceptControl(delivery.failureQueue, 'sqs_dlq_check', 'The failure queue is the terminal dead-letter destination.');
  acceptControl(delivery.outputDeadLetterQueue, 'sqs_dlq_check', "This queue is the output queue's dead-letter queue.");
  acceptControl(
    delivery.payloadBucket,
    's3_bucket_versioning_enabled_check',
    'The one bucket that holds plaintext keeps nothing after a consumer deletes it: versioning is suspended on purpose.',
  );
  acceptControl(
    delivery.payloadBucket,
    's3_event_notifications_enabled_check',
    'Consumers learn of payloads from the output queue message that points at them; nothing reacts to the bucket itself.',
  );
  acceptControl(delivery.payloadBucket, 's3_bucket_object_lock_enabled_check', NO_OBJECT_LOCK_REASON);
  acceptControl(decrypt.function, 'lambda_inside_vpc_check', NO_VPC_REASON);
  acceptControl(
    decrypt.logGroup,
    'cloudwatch_log_group_retention_period_check',
    'The function logs outcomes, ids, sizes and timings only; 90 days by default (logRetention) keeps no more than operations need. The audit trail option keeps a year of API activity.',
  );
  acceptControl(
    decrypt.logGroup,
    'cloudwatch_log_group_encrypted_check',
    'The function never logs mail content, keys or addresses (tested); CloudWatch Logs encrypts log data at rest already.',
  );
  const policy = decrypt.role.node.tryFindChild('DefaultPolicy') as iam.Policy;
  for (const prefix of objectKeyPrefixes) {
    accept(
      policy,
      `AwsSolutions-IAM5[Resource::<${logicalIdOf(mailBucket)}.Arn>/${prefix}*]`,
      'GetObject on the rule prefix (and those it had before): object names are SES message ids, unknown in advance; this is the narrowest scope.',
    );
  }
  accept(
    policy,
    `AwsSolutions-IAM5[Resource::<${logicalIdOf(mailBucket)}.Arn>/quarantine/*]`,
    'PutObject (CopyObject) on the quarantine prefix: keys are reasons and SES message ids, unknown in advance; the narrowest scope.',
  );
  accept(
    policy,
    `AwsSolutions-IAM5[Resource::<${logicalIdOf(delivery.payloadBucket)}.Arn>/payloads/*]`,
    'PutObject on the payload prefix: object names are SES message ids, unknown in advance; this is the narrowest scope.',
  );
  const pinned =
    'Pinned to Node.js 22, the major version the test suite runs on (node@22 devDependency); move both together.';
  accept(decrypt.function, 'AwsSolutions-L1', pinned);
  accept(decrypt.function, 'Serverless-LambdaLatestVersion', pinned);
  accept(
    decrypt.function,
    'Serverless-LambdaDLQ',
    'Async invocations end on the failure queue through an on-failure destination, which carries more context than a DLQ.',
  );
  accept(
    decrypt.function,
    'Serverless-LambdaTracing',
    'X-Ray needs xray:PutTraceSegments on Resource "*", which this design does not grant; logs and metrics carry timings.',
  );
}

/** The logical ID the resource ends up with (after any override). */
function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnElement;
  return Stack.of(construct).resolve(resource.logicalId) as string;
}
