/**
 * Keys, buckets, queues, the rule set and rule, and the apex domain's identity and records keep the logical IDs 0.1
 * gave them, when everything was one construct: a changed ID would replace them (see ../stable-logical-id.ts).
 */
import type { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { ReceivingDomain } from '../receiving/receiving-domain';
import { keepLogicalId } from '../stable-logical-id';

/** The stateful resources of an `EncryptedInboundMail` (its public members). */
export interface StatefulResources {
  readonly mailKey: IConstruct;
  readonly deliveryKey: IConstruct;
  readonly accessLogsBucket: IConstruct;
  readonly mailBucket: IConstruct;
  readonly payloadBucket: IConstruct;
  readonly failureQueue: IConstruct;
  readonly outputDeadLetterQueue: IConstruct;
  readonly outputQueue: IConstruct;
  readonly rule: IConstruct;
  /** The rule set, when it is the construct's own (never an existing set given as `ruleSet`: not ours to rename). */
  readonly ownRuleSet: IConstruct | undefined;
  readonly receivingDomain: ReceivingDomain | undefined;
}

/** Gives each stateful resource the logical ID its 0.1 path below `owner` (the `EncryptedInboundMail`) gave it. */
export function keepStatefulIds(owner: IConstruct, resources: StatefulResources): void {
  const legacy: Array<[IConstruct, string[]]> = [
    [resources.mailKey, ['MailKey', 'Resource']],
    [resources.deliveryKey, ['DeliveryKey', 'Resource']],
    [resources.accessLogsBucket, ['AccessLogs', 'Resource']],
    [resources.mailBucket, ['MailBucket', 'Resource']],
    [resources.payloadBucket, ['PayloadBucket', 'Resource']],
    [resources.failureQueue, ['FailureQueue', 'Resource']],
    [resources.outputDeadLetterQueue, ['OutputDeadLetterQueue', 'Resource']],
    [resources.outputQueue, ['OutputQueue', 'Resource']],
    [resources.rule, ['RuleSet', 'StoreEncrypted', 'Resource']],
  ];
  if (resources.ownRuleSet !== undefined) legacy.push([resources.ownRuleSet, ['RuleSet', 'Resource']]);
  const domain = resources.receivingDomain;
  if (domain?.apex === true) {
    legacy.push([domain.identity, ['DomainIdentity', 'Resource']]);
    for (const token of [1, 2, 3]) {
      const record = domain.identity.node.tryFindChild(`DkimDnsToken${token}`);
      // aws-cdk-lib writes these as bare L1 record sets (no 'Resource' below them).
      if (record !== undefined) legacy.push([record, ['DomainIdentity', `DkimDnsToken${token}`]]);
    }
    legacy.push([domain.mxRecord, ['MxRecord', 'Resource']]);
  }
  for (const [construct, path] of legacy) {
    keepLogicalId((construct.node.defaultChild ?? construct) as CfnResource, owner, path);
  }
}
