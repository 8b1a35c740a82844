/**
 * `redrive`: takes what the failure queue holds (rejection records and Lambda on-failure records), or what the work
 * queue's dead-letter queue holds (S3 event notifications; `--queue-url`), back through the
 * function's own `processRecord`. Messages whose objects now go through are deleted; the rest stay, and the summary
 * says why.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { ENV } from '../lambda/contract/env-names';
import type { FailureRecord } from '../lambda/contract/message-contract';
import {
  isObjectCreatedRecord,
  isText,
  MAX_RECORDS_PER_MESSAGE,
} from '../lambda/decrypt-function/object-created-record';
import {
  encodeS3Key,
  type ObjectCreatedRecord,
  processRecord,
  type RecordOutcome,
} from '../lambda/decrypt-function/process-record';
import { type OperatorIo, operatorDeps } from './operator-context';
import { OutcomeTally } from './outcome-tally';
import { parseCommandArgs } from './parse-command-args';
import { Progress } from './progress';
import { UsageError } from './usage-error';

/** How long a received message stays hidden during a run: longer than a 40 MB mail takes, so a run sees it once. */
const VISIBILITY_SECONDS = 300;

/** Runs `redrive`; returns the exit status. */
export async function runRedriveCommand(args: readonly string[], io: OperatorIo): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    { 'queue-url': { type: 'string' }, max: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    false,
  );
  const dryRun = values['dry-run'] === true;
  const queueUrl = values['queue-url'] ?? io.env[ENV.FAILURE_QUEUE_URL];
  if (queueUrl === undefined || queueUrl === '') {
    throw new UsageError(`no failure queue: set ${ENV.FAILURE_QUEUE_URL} or pass --queue-url`);
  }
  // A failure record names the bucket it stands for: without the mail bucket to hold it to, redrive would read any
  // bucket a planted record names, with the operator's credentials.
  if ((io.env[ENV.MAIL_BUCKET] ?? '') === '') {
    throw new UsageError(`no mail bucket: set ${ENV.MAIL_BUCKET} or pass --stack NAME`);
  }
  const max = values.max === undefined ? Number.POSITIVE_INFINITY : Number(values.max);
  if (!(max === Number.POSITIVE_INFINITY || (Number.isInteger(max) && max > 0))) {
    throw new UsageError('--max takes a whole number above 0');
  }
  // Re-rejections are not recorded again: the message that holds the record stays on the queue.
  const deps = operatorDeps(
    { env: { ...io.env, [ENV.FAILURE_QUEUE_URL]: queueUrl }, dryRun, clients: io.clients },
    false,
  );
  const sqs = deps.clients.sqs;
  const tally = new OutcomeTally();
  const progress = new Progress(io.stderr, dryRun ? 'redrive (dry run)' : 'redrive');
  let handled = 0;
  let deleted = 0;
  let unrecognised = 0;
  // Messages left on the queue stay hidden for the rest of the run, then become visible again at once.
  const kept: string[] = [];
  const seen = new Set<string>();
  // Ctrl-C: no new message is taken on; those received and not yet begun stay on the queue.
  let stop = false;
  void io.interrupted?.then(() => {
    stop = true;
  });

  while (handled < max && !stop) {
    const batch = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, max - handled),
        WaitTimeSeconds: 1,
        VisibilityTimeout: VISIBILITY_SECONDS,
      }),
    );
    // A message seen before means the queue has come round again (its visibility ran out): the run is complete.
    const messages = (batch.Messages ?? []).filter((m) => !seen.has(m.MessageId ?? ''));
    if (messages.length === 0) break;
    for (const message of messages) {
      if (stop) {
        kept.push(message.ReceiptHandle as string);
        continue;
      }
      seen.add(message.MessageId ?? '');
      handled += 1;
      const records = recordsOf(message);
      if (records === undefined) {
        unrecognised += 1;
        kept.push(message.ReceiptHandle as string);
        continue;
      }
      const outcomes: RecordOutcome[] = [];
      for (const record of records) {
        const outcome = await processRecord(record, deps);
        outcomes.push(outcome);
        tally.add(outcome);
      }
      // Done with: delivered, skipped, or held in quarantine (where `quarantine release` takes it on).
      const through = outcomes.every((o) => ['forwarded', 'skipped', 'quarantined'].includes(o.outcome));
      if (through && !dryRun) {
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle as string }),
        );
        deleted += 1;
      } else {
        kept.push(message.ReceiptHandle as string);
      }
      progress.update({ done: handled, total: undefined, detail: tally.brief(dryRun ? 'verified' : 'forwarded') });
    }
  }
  progress.finish();
  for (const receiptHandle of kept) {
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }),
    );
  }

  io.stdout.write(
    `redrive${dryRun ? ' (dry run: nothing sent or deleted)' : ''}: ${handled} messages${stop ? ', interrupted' : ''}, ${deleted} deleted from the queue\n` +
      `${tally.summary(dryRun ? 'verified' : 'forwarded')}\n` +
      (unrecognised > 0
        ? `  unrecognised ${String(unrecognised).padStart(7)}   not a rejection record, a Lambda failure record or an S3 event; left on the queue\n`
        : ''),
  );
  if (tally.failed > 0 || stop) return 3;
  return tally.rejectedTotal > 0 || unrecognised > 0 ? 1 : 0;
}

/**
 * The S3 records a failure-queue message stands for: a rejection record `{bucket, key, versionId?, reason, errorName}`, a
 * Lambda on-failure record whose `requestPayload` is the original S3 event, or an S3 event notification itself (what
 * the work queue's dead-letter queue holds). Undefined when it is none of them.
 */
export function recordsOf(message: Pick<Message, 'Body'>): ObjectCreatedRecord[] | undefined {
  let body: unknown;
  try {
    body = JSON.parse(message.Body ?? '');
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const rejection = body as Partial<FailureRecord>;
  if (isText(rejection.bucket) && isText(rejection.key) && typeof rejection.reason === 'string') {
    // The version the rejection names, when it names one: the redrive reads that very object, not a newer one.
    const versionId = typeof rejection.versionId === 'string' ? { versionId: rejection.versionId } : {};
    return [{ s3: { bucket: { name: rejection.bucket }, object: { key: encodeS3Key(rejection.key), ...versionId } } }];
  }
  // A Lambda on-failure record carries the event as its requestPayload; the work queue's dead-letter queue holds the
  // S3 event notification itself, as S3 sent it.
  const event = (body as { requestPayload?: { Records?: unknown } }).requestPayload ?? (body as { Records?: unknown });
  // S3 and Lambda put one record in each; a message with more, or with one that is not well formed, is not theirs.
  if (Array.isArray(event?.Records) && event.Records.length <= MAX_RECORDS_PER_MESSAGE) {
    const records = event.Records as unknown[];
    return records.length > 0 && records.every(isObjectCreatedRecord) ? (records as ObjectCreatedRecord[]) : undefined;
  }
  return undefined;
}
