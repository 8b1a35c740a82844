/**
 * `npm start`'s account of the work queue: for each mail (with --verbose) the message that carried its notification,
 * and at the end how many went through and whether the queue and its dead-letter queue are empty.
 */
import type { LocalStack } from './local-stack';
import type { MailReport } from './pipeline';
import { queueDepth } from './work-queue';

/** The mail's work-queue message: its id, how often it was received, and that it was deleted. */
export function workQueueLine(report: MailReport): string {
  if (report.outcome === 'stopped') {
    return '      work queue: nothing stored, so no notification\n';
  }
  const { messageId, receives } = report.workQueue;
  return `      work queue: notification ${messageId} received ${receives}x, then deleted\n`;
}

/** The summary line; `allThrough` when every stored mail went through the queue and both queues are empty. */
export async function workQueueSummary(
  stack: LocalStack,
  reports: ReadonlyArray<MailReport | undefined>,
): Promise<{ line: string; allThrough: boolean }> {
  const stored = reports.filter((r) => r?.outcome !== 'stopped');
  const passages = stored.flatMap((r) => (r === undefined ? [] : [r.workQueue]));
  const through = passages.filter((p) => p.receives > 0);
  const receives = through.reduce((sum, p) => sum + p.receives, 0);
  const left = await queueDepth(stack.clients.sqs, stack.workQueue.url);
  const deadLettered = await queueDepth(stack.clients.sqs, stack.workQueue.deadLetterQueueUrl);
  const line =
    `Work queue: ${through.length} of ${stored.length} stored mail(s) announced on it, received (${receives} receive(s)) ` +
    `and deleted; ${left} message(s) left on it, ${deadLettered} on its dead-letter queue.`;
  return { line, allThrough: through.length === stored.length && left === 0 && deadLettered === 0 };
}
