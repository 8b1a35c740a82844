/**
 * `replay s3://bucket/prefix`: runs stored mail through the function's own `processRecord` again, for a consumer
 * that lost data or after a fix. Bounded concurrency, a progress bar, a summary, and resumable by key.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { KeyUnwrapErrorCode } from '../lambda/contract/reason-codes';
import { encodeS3Key, type ObjectCreatedRecord, processRecord } from '../lambda/decrypt-function/process-record';
import { INSTRUCTION_FILE_SUFFIX } from '../lambda/reader/envelope';
import { type OperatorIo, operatorDeps } from './operator-context';
import { OutcomeTally } from './outcome-tally';
import { parseCommandArgs } from './parse-command-args';
import { Progress } from './progress';
import { readCheckpoint, writeCheckpoint } from './replay-checkpoint';
import { STACK_MAIL_LOCATION } from './stack-settings';
import { escapeControls, jsonForTerminal } from './terminal-text';
import { UsageError } from './usage-error';

/** Runs `replay`; returns the exit status. */
export async function runReplayCommand(args: readonly string[], io: OperatorIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      since: { type: 'string' },
      'dry-run': { type: 'boolean' },
      concurrency: { type: 'string' },
      'start-after': { type: 'string' },
      checkpoint: { type: 'string' },
    },
    true,
  );
  // With --stack, the stack's mail bucket and prefix are the default.
  const target = positionals[0] ?? io.env[STACK_MAIL_LOCATION];
  // A prefix may hold any character, a line break too.
  const location = /^s3:\/\/([^/]+)\/?(.*)$/s.exec(target ?? '');
  if (positionals.length > 1 || location === null) {
    throw new UsageError('give one s3://BUCKET/PREFIX (or --stack NAME)');
  }
  const bucket = location[1] as string;
  const prefix = location[2] as string;
  const since = values.since === undefined ? undefined : new Date(values.since);
  if (since !== undefined && Number.isNaN(since.getTime())) {
    throw new UsageError('--since takes an ISO date, e.g. 2026-11-01 or 2026-11-01T12:00:00Z');
  }
  const concurrency = Number(values.concurrency ?? '4');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    throw new UsageError('--concurrency takes a whole number from 1 to 32');
  }
  const dryRun = values['dry-run'] === true;
  const checkpoint = values.checkpoint;
  const replayed = { bucket, prefix };
  // Checked even beside --start-after: the run overwrites it.
  const saved = checkpoint === undefined ? undefined : await readCheckpoint(checkpoint, replayed);
  const startAfter = values['start-after'] ?? saved;
  if (saved !== undefined && values['start-after'] === undefined) {
    io.stderr.write(
      `replay: resuming after ${jsonForTerminal(saved)} (from ${escapeControls(checkpoint as string)})\n`,
    );
  }

  const deps = operatorDeps({ env: io.env, dryRun, clients: io.clients }, true);
  // KMS refusing the unwrap before any object of this run has unwrapped is most likely the operator's own role (no
  // kms:Decrypt on the mail key): that object is not recorded against the mail nor passed over, and no new object
  // starts (exit 4). Once one has unwrapped, a refusal is the object's own: recorded and passed over as any other.
  let unwrapped = false;
  let heldKey: string | undefined;
  const progress = new Progress(io.stderr, dryRun ? 'replay (dry run)' : 'replay');
  const tally = new OutcomeTally();
  const label = dryRun ? 'verified' : 'forwarded';

  // Listing first gives the bar its total; keys and sizes only, a few MB even for a million objects.
  const objects: Array<{ key: string; size: number | undefined }> = [];
  let token: string | undefined;
  do {
    const page = await deps.clients.s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        StartAfter: token === undefined ? startAfter : undefined,
        ContinuationToken: token,
      }),
    );
    for (const item of page.Contents ?? []) {
      if (item.Key === undefined || item.Key.endsWith(INSTRUCTION_FILE_SUFFIX)) continue;
      if (since !== undefined && (item.LastModified === undefined || item.LastModified < since)) continue;
      // No size when S3 gives none: an announced size must be the stored one (process-record.ts).
      objects.push({ key: item.Key, size: item.Size });
    }
    progress.update({ done: 0, total: undefined, detail: `listing: ${objects.length} objects` });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);

  // The resume key only moves past an object once it and every object before it are done (and did not fail).
  const state: Array<'pending' | 'done' | 'failed'> = objects.map(() => 'pending');
  let watermark = 0;
  let resumeKey = startAfter;
  let lastSaved = 0;
  const advance = async (force: boolean) => {
    while (watermark < objects.length && state[watermark] === 'done') {
      resumeKey = objects[watermark]?.key;
      watermark += 1;
    }
    if (checkpoint !== undefined && resumeKey !== undefined && (force || Date.now() - lastSaved > 1000)) {
      lastSaved = Date.now();
      // As decrypt -o writes: a random private (0600) temporary file renamed over it, never a name given beforehand.
      await writeCheckpoint(checkpoint, replayed, resumeKey);
    }
  };

  let stop = false;
  void io.interrupted?.then(() => {
    stop = true;
  });
  const inFlight = new Set<Promise<void>>();
  for (let index = 0; index < objects.length && !stop && heldKey === undefined; index += 1) {
    const object = objects[index] as { key: string; size: number | undefined };
    const record: ObjectCreatedRecord = {
      s3: { bucket: { name: bucket }, object: { key: encodeS3Key(object.key), size: object.size } },
    };
    let held = false;
    const recordRejections = (reason: string) => {
      held = reason === OPERATOR_KMS_REFUSAL && !unwrapped;
      return !held;
    };
    const task = processRecord(record, { ...deps, recordRejections }).then(async (outcome) => {
      tally.add(outcome);
      if (outcome.outcome === 'forwarded' || outcome.outcome === 'quarantined') unwrapped = true;
      if (held) heldKey ??= object.key;
      state[index] = outcome.outcome === 'retry' || held ? 'failed' : 'done';
      await advance(false);
      progress.update({ done: tally.done, total: objects.length, detail: tally.brief(label) });
    });
    const tracked = task.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= concurrency) {
      await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  await advance(true);
  progress.finish();

  const complete = watermark === objects.length;
  io.stdout.write(
    `replay s3://${escapeControls(bucket)}/${escapeControls(prefix)}${dryRun ? ' (dry run: nothing sent)' : ''}: ${objects.length} objects${stop ? ', interrupted' : ''}\n${tally.summary(label)}\n`,
  );
  if (!complete && checkpoint !== undefined) {
    io.stdout.write(
      `  resume by running the same command again: the resume key is saved in ${escapeControls(checkpoint)}\n`,
    );
  } else if (!complete && resumeKey !== undefined) {
    // The key is data, never part of a command line: a key can hold quotes, spaces or terminal escapes. JSON shows
    // every character of it unambiguously, and --checkpoint resumes without copying it at all.
    io.stdout.write(
      `  resume after this key (a JSON string; give its value to --start-after, or use --checkpoint FILE):\n  ${jsonForTerminal(resumeKey)}\n`,
    );
  } else if (!complete) {
    io.stdout.write('  resume by running the same command again\n');
  }
  if (heldKey !== undefined) {
    io.stderr.write(
      `replay: KMS refused to unwrap the data key of ${jsonForTerminal(heldKey)} (${OPERATOR_KMS_REFUSAL}) before any object of this run unwrapped; not recorded, and the run stopped there. If your role lacks kms:Decrypt on the mail key (README "The operator CLI"), fix that and run the same command again; if other objects of the prefix decrypt, this one is refused on its own: give that key to --start-after to go past it\n`,
    );
    return 4;
  }
  if (!complete) return 3;
  return tally.rejectedTotal > 0 ? 1 : 0;
}

/** The refusal an operator's own role causes when it may not unwrap with the mail key. */
const OPERATOR_KMS_REFUSAL: KeyUnwrapErrorCode = 'KMS_ACCESS_DENIED';
