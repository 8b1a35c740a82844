/**
 * Each stored mail delivered once across containers: a record per object in a DynamoDB table, kept through Powertools
 * Idempotency (README "Delivered once"; docs/CONTRACT.md "Duplicates").
 *
 * The record's key is the object the event names: its bucket, its decoded key (the rule's prefix and the SES message
 * id) and its version, as one JSON array (object-created-record.ts, `recordIdentity`); Powertools stores only its
 * SHA-256. What the event alone decides (process-record.ts, `settleFromEvent`) is settled before, never recorded. The record holds its status, its expiry, the in-progress deadline
 * and what became of the object (`forwarded`, or `rejected`/`skipped` with a reason code): never mail, keys or
 * addresses. No payload validation hash is kept.
 *
 * The record is written INPROGRESS before the object is read and completed after the send, so:
 * - an attempt that ends in `retry` (or throws) deletes the record: the retry sends;
 * - a crash between the send and the completion leaves an INPROGRESS record whose deadline is the end of that
 *   invocation (the Lambda context's remaining time); after it a redelivery takes the record over and sends again:
 *   a duplicate, never a loss;
 * - a redelivery while another container holds the record, before that deadline, is a `retry`: it comes back later,
 *   when the record is completed (then `already`) or its deadline has passed (then it is sent);
 * - if the completion itself fails after the send, the mail was delivered: the outcome stands, the record stays
 *   INPROGRESS until its deadline, and a later redelivery may duplicate.
 */

import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { ENV } from '../contract/env-names';
import { type Env, optional, readInteger, required } from '../contract/environment-values';
import { decodeS3Key, type ObjectCreatedRecord, recordIdentity } from './object-created-record';
import type { RecordOutcome } from './process-record';

/** Where delivery records are kept and for how long; absent when the stack turned them off. */
export interface DeliveryRecordSettings {
  readonly tableName: string;
  /** How long a record is kept, from the stack (lib/delivery/delivery-record-lifetime.ts). */
  readonly lifetimeSeconds: number;
}

/** What is stored of an outcome: its kind and reason code, nothing of the mail. */
type StoredOutcome =
  | { readonly outcome: 'forwarded' }
  | { readonly outcome: 'quarantined' }
  | { readonly outcome: 'rejected' | 'skipped'; readonly reason: string };

/** Runs one record through `processRecord`. */
export type RunRecord = () => Promise<RecordOutcome>;

/** Runs a record unless its object was processed before (in any container), as the module comment says. */
export type DeliverOnce = (record: ObjectCreatedRecord, run: RunRecord, context?: Context) => Promise<RecordOutcome>;

/**
 * The records' key prefix: fixed, so a record outlives a replaced function (Powertools' default is the function's
 * name, which a replacement changes).
 */
export const DELIVERY_RECORD_KEY_PREFIX = 'delivered-mail';

/**
 * The in-progress deadline when there is no Lambda context (local runs): Lambda's longest timeout, 15 minutes
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html). Without a deadline a crashed attempt
 * would hold its record until the record's whole lifetime ends.
 */
const NO_CONTEXT_DEADLINE_MILLIS = 15 * 60 * 1000;

/** Completed records a container keeps in memory, sparing a table call for a repeat it has seen. */
const LOCAL_CACHE_SIZE = 10_000;

/**
 * Reads `DELIVERY_RECORDS_TABLE` and `DELIVERY_RECORD_LIFETIME_SECONDS`; undefined when the table is not set.
 * @throws ConfigError when the table is set without a lifetime, or the lifetime is out of range
 */
export function readDeliveryRecordSettings(env: Env): DeliveryRecordSettings | undefined {
  const tableName = optional(env, ENV.DELIVERY_RECORDS_TABLE);
  if (tableName === undefined) {
    return undefined;
  }
  // No default here: the lifetime is derived in one place, the stack, and a table without it is a configuration error.
  required(env, ENV.DELIVERY_RECORD_LIFETIME_SECONDS);
  const lifetimeSeconds = readInteger(env, ENV.DELIVERY_RECORD_LIFETIME_SECONDS, 0, 3600, 400 * 86_400);
  return { tableName, lifetimeSeconds };
}

/** A pass-through when there is no table: the container's own memory (process-record's `alreadyForwarded`) remains. */
export function deliverOnceWith(settings: DeliveryRecordSettings | undefined, client?: DynamoDBClient): DeliverOnce {
  if (settings === undefined) {
    return (_record, run) => run();
  }
  const config = new IdempotencyConfig({
    expiresAfterSeconds: settings.lifetimeSeconds,
    hashFunction: 'sha256',
    useLocalCache: true,
    maxLocalCacheSize: LOCAL_CACHE_SIZE,
    throwOnNoIdempotencyKey: true,
  });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: settings.tableName,
    awsSdkV3Client: client ?? new DynamoDBClient({}),
  });
  const once = makeIdempotent(
    async (_key: { readonly object: string }, attempt: Attempt): Promise<StoredOutcome> => {
      const outcome = await attempt.run();
      attempt.fresh = outcome;
      if (outcome.outcome === 'retry') {
        // Thrown so that Powertools deletes the record: the retry must send.
        throw new RetryOutcome();
      }
      if (outcome.outcome === 'forwarded' || outcome.outcome === 'quarantined') {
        return { outcome: outcome.outcome };
      }
      return { outcome: outcome.outcome, reason: outcome.reason };
    },
    { persistenceStore, config, keyPrefix: DELIVERY_RECORD_KEY_PREFIX, dataIndexArgument: 0 },
  );

  return async (record, run, context) => {
    config.registerLambdaContext(context ?? noContext());
    const attempt: Attempt = { run, fresh: undefined };
    const bucket = record.s3.bucket.name;
    const key = decodedKey(record.s3.object.key);
    try {
      const stored = await once({ object: recordIdentity(record) }, attempt);
      if (attempt.fresh !== undefined) {
        return attempt.fresh;
      }
      // A repeat: nothing sent, nothing recorded again.
      if (stored.outcome === 'forwarded') {
        return { outcome: 'forwarded', bucket, key, result: 'already' };
      }
      return {
        outcome: 'skipped',
        bucket,
        key,
        reason:
          stored.outcome === 'quarantined'
            ? 'ALREADY_QUARANTINED'
            : stored.outcome === 'rejected'
              ? 'ALREADY_REJECTED'
              : stored.reason,
      };
    } catch (error) {
      // The attempt ran: its outcome stands, whether the record was then completed or deleted (see the module comment).
      if (attempt.fresh !== undefined) {
        return attempt.fresh;
      }
      const errorName = error instanceof Error ? error.name : 'Error';
      if (!errorName.startsWith('Idempotency')) {
        throw error;
      }
      // In progress elsewhere, or the table could not be reached: nothing was sent; come back later.
      return { outcome: 'retry', bucket, key, reason: 'TRANSIENT', errorName };
    }
  };
}

/** One record's attempt: how to run it, and its outcome once it ran. */
interface Attempt {
  readonly run: RunRecord;
  fresh: RecordOutcome | undefined;
}

class RetryOutcome extends Error {
  override readonly name = 'RetryOutcome';
}

function noContext(): Context {
  const deadline = Date.now() + NO_CONTEXT_DEADLINE_MILLIS;
  return { getRemainingTimeInMillis: () => Math.max(1, deadline - Date.now()) } as Context;
}

function decodedKey(raw: string): string {
  try {
    return decodeS3Key(raw);
  } catch {
    return raw;
  }
}
