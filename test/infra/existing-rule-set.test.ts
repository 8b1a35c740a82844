/**
 * The second way to receive: a rule in the rule set the account already uses (`ruleSet`, `after`). The construct
 * then creates no rule set and no activation, and its grants name that set.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ses from 'aws-cdk-lib/aws-ses';
import { EncryptedInboundMail } from '../../lib/encrypted-inbound-mail';
import type { EncryptedInboundMailProps } from '../../lib/encrypted-inbound-mail-props';
import { TEST_ENV } from '../support/synth';

function build(props: (stack: Stack) => Partial<EncryptedInboundMailProps>) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Existing', { env: TEST_ENV });
  const pipeline = new EncryptedInboundMail(stack, 'Mail', { recipients: ['inbox@example.com'], ...props(stack) });
  return { pipeline, template: Template.fromStack(stack) };
}

const existing = (stack: Stack) => ses.ReceiptRuleSet.fromReceiptRuleSetName(stack, 'Main', 'main-rules');

it('adds its rule to the given set, after the given rule, and creates no set and no activation', () => {
  const { pipeline, template } = build((stack) => ({
    ruleSet: existing(stack),
    after: ses.ReceiptRule.fromReceiptRuleName(stack, 'Spam', 'spam-filter'),
  }));
  template.resourceCountIs('AWS::SES::ReceiptRuleSet', 0);
  template.resourceCountIs('Custom::SesActiveReceiptRuleSet', 0);
  expect(pipeline.activation).toBeUndefined();
  template.resourceCountIs('AWS::SES::ReceiptRule', 1);
  template.hasResourceProperties('AWS::SES::ReceiptRule', {
    RuleSetName: 'main-rules',
    After: 'spam-filter',
    Rule: Match.objectLike({ Recipients: ['inbox@example.com'], TlsPolicy: 'Require', ScanEnabled: true }),
  });
  // SES may store mail only for our rule of that set.
  const policies = JSON.stringify(template.findResources('AWS::S3::BucketPolicy'));
  expect(policies).toContain(':receipt-rule-set/main-rules:receipt-rule/');
});

it('accepts a set of the same app whose name is not known before deployment', () => {
  const { template } = build((stack) => ({ ruleSet: new ses.ReceiptRuleSet(stack, 'Shared') }));
  template.resourceCountIs('AWS::SES::ReceiptRuleSet', 1); // the app's own, not the construct's
  template.resourceCountIs('Custom::SesActiveReceiptRuleSet', 0);
  template.hasResourceProperties('AWS::SES::ReceiptRule', { RuleSetName: { Ref: Match.stringLikeRegexp('^Shared') } });
});

it('refuses ruleSet with activateRuleSet or ruleSetName, and after without ruleSet', () => {
  expect(() => build((stack) => ({ ruleSet: existing(stack), activateRuleSet: true }))).toThrow(
    /^activateRuleSet activates the rule set the construct creates; with ruleSet the construct creates none/,
  );
  expect(() => build((stack) => ({ ruleSet: existing(stack), ruleSetName: 'mine' }))).toThrow(
    /^ruleSetName names the rule set the construct creates; with ruleSet it creates none/,
  );
  expect(() => build((stack) => ({ after: ses.ReceiptRule.fromReceiptRuleName(stack, 'R', 'r') }))).toThrow(
    'after places the rule in an existing rule set: it needs ruleSet',
  );
});
