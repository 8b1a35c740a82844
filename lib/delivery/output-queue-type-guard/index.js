// Custom resource handler (CloudFormation events through aws-cdk-lib's CustomResourceProvider wrapper): refuses a
// deployment that would turn the deployed output queue from standard to FIFO or back, unless the template says the
// replacement is accepted. FifoQueue is a create-only property, so CloudFormation replaces the queue: a new URL, and the
// old queue, with every message still on it, is deleted at the update's clean-up. The queues depend on this resource,
// so it runs, and fails, before they are touched; the failed update rolls back and the old queues keep their messages.
// Runs on Lambda's Node.js runtime, whose AWS SDK v3 provides @aws-sdk/client-cloudformation.
'use strict';

const {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} = require('@aws-sdk/client-cloudformation');

const PHYSICAL_RESOURCE_ID = 'output-queue-type-guard';

let client;

/** The client, made once per container (tests pass their own). */
function cloudFormation() {
  client ??= new CloudFormationClient({});
  return client;
}

/**
 * The type of the output queue deployed in the stack now ('fifo' or 'standard'), or undefined when it does not exist
 * yet. Its physical id is its URL, whose name ends in ".fifo" exactly when it is a FIFO queue (SQS requires the suffix:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html).
 */
async function deployedQueueType(cfn, stackId, logicalId) {
  let NextToken;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName: stackId, NextToken }));
    const queue = (page.StackResourceSummaries ?? []).find((r) => r.LogicalResourceId === logicalId);
    if (queue?.PhysicalResourceId) {
      return queue.PhysicalResourceId.endsWith('.fifo') ? 'fifo' : 'standard';
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return undefined;
}

/** True while the stack rolls back: a rollback restores the deployed type and must never be refused. */
async function rollingBack(cfn, stackId) {
  const answer = await cfn.send(new DescribeStacksCommand({ StackName: stackId }));
  return /ROLLBACK/.test(answer.Stacks?.[0]?.StackStatus ?? '');
}

/**
 * Create and Update: compare the type asked for (`QueueType`) with the deployed output queue's; refuse a change unless
 * `AcceptQueueReplacement` is "true". Delete: nothing to undo.
 */
async function handler(event, cfn = cloudFormation()) {
  if (event.RequestType === 'Delete') {
    return { PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_RESOURCE_ID };
  }
  if (event.RequestType !== 'Create' && event.RequestType !== 'Update') {
    throw new Error(`unknown request type ${String(event.RequestType)}`);
  }
  const props = event.ResourceProperties ?? {};
  const wanted = props.QueueType;
  if (wanted !== 'fifo' && wanted !== 'standard') {
    throw new Error('QueueType must be fifo or standard');
  }
  const deployed = await deployedQueueType(cfn, event.StackId, props.OutputQueueLogicalId);
  if (deployed !== undefined && deployed !== wanted && props.AcceptQueueReplacement !== 'true') {
    if (!(await rollingBack(cfn, event.StackId))) {
      throw new Error(
        `Refusing to turn the ${deployed} output queue into a ${wanted} one: CloudFormation would replace both output ` +
          'queues, deleting every message still on them and changing their URLs. Drain them first, then deploy with ' +
          'acceptQueueReplacement (context -c acceptQueueReplacement=true) to accept the replacement, or keep fifo as it was.',
      );
    }
  }
  return { PhysicalResourceId: PHYSICAL_RESOURCE_ID };
}

exports.handler = (event) => handler(event);
exports.handleEvent = handler;
exports.PHYSICAL_RESOURCE_ID = PHYSICAL_RESOURCE_ID;
