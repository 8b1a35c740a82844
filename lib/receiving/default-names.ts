/**
 * The default rule-set and rule names: unique per construct in an account and region, so that two instances (in one
 * stack or in two) deploy side by side.
 *
 * Rule-set names are unique per account and region: with the fixed default of 0.x (`encrypted-inbound`), a second
 * instance's deployment failed on the name. The default is now `encrypted-inbound-<hash>`, where `<hash>` is the
 * first 8 hex digits of SHA-256 over `<stack name>/<construct path below the stack>`: stack names are unique per
 * account and region and paths per stack; the name is stable across synths and holds nothing personal. Names given
 * explicitly are kept as given.
 *
 * This renames the set of existing deployments that left `ruleSetName` out; set `ruleSetName: 'encrypted-inbound'`
 * to keep the old one. Keeping the old default for "the first instance" was the alternative, but each stack
 * synthesizes alone and cannot know whether it is the first in its account: every stack's first instance would take
 * `encrypted-inbound`, and two stacks would collide as before. A rename creates the new set, moves the rule into it
 * (its name, bound into stored mail, unchanged) and moves activation if the old set was the active one
 * (`active-receipt-rule-set/index.js`).
 *
 * The rule keeps `store-encrypted` in the construct's own set. Rule names need be unique only within their set
 * (CloneReceiptRuleSet copies a set's rules, names included, into another set:
 * https://docs.aws.amazon.com/ses/latest/APIReference/API_CloneReceiptRuleSet.html), and the rule name is bound into
 * every stored mail's encryption context and key policy: changing its default would leave the mail, retries and
 * failure records of every existing deployment unreadable. In a set given as `ruleSet`, where another instance's rule
 * may sit beside ours, the default is `store-encrypted-<hash>` (a new option: no deployment had it before).
 */
import { createHash } from 'node:crypto';
import { Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** `base-<8 hex>`, unique to `scope` in its account and region. */
export function uniqueDefaultName(base: string, scope: IConstruct): string {
  const stack = Stack.of(scope);
  const below = scope.node.path.slice(stack.node.path.length + 1);
  // A nested stack's name is a token until deployment: its path in the app stands in for it.
  const owner = Token.isUnresolved(stack.stackName) ? stack.node.path : stack.stackName;
  const hash = createHash('sha256').update(`${owner}/${below}`).digest('hex').slice(0, 8);
  return `${base}-${hash}`;
}
