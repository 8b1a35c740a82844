// Custom resource handler (CloudFormation events through aws-cdk-lib's CustomResourceProvider wrapper): makes this
// stack's receipt rule set the account's active one when asked, and never leaves the account without the mail it
// received before. Written by hand because SES's API has no "deactivate this set" call: SetActiveReceiptRuleSet with
// no name deactivates whatever set is active, which may be someone else's
// (https://docs.aws.amazon.com/ses/latest/APIReference/API_SetActiveReceiptRuleSet.html). Runs on Lambda's Node.js
// runtime, whose AWS SDK v3 provides @aws-sdk/client-ses and @aws-sdk/client-cloudformation.
//
// State: the set that was active when ours was made active is recorded in the physical id
// (`ses-active-receipt-rule-set/restores/<name>`), because a Delete event carries the physical id and the properties
// but not the Data a Create or Update returned
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-delete.html).
'use strict';

const {
  DescribeActiveReceiptRuleSetCommand,
  SESClient,
  SetActiveReceiptRuleSetCommand,
} = require('@aws-sdk/client-ses');
const { CloudFormationClient, DescribeStackResourceCommand } = require('@aws-sdk/client-cloudformation');

/** The physical id when no set is to be restored; the same whatever our set is named, so a rename is an update. */
const PHYSICAL_RESOURCE_ID = 'ses-active-receipt-rule-set';
const RESTORES = `${PHYSICAL_RESOURCE_ID}/restores/`;

/** Physical id recording the set to restore on delete (SES names never hold '/'). */
function physicalIdRestoring(previous) {
  return previous === undefined ? PHYSICAL_RESOURCE_ID : `${RESTORES}${previous}`;
}

/** The set a physical id says to restore, if any (ids of release 0.1 record none). */
function restoredBy(physicalId) {
  return typeof physicalId === 'string' && physicalId.startsWith(RESTORES)
    ? physicalId.slice(RESTORES.length)
    : undefined;
}

let sesClient;
let cloudFormationClient;

async function activeRuleSetName(ses) {
  const answer = await ses.send(new DescribeActiveReceiptRuleSetCommand({}));
  return answer.Metadata?.Name;
}

/** Activates `previous` again; false when it no longer exists (SES answers RuleSetDoesNotExist). */
async function restore(ses, previous) {
  try {
    await ses.send(new SetActiveReceiptRuleSetCommand({ RuleSetName: previous }));
    return true;
  } catch (error) {
    if (error?.name === 'RuleSetDoesNotExistException') return false;
    throw error;
  }
}

/**
 * Whether this Delete is for a physical id an update has replaced: CloudFormation deletes the old id at clean-up
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-update.html), and such an
 * event looks exactly like the final delete of that id. The stack knows which id is current; a resource the stack
 * no longer lists, or a lookup that finds the same id, is a real delete.
 */
async function isReplacedPhysicalId(event, cloudFormation) {
  if (typeof event.StackId !== 'string' || typeof event.LogicalResourceId !== 'string') return false;
  try {
    const answer = await cloudFormation.send(
      new DescribeStackResourceCommand({ StackName: event.StackId, LogicalResourceId: event.LogicalResourceId }),
    );
    const current = answer.StackResourceDetail?.PhysicalResourceId;
    return current !== undefined && current !== event.PhysicalResourceId;
  } catch (error) {
    if (error?.name === 'ValidationError') return false;
    throw error;
  }
}

/**
 * Create: with `Activate` "true", make ours active and record the set it replaces.
 * Update: whenever the old set is the active one and the name changed, move activation to the new name (whoever
 * activated it); when `Activate` turns on, make ours active and record the set it replaces; a set someone else
 * activated since is otherwise left alone.
 * Delete: only while ours is the active set, restore the recorded set if it still exists, else deactivate (the
 * stack could not delete an active set: https://docs.aws.amazon.com/ses/latest/APIReference/API_DeleteReceiptRuleSet.html).
 */
async function handler(event, ses = defaultSes(), cloudFormation = defaultCloudFormation()) {
  const props = event.ResourceProperties ?? {};
  const name = props.RuleSetName;
  const activate = props.Activate === 'true';
  if (typeof name !== 'string' || name.length === 0) {
    throw new Error('RuleSetName is required');
  }
  switch (event.RequestType) {
    case 'Create': {
      if (!activate) return { PhysicalResourceId: PHYSICAL_RESOURCE_ID };
      const active = await activeRuleSetName(ses);
      await ses.send(new SetActiveReceiptRuleSetCommand({ RuleSetName: name }));
      return { PhysicalResourceId: physicalIdRestoring(active === name ? undefined : active) };
    }
    case 'Update':
      return { PhysicalResourceId: await update(event, name, activate, ses) };
    case 'Delete': {
      const physicalId = event.PhysicalResourceId ?? PHYSICAL_RESOURCE_ID;
      if (await isReplacedPhysicalId(event, cloudFormation)) return { PhysicalResourceId: physicalId };
      if ((await activeRuleSetName(ses)) === name) {
        const previous = restoredBy(physicalId);
        if (previous === undefined || previous === name || !(await restore(ses, previous))) {
          // Called with no name, SetActiveReceiptRuleSet deactivates the active set: ours, as just checked.
          await ses.send(new SetActiveReceiptRuleSetCommand({}));
        }
      }
      return { PhysicalResourceId: physicalId };
    }
    default:
      throw new Error(`unknown request type ${String(event.RequestType)}`);
  }
}

/** The Update transitions; answers the physical id (a new one only when the set to restore changes). */
async function update(event, name, activate, ses) {
  const current = event.PhysicalResourceId ?? PHYSICAL_RESOURCE_ID;
  const old = event.OldResourceProperties ?? {};
  const wasOn = old.Activate === 'true';
  const active = await activeRuleSetName(ses);
  if (active === name) return current;
  if (active !== undefined && active === old.RuleSetName) {
    // A rename while the old set is active, by us or by hand: CloudFormation deletes the old set after this update,
    // which SES refuses for an active set. The recorded set to restore stays what it was.
    await ses.send(new SetActiveReceiptRuleSetCommand({ RuleSetName: name }));
    return current;
  }
  if (activate && (!wasOn || active === undefined)) {
    // Turned on (or on, with nothing active): ours replaces the active set, which is recorded for the delete.
    await ses.send(new SetActiveReceiptRuleSetCommand({ RuleSetName: name }));
    return physicalIdRestoring(active);
  }
  return current;
}

function defaultSes() {
  sesClient ??= new SESClient({});
  return sesClient;
}

function defaultCloudFormation() {
  cloudFormationClient ??= new CloudFormationClient({});
  return cloudFormationClient;
}

exports.handler = (event) => handler(event);
exports.handleEvent = handler;
exports.PHYSICAL_RESOURCE_ID = PHYSICAL_RESOURCE_ID;
