/**
 * The verdict gate: a receipt rule's Lambda action, invoked RequestResponse before the S3 action, that stops mail
 * whose SES verdicts the policy refuses (`verdict-policy.ts`) when the refusal's action is `stop`
 * (`verdict-actions.ts`), so it is never stored, decrypted or delivered. Mail refused with `quarantine` (the default)
 * or `deliver-marked` continues: SES stores it and the decrypt function acts on it.
 *
 * SES passes `{ Records: [{ eventSource: 'aws:ses', ses: { receipt, mail } }] }` and reads the disposition from the
 * returned object: STOP_RULE skips the rule's remaining actions, CONTINUE (or anything else) goes on
 * (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda.html).
 *
 * The event carries addresses and headers: only verdicts, the SES message id and the decision are logged.
 * Failing open: any error here (a malformed event, a bad setting) answers CONTINUE and is logged and counted
 * (`GateErrors`). SES's documentation does not say what it does when a RequestResponse action fails or times out, so
 * the gate does not leave that to it; the mail is stored, and the decrypt function still quarantines a mail whose
 * SES-written virus verdict is FAIL (or rejects it, `VIRUS_DETECTED`, when the virus action is `stop`), so failing
 * open never delivers a virus SES detected.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { readVerdictPolicy } from '../contract/environment-values';
import { gateDisposition, readVerdictActions, type VerdictActions } from '../contract/verdict-actions';
import { type Disposition, decide, type SesReceiptVerdicts, type VerdictPolicy } from '../contract/verdict-policy';
import { errorNameOf } from '../reader/errors';

const SERVICE = 'ses-encrypted-inbound-gate';
const logger = new Logger({ serviceName: SERVICE });
const metrics = new Metrics({ namespace: 'SesEncryptedInbound', serviceName: SERVICE });

/** The parts of SES's Lambda-action event the gate reads. */
export interface SesLambdaActionEvent {
  readonly Records?: ReadonlyArray<{
    readonly ses?: { readonly receipt?: SesReceiptVerdicts; readonly mail?: { readonly messageId?: string } };
  }>;
}

/** What SES reads back. */
export interface GateResponse {
  readonly disposition: Disposition;
}

/** Makes a gate with its policy read from `env` at the first invocation. */
export function createVerdictGate(env: Readonly<Record<string, string | undefined>> = process.env) {
  let policy: VerdictPolicy | undefined;
  let actions: VerdictActions | undefined;
  return async function verdictGate(event: SesLambdaActionEvent, context?: Context): Promise<GateResponse> {
    if (context !== undefined) {
      logger.addContext(context);
    }
    try {
      policy ??= readVerdictPolicy(env);
      const ses = event.Records?.[0]?.ses;
      const receipt = ses?.receipt;
      if (receipt === undefined) {
        throw new TypeError('the event holds no SES receipt');
      }
      actions ??= readVerdictActions(env);
      const refused = decide(receipt, policy);
      // Refused mail is stopped only when its action is stop; quarantine and deliver-marked need it stored.
      const decision = { disposition: gateDisposition(refused.reasons, actions), reasons: refused.reasons };
      logger.info('gate decision', {
        sesMessageId: printableId(ses?.mail?.messageId),
        verdicts: {
          virus: known(receipt.virusVerdict?.status, STATUSES),
          spam: known(receipt.spamVerdict?.status, STATUSES),
          spf: known(receipt.spfVerdict?.status, STATUSES),
          dkim: known(receipt.dkimVerdict?.status, STATUSES),
          dmarc: known(receipt.dmarcVerdict?.status, STATUSES),
          dmarcPolicy: known(lowerCase(receipt.dmarcPolicy), DMARC_POLICIES),
        },
        disposition: decision.disposition,
        reasons: decision.reasons,
      });
      count(decision.disposition, decision.reasons);
      return { disposition: decision.disposition };
    } catch (error) {
      logger.error('gate failed: the mail continues (the decrypt function still refuses virus FAIL)', {
        errorName: errorNameOf(error),
      });
      const errors = metrics.singleMetric();
      errors.addMetric('GateErrors', MetricUnit.Count, 1);
      count('CONTINUE', []);
      return { disposition: 'CONTINUE' };
    }
  };
}

/** The gate's entry point (`index.handler` in its bundle). */
export const handler = createVerdictGate();

/** One metric per decision (for the refused-mail rate) and one per refusal reason. */
function count(disposition: Disposition, reasons: readonly string[]): void {
  const decision = metrics.singleMetric();
  decision.addDimension('Decision', disposition);
  decision.addMetric('GateDecisions', MetricUnit.Count, 1);
  for (const reason of reasons) {
    const refusal = metrics.singleMetric();
    refusal.addDimension('Reason', reason);
    refusal.addMetric('GateRefusals', MetricUnit.Count, 1);
  }
}

/** The words SES's receipt uses (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html). */
const STATUSES = new Set(['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED', 'DISABLED']);
const DMARC_POLICIES = new Set(['none', 'quarantine', 'reject']);

/** A value lower-cased when it is text (SES's DMARC policy), else as it is. */
function lowerCase(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

/** A receipt word for the log: as given when SES defines it, else OTHER (the DMARC policy comes from DNS). */
function known(word: unknown, words: ReadonlySet<string>): string | undefined {
  if (word === undefined) return undefined;
  return typeof word === 'string' && words.has(word) ? word : 'OTHER';
}

/** SES message ids are lower-case letters and digits; anything else is not logged as given. */
function printableId(id: string | undefined): string | undefined {
  return id !== undefined && /^[a-z0-9]{1,64}$/.test(id) ? id : undefined;
}
