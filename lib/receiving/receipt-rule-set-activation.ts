/**
 * The rule set's place as the account's active one: activated on request, moved on a rename while the old set is
 * active, and on delete, only while it is still the active set, replaced by the set that was active before it
 * (`active-receipt-rule-set/index.js` says why SES needs code for that, and how it remembers that set).
 *
 * An account has one active rule set per region; activating ours replaces whatever was active, so activation is
 * opt-in. The resource exists with activation off too: a set someone activated by hand could otherwise not be deleted
 * with the stack.
 */
import { join } from 'node:path';
import { CustomResource, CustomResourceProvider, CustomResourceProviderRuntime, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { accept, acceptControl, NO_VPC_REASON } from '../governance/accepted-findings';
import { hasAcknowledgements } from '../governance/acknowledgements';

/** Properties of `ReceiptRuleSetActivation`. */
export interface ReceiptRuleSetActivationProps {
  /** The rule set to activate or, on delete, to deactivate if it is the active one. */
  readonly ruleSetName: string;
  /** Make it the active set on create (and keep it so across renames). */
  readonly activate: boolean;
}

const PROVIDER_ID = 'SesActiveReceiptRuleSetProvider';

/** Activates the rule set when asked; on delete, only if it is still the active one, restores the set before it. */
export class ReceiptRuleSetActivation extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ReceiptRuleSetActivationProps) {
    super(scope, id);
    const provider = CustomResourceProvider.getOrCreateProvider(this, PROVIDER_ID, {
      codeDirectory: join(__dirname, 'active-receipt-rule-set'),
      runtime: CustomResourceProviderRuntime.NODEJS_22_X,
      description: 'Activates or deactivates the inbound-mail receipt rule set (touches only that set).',
      policyStatements: [
        {
          Effect: 'Allow',
          // Neither action supports resource-level permissions
          // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonses.html).
          Action: ['ses:SetActiveReceiptRuleSet', 'ses:DescribeActiveReceiptRuleSet'],
          Resource: '*',
        },
        {
          // On delete, whether the event is for a physical id an update replaced (active-receipt-rule-set/index.js).
          Effect: 'Allow',
          Action: 'cloudformation:DescribeStackResource',
          Resource: Stack.of(this).stackId,
        },
      ],
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::SesActiveReceiptRuleSet',
      properties: { RuleSetName: props.ruleSetName, Activate: String(props.activate) },
    });
    acknowledgeProviderFindings(Stack.of(this));
  }
}

/** The provider is a stack-level singleton (aws-cdk-lib's CustomResourceProvider); its findings are acknowledged once. */
function acknowledgeProviderFindings(stack: Stack): void {
  const provider = stack.node.tryFindChild(`${PROVIDER_ID}CustomResourceProvider`);
  if (provider === undefined || hasAcknowledgements(provider)) {
    return;
  }
  const why = 'The rule-set activation provider runs only at deployment';
  for (const [id, reason] of [
    [
      'AwsSolutions-IAM5[Resource::*]',
      'ses:SetActiveReceiptRuleSet and ses:DescribeActiveReceiptRuleSet support no resource-level permissions.',
    ],
    [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      `${why}; aws-cdk-lib's provider gives its role the basic execution policy for its logs.`,
    ],
  ] as const) {
    accept(provider, id, reason);
  }
  acceptControl(provider, 'lambda_inside_vpc_check', `${why}. ${NO_VPC_REASON}`);
}
