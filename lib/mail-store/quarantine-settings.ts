/**
 * The quarantine's props (`virusAction` … `dmarcFailAction`, `quarantineRetentionDays`, `quarantineAlarmThreshold`)
 * turned into settings, and their checks.
 */
import { ConfigError } from '../../lambda/contract/environment-values';
import {
  checkVerdictActions,
  DEFAULT_QUARANTINE_PREFIX,
  type VerdictActions,
} from '../../lambda/contract/verdict-actions';
import { ConfigurationError } from '../configuration-error';

/** The props this file reads. */
export interface QuarantineProps {
  readonly virusAction?: string;
  readonly spamAction?: string;
  readonly spfFailAction?: string;
  readonly dkimFailAction?: string;
  readonly dmarcFailAction?: string;
}

/** The action per refusal reason, defaults applied. */
export function verdictActionsOf(props: QuarantineProps): VerdictActions {
  const given = {
    VIRUS: props.virusAction,
    SPAM: props.spamAction,
    SPF: props.spfFailAction,
    DKIM: props.dkimFailAction,
    DMARC: props.dmarcFailAction,
  };
  const named = Object.fromEntries(Object.entries(given).filter(([, action]) => action !== undefined));
  try {
    return checkVerdictActions(named, 'verdict actions (virusAction, spamAction, …)');
  } catch (error) {
    throw error instanceof ConfigError ? new ConfigurationError(error.message) : error;
  }
}

/** Checks the retention, the alarm threshold, and that quarantine/ and the mail prefix do not overlap. */
export function checkQuarantine(settings: {
  readonly objectKeyPrefix: string;
  readonly previousObjectKeyPrefixes: readonly string[];
  readonly quarantineRetentionDays: number;
  readonly quarantineAlarmThreshold: number;
  readonly verdictActions: VerdictActions;
}): void {
  if (!Number.isInteger(settings.quarantineRetentionDays) || settings.quarantineRetentionDays < 1) {
    throw new ConfigurationError('quarantineRetentionDays must be a whole number of days, at least 1');
  }
  if (!Number.isInteger(settings.quarantineAlarmThreshold) || settings.quarantineAlarmThreshold < 1) {
    throw new ConfigurationError('quarantineAlarmThreshold must be a whole number, at least 1');
  }
  // Quarantined copies must not land where SES writes (the bucket denies it) or where the function is triggered.
  const quarantines = Object.values(settings.verdictActions).includes('quarantine');
  for (const prefix of quarantines ? [settings.objectKeyPrefix, ...settings.previousObjectKeyPrefixes] : []) {
    if (DEFAULT_QUARANTINE_PREFIX.startsWith(prefix) || prefix.startsWith(DEFAULT_QUARANTINE_PREFIX)) {
      throw new ConfigurationError(
        `objectKeyPrefix and previousObjectKeyPrefixes must not overlap the quarantine prefix ${DEFAULT_QUARANTINE_PREFIX} while an action is quarantine`,
      );
    }
  }
}
