/**
 * A stand-in for CloudFormation driving the activation custom resource through its lifecycle, each stack holding a
 * rule set and the activation that depends on it, as the construct does:
 * - create: the set, then the activation (the activation comes after every other resource);
 * - update: a renamed set is created first, the activation is updated, then clean-up deletes what was replaced: the
 *   old physical id of the activation when the update answered a new one, then the old set
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-update.html);
 * - delete, and the rollback of a create that failed after the activation was created: the activation, then the set
 *   (SES refuses to delete an active set; the stand-in SES throws as it does).
 * It answers DescribeStackResource like CloudFormation, with the physical id the stack currently holds.
 */
import { type CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import type { SESClient } from '@aws-sdk/client-ses';
import type { StandInSes } from './stand-in-ses-rule-sets';

export type ActivationProps = { RuleSetName: string; Activate: 'true' | 'false' };
type Event = Record<string, unknown>;
export type ActivationHandler = (
  event: Event,
  ses: SESClient,
  cloudFormation: CloudFormationClient,
) => Promise<{ PhysicalResourceId: string }>;

const LOGICAL_ID = 'InboundMailActivation';

export class StandInCloudFormation {
  private readonly stacks = new Map<string, RuleSetStack>();
  /** Every event the handler was given, in order. */
  readonly events: Event[] = [];

  constructor(
    readonly ses: StandInSes,
    private readonly handler: ActivationHandler,
  ) {}

  stack(name: string): RuleSetStack {
    const stackId = `arn:aws:cloudformation:eu-west-1:111122223333:stack/${name}/0b1c2d3e`;
    let stack = this.stacks.get(stackId);
    if (stack === undefined) {
      stack = new RuleSetStack(stackId, this);
      this.stacks.set(stackId, stack);
    }
    return stack;
  }

  /** Sends one event to the handler, with the stand-in SES and this stand-in as its clients. */
  async invoke(event: Event): Promise<string> {
    this.events.push(event);
    const result = await this.handler(event, this.ses.client, this as unknown as CloudFormationClient);
    return result.PhysicalResourceId;
  }

  async send(command: unknown): Promise<unknown> {
    if (!(command instanceof DescribeStackResourceCommand)) {
      throw new Error(`the stand-in CloudFormation does not answer ${(command as object).constructor.name}`);
    }
    const { StackName, LogicalResourceId } = command.input;
    const physicalId = this.stacks.get(StackName ?? '')?.physicalId;
    if (LogicalResourceId !== LOGICAL_ID || physicalId === undefined) {
      throw Object.assign(new Error(`Resource ${LogicalResourceId} does not exist for stack ${StackName}`), {
        name: 'ValidationError',
      });
    }
    return { StackResourceDetail: { LogicalResourceId, PhysicalResourceId: physicalId } };
  }
}

export class RuleSetStack {
  physicalId: string | undefined;
  props: ActivationProps | undefined;

  constructor(
    readonly stackId: string,
    private readonly cloudFormation: StandInCloudFormation,
  ) {}

  async create(props: ActivationProps): Promise<void> {
    this.cloudFormation.ses.create(props.RuleSetName);
    this.physicalId = await this.send({ RequestType: 'Create', ResourceProperties: props });
    this.props = props;
  }

  async update(props: ActivationProps): Promise<void> {
    const old = { physicalId: this.physicalId, props: this.required() };
    if (props.RuleSetName !== old.props.RuleSetName) this.cloudFormation.ses.create(props.RuleSetName);
    this.physicalId = await this.send({
      RequestType: 'Update',
      PhysicalResourceId: old.physicalId,
      ResourceProperties: props,
      OldResourceProperties: old.props,
    });
    this.props = props;
    // Clean-up.
    if (this.physicalId !== old.physicalId) {
      await this.send({ RequestType: 'Delete', PhysicalResourceId: old.physicalId, ResourceProperties: old.props });
    }
    if (props.RuleSetName !== old.props.RuleSetName) this.cloudFormation.ses.delete(old.props.RuleSetName);
  }

  /** The stack's delete; also what the rollback of a create that failed after the activation was created does. */
  async delete(): Promise<void> {
    const props = this.required();
    await this.send({ RequestType: 'Delete', PhysicalResourceId: this.physicalId, ResourceProperties: props });
    this.physicalId = undefined;
    this.props = undefined;
    this.cloudFormation.ses.delete(props.RuleSetName);
  }

  /**
   * An update that removes the activation from the template (the construct given `ruleSet` instead): clean-up deletes
   * it, by then possibly no longer listed by DescribeStackResource (the stand-in takes that, the harder, case).
   */
  async removeActivation(): Promise<void> {
    const props = this.required();
    const physicalId = this.physicalId;
    this.physicalId = undefined;
    this.props = undefined;
    await this.send({ RequestType: 'Delete', PhysicalResourceId: physicalId, ResourceProperties: props });
  }

  private required(): ActivationProps {
    if (this.props === undefined) throw new Error(`${this.stackId} holds no activation`);
    return this.props;
  }

  private send(event: Event): Promise<string> {
    return this.cloudFormation.invoke({ ...event, StackId: this.stackId, LogicalResourceId: LOGICAL_ID });
  }
}
