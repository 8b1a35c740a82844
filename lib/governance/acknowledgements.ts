/**
 * How the construct acknowledges a policy-validation finding on every aws-cdk-lib it supports (2.250.0 on).
 *
 * aws-cdk-lib 2.252.0 added `Validations.of(scope).acknowledge()`, which cdk-nag 3 and the cfn-guard plugin read.
 * On 2.250.0 and 2.251.x nothing in aws-cdk-lib records an acknowledgement, and the cdk-nag such apps can run (2.x;
 * cdk-nag 3 needs aws-cdk-lib 2.257.0) reads suppressions from each resource's `cdk_nag` template metadata. There the
 * same acknowledgements are written in that format (`rules_to_suppress: [{ id, reason, applies_to }]`, a finding id
 * `Rule[finding]` split into the rule and its `applies_to`), so a user on an older CDK sees the same findings
 * accepted. cfn-guard rule ids are left out there: the plugin has no other way to read them. Written by hand because
 * the package does not depend on cdk-nag (its suppression helper would make it a dependency).
 */
import * as cdk from 'aws-cdk-lib';
import { AspectPriority, Aspects, CfnResource, type IAspect, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

/** aws-cdk-lib's `Validations` as far as it is used here, read at run time: absent before 2.251.0. */
interface ValidationsApi {
  readonly prototype?: object;
  of(scope: IConstruct): { acknowledge(...rules: Acknowledgement[]): void };
}
const validations = (cdk as unknown as { Validations?: ValidationsApi }).Validations;

/** True when this aws-cdk-lib records acknowledgements itself (2.252.0 and later). */
export function cdkRecordsAcknowledgements(): boolean {
  return typeof validations?.prototype === 'object' && 'acknowledge' in validations.prototype;
}

/**
 * Acknowledges `id` on `scope` and what is below it, the way this aws-cdk-lib can.
 *
 * aws-cdk-lib 2.252.0 to 2.268.x refuse an id whose finding holds `::` (`InvalidValidationId`: "The '::' delimiter
 * is reserved"), as a managed policy's ARN does (`AwsSolutions-IAM4[Policy::arn:…]`); 2.269.0 reads the brackets
 * apart. There the rule is acknowledged on this one scope instead (every finding of that rule on it), and the finding
 * itself in cdk-nag 2's metadata.
 */
export function acknowledge(
  scope: IConstruct,
  id: string,
  reason: string,
  native = cdkRecordsAcknowledgements(),
  api: ValidationsApi | undefined = validations,
): void {
  if (native && api !== undefined) {
    try {
      api.of(scope).acknowledge({ id, reason });
      return;
    } catch (error) {
      const rule = /^([^[\]]+)\[.*::.*\]$/.exec(id)?.[1];
      if (rule === undefined || !/'::' delimiter is reserved/.test(String((error as Error)?.message))) throw error;
      api.of(scope).acknowledge({ id: rule, reason: `${reason} (this aws-cdk-lib cannot name the one finding)` });
    }
  }
  if (id.includes('::') && !id.includes('[')) {
    return; // a plugin-qualified id (cdk-validator-cfnguard::…): only the Validations API can carry it
  }
  const list = recorded.get(scope) ?? [];
  list.push({ id, reason });
  recorded.set(scope, list);
  const stack = Stack.of(scope);
  if (!aspectAdded.has(stack)) {
    aspectAdded.add(stack);
    // Before cdk-nag's checks (default priority) read the metadata.
    Aspects.of(stack).add(new CdkNagV2Suppressions(), { priority: AspectPriority.MUTATING });
  }
}

/** True when `acknowledge` was called on exactly this scope (either way). */
export function hasAcknowledgements(scope: IConstruct): boolean {
  return recorded.has(scope) || scope.node.metadata.some((entry) => entry.type === 'aws:cdk:acknowledged-rules');
}

const recorded = new WeakMap<IConstruct, Acknowledgement[]>();
const aspectAdded = new WeakSet<Stack>();

/** Writes every acknowledgement made on a resource or its parents into the resource's `cdk_nag` metadata. */
class CdkNagV2Suppressions implements IAspect {
  visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) {
      return;
    }
    const rules: Record<string, unknown>[] = [];
    for (let scope: IConstruct | undefined = node; scope !== undefined; scope = scope.node.scope) {
      for (const { id, reason } of recorded.get(scope) ?? []) {
        const finding = /^([^[\]]+)\[(.+)\]$/.exec(id);
        rules.push(finding ? { id: finding[1], reason, applies_to: [finding[2]] } : { id, reason });
      }
    }
    if (rules.length === 0) {
      return;
    }
    const existing = (node.getMetadata('cdk_nag') as { rules_to_suppress?: unknown[] } | undefined)?.rules_to_suppress;
    node.addMetadata('cdk_nag', { rules_to_suppress: [...(existing ?? []), ...rules] });
  }
}
