/**
 * Default rule-set and rule names: two instances in one account and region, in one stack or in two, deploy side by
 * side; names given explicitly are kept as given.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ses from 'aws-cdk-lib/aws-ses';
import { EncryptedInboundMail } from '../../lib/encrypted-inbound-mail';
import type { EncryptedInboundMailProps } from '../../lib/encrypted-inbound-mail-props';
import { TEST_ENV } from '../support/synth';

const recipients = ['inbox@example.com'];

/** Every rule set and rule name in the stacks' templates. */
function names(...stacks: Stack[]) {
  const resources = stacks.flatMap((stack) => Object.values(Template.fromStack(stack).toJSON().Resources) as any[]);
  return {
    ruleSets: resources.filter((r) => r.Type === 'AWS::SES::ReceiptRuleSet').map((r) => r.Properties.RuleSetName),
    rules: resources
      .filter((r) => r.Type === 'AWS::SES::ReceiptRule')
      .map((r) => [r.Properties.RuleSetName, r.Properties.Rule.Name]),
  };
}

function app() {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

function instance(stack: Stack, id: string, props: Partial<EncryptedInboundMailProps> = {}) {
  return new EncryptedInboundMail(stack, id, { recipients, ...props });
}

it('gives each instance its own rule set by default, in one stack or in two, and keeps names given explicitly', () => {
  const both = app();
  const one = new Stack(both, 'One', { env: TEST_ENV });
  instance(one, 'Mail');
  instance(one, 'OtherMail');
  // The same construct id in a second stack, and a stack whose name differs from its id.
  const two = new Stack(both, 'Two', { env: TEST_ENV, stackName: 'mail-two' });
  instance(two, 'Mail');
  const { ruleSets, rules } = names(one, two);
  expect(new Set(ruleSets).size).toBe(3);
  // encrypted-inbound- and the first 8 hex digits of SHA-256 over "<stack name>/<path below the stack>", worked out
  // outside the code: printf 'One/Mail' | sha256sum; printf 'mail-two/Mail' | sha256sum (the stack name, not its id).
  expect(ruleSets[0]).toBe('encrypted-inbound-c45efb94');
  expect(ruleSets[2]).toBe('encrypted-inbound-e2d71eee');
  for (const name of ruleSets) expect(name).toMatch(/^encrypted-inbound-[0-9a-f]{8}$/);
  // In its own set each rule keeps the name stored mail is bound to.
  expect(rules.map(([, rule]) => rule)).toEqual(['store-encrypted', 'store-encrypted', 'store-encrypted']);

  const explicit = new Stack(app(), 'Explicit', { env: TEST_ENV });
  instance(explicit, 'Mail', { ruleSetName: 'encrypted-inbound', ruleName: 'kept' });
  expect(names(explicit).ruleSets).toEqual(['encrypted-inbound']);
  expect(names(explicit).rules.map(([, rule]) => rule)).toEqual(['kept']);
});

it('gives each instance its own rule name in a rule set they share', () => {
  const stack = new Stack(app(), 'Shared', { env: TEST_ENV });
  const ruleSet = ses.ReceiptRuleSet.fromReceiptRuleSetName(stack, 'Main', 'main-rules');
  instance(stack, 'Mail', { ruleSet });
  instance(stack, 'OtherMail', { ruleSet });
  const { rules } = names(stack);
  expect(rules).toHaveLength(2);
  expect(new Set(rules.map(([, rule]) => rule)).size).toBe(2);
  for (const [set, rule] of rules) {
    expect(set).toBe('main-rules');
    expect(rule).toMatch(/^store-encrypted-[0-9a-f]{8}$/);
  }
});
