/**
 * Reading the functions' environment (docs/CONTRACT.md, "Configuration"): strict, each bad value a ConfigError naming
 * its variable. The construct writes these variables; both functions and the operator CLI read them through here.
 */
import { ENV } from './env-names';
import { DEFAULT_VERDICT_POLICY, type VerdictPolicy } from './verdict-policy';

/** A configuration value is missing or out of range. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** An environment: `process.env` or a test's own. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the verdict gate's policy (`REFUSE_*`; docs/CONTRACT.md).
 * @throws ConfigError naming the variable when a value is not true or false
 */
export function readVerdictPolicy(env: Env): VerdictPolicy {
  return {
    refuseVirus: readBoolean(env, ENV.REFUSE_VIRUS, DEFAULT_VERDICT_POLICY.refuseVirus),
    refuseSpam: readBoolean(env, ENV.REFUSE_SPAM, DEFAULT_VERDICT_POLICY.refuseSpam),
    refuseSpfFail: readBoolean(env, ENV.REFUSE_SPF_FAIL, DEFAULT_VERDICT_POLICY.refuseSpfFail),
    refuseDkimFail: readBoolean(env, ENV.REFUSE_DKIM_FAIL, DEFAULT_VERDICT_POLICY.refuseDkimFail),
    refuseDmarcFail: readBoolean(env, ENV.REFUSE_DMARC_FAIL, DEFAULT_VERDICT_POLICY.refuseDmarcFail),
  };
}

export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const value = optional(env, name)?.toLowerCase();
  if (value === undefined) {
    return fallback;
  }
  if (value === 'true' || value === 'false') {
    return value === 'true';
  }
  throw new ConfigError(`${name} must be true or false`);
}

export function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function required(env: Env, name: string): string {
  const value = optional(env, name);
  if (value === undefined) {
    throw new ConfigError(`${name} is required`);
  }
  return value;
}

export function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = optional(env, name);
  if (value === undefined) {
    return fallback;
  }
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(value);
}
