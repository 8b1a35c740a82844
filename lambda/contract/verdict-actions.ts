/**
 * What becomes of a mail a verdict refuses (docs/CONTRACT.md, "Verdict actions"), decided per refusal reason:
 *
 * - `stop`: the verdict gate answers STOP_RULE, so SES never stores the mail (the behaviour before 0.3.0);
 * - `quarantine`: SES stores it; the decrypt function copies the object, still encrypted as SES wrote it, to
 *   `quarantine/<REASONS>/<SES message id>` in the mail bucket and forwards nothing. Only an operator's
 *   `ses-inbound quarantine release` delivers it;
 * - `deliver-marked`: forwarded, with the refusal reasons in the `VerdictRefusal` attribute for consumers that decide.
 *
 * When several verdicts refuse one mail, the strictest action wins (stop, then quarantine, then deliver-marked).
 * Virus mail is never forwarded by the pipeline: `deliver-marked` is refused for VIRUS.
 */
import { ENV } from './env-names';
import { ConfigError, type Env, optional } from './environment-values';
import type { Disposition, RefusalReason } from './verdict-policy';

/** One of the three actions. */
export type VerdictAction = 'stop' | 'quarantine' | 'deliver-marked';

/** The action for each refusal reason. */
export type VerdictActions = Readonly<Record<RefusalReason, VerdictAction>>;

/** Every refusal reason, in the order keys name them. */
export const REFUSAL_REASONS: readonly RefusalReason[] = ['DKIM', 'DMARC', 'SPAM', 'SPF', 'VIRUS'];

/**
 * The defaults: quarantine for every reason. A false positive is then recoverable (an operator releases it) while
 * nothing refused reaches a consumer; which verdicts refuse at all stays as before (virus only, unless asked).
 */
export const DEFAULT_VERDICT_ACTIONS: VerdictActions = {
  VIRUS: 'quarantine',
  SPAM: 'quarantine',
  SPF: 'quarantine',
  DKIM: 'quarantine',
  DMARC: 'quarantine',
};

/** The mail bucket's prefix for quarantined mail; `QUARANTINE_PREFIX` may name another. */
export const DEFAULT_QUARANTINE_PREFIX = 'quarantine/';

/** Days quarantined mail is kept before the bucket's lifecycle removes it. */
export const DEFAULT_QUARANTINE_RETENTION_DAYS = 30;

const ACTIONS: readonly VerdictAction[] = ['stop', 'quarantine', 'deliver-marked'];
const STRICTNESS: Readonly<Record<VerdictAction, number>> = { stop: 3, quarantine: 2, 'deliver-marked': 1 };

/** The action for a set of reasons (the strictest of theirs); undefined when no reason refused. */
export function actionFor(reasons: readonly RefusalReason[], actions: VerdictActions): VerdictAction | undefined {
  let chosen: VerdictAction | undefined;
  for (const reason of reasons) {
    const action = actions[reason];
    if (chosen === undefined || STRICTNESS[action] > STRICTNESS[chosen]) chosen = action;
  }
  return chosen;
}

/** The gate's answer to SES: STOP_RULE only when the strictest action is `stop`; SES then stores nothing. */
export function gateDisposition(reasons: readonly RefusalReason[], actions: VerdictActions): Disposition {
  return actionFor(reasons, actions) === 'stop' ? 'STOP_RULE' : 'CONTINUE';
}

/**
 * Checks a set of actions: each a known action, VIRUS never `deliver-marked`.
 * @throws ConfigError naming the reason and the problem
 */
export function checkVerdictActions(actions: Readonly<Record<string, unknown>>, where: string): VerdictActions {
  const checked: Partial<Record<RefusalReason, VerdictAction>> = {};
  for (const reason of REFUSAL_REASONS) {
    const action = actions[reason] ?? DEFAULT_VERDICT_ACTIONS[reason];
    if (typeof action !== 'string' || !ACTIONS.includes(action as VerdictAction)) {
      throw new ConfigError(`${where}: the action for ${reason} must be one of ${ACTIONS.join(', ')}`);
    }
    if (reason === 'VIRUS' && action === 'deliver-marked') {
      throw new ConfigError(`${where}: virus mail is never forwarded; its action is stop or quarantine`);
    }
    checked[reason] = action as VerdictAction;
  }
  const unknown = Object.keys(actions).filter((name) => !REFUSAL_REASONS.includes(name as RefusalReason));
  if (unknown.length > 0) {
    throw new ConfigError(`${where}: unknown reason ${unknown.join(', ')}; reasons are ${REFUSAL_REASONS.join(', ')}`);
  }
  return checked as VerdictActions;
}

/**
 * Reads `VERDICT_ACTIONS`: a JSON object from reason to action (`{"VIRUS":"quarantine","DMARC":"deliver-marked"}`);
 * reasons it does not name keep their default.
 * @throws ConfigError when it is not such an object
 */
export function readVerdictActions(env: Env): VerdictActions {
  const text = optional(env, ENV.VERDICT_ACTIONS);
  if (text === undefined) return DEFAULT_VERDICT_ACTIONS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('VERDICT_ACTIONS must be a JSON object from reason (VIRUS, SPAM, …) to action');
  }
  return checkVerdictActions(parsed as Record<string, unknown>, 'VERDICT_ACTIONS');
}

/** Reads `QUARANTINE_PREFIX` (default `quarantine/`); it must end with '/'. */
export function readQuarantinePrefix(env: Env): string {
  const prefix = optional(env, ENV.QUARANTINE_PREFIX) ?? DEFAULT_QUARANTINE_PREFIX;
  if (!prefix.endsWith('/')) throw new ConfigError("QUARANTINE_PREFIX must end with '/'");
  return prefix;
}

/** A quarantined mail's key: the prefix, its reasons (sorted, joined by '+') and the SES message id. */
export function quarantineKey(prefix: string, reasons: readonly RefusalReason[], messageId: string): string {
  return `${prefix}${[...new Set(reasons)].sort().join('+')}/${messageId}`;
}

/** A quarantined mail's key read back; undefined when the key is not one. */
export function parseQuarantineKey(
  prefix: string,
  key: string,
): { readonly reasons: readonly RefusalReason[]; readonly messageId: string; readonly keyPrefix: string } | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const match = /^([A-Z+]+)\/([a-z0-9]{1,64})$/.exec(key.slice(prefix.length));
  if (match === null) return undefined;
  const reasons = (match[1] as string).split('+');
  if (!reasons.every((reason) => REFUSAL_REASONS.includes(reason as RefusalReason))) return undefined;
  return {
    reasons: reasons as RefusalReason[],
    messageId: match[2] as string,
    keyPrefix: `${prefix}${match[1]}/`,
  };
}
