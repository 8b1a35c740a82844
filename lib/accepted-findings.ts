/**
 * The policy-validation findings (cdk-nag's packs, the Control Tower rules run by cfn-guard) this design accepts, each
 * with its reason, acknowledged on the construct it concerns. Everything else must pass: tests run the packs over the
 * synthesized app and expect no unacknowledged finding.
 */
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import type { DecryptFunction } from './decrypt-function';
import type { Delivery } from './delivery';

/** Acknowledges one rule on `scope` (and what is below it). */
export function accept(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** Acknowledges one AWS Control Tower rule (run by cfn-guard), by its rule name. */
export function acceptControl(scope: IConstruct, rule: string, reason: string): void {
  accept(scope, `cdk-validator-cfnguard::${rule}`, reason);
}

/** Why no function here runs in a VPC (CT.LAMBDA.PR.3). */
export const NO_VPC_REASON =
  'It calls only AWS APIs (S3, SQS, KMS, SES) over TLS and serves no network; a VPC would add NAT or endpoints for no isolation gained.';

/** Why no bucket here has S3 Object Lock (CT.S3.PR.9). */
export const NO_OBJECT_LOCK_REASON =
  'Object Lock would keep data the design must be able to delete (plaintext payloads, mail past its retention), and SES does not support receipt rules that upload to buckets with an Object Lock default retention (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-s3.html).';

/** The findings of the delivery resources and the function. */
export function acceptPipelineFindings(
  delivery: Delivery,
  decrypt: DecryptFunction,
  mailBucket: s3.Bucket,
  objectKeyPrefix: string,
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
  accept(
    policy,
    `AwsSolutions-IAM5[Resource::<${logicalIdOf(mailBucket)}.Arn>/${objectKeyPrefix}*]`,
    'GetObject on the rule prefix: object names are SES message ids, unknown in advance; this is the narrowest scope.',
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

/**
 * The helper functions aws-cdk-lib adds to the stack (the bucket-notification handler, the AwsCustomResource
 * provider): their code and roles are the CDK's, not this project's.
 */
export function acceptCdkHelperFindings(stack: Stack): void {
  for (const child of stack.node.children) {
    const id = child.node.id;
    if (id.startsWith('BucketNotificationsHandler')) {
      const role = child.node.tryFindChild('Role');
      if (role !== undefined) {
        accept(
          role,
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          "aws-cdk-lib's bucket-notification handler runs once at deployment with the basic execution role.",
        );
        accept(
          role,
          'AwsSolutions-IAM5[Resource::*]',
          "aws-cdk-lib's bucket-notification handler: s3:PutBucketNotification, run once at deployment.",
        );
      }
      acceptControl(child, 'lambda_inside_vpc_check', `aws-cdk-lib's bucket-notification handler. ${NO_VPC_REASON}`);
    }
    if (id === AWS_CUSTOM_RESOURCE_PROVIDER_ID) {
      const why = "aws-cdk-lib's AwsCustomResource provider, run only at deployment";
      const role = child.node.tryFindChild('ServiceRole');
      if (role !== undefined) {
        accept(
          role,
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          `${why}, with the basic execution role.`,
        );
      }
      for (const rule of ['Serverless-LambdaDefaultMemorySize', 'Serverless-LambdaDLQ', 'Serverless-LambdaTracing']) {
        accept(child, rule, `${why}; its settings are the CDK's.`);
      }
      acceptControl(child, 'lambda_inside_vpc_check', `${why}. ${NO_VPC_REASON}`);
    }
  }
}

/** The construct id aws-cdk-lib gives its singleton AwsCustomResource provider function. */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/** The logical ID the resource ends up with (after any override). */
function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnElement;
  return Stack.of(construct).resolve(resource.logicalId) as string;
}
