/**
 * A stand-in for SES's receipt-rule-set API, with the semantics of the real one
 * (https://docs.aws.amazon.com/ses/latest/APIReference/): one active set per account and region;
 * SetActiveReceiptRuleSet with a name activates it (RuleSetDoesNotExist for an unknown set) and without one
 * deactivates whatever is active; DescribeActiveReceiptRuleSet answers no metadata when none is; DeleteReceiptRuleSet
 * refuses the active set (CannotDelete). It answers `send` like an SESClient, for the handler under test.
 */
import {
  AlreadyExistsException,
  CannotDeleteException,
  CreateReceiptRuleSetCommand,
  DeleteReceiptRuleSetCommand,
  DescribeActiveReceiptRuleSetCommand,
  DescribeReceiptRuleSetCommand,
  RuleSetDoesNotExistException,
  type SESClient,
  SetActiveReceiptRuleSetCommand,
} from '@aws-sdk/client-ses';

const $metadata = { httpStatusCode: 400 };

export class StandInSes {
  /** The sets of the account and region. */
  readonly sets = new Set<string>();
  /** The active set, if any. */
  active: string | undefined;

  constructor(sets: readonly string[] = [], active?: string) {
    for (const set of sets) this.sets.add(set);
    if (active !== undefined) this.setActive(active);
  }

  /** This stand-in typed as the client the handler takes. */
  get client(): SESClient {
    return this as unknown as SESClient;
  }

  async send(command: unknown): Promise<unknown> {
    if (command instanceof DescribeActiveReceiptRuleSetCommand) {
      return this.active === undefined ? {} : { Metadata: { Name: this.active }, Rules: [] };
    }
    if (command instanceof SetActiveReceiptRuleSetCommand) {
      this.setActive(command.input.RuleSetName);
      return {};
    }
    if (command instanceof DescribeReceiptRuleSetCommand) {
      const name = command.input.RuleSetName ?? '';
      this.mustExist(name);
      return { Metadata: { Name: name }, Rules: [] };
    }
    if (command instanceof CreateReceiptRuleSetCommand) {
      this.create(command.input.RuleSetName ?? '');
      return {};
    }
    if (command instanceof DeleteReceiptRuleSetCommand) {
      this.delete(command.input.RuleSetName ?? '');
      return {};
    }
    throw new Error(`the stand-in SES does not answer ${(command as object).constructor.name}`);
  }

  create(name: string): void {
    if (this.sets.has(name)) {
      throw new AlreadyExistsException({ $metadata, message: `Rule set ${name} already exists`, Name: name });
    }
    this.sets.add(name);
  }

  /** What CloudFormation's delete of an AWS::SES::ReceiptRuleSet does: refused while the set is active. */
  delete(name: string): void {
    if (this.active === name || !this.sets.has(name)) {
      throw new CannotDeleteException({ $metadata, message: `Cannot delete rule set ${name}`, Name: name });
    }
    this.sets.delete(name);
  }

  private setActive(name: string | undefined): void {
    if (name !== undefined) this.mustExist(name);
    this.active = name;
  }

  private mustExist(name: string): void {
    if (!this.sets.has(name)) {
      throw new RuleSetDoesNotExistException({ $metadata, message: `Rule set does not exist: ${name}`, Name: name });
    }
  }
}
