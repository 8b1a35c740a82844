/**
 * The rule-set activation through every transition of its life, against a stand-in SES that refuses what SES refuses
 * (an unknown set, the deletion of the active set) and a stand-in CloudFormation that sends the events it sends
 * (clean-up deletes of replaced physical ids included). The account never ends without the set it received mail with.
 */
import { SetActiveReceiptRuleSetCommand } from '@aws-sdk/client-ses';
import {
  type ActivationHandler,
  type ActivationProps,
  StandInCloudFormation,
} from '../support/stand-in-rule-set-stacks';
import { StandInSes } from '../support/stand-in-ses-rule-sets';

const { handleEvent } = require('../../lib/receiving/active-receipt-rule-set/index.js') as {
  handleEvent: ActivationHandler;
};

const on = (name: string): ActivationProps => ({ RuleSetName: name, Activate: 'true' });
const off = (name: string): ActivationProps => ({ RuleSetName: name, Activate: 'false' });

/** An operator activating a set in the console. */
const byHand = (ses: StandInSes, name: string) => ses.send(new SetActiveReceiptRuleSetCommand({ RuleSetName: name }));

/** An account receiving mail through `theirs` (the set it used before any stack of ours), or through none. */
function account(receiving: 'theirs' | 'nothing' = 'theirs') {
  const ses = new StandInSes(['theirs', 'other'], receiving === 'theirs' ? 'theirs' : undefined);
  return { ses, cloudFormation: new StandInCloudFormation(ses, handleEvent) };
}

describe('create', () => {
  it('makes ours active only when asked, and its rollback gives the account back the set active before', async () => {
    const { ses, cloudFormation } = account();
    await cloudFormation.stack('Off').create(off('off-set'));
    expect(ses.active).toBe('theirs');
    const stack = cloudFormation.stack('On');
    await stack.create(on('ours'));
    expect(ses.active).toBe('ours');
    await stack.delete(); // what rolling back the create does once the activation exists
    expect(ses.active).toBe('theirs');
    expect(ses.sets.has('ours')).toBe(false);
  });
});

describe('update', () => {
  it('makes ours active when activation turns on while another set is active, and keeps it so after clean-up', async () => {
    const { ses, cloudFormation } = account();
    const stack = cloudFormation.stack('A');
    await stack.create(off('ours'));
    await stack.update(on('ours'));
    expect(ses.active).toBe('ours');
    // The stack's delete restores what was active when activation turned on.
    await stack.delete();
    expect(ses.active).toBe('theirs');
  });

  it('moves activation on a rename whenever the old set is the active one, even activated by hand, and only then', async () => {
    const { ses, cloudFormation } = account();
    const stack = cloudFormation.stack('A');
    await stack.create(off('ours-1'));
    await byHand(ses, 'ours-1');
    await stack.update(off('ours-2')); // clean-up deletes ours-1, which SES refuses while it is active
    expect(ses.active).toBe('ours-2');
    expect(ses.sets.has('ours-1')).toBe(false);
    // Not active (someone activated another set since): the rename leaves that set alone.
    await byHand(ses, 'other');
    await stack.update(off('ours-3'));
    expect(ses.active).toBe('other');
    expect(ses.sets.has('ours-2')).toBe(false);
  });

  it('moves activation on a rename of a set the stack activated, keeping what to restore', async () => {
    const { ses, cloudFormation } = account();
    const stack = cloudFormation.stack('A');
    await stack.create(on('ours-old'));
    await stack.update(on('ours-new'));
    expect(ses.active).toBe('ours-new');
    await stack.delete();
    expect(ses.active).toBe('theirs');
  });
});

describe('delete', () => {
  it('restores the set active before ours, unless someone activated another since, it is gone or there was none', async () => {
    const { ses, cloudFormation } = account();
    await cloudFormation.stack('A').create(on('ours'));
    await cloudFormation.stack('A').delete();
    expect(ses.active).toBe('theirs');

    await cloudFormation.stack('B').create(on('ours'));
    await byHand(ses, 'other');
    await cloudFormation.stack('B').delete();
    expect(ses.active).toBe('other');

    await cloudFormation.stack('C').create(on('ours')); // replacing 'other', which is then deleted
    ses.delete('other');
    await cloudFormation.stack('C').delete();
    expect(ses.active).toBeUndefined();

    const empty = account('nothing');
    await empty.cloudFormation.stack('D').create(on('ours'));
    await empty.cloudFormation.stack('D').delete();
    expect(empty.ses.active).toBeUndefined();
  });
});

describe('removal from the template', () => {
  it('is a real delete even when the stack no longer lists the activation: the set before ours is restored', async () => {
    const { ses, cloudFormation } = account();
    const stack = cloudFormation.stack('A');
    await stack.create(on('ours'));
    await stack.removeActivation();
    expect(ses.active).toBe('theirs');
  });
});

describe('two stacks in one account', () => {
  it('deleting the second restores the first, deleting the first restores what came before', async () => {
    const { ses, cloudFormation } = account();
    await cloudFormation.stack('A').create(on('set-a'));
    await cloudFormation.stack('B').create(on('set-b'));
    expect(ses.active).toBe('set-b');
    await cloudFormation.stack('B').delete();
    expect(ses.active).toBe('set-a');
    await cloudFormation.stack('A').delete();
    expect(ses.active).toBe('theirs');
  });

  it('deleting the first while the second is active leaves the second, and B restores A when A is back', async () => {
    const { ses, cloudFormation } = account();
    await cloudFormation.stack('A').create(on('set-a'));
    await cloudFormation.stack('B').create(on('set-b'));
    await cloudFormation.stack('A').delete();
    expect(ses.active).toBe('set-b');
    await cloudFormation.stack('A').create(off('set-a'));
    await cloudFormation.stack('B').delete();
    expect(ses.active).toBe('set-a');
  });
});
