/**
 * The rule-set activation in the template: it comes after every other resource of the construct, and its provider
 * may look up its own stack's resources (to tell a replaced physical id's clean-up delete from the final one).
 */
import { synthStack } from '../support/synth';

const allOn = synthStack({
  operatorRoleArns: 'arn:aws:iam::111122223333:role/mail-operator',
  auditTrail: 'true',
  macie: 'true',
  activateRuleSet: 'true',
  hostedZoneId: 'Z0123456789',
  hostedZoneName: 'example.org',
  receivingDomain: 'mail.example.org',
});
const resources = allOn.template.toJSON().Resources;

it("lets the activation's provider look up resources of its own stack, and of no other", () => {
  const roles = Object.values(resources).filter(
    (r: any) => r.Type === 'AWS::IAM::Role' && JSON.stringify(r).includes('ses:SetActiveReceiptRuleSet'),
  ) as any[];
  expect(roles).toHaveLength(1);
  const statements = roles[0].Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
  expect(statements).toContainEqual({
    Effect: 'Allow',
    Action: 'cloudformation:DescribeStackResource',
    Resource: { Ref: 'AWS::StackId' },
  });
});
