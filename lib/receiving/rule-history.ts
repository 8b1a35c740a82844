/**
 * The names a rule has had: the current rule name, rule-set name and object key prefix first, then the previous ones
 * the user lists. Renaming any of them is otherwise a break: the rule name is bound into every stored mail's
 * encryption context (and so into the key policy and the function's allowed names), SES writes with a SourceArn that
 * names the set and the rule, and mail under an old prefix would fall outside every lifecycle rule and every read
 * grant. Mail stored, retried or recorded under previous names stays readable, SES may write under both names while
 * the update moves the rule (and activation), and old-prefix mail keeps expiring.
 */
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ENV } from '../../lambda/contract/env-names';

export interface RuleHistory {
  /** Current first. */
  readonly ruleNames: readonly string[];
  /** Current first. */
  readonly ruleSetNames: readonly string[];
  /** Current first. */
  readonly objectKeyPrefixes: readonly string[];
}

/** Every receipt-rule ARN SES may write or invoke with: each set name with each rule name. */
export function receiptRuleArns(scope: IConstruct, history: RuleHistory): string[] {
  const stack = Stack.of(scope);
  return history.ruleSetNames.flatMap((set) =>
    history.ruleNames.map((rule) =>
      stack.formatArn({ service: 'ses', resource: 'receipt-rule-set', resourceName: `${set}:receipt-rule/${rule}` }),
    ),
  );
}

/** A one-element list as the value itself (templates stay as they were without history), else the list. */
export function oneOrList(values: readonly string[]): string | string[] {
  return values.length === 1 ? (values[0] as string) : [...values];
}

/**
 * The function's `PREVIOUS_MAIL_PREFIXES` setting for the prefixes before the current one (nothing when there are
 * none), as the function and the operators' settings output both carry it.
 */
export function previousPrefixesSetting(history: Pick<RuleHistory, 'objectKeyPrefixes'>): Record<string, string> {
  const previous = history.objectKeyPrefixes.slice(1);
  return previous.length > 0 ? { [ENV.PREVIOUS_MAIL_PREFIXES]: JSON.stringify(previous) } : {};
}
