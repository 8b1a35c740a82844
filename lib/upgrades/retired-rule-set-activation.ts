/**
 * 0.1.0's rule-set activation, kept in the template so that its delete never runs.
 *
 * 0.1.0 activated the rule set with an `AwsCustomResource` (`Custom::AWS`) whose delete called SES's
 * SetActiveReceiptRuleSet with no name, which deactivates every rule set: the account's receiving stops. Today's
 * activation is another resource (`Custom::SesActiveReceiptRuleSet`, its own provider): a custom resource's type and
 * service token cannot change in an update
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-update.html), so 0.1.0's cannot
 * become it. Removed from the template, it would be deleted with the properties it was deployed with, that delete
 * included (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-delete.html).
 *
 * So it stays, under 0.1.0's logical id, type and provider, with new properties: no update call and no delete call
 * (aws-cdk-lib's handler then only answers CloudFormation, keeping the physical id, so no replacement either), and a
 * read-only create for stacks that never had it. The upgrade applies these properties; from then on its delete does
 * nothing, so a later release may drop it.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { accept } from '../governance/accepted-findings';

/** Properties of `RetiredRuleSetActivation`. */
export interface RetiredRuleSetActivationProps {
  /** The rule set 0.1.0 activated (its physical id is built from it, as 0.1.0 built it). */
  readonly ruleSetName: string;
}

/** 0.1.0's activation resource, with an update and a delete that do nothing. */
export class RetiredRuleSetActivation extends Construct {
  /** The `Custom::AWS` resource; its logical id is 0.1.0's (see `keepFirstReleaseIds`). */
  readonly resource: IConstruct;
  /** The custom resource's policy; its logical id is 0.1.0's too. */
  readonly policy: IConstruct | undefined;

  constructor(scope: Construct, id: string, props: RetiredRuleSetActivationProps) {
    super(scope, id);
    const custom = new AwsCustomResource(this, 'Resource', {
      // Create only: a stack that never had 0.1.0's resource reads the active set's name and changes nothing.
      onCreate: {
        service: 'SES',
        action: 'describeActiveReceiptRuleSet',
        outputPaths: ['Metadata.Name'],
        // 0.1.0's physical id: an update that returned another would be a replacement, which deletes the old one.
        physicalResourceId: PhysicalResourceId.of(`active-receipt-rule-set-${props.ruleSetName}`),
      },
      installLatestAwsSdk: false,
      policy: AwsCustomResourcePolicy.fromStatements([
        // DescribeActiveReceiptRuleSet supports no resource-level permissions.
        new iam.PolicyStatement({ actions: ['ses:DescribeActiveReceiptRuleSet'], resources: ['*'] }),
      ]),
    });
    this.resource = custom.node.findChild('Resource');
    this.policy = custom.node.tryFindChild('CustomResourcePolicy');
    if (this.policy !== undefined) {
      accept(
        this.policy,
        'AwsSolutions-IAM5[Resource::*]',
        'ses:DescribeActiveReceiptRuleSet supports no resource-level permissions; it is the only action granted.',
      );
    }
  }
}

/**
 * Keeps 0.1.0's activation where 0.1.0 had one (`activateRuleSet` on), so the upgrade neither replaces nor deletes
 * it: its delete deactivated every rule set in the account.
 */
export function keepRetiredActivation(scope: Construct, activateRuleSet: boolean, ruleSetName: string): void {
  if (activateRuleSet) {
    new RetiredRuleSetActivation(scope, 'RetiredActivation', { ruleSetName });
  }
}
