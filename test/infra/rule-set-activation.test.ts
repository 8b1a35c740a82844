/**
 * The rule-set activation in the template: it comes after every other resource of the construct, and its provider
 * may look up its own stack's resources (to tell a replaced physical id's clean-up delete from the final one).
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
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

it('comes after every other resource of the construct, the Macie job and the audit trail included', () => {
  const pipeline = allOn.stack.pipeline;
  const activation = pipeline.activation?.node.defaultChild;
  expect(activation).toBeInstanceOf(CfnResource);
  const activationId = allOn.stack.resolve((activation as CfnResource).logicalId);
  // Every resource the construct tree holds, read from the tree rather than from the dependencies under test.
  const others = pipeline.node
    .findAll()
    .filter((construct): construct is CfnResource => CfnResource.isCfnResource(construct))
    .map((resource) => Stack.of(resource).resolve(resource.logicalId) as string)
    .filter((id) => id !== activationId);
  const types = new Set(others.map((id) => resources[id].Type));
  for (const type of [
    'AWS::CloudTrail::Trail',
    'Custom::MacieClassificationJob',
    'AWS::CloudWatch::Alarm',
    'AWS::Route53::RecordSet',
  ]) {
    expect(types.has(type)).toBe(true);
  }
  expect(resources[activationId].DependsOn).toEqual(expect.arrayContaining(others));
});

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
