/**
 * The decrypt function's side of the verdict actions (lambda/contract/verdict-actions.ts): which reasons SES's own
 * header block gives for refusing a stored mail, and what to do with it.
 *
 * The gate decides from SES's receipt before the mail is stored and stops only what is to be stopped; the function
 * decides again from the verdicts SES wrote into the stored mail (ses-verdicts.ts), which no sender can forge.
 * Virus FAIL always refuses here, whatever `REFUSE_VIRUS` says (the function is the second line for mail stored while
 * the gate was off or failing open). SES's header gives no DMARC policy, so with `REFUSE_DMARC_FAIL` every DMARC
 * FAIL that reached the function refuses: a domain with policy none is then quarantined or marked, never lost.
 */
import { actionFor, type VerdictAction } from '../contract/verdict-actions';
import type { RefusalReason } from '../contract/verdict-policy';
import type { VerdictSettings } from './config';
import type { SesVerdicts } from './ses-verdicts';

/** What the function does with a mail: forward it, or what its refusal reasons ask for. */
export interface FunctionVerdict {
  readonly action: VerdictAction | 'forward';
  readonly reasons: readonly RefusalReason[];
}

/** The reasons SES's verdicts give under `policy`, and the action they ask for. */
export function functionVerdict(verdicts: SesVerdicts | undefined, settings: VerdictSettings): FunctionVerdict {
  const { policy, actions } = settings;
  const reasons: RefusalReason[] = [];
  if (verdicts !== undefined) {
    if (verdicts.virus === 'FAIL') reasons.push('VIRUS');
    if (policy.refuseSpam && verdicts.spam === 'FAIL') reasons.push('SPAM');
    if (policy.refuseSpfFail && verdicts.spf === 'FAIL') reasons.push('SPF');
    if (policy.refuseDkimFail && verdicts.dkim === 'FAIL') reasons.push('DKIM');
    if (policy.refuseDmarcFail && verdicts.dmarc === 'FAIL') reasons.push('DMARC');
  }
  return { action: actionFor(reasons, actions) ?? 'forward', reasons };
}
