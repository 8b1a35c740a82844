/**
 * The rule-set activation custom resource's handler, with SES mocked: it activates our set when asked, keeps it
 * active across a rename, and on delete deactivates it only while it is the active one.
 */
import { DescribeActiveReceiptRuleSetCommand, SESClient, SetActiveReceiptRuleSetCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';

const { handleEvent, PHYSICAL_RESOURCE_ID } = require('../../lib/receiving/active-receipt-rule-set/index.js') as {
  handleEvent: (event: Record<string, unknown>, ses: SESClient) => Promise<{ PhysicalResourceId: string }>;
  PHYSICAL_RESOURCE_ID: string;
};

const sesMock = mockClient(SESClient);
const ses = new SESClient({ region: 'eu-west-1' });
afterAll(() => sesMock.restore());

let active: string | undefined;
beforeEach(() => {
  sesMock.reset();
  active = undefined;
  sesMock.on(DescribeActiveReceiptRuleSetCommand).callsFake(async () => ({
    Metadata: active === undefined ? undefined : { Name: active },
    Rules: [],
  }));
  sesMock.on(SetActiveReceiptRuleSetCommand).callsFake(async (input: { RuleSetName?: string }) => {
    active = input.RuleSetName;
    return {};
  });
});

const props = (name: string, activate: boolean) => ({ RuleSetName: name, Activate: String(activate) });

it('activates the set on create when asked, and answers with one physical id whatever the name', async () => {
  const result = await handleEvent({ RequestType: 'Create', ResourceProperties: props('ours', true) }, ses);
  expect(active).toBe('ours');
  expect(result.PhysicalResourceId).toBe(PHYSICAL_RESOURCE_ID);
});

it('changes nothing on create when activation is off', async () => {
  active = 'theirs';
  await handleEvent({ RequestType: 'Create', ResourceProperties: props('ours', false) }, ses);
  expect(active).toBe('theirs');
  expect(sesMock.commandCalls(SetActiveReceiptRuleSetCommand)).toHaveLength(0);
});

it('keeps the renamed set active when the old name was active', async () => {
  active = 'ours-old';
  const result = await handleEvent(
    {
      RequestType: 'Update',
      PhysicalResourceId: PHYSICAL_RESOURCE_ID,
      ResourceProperties: props('ours-new', true),
      OldResourceProperties: props('ours-old', true),
    },
    ses,
  );
  expect(active).toBe('ours-new');
  expect(result.PhysicalResourceId).toBe(PHYSICAL_RESOURCE_ID);
});

it('leaves a set someone else made active in between alone on update', async () => {
  active = 'theirs';
  await handleEvent(
    {
      RequestType: 'Update',
      ResourceProperties: props('ours-new', true),
      OldResourceProperties: props('ours-old', true),
    },
    ses,
  );
  expect(active).toBe('theirs');
});

it('deactivates on delete only while our set is the active one', async () => {
  active = 'ours';
  await handleEvent(
    { RequestType: 'Delete', PhysicalResourceId: PHYSICAL_RESOURCE_ID, ResourceProperties: props('ours', false) },
    ses,
  );
  expect(active).toBeUndefined();
  expect(sesMock.commandCalls(SetActiveReceiptRuleSetCommand)[0]?.args[0].input).toEqual({});
});

it('leaves another active set alone on delete, and does nothing when none is active', async () => {
  active = 'theirs';
  await handleEvent({ RequestType: 'Delete', ResourceProperties: props('ours', true) }, ses);
  expect(active).toBe('theirs');
  active = undefined;
  await handleEvent({ RequestType: 'Delete', ResourceProperties: props('ours', true) }, ses);
  expect(sesMock.commandCalls(SetActiveReceiptRuleSetCommand)).toHaveLength(0);
});

it('refuses an event without a rule set name', async () => {
  await expect(handleEvent({ RequestType: 'Create', ResourceProperties: {} }, ses)).rejects.toThrow(
    'RuleSetName is required',
  );
});
