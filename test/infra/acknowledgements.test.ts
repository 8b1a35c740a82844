/**
 * Acknowledgements on the aws-cdk-lib versions that refuse a finding id holding '::' (2.252.0 to 2.268.x, the Java
 * binding's 2.263.0 among them): synthesis must go on, with the rule acknowledged on that one scope and the finding in
 * cdk-nag 2's metadata. A stand-in for `Validations` throws as those versions do (message as in aws-cdk-lib 2.263.0).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledge } from '../../lib/governance/acknowledgements';

const FINDING =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

function strictValidations() {
  const acknowledged: Array<{ id: string; reason: string }> = [];
  const api = {
    of: () => ({
      acknowledge(...rules: Array<{ id: string; reason: string }>) {
        for (const rule of rules) {
          if (rule.id.split('::').length > 2) {
            throw Object.assign(
              new Error(
                `Invalid validation rule ID '${rule.id}'. The '::' delimiter is reserved for plugin qualification`,
              ),
              { name: 'InvalidValidationId' },
            );
          }
          acknowledged.push(rule);
        }
      },
    }),
  };
  return { api, acknowledged };
}

it('acknowledges the rule on that scope, and the finding as cdk-nag 2 metadata, where the id is refused', () => {
  const stack = new Stack(new App(), 'S');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const { api, acknowledged } = strictValidations();

  acknowledge(role, FINDING, 'the basic execution role', true, api);

  expect(acknowledged).toEqual([
    { id: 'AwsSolutions-IAM4', reason: 'the basic execution role (this aws-cdk-lib cannot name the one finding)' },
  ]);
  // The aspect writes it at synthesis.
  const template = App.of(stack)?.synth().getStackByName('S').template as {
    Resources: Record<string, { Type: string; Metadata?: { cdk_nag?: { rules_to_suppress: unknown[] } } }>;
  };
  const roleResource = Object.values(template.Resources).find((r) => r.Type === 'AWS::IAM::Role');
  expect(roleResource?.Metadata?.cdk_nag?.rules_to_suppress).toEqual([
    {
      id: 'AwsSolutions-IAM4',
      reason: 'the basic execution role',
      applies_to: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    },
  ]);
});

it('passes other errors on, and ids the version accepts go through unchanged', () => {
  const stack = new Stack(new App(), 'S');
  const { api, acknowledged } = strictValidations();
  acknowledge(stack, 'AwsSolutions-SQS3', 'a dead-letter queue', true, api);
  expect(acknowledged).toEqual([{ id: 'AwsSolutions-SQS3', reason: 'a dead-letter queue' }]);
  const failing = {
    of: () => ({
      acknowledge() {
        throw new Error('something else');
      },
    }),
  };
  expect(() => acknowledge(stack, FINDING, 'x', true, failing)).toThrow('something else');
});
