import type * as route53 from 'aws-cdk-lib/aws-route53';
import type * as ses from 'aws-cdk-lib/aws-ses';

/** How SES receives the mail: for which recipients, through which rule and rule set, and (optionally) the DNS that points the domain at SES. Part of `EncryptedInboundMailProps`. */
export interface ReceivingProps {
  /** Addresses or domains SES accepts mail for. Must not be empty. */
  readonly recipients: string[];
  /**
   * Name of the receipt rule set the construct creates. Not with `ruleSet`. Up to 0.x the default was
   * `encrypted-inbound`: give that name to keep the set of an existing deployment.
   *
   * @default - `encrypted-inbound-<hash>`, unique to this construct in its account and region (`default-names.ts`)
   */
  readonly ruleSetName?: string;
  /**
   * An existing rule set, such as the one the account already receives its other mail with: the construct adds its
   * rule to it and creates no rule set and no activation (whether the set is active is the set owner's business).
   * Not with `activateRuleSet` or `ruleSetName`.
   *
   * @default - the construct creates its own rule set (`ruleSetName`), activated or not (`activateRuleSet`)
   */
  readonly ruleSet?: ses.IReceiptRuleSet;
  /**
   * With `ruleSet`: the rule of that set after which ours goes. SES applies a set's rules in order, so a rule before
   * ours that stops the rule set for our recipients keeps mail from ever reaching ours.
   *
   * @default - first in the set
   */
  readonly after?: ses.IReceiptRule;
  /**
   * Name of the receipt rule; it is bound into every stored mail's encryption context.
   *
   * @default - `store-encrypted` in the construct's own set; `store-encrypted-<hash>` in a set given as `ruleSet`
   */
  readonly ruleName?: string;
  /**
   * Make the rule set the account's active one, replacing whatever set is active, when the stack is created or when
   * this turns on. Whether or not this is on, deleting the stack (or rolling back its creation) gives the account back
   * the set that was active before ours, if ours is still the active one and that set still exists; otherwise it
   * deactivates ours if it is still active. Not with `ruleSet`.
   *
   * @default false
   */
  readonly activateRuleSet?: boolean;
  /**
   * A public hosted zone for the receiving domain: the construct then creates the SES domain identity (DKIM records)
   * and the MX record pointing at SES inbound, for `receivingDomain`.
   *
   * @default - no identity and no MX record; publish them yourself
   */
  readonly hostedZone?: route53.IHostedZone;
  /**
   * The domain mail is received for, with `hostedZone`: a subdomain of the zone (mail.example.org), so that the
   * domain's existing mail is untouched. The zone's own name is accepted only with `replaceApexMx`.
   *
   * @default - required with `hostedZone`
   */
  readonly receivingDomain?: string;
  /**
   * Put the MX record at the zone apex, replacing where the whole domain's mail goes. Only with `hostedZone`, and
   * `receivingDomain` left out or equal to the zone's name.
   *
   * @default false
   */
  readonly replaceApexMx?: boolean;
  /**
   * Rule names this construct's rule had before (a rename): mail stored under them stays readable by the function, its
   * retries, `redrive` and operators (the rule name is bound into each mail's encryption context), and SES may write
   * under them while the update moves the rule.
   *
   * @default - none
   */
  readonly previousRuleNames?: string[];
  /**
   * Rule-set names the rule was in before (a rename): SES may write and invoke the verdict gate under them while the
   * update moves the rule and the activation.
   *
   * @default - none
   */
  readonly previousRuleSetNames?: string[];
}
