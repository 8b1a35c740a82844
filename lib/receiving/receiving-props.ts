import type * as route53 from 'aws-cdk-lib/aws-route53';

/** How SES receives the mail: for which recipients, through which rule and rule set, and (optionally) the DNS that points the domain at SES. Part of `EncryptedInboundMailProps`. */
export interface ReceivingProps {
  /** Addresses or domains SES accepts mail for. Must not be empty. */
  readonly recipients: readonly string[];
  /**
   * Name of the receipt rule set.
   *
   * @default 'encrypted-inbound'
   */
  readonly ruleSetName?: string;
  /**
   * Name of the receipt rule; it is bound into every stored mail's encryption context.
   *
   * @default 'store-encrypted'
   */
  readonly ruleName?: string;
  /**
   * Make the rule set the account's active one (replacing whatever set is active). Whether or not this is on, deleting
   * the stack deactivates the set if, and only if, it is still the active one.
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
}
