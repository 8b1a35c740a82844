/**
 * Every function the stack creates, the custom resources' and aws-cdk-lib's singleton handlers included, logs to a
 * log group of the template that has a retention; and the verdict gate has reserved concurrency (issue 19 item 4).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EncryptedInboundMail } from '../../lib/encrypted-inbound-mail';
import { DEFAULT_GATE_RESERVED_CONCURRENCY } from '../../lib/functions/verdict-gate-function';
import { CDK_JSON_CONTEXT, logicalId, synthStack, TEST_ENV } from '../support/synth';

const ALL_OPTIONS = {
  recipients: 'inbox@example.com,example.org',
  activateRuleSet: 'true',
  hostedZoneId: 'Z0123456789',
  hostedZoneName: 'example.org',
  receivingDomain: 'mail.example.org',
  fifo: 'true',
  requireMfa: 'true',
  operatorRoleArns: 'arn:aws:iam::111122223333:role/mail-operator',
  auditTrail: 'true',
  macie: 'true',
};

/** The functions whose logs go to no log group of the template with a retention, by logical id. */
function functionsWithoutRetainedLogs(template: Template): string[] {
  const resources = template.toJSON().Resources as Record<string, any>;
  const retained = new Set(
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Logs::LogGroup' && typeof r.Properties?.RetentionInDays === 'number')
      .map(([id]) => id),
  );
  // A log group named after the function (`/aws/lambda/<name>`) also counts.
  const byName = new Map<string, string>();
  for (const id of retained) {
    const name = resources[id].Properties?.LogGroupName;
    if (name !== undefined) byName.set(JSON.stringify(name), id);
  }
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .filter(([id, r]) => {
      const target = r.Properties?.LoggingConfig?.LogGroup;
      if (target?.Ref !== undefined && retained.has(target.Ref)) return false;
      const named = JSON.stringify({ 'Fn::Join': ['', ['/aws/lambda/', { Ref: id }]] });
      return !byName.has(named);
    })
    .map(([id]) => id)
    .sort();
}

it.each([
  ['defaults', {}],
  ['every option on', ALL_OPTIONS],
])('sends the logs of every function to a log group with a retention (%s)', (_name, context) => {
  const { template } = synthStack(context);
  expect(Object.keys(template.findResources('AWS::Lambda::Function')).length).toBeGreaterThan(0);
  expect(functionsWithoutRetainedLogs(template)).toEqual([]);
});

it('gives the verdict gate reserved concurrency, by default and from verdictGateReservedConcurrency', () => {
  const { stack, template } = synthStack();
  const gateId = logicalId(stack.pipeline.verdictGateFunction);
  expect(template.toJSON().Resources[gateId].Properties.ReservedConcurrentExecutions).toBe(
    DEFAULT_GATE_RESERVED_CONCURRENCY,
  );
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const own = new Stack(app, 'Own', { env: TEST_ENV });
  const mail = new EncryptedInboundMail(own, 'Mail', {
    recipients: ['inbox@example.com'],
    verdictGateReservedConcurrency: 3,
  });
  const ownTemplate = Template.fromStack(own).toJSON();
  expect(ownTemplate.Resources[logicalId(mail.verdictGateFunction)].Properties.ReservedConcurrentExecutions).toBe(3);
});

it.each([0, -1, 2.5, Number.NaN])('refuses verdictGateReservedConcurrency %p', (value) => {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const own = new Stack(app, 'Own', { env: TEST_ENV });
  expect(
    () =>
      new EncryptedInboundMail(own, 'Mail', {
        recipients: ['inbox@example.com'],
        verdictGateReservedConcurrency: value,
      }),
  ).toThrow('verdictGateReservedConcurrency must be a whole number, at least 1');
});
