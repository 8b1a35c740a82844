/**
 * Where the stack can work: SES must receive mail in the region, and it must be able to write to a bucket there; FIPS
 * endpoints must exist there for every service the function calls.
 */

import { Token } from 'aws-cdk-lib';
import { ConfigurationError } from './configuration-error';

/**
 * Regions where SES receives mail and may store it in a bucket of the same region.
 *
 * SES receiving (CloudFormation's `AWS::SES::ReceiptRuleSet`) exists in the regions of the "Email receiving endpoints"
 * table (https://docs.aws.amazon.com/general/latest/gr/ses.html); cfn-lint's per-region resource data, which
 * `npm run lint:cfn` checks every region below against, agrees. Of those, the opt-in regions (af-south-1,
 * ap-southeast-3, eu-south-1, il-central-1, me-south-1) are left out: "SES does not support S3 buckets in Opt-in
 * regions as a destination for inbound emails"
 * (https://docs.aws.amazon.com/ses/latest/DeveloperGuide/receiving-email-action-s3.html).
 */
export const SES_RECEIVING_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
] as const;

/**
 * Regions where every service the function calls has a FIPS endpoint. SQS has them only in the four US commercial
 * regions (https://docs.aws.amazon.com/general/latest/gr/sqs-service.html); S3 in those and Canada's, KMS in more.
 */
export const FIPS_REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'] as const;

/** A region, or the options, the stack cannot work with; the message names the problem and the fix. */
export class DeploymentRegionError extends ConfigurationError {
  override readonly name = 'DeploymentRegionError';
}

/**
 * Checks the stack's region and the FIPS option; the construct runs it, so it holds in any app.
 *
 * An environment-agnostic stack (region a token) is refused rather than guarded by a CloudFormation Rule on
 * `AWS::Region`: the refusal comes at synthesis, in one line, before anything is uploaded, and the same template
 * then cannot be deployed to a region where SES would silently fail to store mail.
 * @throws DeploymentRegionError for an unresolved region, a region without SES receiving (or an opt-in one), or FIPS
 *   outside the regions that have FIPS endpoints for S3, SQS and KMS
 */
export function checkDeploymentRegion(region: string, options: { readonly useFipsEndpoints: boolean }): void {
  if (Token.isUnresolved(region)) {
    throw new DeploymentRegionError(
      'the stack has no region: set AWS_REGION (or a region in your AWS profile), and give the stack env: { region: process.env.CDK_DEFAULT_REGION } or a region of your choice (an environment-agnostic stack cannot be checked for SES receiving)',
    );
  }
  if (!(SES_RECEIVING_REGIONS as readonly string[]).includes(region)) {
    throw new DeploymentRegionError(
      `SES cannot receive mail into a bucket in ${region}: deploy to one of ${SES_RECEIVING_REGIONS.join(', ')}`,
    );
  }
  if (options.useFipsEndpoints && !(FIPS_REGIONS as readonly string[]).includes(region)) {
    throw new DeploymentRegionError(
      `useFipsEndpoints needs FIPS endpoints for S3, SQS and KMS, which exist only in ${FIPS_REGIONS.join(', ')}: deploy there or leave useFipsEndpoints off`,
    );
  }
}
