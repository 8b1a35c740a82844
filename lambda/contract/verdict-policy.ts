/**
 * Which of SES's verdicts refuse a mail, decided by the gate before it is stored from the receipt SES hands a receipt
 * rule's Lambda action (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html): `virusVerdict`,
 * `spamVerdict`, `spfVerdict`, `dkimVerdict`, `dmarcVerdict` (each `{ status }`: PASS, FAIL, GRAY,
 * PROCESSING_FAILED or DISABLED), and `dmarcPolicy` (none, quarantine or reject; present when DMARC failed).
 *
 * Only FAIL refuses, and only for the verdicts the policy names. Every other value (GRAY, PROCESSING_FAILED, DISABLED,
 * missing) lets the mail through: an undecided or failed scan is not evidence against the mail, and the consumer sees
 * the verdict on the message. Virus FAIL is refused by default; spam, SPF, DKIM and DMARC are each opt-in. What a
 * refusal does is its action (verdict-actions.ts): the gate stops only refusals whose action is `stop`. The decrypt
 * function decides again from SES's headers in the stored mail (lambda/decrypt-function/verdict-action.ts).
 */

/** What the gate refuses. */
export interface VerdictPolicy {
  /** Refuse mail whose virus verdict is FAIL. @default true */
  readonly refuseVirus: boolean;
  /** Refuse mail whose spam verdict is FAIL. @default false */
  readonly refuseSpam: boolean;
  /** Refuse mail whose SPF verdict is FAIL. @default false */
  readonly refuseSpfFail: boolean;
  /** Refuse mail whose DKIM verdict is FAIL. @default false */
  readonly refuseDkimFail: boolean;
  /**
   * Refuse mail whose DMARC verdict is FAIL: here, at the gate, only while the sending domain's policy is quarantine
   * or reject; the decrypt function, which sees no policy in SES's headers, refuses every DMARC FAIL. @default false
   */
  readonly refuseDmarcFail: boolean;
}

/** The defaults: refuse viruses only. */
export const DEFAULT_VERDICT_POLICY: VerdictPolicy = {
  refuseVirus: true,
  refuseSpam: false,
  refuseSpfFail: false,
  refuseDkimFail: false,
  refuseDmarcFail: false,
};

/** Why a mail was refused. */
export type RefusalReason = 'VIRUS' | 'SPAM' | 'SPF' | 'DKIM' | 'DMARC';

/** The parts of SES's receipt the gate reads. */
export interface SesReceiptVerdicts {
  readonly virusVerdict?: { readonly status?: string };
  readonly spamVerdict?: { readonly status?: string };
  readonly spfVerdict?: { readonly status?: string };
  readonly dkimVerdict?: { readonly status?: string };
  readonly dmarcVerdict?: { readonly status?: string };
  readonly dmarcPolicy?: string;
}

/** SES's dispositions for a RequestResponse Lambda action: STOP_RULE skips the rule's later actions (the S3 one). */
export type Disposition = 'CONTINUE' | 'STOP_RULE';

/** The decision and the reasons for it (empty when the mail continues). */
export interface GateDecision {
  readonly disposition: Disposition;
  readonly reasons: readonly RefusalReason[];
}

/** Decides, from the receipt alone. */
export function decide(receipt: SesReceiptVerdicts, policy: VerdictPolicy): GateDecision {
  const failed = (verdict: { readonly status?: string } | undefined) => verdict?.status?.toUpperCase() === 'FAIL';
  const reasons: RefusalReason[] = [];
  if (policy.refuseVirus && failed(receipt.virusVerdict)) reasons.push('VIRUS');
  if (policy.refuseSpam && failed(receipt.spamVerdict)) reasons.push('SPAM');
  if (policy.refuseSpfFail && failed(receipt.spfVerdict)) reasons.push('SPF');
  if (policy.refuseDkimFail && failed(receipt.dkimVerdict)) reasons.push('DKIM');
  // SES sends text; anything else (not SES's) names no policy rather than failing the gate open.
  const dmarcPolicy = typeof receipt.dmarcPolicy === 'string' ? receipt.dmarcPolicy.toLowerCase() : undefined;
  if (
    policy.refuseDmarcFail &&
    failed(receipt.dmarcVerdict) &&
    (dmarcPolicy === 'reject' || dmarcPolicy === 'quarantine')
  ) {
    reasons.push('DMARC');
  }
  return { disposition: reasons.length > 0 ? 'STOP_RULE' : 'CONTINUE', reasons };
}
