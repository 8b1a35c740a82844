/**
 * Parses the function's configuration (docs/CONTRACT.md) once, strictly. The handler, the operator CLI and the local
 * runner share it, so a setting means the same everywhere.
 */

import { ENV } from '../contract/env-names';
import {
  ConfigError,
  type Env,
  optional,
  readInteger,
  readVerdictPolicy,
  required,
} from '../contract/environment-values';
import { readQuarantinePrefix, readVerdictActions, type VerdictActions } from '../contract/verdict-actions';
import type { VerdictPolicy } from '../contract/verdict-policy';
import { isKmsKeyArn } from '../reader/decrypt-policy';

export { ConfigError } from '../contract/environment-values';

/** `auto`: raw text when the MIME is SQS-safe UTF-8, else base64; `base64`: always base64. */
export type BodyEncoding = 'auto' | 'base64';

/**
 * The settings that govern decryption (shared by the function and the CLI). There is no legacy-CBC setting: the
 * function never reads AES/CBC (SES never writes it); only the CLI's `--allow-legacy-cbc` does, for other clients'
 * objects.
 */
export interface DecryptSettings {
  readonly expectedKmsKeyArn: string | undefined;
  readonly expectedSourceAccount: string | undefined;
  readonly allowedRuleNames: readonly string[] | undefined;
  readonly maxMailBytes: number;
  /**
   * The receipt rule's object key prefix (`MAIL_PREFIX`), then the prefixes it had before (`PREVIOUS_MAIL_PREFIXES`, a
   * JSON array): when set, a mail's key must be one of them plus the message id, so mail stored before a prefix was
   * renamed can still be retried and redriven.
   */
  readonly mailPrefixes: readonly string[] | undefined;
}

/** Everything the function needs. */
export interface FunctionConfig extends DecryptSettings {
  readonly expectedKmsKeyArn: string;
  readonly outputQueueUrl: string;
  readonly failureQueueUrl: string;
  readonly payloadBucket: string;
  readonly payloadPrefix: string;
  /** The mail bucket (`MAIL_BUCKET`): a record naming another bucket is refused unread. Unset: any valid bucket name. */
  readonly mailBucket?: string;
  readonly inlineMaxBytes: number;
  readonly bodyEncoding: BodyEncoding;
  /** What refused mail becomes (verdict-action.ts). @default the policy, actions and prefix of the defaults */
  readonly verdicts?: VerdictSettings;
}

/** The verdict policy, the action per refusal reason, and where quarantined mail goes. */
export interface VerdictSettings {
  readonly policy: VerdictPolicy;
  readonly actions: VerdictActions;
  readonly quarantinePrefix: string;
}

/** Reads `REFUSE_*`, `VERDICT_ACTIONS` and `QUARANTINE_PREFIX` (the gate reads the first two too). */
export function readVerdictSettings(env: Env): VerdictSettings {
  return {
    policy: readVerdictPolicy(env),
    actions: readVerdictActions(env),
    quarantinePrefix: readQuarantinePrefix(env),
  };
}

/** Defaults of the configuration table in docs/CONTRACT.md. */
export const CONFIG_DEFAULTS = {
  payloadPrefix: 'payloads/',
  inlineMaxBytes: 262_144,
  maxMailBytes: 41_943_040,
  bodyEncoding: 'auto',
} as const;

/** SQS's own bounds on a message, body and attributes together. */
export const INLINE_MAX_BYTES_RANGE = { min: 1024, max: 1_048_576 } as const;

/**
 * Reads the decryption settings; the KMS key may be missing here (the CLI can take it from a flag).
 * @throws ConfigError
 */
export function readDecryptSettings(env: Env): DecryptSettings {
  const ruleNames = optional(env, ENV.ALLOWED_RULE_NAMES)
    ?.split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  if (ruleNames !== undefined && ruleNames.length === 0) {
    throw new ConfigError(`${ENV.ALLOWED_RULE_NAMES} is set but names no rule; unset it or list rule names`);
  }
  const account = optional(env, ENV.EXPECTED_SOURCE_ACCOUNT);
  if (account !== undefined && !/^\d{12}$/.test(account)) {
    throw new ConfigError(`${ENV.EXPECTED_SOURCE_ACCOUNT} must be a 12-digit AWS account id`);
  }
  const keyArn = optional(env, ENV.EXPECTED_KMS_KEY_ARN);
  // An alias ARN would follow UpdateAlias to whatever key it is pointed at next; the pin must name one key for good.
  if (keyArn !== undefined && !isKmsKeyArn(keyArn)) {
    throw new ConfigError(
      `${ENV.EXPECTED_KMS_KEY_ARN} must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias or a key id; ` +
        "find it with 'aws kms describe-key --key-id alias/NAME --query KeyMetadata.Arn'",
    );
  }
  return {
    expectedKmsKeyArn: keyArn,
    expectedSourceAccount: account,
    allowedRuleNames: ruleNames,
    maxMailBytes: readInteger(env, ENV.MAX_MAIL_BYTES, CONFIG_DEFAULTS.maxMailBytes, 1, 2 ** 31),
    mailPrefixes: readMailPrefixes(env),
  };
}

/** `MAIL_PREFIX` and `PREVIOUS_MAIL_PREFIXES`; undefined when the first is unset (keys are then not checked). */
function readMailPrefixes(env: Env): readonly string[] | undefined {
  // An empty prefix is a prefix too (the rule may store at the bucket's top): only unset means "not checked".
  const current = env[ENV.MAIL_PREFIX]?.trim();
  const previousText = optional(env, ENV.PREVIOUS_MAIL_PREFIXES);
  if (current === undefined) {
    if (previousText !== undefined) {
      throw new ConfigError(`${ENV.PREVIOUS_MAIL_PREFIXES} needs ${ENV.MAIL_PREFIX}`);
    }
    return undefined;
  }
  if (previousText === undefined) {
    return [current];
  }
  let previous: unknown;
  try {
    previous = JSON.parse(previousText);
  } catch {
    previous = undefined;
  }
  if (!Array.isArray(previous) || !previous.every((p) => typeof p === 'string' && (p === '' || p.endsWith('/')))) {
    throw new ConfigError(`${ENV.PREVIOUS_MAIL_PREFIXES} must be a JSON array of prefixes, each ending with '/'`);
  }
  return [current, ...previous];
}

/**
 * Reads the whole function configuration.
 * @throws ConfigError naming the variable and what it must be
 */
export function readFunctionConfig(env: Env): FunctionConfig {
  const decrypt = readDecryptSettings(env);
  const encoding = optional(env, ENV.BODY_ENCODING) ?? CONFIG_DEFAULTS.bodyEncoding;
  if (encoding !== 'auto' && encoding !== 'base64') {
    throw new ConfigError(`${ENV.BODY_ENCODING} must be auto or base64`);
  }
  return {
    ...decrypt,
    expectedKmsKeyArn: required(env, ENV.EXPECTED_KMS_KEY_ARN),
    outputQueueUrl: required(env, ENV.OUTPUT_QUEUE_URL),
    failureQueueUrl: required(env, ENV.FAILURE_QUEUE_URL),
    payloadBucket: required(env, ENV.PAYLOAD_BUCKET),
    payloadPrefix: optional(env, ENV.PAYLOAD_PREFIX) ?? CONFIG_DEFAULTS.payloadPrefix,
    ...mailBucketOf(env),
    inlineMaxBytes: readInteger(
      env,
      ENV.INLINE_MAX_BYTES,
      CONFIG_DEFAULTS.inlineMaxBytes,
      INLINE_MAX_BYTES_RANGE.min,
      INLINE_MAX_BYTES_RANGE.max,
    ),
    bodyEncoding: encoding,
    verdicts: readVerdictSettings(env),
  };
}

/**
 * `MAIL_BUCKET`, when set: a valid S3 bucket name, the only bucket the function (and an operator's dry run) reads mail
 * from.
 */
export function mailBucketOf(env: Readonly<Record<string, string | undefined>>): { mailBucket?: string } {
  const bucket = optional(env, ENV.MAIL_BUCKET);
  if (bucket === undefined) return {};
  if (!isBucketName(bucket)) throw new ConfigError(`${ENV.MAIL_BUCKET} must be an S3 bucket name`);
  return { mailBucket: bucket };
}

/**
 * An S3 general purpose bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a
 * letter or digit (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). An access point or
 * Object Lambda ARN, which the SDK would route to another account's endpoint, is not one.
 */
export function isBucketName(name: string): boolean {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name);
}
