/**
 * The deployable stack's settings, read from CDK context (`-c name=value`, or cdk.json) strictly: a misspelt key or a
 * malformed value stops synthesis with a message that names it and the fix, rather than being ignored.
 */

import type { Construct } from 'constructs';
import { ConfigurationError } from '../configuration-error';

/** The context keys the stack reads; `recipients` is the only one required. */
export const CONTEXT_KEYS = [
  'recipients',
  'ruleSetName',
  'ruleName',
  'objectKeyPrefix',
  'previousRuleNames',
  'previousRuleSetNames',
  'previousObjectKeyPrefixes',
  'inlineMaxBytes',
  'rawMailRetentionDays',
  'queueRetentionDays',
  'fifo',
  'deliveryRecords',
  'acceptQueueReplacement',
  'fips',
  'activateRuleSet',
  'hostedZoneId',
  'hostedZoneName',
  'receivingDomain',
  'replaceApexMx',
  'requireMfa',
  'operatorRoleArns',
  'auditTrail',
  'auditRetentionDays',
  'macie',
  'alarmTopicArn',
  'verdictGateReservedConcurrency',
  'sourceMaps',

  'directInvocation',
  'workQueueMaxConcurrency',
  'refuseVirus',
  'refuseSpam',
  'refuseSpfFail',
  'refuseDkimFail',
  'refuseDmarcFail',
  'virusAction',
  'spamAction',
  'spfFailAction',
  'dkimFailAction',
  'dmarcFailAction',
  'quarantineRetentionDays',
  'quarantineAlarmThreshold',
] as const;

/** A context key the stack reads. */
export type ContextKey = (typeof CONTEXT_KEYS)[number];

/** A context value the stack cannot use; the message names the key and what it must be. */
export class ContextError extends ConfigurationError {
  override readonly name = 'ContextError';
}

/** Reads typed values from CDK context; `-c` values arrive as strings. */
export class StackContext {
  constructor(private readonly scope: Construct) {}

  /**
   * Refuses context keys the stack does not know. Keys holding ':' belong to the CDK (feature flags, `aws:cdk:…`,
   * cached lookups) and are left alone.
   * @throws ContextError naming the unknown keys, the closest known one, and every known key
   */
  checkKnownKeys(): void {
    const known: readonly string[] = CONTEXT_KEYS;
    const unknown = Object.keys(this.scope.node.getAllContext()).filter(
      (key) => !key.includes(':') && !known.includes(key),
    );
    if (unknown.length > 0) {
      const first = unknown[0] as string;
      const near = known.find((key) => key.toLowerCase() === first.toLowerCase());
      throw new ContextError(
        `unknown context key ${unknown.map((key) => `'${printable(key)}'`).join(', ')}${near === undefined ? '' : ` (did you mean '${near}'?)`}; the stack reads ${known.join(', ')}`,
      );
    }
  }

  string(name: ContextKey): string | undefined {
    const value: unknown = this.scope.node.tryGetContext(name);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new ContextError(`context ${name} must be a string`);
    return value;
  }

  list(name: ContextKey): string[] | undefined {
    const value: unknown = this.scope.node.tryGetContext(name);
    if (Array.isArray(value)) return value.map(String);
    return this.string(name)
      ?.split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }

  number(name: ContextKey): number | undefined {
    const value: unknown = this.scope.node.tryGetContext(name);
    if (value === undefined || value === null || value === '') return undefined;
    const parsed = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(parsed)) throw new ContextError(`context ${name} must be a number`);
    return parsed;
  }

  boolean(name: ContextKey): boolean | undefined {
    const value: unknown = this.scope.node.tryGetContext(name);
    if (value === undefined || value === null || value === '') return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new ContextError(`context ${name} must be true or false`);
  }
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 60);
}
