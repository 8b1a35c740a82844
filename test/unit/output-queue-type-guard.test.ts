/**
 * The output-queue type guard's handler, with CloudFormation mocked: a deployment that turns the deployed output queue
 * from standard to FIFO or back (a replacement that deletes undelivered mail) is refused unless accepted; a first
 * deploy, an unchanged type and a rollback pass.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';

const { handleEvent, PHYSICAL_RESOURCE_ID } = require('../../lib/delivery/output-queue-type-guard/index.js') as {
  handleEvent: (event: Record<string, unknown>, cfn: CloudFormationClient) => Promise<{ PhysicalResourceId: string }>;
  PHYSICAL_RESOURCE_ID: string;
};

const cfnMock = mockClient(CloudFormationClient);
const cfn = new CloudFormationClient({ region: 'eu-west-1' });
afterAll(() => cfnMock.restore());

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111122223333:stack/Mail/0c8d5a10-0000-0000-0000-000000000000';
const QUEUE_ID = 'InboundMailOutputQueueB8755B68';
const QUEUE_BASE = 'https://sqs.eu-west-1.amazonaws.com/111122223333/Mail-InboundMailOutputQueueB8755B68-AbCdEf';
const STANDARD_URL = QUEUE_BASE;
const FIFO_URL = `${QUEUE_BASE}.fifo`;

/** The stack as CloudFormation lists it: the output queue at `queueUrl` (or absent), among other resources. */
function stackWith(queueUrl: string | undefined, status = 'UPDATE_IN_PROGRESS', pages = 1) {
  const others: StackResourceSummary[] = [
    { LogicalResourceId: 'InboundMailFailureQueue746962A7', PhysicalResourceId: `${QUEUE_BASE}-failure` },
  ].map((r) => ({
    ...r,
    ResourceType: 'AWS::SQS::Queue',
    ResourceStatus: 'UPDATE_COMPLETE',
    LastUpdatedTimestamp: new Date(),
  }));
  const queue: StackResourceSummary[] =
    queueUrl === undefined
      ? []
      : [
          {
            LogicalResourceId: QUEUE_ID,
            PhysicalResourceId: queueUrl,
            ResourceType: 'AWS::SQS::Queue',
            ResourceStatus: 'CREATE_COMPLETE',
            LastUpdatedTimestamp: new Date(),
          },
        ];
  cfnMock.on(ListStackResourcesCommand).callsFake(async (input: { NextToken?: string }) => {
    const page = input.NextToken === undefined ? 1 : Number(input.NextToken);
    return {
      StackResourceSummaries: page < pages ? others : queue,
      NextToken: page < pages ? String(page + 1) : undefined,
    };
  });
  cfnMock.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'Mail', StackId: STACK_ID, StackStatus: status, CreationTime: new Date() } as never],
  });
}

beforeEach(() => cfnMock.reset());

const props = (queueType: string, accept = false) => ({
  QueueType: queueType,
  AcceptQueueReplacement: String(accept),
  OutputQueueLogicalId: QUEUE_ID,
});
const update = (queueType: string, accept = false, oldType = queueType === 'fifo' ? 'standard' : 'fifo') => ({
  RequestType: 'Update',
  StackId: STACK_ID,
  PhysicalResourceId: PHYSICAL_RESOURCE_ID,
  ResourceProperties: props(queueType, accept),
  OldResourceProperties: props(oldType),
});

it.each(['standard', 'fifo'])('lets the first deploy create a %s queue (none is deployed yet)', async (type) => {
  stackWith(undefined, 'CREATE_IN_PROGRESS');
  const result = await handleEvent({ RequestType: 'Create', StackId: STACK_ID, ResourceProperties: props(type) }, cfn);
  expect(result.PhysicalResourceId).toBe(PHYSICAL_RESOURCE_ID);
});

it.each([
  ['standard', 'fifo', STANDARD_URL],
  ['fifo', 'standard', FIFO_URL],
])('refuses to turn the deployed %s queue into a %s one, naming the setting that accepts it', async (from, to, url) => {
  stackWith(url);
  await expect(handleEvent(update(to), cfn)).rejects.toThrow(
    `Refusing to turn the ${from} output queue into a ${to} one`,
  );
  await expect(handleEvent(update(to), cfn)).rejects.toThrow('acceptQueueReplacement');
});

it('lets the replacement through when it is accepted', async () => {
  stackWith(STANDARD_URL);
  const result = await handleEvent(update('fifo', true), cfn);
  expect(result.PhysicalResourceId).toBe(PHYSICAL_RESOURCE_ID);
});

it('passes an update that keeps the type, whatever else changed', async () => {
  stackWith(FIFO_URL);
  await handleEvent(update('fifo', false, 'fifo'), cfn);
  expect(cfnMock.commandCalls(DescribeStacksCommand)).toHaveLength(0);
});

it('reads the deployed queue, not the old properties: the upgrade that first adds the guard is checked too', async () => {
  stackWith(FIFO_URL);
  await expect(
    handleEvent({ RequestType: 'Create', StackId: STACK_ID, ResourceProperties: props('standard') }, cfn),
  ).rejects.toThrow('Refusing to turn the fifo output queue into a standard one');
});

it('finds the queue on a later page of the stack resources', async () => {
  stackWith(STANDARD_URL, 'UPDATE_IN_PROGRESS', 3);
  await expect(handleEvent(update('fifo'), cfn)).rejects.toThrow('Refusing');
  expect(cfnMock.commandCalls(ListStackResourcesCommand).length).toBeGreaterThanOrEqual(3);
});

it('never fails a rollback, which restores the deployed type', async () => {
  stackWith(FIFO_URL, 'UPDATE_ROLLBACK_IN_PROGRESS');
  await expect(handleEvent(update('standard'), cfn)).resolves.toEqual({ PhysicalResourceId: PHYSICAL_RESOURCE_ID });
});

it('does nothing on delete', async () => {
  await handleEvent({ RequestType: 'Delete', StackId: STACK_ID, PhysicalResourceId: PHYSICAL_RESOURCE_ID }, cfn);
  expect(cfnMock.calls()).toHaveLength(0);
});
