/**
 * One S3 object-created record, from its key to its outcome: forwarded, skipped, rejected or retry.
 */
import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { FailureRecord } from '../contract/message-contract';
import { decryptMail } from '../reader/decrypt-mail';
import { INSTRUCTION_FILE_SUFFIX } from '../reader/envelope';
import {
  EnvelopeError,
  EventMismatchError,
  errorNameOf,
  InboundMailError,
  isTransientFailure,
  PolicyError,
  type ReasonCode,
  TransientError,
} from '../reader/errors';
import { loadInstructionFile } from '../reader/instruction-file';
import type { MailPlaintext } from '../reader/mail-decipher';
import {
  announcedSize,
  decodeS3Key,
  type ObjectCreatedRecord,
  recordIdentity,
  SES_SETUP_NOTIFICATION,
  versionOf,
} from './object-created-record';
import { collectingAsItGoes, getObject, sourceError, storedMailPolicy } from './stored-object';

export {
  decodeS3Key,
  encodeS3Key,
  type ObjectCreatedRecord,
  recordIdentity,
  SES_SETUP_NOTIFICATION,
} from './object-created-record';

import type { AwsClients } from './aws-clients';
import type { FunctionConfig } from './config';
import { isBucketName, readVerdictSettings } from './config';
import { type ForwardResult, fifoIdsFor, forwardMail, forwardTargets, sha256Hex } from './forward-mail';
import { type QuarantinedOutcome, quarantine } from './quarantine-record';
import { readSesVerdicts } from './ses-verdicts';
import { functionVerdict } from './verdict-action';

export type { QuarantinedOutcome } from './quarantine-record';

/** What became of one record: forwarded, skipped, rejected (recorded on the failure queue) or retry. */
export type RecordOutcome =
  | {
      readonly outcome: 'forwarded';
      readonly bucket: string;
      readonly key: string;
      /** What was sent; `already` when this container had sent it, `verified` in a dry run (nothing sent). */
      readonly result: ForwardResult | 'already' | 'verified';
    }
  | { readonly outcome: 'skipped'; readonly bucket: string; readonly key: string; readonly reason: string }
  | QuarantinedOutcome
  | {
      readonly outcome: 'rejected' | 'retry';
      readonly bucket: string;
      readonly key: string;
      readonly reason: ReasonCode;
      readonly errorName: string;
    };

/** Sizes and timings of one record, filled in as it is processed (for the log line and metrics). */
export interface RecordTimings {
  decryptMillis?: number;
  forwardMillis?: number;
  objectBytes?: number;
  mailBytes?: number;
}

/** What `processRecord` works with: configuration, clients, and this container's memory of forwarded objects. */
export interface ProcessRecordDeps {
  readonly clients: AwsClients;
  readonly config: FunctionConfig;
  /** True when this container already forwarded this very object (a retried or duplicated event). */
  readonly alreadyForwarded: (identity: string) => boolean;
  readonly markForwarded: (identity: string) => void;
  /** Decrypt and verify only: send nothing anywhere (operator dry runs). @default false */
  readonly dryRun?: boolean;
  /**
   * Send a failure record for each rejection, or for those of the reason codes it answers true for. @default true
   * (redrive turns it off: the record already exists)
   */
  readonly recordRejections?: boolean | ((reason: string) => boolean);
  /**
   * Refuse a record without a version when S3 reads the object at one: S3 names the version in every event of a
   * versioned bucket. @default false (the operator commands that list objects name none)
   */
  readonly versionNamedByS3?: boolean;
}

/**
 * Processes one record. Never throws for a bad object: rejections are recorded on the failure queue and returned.
 * Returns `retry` for failures that may pass; the handler then returns the record's message to the work queue (or,
 * invoked directly, fails the invocation so Lambda retries).
 */
export async function processRecord(
  record: ObjectCreatedRecord,
  deps: ProcessRecordDeps,
  timings: RecordTimings = {},
): Promise<RecordOutcome> {
  const settled = await settleFromEvent(record, deps);
  if (settled !== undefined) {
    return settled;
  }
  const bucket = record.s3.bucket.name;
  // The version the event names (versioned buckets): that object is read, and a rejection names it too.
  const versionId = versionOf(record);
  const key = decodeS3Key(record.s3.object.key);
  const identity = recordIdentity(record);
  if (deps.alreadyForwarded(identity)) {
    return { outcome: 'forwarded', bucket, key, result: 'already' };
  }
  const { config, clients } = deps;
  // The event's size is not trusted with any outcome: whoever can send to the work queue (or invoke the function)
  // writes it. What is too large is decided by S3's ContentLength, in decryptMail, before the body is read.
  const announced = announcedSize(record);

  let object: GetObjectCommandOutput | undefined;
  let instructionFile = false;
  try {
    const started = performance.now();
    object = await getObject(deps.clients.s3, bucket, key, versionId);
    timings.objectBytes = object.ContentLength ?? announced;
    /* Precondition: the object is the size its event announced (the size the record schedule made room for). */
    if (announced !== undefined && object.ContentLength !== announced) {
      throw new EventMismatchError('EVENT_SIZE_MISMATCH', 'the stored object is not the size its event announced');
    }
    /* Precondition: an event from S3 names the version S3 reads (a versioned bucket's "null" is an object from before). */
    if (deps.versionNamedByS3 === true && versionId === undefined && (object.VersionId ?? 'null') !== 'null') {
      throw new EventMismatchError('EVENT_VERSION_MISMATCH', 'the event names no version of a versioned object');
    }
    const body = object.Body as AsyncIterable<Uint8Array> | undefined;
    if (body === undefined) {
      throw new TransientError('S3 returned no body');
    }
    const mail = await decryptMail(
      {
        metadata: object.Metadata ?? {},
        body: collectingAsItGoes(body, object.ContentLength),
        contentLength: object.ContentLength,
        loadInstructionFile: async () => {
          instructionFile = true;
          try {
            return await loadInstructionFile(clients.s3, bucket, key);
          } catch (error) {
            throw error instanceof EnvelopeError ? error : sourceError(error);
          }
        },
      },
      storedMailPolicy(clients.kms, config, key, config.mailPrefixes),
    );
    timings.decryptMillis = performance.now() - started;
    timings.mailBytes = mail.plaintext.byteLength;
    const verdicts = readSesVerdicts(mail.plaintext);
    // What the verdicts of SES's own block ask for (verdict-action.ts); virus mail is never forwarded.
    const verdict = functionVerdict(verdicts, config.verdicts ?? readVerdictSettings({}));
    if (verdict.action === 'quarantine' || (verdict.action === 'stop' && verdict.reasons.includes('VIRUS'))) {
      discardPlaintext(mail.plaintext);
      if (verdict.action === 'stop') {
        throw new PolicyError('VIRUS_DETECTED', 'SES found a virus in this mail (X-SES-Virus-Verdict: FAIL)');
      }
      const quarantined = { bucket, key, versionId, messageId: mail.messageId as string, instructionFile };
      return await quarantine(deps, quarantined, verdict.reasons);
    }
    if (deps.dryRun === true) {
      return { outcome: 'forwarded', bucket, key, result: 'verified' };
    }

    const forwardStarted = performance.now();
    const result = await forwardMail(
      {
        messageId: mail.messageId as string,
        plaintext: mail.plaintext,
        sourceBucket: bucket,
        sourceKey: key,
        verdicts,
        ...(verdict.reasons.length > 0 ? { refusal: { action: 'deliver-marked', reasons: verdict.reasons } } : {}),
      },
      forwardTargets(clients, config),
    );
    timings.forwardMillis = performance.now() - forwardStarted;
    deps.markForwarded(identity);
    return { outcome: 'forwarded', bucket, key, result };
  } catch (error) {
    const failure = classify(error);
    if (failure.retryable) {
      return { outcome: 'retry', bucket, key, reason: failure.code, errorName: failure.name };
    }
    return reject(deps, { bucket, key, versionId }, failure);
  } finally {
    (object?.Body as { destroy?: () => void } | undefined)?.destroy?.();
  }
}

/**
 * What the record alone decides, before anything is read: a key that is not URL-encoded or a bucket other than the
 * mail bucket is refused, SES's set-up object and an instruction file are skipped; undefined when the record names an
 * object to read. The handler settles these outside the delivery records (delivery-record.ts): they say nothing of any
 * object, so none may be recorded against one.
 */
export async function settleFromEvent(
  record: ObjectCreatedRecord,
  deps: ProcessRecordDeps,
): Promise<RecordOutcome | undefined> {
  const bucket = record.s3.bucket.name;
  const versionId = versionOf(record);
  let key: string;
  try {
    key = decodeS3Key(record.s3.object.key);
  } catch {
    return reject(
      deps,
      { bucket, key: record.s3.object.key, versionId },
      new PolicyError('MESSAGE_ID_MISMATCH', 'object key is not URL-encoded'),
    );
  }
  // Only the mail bucket is read: a record from elsewhere (a direct invocation, a planted failure record) names no
  // mail of this pipeline, and an access point ARN would send the request to another account's endpoint.
  // (A configured mail bucket was checked to be a bucket name once, in config.ts.)
  const mailBucket = deps.config.mailBucket;
  if (mailBucket !== undefined ? bucket !== mailBucket : !isBucketName(bucket)) {
    return reject(
      deps,
      { bucket, key, versionId },
      new PolicyError('BUCKET_NOT_ALLOWED', 'the record names a bucket other than the mail bucket'),
    );
  }
  if (key.endsWith(SES_SETUP_NOTIFICATION)) {
    return { outcome: 'skipped', bucket, key, reason: 'SES_SETUP_NOTIFICATION' };
  }
  if (key.endsWith(INSTRUCTION_FILE_SUFFIX)) {
    return { outcome: 'skipped', bucket, key, reason: 'INSTRUCTION_FILE' };
  }
  return undefined;
}

/** Zeroes verified plaintext that will not be delivered. */
export function discardPlaintext(plaintext: MailPlaintext): void {
  for (const chunk of plaintext.chunks) {
    chunk.fill(0);
  }
}

/** Turns anything thrown into a reason: ours as they are; a stray SDK or stream error by its transience. */
function classify(error: unknown): InboundMailError {
  if (error instanceof InboundMailError) {
    return error;
  }
  if (isTransientFailure(error)) {
    return new TransientError(`transient failure (${errorNameOf(error)})`, { cause: error });
  }
  // Unknown errors are retried rather than rejected: retries end on the work dead-letter queue (or, invoked directly,
  // on the on-failure destination), so nothing is lost, and a bug is not mistaken for a bad object.
  return new TransientError(`unexpected failure (${errorNameOf(error)})`, { cause: error });
}

async function reject(
  deps: ProcessRecordDeps,
  object: { readonly bucket: string; readonly key: string; readonly versionId: string | undefined },
  error: InboundMailError,
): Promise<RecordOutcome> {
  const { bucket, key, versionId } = object;
  const recorded =
    typeof deps.recordRejections === 'function' ? deps.recordRejections(error.code) : deps.recordRejections !== false;
  if (deps.dryRun === true || !recorded) {
    return { outcome: 'rejected', bucket, key, reason: error.code, errorName: error.name };
  }
  const record: FailureRecord = {
    bucket,
    key,
    ...(versionId === undefined ? {} : { versionId }),
    reason: error.code,
    errorName: error.name,
  };
  try {
    await deps.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: deps.config.failureQueueUrl,
        MessageBody: JSON.stringify(record),
        ...fifoIdsFor(
          deps.config.failureQueueUrl,
          sha256Hex([Buffer.from(`${bucket}/${key}@${versionId ?? ''}/${error.code}`)]),
        ),
      }),
    );
  } catch (sendError) {
    // The rejection could not be recorded: retry the whole record rather than let it end silently.
    return { outcome: 'retry', bucket, key, reason: 'TRANSIENT', errorName: errorNameOf(sendError) };
  }
  return { outcome: 'rejected', bucket, key, reason: error.code, errorName: error.name };
}
