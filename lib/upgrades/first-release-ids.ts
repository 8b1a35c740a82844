/**
 * The logical ids 0.1.0 gave the resources that are not stateful themselves but must not be replaced on upgrade,
 * because of what they hold on to (the keys, buckets, queues, rule set and rule keep theirs in
 * `EncryptedInboundMail.keepStatefulLogicalIds`).
 *
 * A changed logical id is a new resource, created before the old one is deleted in the clean-up phase
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html). A
 * bucket or a queue holds one policy and a bucket one notification configuration: the renamed policy's create fails,
 * or it succeeds and the old one's delete then removes what it set (SES can no longer write; the queues lose their
 * TLS-only statements; the function's trigger is gone). A function holds one invoke config per qualifier, and the log
 * group keeps the function's logs. `test/infra/upgrade-from-releases.test.ts` diffs 0.1.0's templates against today's.
 */
import type { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { keepLogicalId, logicalIdOf } from '../stable-logical-id';

/** Today's path below the owner, and 0.1.0's. */
const MOVED: ReadonlyArray<readonly [readonly string[], readonly string[]]> = [
  [
    ['Store', 'AccessLogs', 'Policy'],
    ['AccessLogs', 'Policy', 'Resource'],
  ],
  [
    ['Store', 'MailBucket', 'Policy'],
    ['MailBucket', 'Policy', 'Resource'],
  ],
  [
    ['Store', 'MailBucket', 'Notifications'],
    ['MailBucket', 'Notifications', 'Resource'],
  ],
  [
    ['Store', 'MailBucket', 'Notifications', 'HandlerPolicy'],
    ['MailBucket', 'Notifications', 'HandlerPolicy', 'Resource'],
  ],
  [
    ['Delivery', 'PayloadBucket', 'Policy'],
    ['PayloadBucket', 'Policy', 'Resource'],
  ],
  [
    ['Delivery', 'FailureQueue', 'Policy'],
    ['FailureQueue', 'Policy', 'Resource'],
  ],
  [
    ['Delivery', 'OutputDeadLetterQueue', 'Policy'],
    ['OutputDeadLetterQueue', 'Policy', 'Resource'],
  ],
  [
    ['Delivery', 'OutputQueue', 'Policy'],
    ['OutputQueue', 'Policy', 'Resource'],
  ],
  [
    ['Decrypt', 'FunctionLogs'],
    ['FunctionLogs', 'Resource'],
  ],
  [
    ['Decrypt', 'FunctionRole'],
    ['FunctionRole', 'Resource'],
  ],
  [
    ['Decrypt', 'FunctionRole', 'DefaultPolicy'],
    ['FunctionRole', 'DefaultPolicy', 'Resource'],
  ],
  [
    ['Decrypt', 'DecryptFunction'],
    ['DecryptFunction', 'Resource'],
  ],
  [
    ['Decrypt', 'DecryptFunction', 'EventInvokeConfig'],
    ['DecryptFunction', 'EventInvokeConfig', 'Resource'],
  ],
  // Alarms hold their state and history.
  [
    ['Alarms', 'RejectedMailAlarm'],
    ['RejectedMailAlarm', 'Resource'],
  ],
  [
    ['Alarms', 'FunctionErrorsAlarm'],
    ['FunctionErrorsAlarm', 'Resource'],
  ],
  [
    ['Alarms', 'ConsumerDeadLetterAlarm'],
    ['ConsumerDeadLetterAlarm', 'Resource'],
  ],
  // 0.1.0's activation, retired (retired-rule-set-activation.ts): present only with activateRuleSet on.
  [
    ['RetiredActivation', 'Resource', 'Resource'],
    ['Activation', 'Resource', 'Resource'],
  ],
  [
    ['RetiredActivation', 'Resource', 'CustomResourcePolicy'],
    ['Activation', 'Resource', 'CustomResourcePolicy', 'Resource'],
  ],
];

/** The prefix aws-cdk-lib gives the permission a bucket notification grants its function, before the function's id. */
const NOTIFICATION_PERMISSION = 'AllowBucketNotificationsTo';

/**
 * Gives each resource 0.1.0 had at another path the logical id it had there. `owner` is the `EncryptedInboundMail`.
 * A path that does not exist (an option that is off) is skipped: the upgrade test notices one that moved.
 */
export function keepFirstReleaseIds(owner: IConstruct): void {
  for (const [path, legacyPath] of MOVED) {
    const construct = find(owner, path);
    if (construct !== undefined) keepLogicalId(cfnResourceOf(construct), owner, legacyPath);
  }
  // The bucket's permission to invoke the function is named after the function's unique id (its path from the app's
  // root, stack name included): 0.1.0's function was `DecryptFunction` right below the owner.
  const bucket = find(owner, ['Store', 'MailBucket']);
  const permission = bucket?.node.children.find((child) => child.node.id.startsWith(NOTIFICATION_PERMISSION));
  if (permission !== undefined) {
    const ownerFromRoot = owner.node.scopes.slice(1).map((scope) => scope.node.id);
    const legacyFunctionId = logicalIdOf([...ownerFromRoot, 'DecryptFunction']);
    keepLogicalId(cfnResourceOf(permission), owner, ['MailBucket', `${NOTIFICATION_PERMISSION}${legacyFunctionId}`]);
  }
}

function find(owner: IConstruct, path: readonly string[]): IConstruct | undefined {
  let construct: IConstruct | undefined = owner;
  for (const id of path) construct = construct?.node.tryFindChild(id);
  return construct;
}

function cfnResourceOf(construct: IConstruct): CfnResource {
  return (construct.node.defaultChild ?? construct) as CfnResource;
}
