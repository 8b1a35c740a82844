/**
 * The verdict gate in the template: the rule's first action, invoked RequestResponse, before the S3 action; SES may
 * invoke it only for this account and rule; a small function with its own log group and nothing but its logs; the
 * policy from props and context; alarms on the refused-mail rate and on failing open.
 */
import { Match } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { logicalId, synthStack } from '../support/synth';

const { stack, template } = synthStack();
const gate = stack.pipeline.verdictGateFunction;
const gateArn = { 'Fn::GetAtt': [logicalId(gate), 'Arn'] };

it("makes the gate the rule's first action, RequestResponse, and the S3 action the second", () => {
  const rule = Object.values(template.findResources('AWS::SES::ReceiptRule'))[0] as any;
  const actions = rule.Properties.Rule.Actions;
  expect(actions).toHaveLength(2);
  expect(actions[0]).toEqual({ LambdaAction: { FunctionArn: gateArn, InvocationType: 'RequestResponse' } });
  expect(Object.keys(actions[1])).toEqual(['S3Action']);
});

it('lets SES invoke the gate only for this account and this rule, before the rule exists', () => {
  const permissions = Object.entries(template.findResources('AWS::Lambda::Permission')).filter(
    ([, p]) => (p as any).Properties.Principal === 'ses.amazonaws.com',
  );
  expect(permissions).toHaveLength(1);
  const [permissionId, permission] = permissions[0] as [string, any];
  expect(permission.Properties).toEqual({
    Action: 'lambda:InvokeFunction',
    FunctionName: gateArn,
    Principal: 'ses.amazonaws.com',
    SourceAccount: '111122223333',
    SourceArn: 'arn:aws:ses:eu-west-1:111122223333:receipt-rule-set/encrypted-inbound:receipt-rule/store-encrypted',
  });
  const rule = Object.values(template.findResources('AWS::SES::ReceiptRule'))[0] as any;
  expect(rule.DependsOn).toContain(permissionId);
});

it('is a small, short-lived Node.js 22 ARM64 function with its own log group, allowed nothing but its logs', () => {
  const fn = template.toJSON().Resources[logicalId(gate)];
  expect(fn.Properties).toMatchObject({
    Runtime: 'nodejs22.x',
    Architectures: ['arm64'],
    MemorySize: 256,
    Timeout: 5,
    LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logicalId(stack.pipeline.verdictGateFunction.logGroup) } },
    Environment: {
      Variables: {
        REFUSE_VIRUS: 'true',
        REFUSE_SPAM: 'false',
        REFUSE_SPF_FAIL: 'false',
        REFUSE_DKIM_FAIL: 'false',
        REFUSE_DMARC_FAIL: 'false',
      },
    },
  });
  const role = gate.role as iam.Role;
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) =>
    p.Properties.Roles.some((r: any) => r.Ref === logicalId(role)),
  );
  const statements = policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement);
  expect(statements).toEqual([
    expect.objectContaining({
      Sid: 'WriteOwnLogs',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': [logicalId(stack.pipeline.verdictGateFunction.logGroup), 'Arn'] },
    }),
  ]);
  expect(template.toJSON().Resources[logicalId(role)].Properties.ManagedPolicyArns).toBeUndefined();
});

it('takes each opt-in from context, separately', () => {
  const on = synthStack({ refuseSpam: 'true', refuseDmarcFail: 'true', refuseVirus: 'false' });
  const variables =
    on.template.toJSON().Resources[logicalId(on.stack.pipeline.verdictGateFunction)].Properties.Environment.Variables;
  expect(variables).toMatchObject({
    REFUSE_VIRUS: 'false',
    REFUSE_SPAM: 'true',
    REFUSE_SPF_FAIL: 'false',
    REFUSE_DKIM_FAIL: 'false',
    REFUSE_DMARC_FAIL: 'true',
  });
});

it('alarms when a quarter of an hour of mail (10 or more) was refused, and whenever the gate fails open', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Threshold: 25,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    Metrics: Match.arrayWith([
      Match.objectLike({ Expression: 'IF(stopped + continued >= 10, 100 * stopped / (stopped + continued), 0)' }),
      Match.objectLike({
        Id: 'stopped',
        MetricStat: Match.objectLike({
          Metric: {
            Namespace: 'SesEncryptedInbound',
            MetricName: 'GateDecisions',
            Dimensions: Match.arrayWith([{ Name: 'Decision', Value: 'STOP_RULE' }]),
          },
        }),
      }),
    ]),
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'GateErrors',
    Namespace: 'SesEncryptedInbound',
    Threshold: 1,
  });
});
