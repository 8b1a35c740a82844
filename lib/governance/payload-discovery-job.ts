/**
 * An opt-in Amazon Macie sensitive-data discovery job over the payload bucket, the only place this pipeline keeps
 * decrypted mail at rest. CloudFormation has no resource for Macie classification jobs, so a custom resource creates
 * one (daily, new objects only) and cancels it when removed. Macie itself must be enabled in the account.
 */
import { Aws, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AwsCustomResource,
  AwsCustomResourcePolicy,
  PhysicalResourceId,
  PhysicalResourceIdReference,
} from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

// Pseudo-parameters on purpose: the ARN (and so the cdk-nag finding to acknowledge) reads the same in every environment.
const JOB_ARNS = `arn:${Aws.PARTITION}:macie2:${Aws.REGION}:${Aws.ACCOUNT_ID}:classification-job/*`;
const JOB_ARNS_AS_REPORTED = 'arn:<AWS::Partition>:macie2:<AWS::Region>:<AWS::AccountId>:classification-job/*';

/** Properties of `PayloadDiscoveryJob`. */
export interface PayloadDiscoveryJobProps {
  readonly bucket: s3.IBucket;
}

/**
 * Lets Macie's service-linked role read payloads encrypted with `key`. The role exists only once Macie is enabled, and
 * KMS refuses a key policy naming a principal that does not exist, so the role is named in a condition
 * (`aws:PrincipalArn`), which needs nothing to exist. The principal is "*" narrowed to that one ARN in this account,
 * because the role's own policy (managed by AWS) is not ours to extend: Macie's guide has the key policy grant it
 * (https://docs.aws.amazon.com/macie/latest/user/discovery-supported-encryption-types.html).
 */
export function allowMacieToReadPayloads(key: kms.IKey, scope: Construct): void {
  const stack = Stack.of(scope);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'MacieReadsPayloads',
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'kms:CallerAccount': stack.account },
        ArnEquals: {
          'aws:PrincipalArn': `arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`,
        },
      },
    }),
  );
}

/** The Macie classification job, as a custom resource. */
export class PayloadDiscoveryJob extends Construct {
  readonly resource: AwsCustomResource;

  constructor(scope: Construct, id: string, props: PayloadDiscoveryJobProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.resource = new AwsCustomResource(this, 'Resource', {
      onCreate: {
        service: 'Macie2',
        action: 'createClassificationJob',
        parameters: {
          clientToken: `${stack.stackName}-payload-discovery`,
          name: `${stack.stackName}-payload-discovery`,
          description: 'Sensitive-data discovery over decrypted mail payloads (new objects, daily).',
          jobType: 'SCHEDULED',
          scheduleFrequency: { dailySchedule: {} },
          initialRun: true,
          managedDataIdentifierSelector: 'RECOMMENDED',
          s3JobDefinition: { bucketDefinitions: [{ accountId: stack.account, buckets: [props.bucket.bucketName] }] },
        },
        physicalResourceId: PhysicalResourceId.fromResponse('jobId'),
      },
      onDelete: {
        service: 'Macie2',
        action: 'updateClassificationJob',
        parameters: { jobId: new PhysicalResourceIdReference(), jobStatus: 'CANCELLED' },
      },
      installLatestAwsSdk: false,
      policy: AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['macie2:CreateClassificationJob', 'macie2:UpdateClassificationJob', 'macie2:TagResource'],
          resources: [JOB_ARNS],
        }),
      ]),
    });
    const policy = this.resource.node.tryFindChild('CustomResourcePolicy');
    if (policy !== undefined) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${JOB_ARNS_AS_REPORTED}]`,
        reason:
          "A classification job's id exists only once Macie creates it; the grant covers this account's and region's jobs only.",
      });
    }
  }
}
