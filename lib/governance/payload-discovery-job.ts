/**
 * An opt-in Amazon Macie sensitive-data discovery job over the payload bucket, the only place this pipeline keeps
 * decrypted mail at rest. CloudFormation has no resource for Macie classification jobs, so a custom resource creates
 * one (daily, new objects only) and cancels it when removed, tolerating a job already cancelled or gone and Macie
 * suspended or disabled. Macie itself must be enabled in the account when the job is created.
 */
import { join } from 'node:path';
import { Aws, CustomResource, CustomResourceProvider, CustomResourceProviderRuntime, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { accept, acceptControl } from './accepted-findings';

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

/** The Macie classification job, as a custom resource (its handler: `payload-discovery-job/index.js`). */
export class PayloadDiscoveryJob extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: PayloadDiscoveryJobProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const provider = CustomResourceProvider.getOrCreateProvider(this, PROVIDER_ID, {
      codeDirectory: join(__dirname, 'payload-discovery-job'),
      runtime: CustomResourceProviderRuntime.NODEJS_22_X,
      description: 'Creates and cancels the Macie discovery job over the payload bucket.',
      policyStatements: [
        {
          Effect: 'Allow',
          Action: [
            'macie2:CreateClassificationJob',
            'macie2:DescribeClassificationJob',
            'macie2:UpdateClassificationJob',
            'macie2:TagResource',
          ],
          Resource: JOB_ARNS,
        },
      ],
    });
    // No client token here: the handler uses each CloudFormation request's id, so a job created after an earlier one
    // was removed (the option toggled off and on) is a new job, not the cancelled one handed back.
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::MacieClassificationJob',
      properties: {
        JobName: `${stack.stackName}-payload-discovery`,
        AccountId: stack.account,
        BucketName: props.bucket.bucketName,
      },
    });
    const providerConstruct = stack.node.tryFindChild(`${PROVIDER_ID}CustomResourceProvider`);
    if (providerConstruct !== undefined && providerConstruct.node.metadata.length === 0) {
      const why = 'The Macie job provider runs only at deployment';
      accept(
        providerConstruct,
        `AwsSolutions-IAM5[Resource::${JOB_ARNS_AS_REPORTED}]`,
        "A classification job's id exists only once Macie creates it; the grant covers this account's and region's jobs only.",
      );
      accept(
        providerConstruct,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        `${why}; aws-cdk-lib's provider gives its role the basic execution policy for its logs.`,
      );
      acceptControl(
        providerConstruct,
        'lambda_inside_vpc_check',
        `${why} and calls only the Macie API over TLS; a VPC would add NAT or endpoints for no isolation gained.`,
      );
    }
  }
}

const PROVIDER_ID = 'MacieClassificationJobProvider';
