/**
 * Makes a receipt rule set the account's active one, and deactivates it when removed.
 *
 * An account (per region) has one active rule set; activating ours replaces whatever was active, so the stack only
 * does it when asked.
 */
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/** Properties of `ReceiptRuleSetActivation`. */
export interface ReceiptRuleSetActivationProps {
  /** The rule set to activate. */
  readonly ruleSetName: string;
}

/** Activates the rule set on create and update; deactivates on delete. */
export class ReceiptRuleSetActivation extends Construct {
  constructor(scope: Construct, id: string, props: ReceiptRuleSetActivationProps) {
    super(scope, id);
    const activate = {
      service: 'SES',
      action: 'setActiveReceiptRuleSet',
      parameters: { RuleSetName: props.ruleSetName },
      physicalResourceId: PhysicalResourceId.of(`active-receipt-rule-set-${props.ruleSetName}`),
    };
    const resource = new AwsCustomResource(this, 'Resource', {
      onCreate: activate,
      onUpdate: activate,
      // Called with no name, SetActiveReceiptRuleSet deactivates every rule set.
      onDelete: { service: 'SES', action: 'setActiveReceiptRuleSet', parameters: {} },
      installLatestAwsSdk: false,
      policy: AwsCustomResourcePolicy.fromStatements([
        // SetActiveReceiptRuleSet supports no resource-level permissions.
        new iam.PolicyStatement({ actions: ['ses:SetActiveReceiptRuleSet'], resources: ['*'] }),
      ]),
    });
    const policy = resource.node.tryFindChild('CustomResourcePolicy');
    if (policy !== undefined) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ses:SetActiveReceiptRuleSet supports no resource-level permissions; it is the only action granted.',
      });
    }
  }
}
