/**
 * The policy-validation findings (cdk-nag's packs, the Control Tower rules run by cfn-guard) this design accepts, each
 * with its reason, acknowledged on the construct it concerns. Everything else must pass: tests run the packs over the
 * synthesized app and expect no unacknowledged finding.
 */
import type { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { acknowledge } from './acknowledgements';

/** Acknowledges one rule on `scope` (and what is below it). */
export function accept(scope: IConstruct, id: string, reason: string): void {
  acknowledge(scope, id, reason);
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
