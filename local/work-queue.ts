/**
 * The work queue on fauxqs, as the stack deploys it (lib/trigger/work-queue.ts): a standard queue whose redrive policy
 * moves a message to its dead-letter queue once it has been received the stack's number of times. Its visibility
 * timeout is SQS's default: the local event source returns a failed message after a short delay (event-source.ts)
 * rather than after the deployed queue's twelve minutes.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { MAX_RECEIVE_COUNT } from '../lib/trigger/work-queue-settings';

/** The work queue and its dead-letter queue. */
export interface LocalWorkQueue {
  readonly url: string;
  readonly arn: string;
  readonly deadLetterQueueUrl: string;
}

/** Creates the dead-letter queue, then the work queue that redrives to it. */
export async function createWorkQueue(sqs: SQSClient): Promise<LocalWorkQueue> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'inbound-mail-work-dlq' }));
  const deadLetterQueueUrl = dlq.QueueUrl as string;
  const redrivePolicy = {
    deadLetterTargetArn: await queueArn(sqs, deadLetterQueueUrl),
    maxReceiveCount: MAX_RECEIVE_COUNT,
  };
  const work = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'inbound-mail-work',
      Attributes: { RedrivePolicy: JSON.stringify(redrivePolicy) },
    }),
  );
  const url = work.QueueUrl as string;
  return { url, arn: await queueArn(sqs, url), deadLetterQueueUrl };
}

/** Messages on a queue, visible and in flight. */
export async function queueDepth(sqs: SQSClient, url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return Attributes?.QueueArn as string;
}
