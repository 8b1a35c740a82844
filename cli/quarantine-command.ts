/**
 * `quarantine list | release ID | purge ID`: the operator's view of mail the verdicts quarantined
 * (lambda/contract/verdict-actions.ts). `list` reads only keys, sizes and dates (ids, reasons, age, size: no address
 * or subject, nothing decrypted); `release` decrypts and delivers as the function would (quarantine-release.ts);
 * `purge` deletes the quarantined object. Mail SES found a virus in is released only with --accept-virus-risk.
 */
import { DeleteObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { ENV } from '../lambda/contract/env-names';
import { parseQuarantineKey, readQuarantinePrefix } from '../lambda/contract/verdict-actions';
import type { RefusalReason } from '../lambda/contract/verdict-policy';
import { createAwsClients } from '../lambda/decrypt-function/aws-clients';
import { isBucketName, readFunctionConfig } from '../lambda/decrypt-function/config';
import { INSTRUCTION_FILE_SUFFIX } from '../lambda/reader/envelope';
import { PolicyError } from '../lambda/reader/errors';
import type { OperatorIo } from './operator-context';
import { parseCommandArgs } from './parse-command-args';
import { ACCEPT_VIRUS_RISK, releaseQuarantined } from './quarantine-release';
import { STACK_MAIL_LOCATION } from './stack-settings';
import { escapeControls } from './terminal-text';
import { UsageError } from './usage-error';

/** One quarantined mail, as listed. */
export interface QuarantineEntry {
  readonly id: string;
  readonly key: string;
  readonly keyPrefix: string;
  readonly reasons: readonly RefusalReason[];
  readonly size: number;
  readonly lastModified: Date | undefined;
}

/** Runs `quarantine`; returns the exit status. */
export async function runQuarantineCommand(args: readonly string[], io: OperatorIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { bucket: { type: 'string' }, prefix: { type: 'string' }, 'accept-virus-risk': { type: 'boolean' } },
    true,
  );
  const [action, id, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument ${escapeControls(extra[0] as string)}`);
  const bucket = values.bucket ?? /^s3:\/\/([^/]+)\//.exec(io.env[STACK_MAIL_LOCATION] ?? '')?.[1];
  if (bucket === undefined || bucket === '') throw new UsageError('no mail bucket: pass --bucket NAME or --stack NAME');
  // A bucket name, not an access point ARN or anything else the SDK would send the operator's credentials to.
  if (!isBucketName(bucket)) throw new UsageError(`--bucket takes an S3 bucket name, not ${escapeControls(bucket)}`);
  // As replay and redrive: with the mail bucket known, no other is read or written.
  const mailBucket = io.env[ENV.MAIL_BUCKET] || undefined;
  if (mailBucket !== undefined && bucket !== mailBucket) {
    throw new PolicyError(
      'BUCKET_NOT_ALLOWED',
      `--bucket names a bucket other than the mail bucket (${ENV.MAIL_BUCKET})`,
    );
  }
  // Release decrypts and delivers with the operator's credentials: only from the mail bucket (--stack sets it).
  if (action === 'release' && mailBucket === undefined) {
    throw new UsageError(`release needs the mail bucket: set ${ENV.MAIL_BUCKET} or pass --stack NAME`);
  }
  const prefix = readQuarantinePrefix({ [ENV.QUARANTINE_PREFIX]: values.prefix ?? io.env[ENV.QUARANTINE_PREFIX] });
  const clients = io.clients ?? createAwsClients();
  if (action === 'list') {
    if (id !== undefined) throw new UsageError(`unexpected argument ${escapeControls(id)}`);
    const entries = await listQuarantine(clients.s3, bucket, prefix);
    io.stdout.write(formatList(entries, new Date()));
    return 0;
  }
  if (action !== 'release' && action !== 'purge') {
    throw new UsageError('give list, release ID or purge ID');
  }
  if (id === undefined) throw new UsageError(`${action} needs the id of a quarantined mail (see quarantine list)`);
  const entry = onlyEntryNamed(await listQuarantine(clients.s3, bucket, prefix), id, bucket);
  if (action === 'purge') {
    for (const key of [entry.key, `${entry.key}${INSTRUCTION_FILE_SUFFIX}`]) {
      await clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    }
    io.stdout.write(`purged ${entry.id} (${entry.reasons.join('+')})\n`);
    return 0;
  }
  const virus = entry.reasons.includes('VIRUS');
  if (virus && values['accept-virus-risk'] !== true) {
    throw new UsageError(
      `${entry.id} is quarantined because SES found a virus in it; to deliver it all the same to your consumers, pass ${ACCEPT_VIRUS_RISK}`,
    );
  }
  const result = await releaseQuarantined(
    { bucket, key: entry.key, keyPrefix: entry.keyPrefix, reasons: entry.reasons },
    { config: readFunctionConfig(io.env), clients, acceptVirusRisk: values['accept-virus-risk'] === true },
  );
  io.stdout.write(
    `released ${entry.id} (${entry.reasons.join('+')}) to the output queue: ${result.delivery}, ${result.messageBytes} bytes; ` +
      `the quarantined copy stays until 'quarantine purge ${entry.id}' or its lifecycle removes it\n`,
  );
  return 0;
}

/**
 * The quarantined copy a key names, or the only one an id names. The same mail quarantined again under other reasons
 * (a policy changed between two deliveries) leaves two copies of one id: that id names neither, and the error lists
 * their keys (a message id and reasons, nothing of the mail) for the operator to choose.
 */
function onlyEntryNamed(entries: readonly QuarantineEntry[], id: string, bucket: string): QuarantineEntry {
  const byKey = entries.find((e) => e.key === id);
  if (byKey !== undefined) return byKey;
  const named = entries.filter((e) => e.id === id);
  if (named.length === 0)
    throw new UsageError(`no quarantined mail ${escapeControls(id)} in ${escapeControls(bucket)}`);
  if (named.length > 1) {
    const keys = named.map((e) => escapeControls(e.key)).join(', ');
    throw new UsageError(`${named.length} quarantined copies have the id ${escapeControls(id)}; give one key: ${keys}`);
  }
  return named[0] as QuarantineEntry;
}

/** Every quarantined mail under the prefix, oldest first; instruction files and foreign keys are left out. */
export async function listQuarantine(s3: S3Client, bucket: string, prefix: string): Promise<QuarantineEntry[]> {
  const entries: QuarantineEntry[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const parsed = parseQuarantineKey(prefix, object.Key ?? '');
      if (parsed === undefined) continue;
      entries.push({
        id: parsed.messageId,
        key: object.Key as string,
        keyPrefix: parsed.keyPrefix,
        reasons: parsed.reasons,
        size: object.Size ?? 0,
        lastModified: object.LastModified,
      });
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return entries.sort((a, b) => (a.lastModified?.getTime() ?? 0) - (b.lastModified?.getTime() ?? 0));
}

/** The list: one line a mail, id, reasons, age and size; nothing of the mail's content. */
export function formatList(entries: readonly QuarantineEntry[], now: Date): string {
  if (entries.length === 0) return 'quarantine is empty\n';
  const lines = entries.map((e) => {
    const age = e.lastModified === undefined ? '?' : ageOf(now.getTime() - e.lastModified.getTime());
    return `${e.id.padEnd(40)} ${e.reasons.join('+').padEnd(16)} ${age.padStart(8)} ${String(e.size).padStart(10)}`;
  });
  return `${'ID'.padEnd(40)} ${'REASONS'.padEnd(16)} ${'AGE'.padStart(8)} ${'BYTES'.padStart(10)}\n${lines.join('\n')}\n`;
}

function ageOf(millis: number): string {
  const minutes = Math.max(0, Math.floor(millis / 60_000));
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)}h`;
  return `${Math.floor(minutes / 1440)}d`;
}
