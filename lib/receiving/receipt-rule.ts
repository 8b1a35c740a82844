/**
 * The receipt rule set and its one rule (or only the rule, in a set the account already has): TLS required, spam and virus scanning, the named recipients only, the
 * verdict gate, then the S3 action that encrypts each mail with the mail key.
 */
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { VerdictGateAction } from '../functions/verdict-gate-function';
import type { MailStore } from '../mail-store/mail-store';
import { EncryptedS3Action } from './encrypted-s3-action';
import type { RuleHistory } from './rule-history';

/** Properties of `InboundReceiptRule`. */
export interface InboundReceiptRuleProps {
  readonly store: MailStore;
  readonly recipients: readonly string[];
  /** The set to create, or `existing`'s name. */
  readonly ruleSetName: string;
  /** A set the account already has: the rule goes into it, after `after`, and no set is created. */
  readonly existing?: ses.IReceiptRuleSet;
  readonly after?: ses.IReceiptRule;
  readonly ruleName: string;
  readonly objectKeyPrefix: string;
  /** The names and prefixes the rule has had, current first. */
  readonly history: RuleHistory;
  /** The verdict gate, invoked before the S3 action. */
  readonly gate: lambda.IFunction;
}

/** The rule set (unless an existing one is given) and the rule. */
export class InboundReceiptRule extends Construct {
  readonly ruleSet: ses.IReceiptRuleSet;
  /** Whether the set is the construct's own (false: an existing set given by the user). */
  readonly ownsRuleSet: boolean;
  readonly rule: ses.ReceiptRule;

  constructor(scope: Construct, id: string, props: InboundReceiptRuleProps) {
    super(scope, id);
    this.ownsRuleSet = props.existing === undefined;
    const options = ruleOptions(props);
    if (props.existing === undefined) {
      const own = new ses.ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: props.ruleSetName });
      this.ruleSet = own;
      this.rule = own.addRule('StoreEncrypted', options);
    } else {
      this.ruleSet = props.existing;
      this.rule = new ses.ReceiptRule(this, 'StoreEncrypted', {
        ...options,
        ruleSet: props.existing,
        after: props.after,
      });
    }
  }
}

function ruleOptions(props: InboundReceiptRuleProps): ses.ReceiptRuleOptions {
  return {
    receiptRuleName: props.ruleName,
    recipients: [...props.recipients],
    enabled: true,
    scanEnabled: true,
    tlsPolicy: ses.TlsPolicy.REQUIRE,
    // The gate first: when it answers STOP_RULE, SES skips the S3 action and the mail is never stored.
    actions: [
      new VerdictGateAction(props.gate, props.history),
      new EncryptedS3Action({
        bucket: props.store.bucket,
        kmsKey: props.store.key,
        objectKeyPrefix: props.objectKeyPrefix,
        ruleSetName: props.ruleSetName,
        ruleName: props.ruleName,
        history: props.history,
      }),
    ],
  };
}
