// Custom resource handler (CloudFormation events through aws-cdk-lib's CustomResourceProvider wrapper): makes this
// stack's receipt rule set the account's active one when asked, and on delete deactivates it only while it is still
// the active one. Written by hand because SES's API has no "deactivate this set" call: SetActiveReceiptRuleSet with
// no name deactivates whatever set is active, which may be someone else's. Runs on Lambda's Node.js runtime, whose
// AWS SDK v3 provides @aws-sdk/client-ses.
'use strict';

const {
  DescribeActiveReceiptRuleSetCommand,
  SESClient,
  SetActiveReceiptRuleSetCommand,
} = require('@aws-sdk/client-ses');

/** One physical id whatever the set is named, so renaming the set is an update, never a replace-and-delete. */
const PHYSICAL_RESOURCE_ID = 'ses-active-receipt-rule-set';

let client;

/** The client, made once per container (tests pass their own). */
function ses() {
  client ??= new SESClient({});
  return client;
}

async function activeRuleSetName(sesClient) {
  const answer = await sesClient.send(new DescribeActiveReceiptRuleSetCommand({}));
  return answer.Metadata?.Name;
}

/**
 * Create: activate when `Activate` is "true". Update: with activation on, activate the (renamed) set if the old one
 * was active or none is; a set someone else made active in between is left alone. Delete: deactivate only if the
 * set is still the active one (the stack cannot delete an active set otherwise).
 */
async function handler(event, sesClient = ses()) {
  const props = event.ResourceProperties ?? {};
  const name = props.RuleSetName;
  const activate = props.Activate === 'true';
  if (typeof name !== 'string' || name.length === 0) {
    throw new Error('RuleSetName is required');
  }
  switch (event.RequestType) {
    case 'Create':
      if (activate) {
        await sesClient.send(new SetActiveReceiptRuleSetCommand({ RuleSetName: name }));
      }
      return { PhysicalResourceId: PHYSICAL_RESOURCE_ID };
    case 'Update': {
      if (activate) {
        const oldName = event.OldResourceProperties?.RuleSetName;
        const active = await activeRuleSetName(sesClient);
        if (active === undefined || active === oldName || active === name) {
          await sesClient.send(new SetActiveReceiptRuleSetCommand({ RuleSetName: name }));
        }
      }
      return { PhysicalResourceId: PHYSICAL_RESOURCE_ID };
    }
    case 'Delete': {
      const active = await activeRuleSetName(sesClient);
      if (active === name) {
        // Called with no name, SetActiveReceiptRuleSet deactivates the active set: ours, as just checked.
        await sesClient.send(new SetActiveReceiptRuleSetCommand({}));
      }
      return { PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_RESOURCE_ID };
    }
    default:
      throw new Error(`unknown request type ${String(event.RequestType)}`);
  }
}

exports.handler = (event) => handler(event);
exports.handleEvent = handler;
exports.PHYSICAL_RESOURCE_ID = PHYSICAL_RESOURCE_ID;
