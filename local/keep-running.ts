/**
 * `npm start -- --keep`: after the sample mails, one more copy of the sample mail is left on the output queue, the
 * environment a consumer needs to read it is printed, and the emulators run until Ctrl-C (SIGINT) or SIGTERM.
 */
import type { LocalStack } from './local-stack';
import { LOCAL_PAYLOAD_BUCKET } from './local-stack';
import { deliverThroughWorkQueue, type QueueHandler, storeMail } from './pipeline';
import { CLEAN_VERDICTS } from './ses-simulator';

/** The variables a consumer reads (the examples in examples/ take exactly these), in print order. */
export function consumerEnvironment(stack: LocalStack): Array<[string, string]> {
  return [
    ['AWS_REGION', stack.env.AWS_REGION as string],
    ['AWS_ACCESS_KEY_ID', stack.env.AWS_ACCESS_KEY_ID as string],
    ['AWS_SECRET_ACCESS_KEY', stack.env.AWS_SECRET_ACCESS_KEY as string],
    ['AWS_ENDPOINT_URL_SQS', stack.env.AWS_ENDPOINT_URL_SQS as string],
    ['AWS_ENDPOINT_URL_S3', stack.env.AWS_ENDPOINT_URL_S3 as string],
    ['QUEUE_URL', stack.outputQueueUrl],
    ['PAYLOAD_BUCKET', LOCAL_PAYLOAD_BUCKET],
  ];
}

/** Forwards `mime` once more and leaves it on the queue, prints the environment, and waits for a signal. */
export async function keepRunning(stack: LocalStack, handler: QueueHandler, mime: Buffer): Promise<void> {
  const stored = await storeMail(stack, mime, undefined, CLEAN_VERDICTS);
  // Through the work queue, as every mail of `npm start`: S3's notification, then the event source's batch.
  await deliverThroughWorkQueue(stack, handler, [stored]);
  const lines = consumerEnvironment(stack).map(([name, value]) => `export ${name}=${value}`);
  process.stdout.write(
    `\nThe emulators keep running; one more copy of the sample mail waits on the output queue.\n` +
      `A consumer reads it with this environment (dummy credentials; S3 needs path-style addressing):\n\n` +
      `${lines.join('\n')}\n\n` +
      'for example: python3 examples/python/consume.py out/   or   node examples/node/consume.mjs out/\n' +
      'Press Ctrl-C to stop them.\n',
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write(`${signal}: stopping the emulators.\n`);
}
