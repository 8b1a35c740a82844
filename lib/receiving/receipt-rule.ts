/**
 * The receipt rule set and its one rule: TLS required, spam and virus scanning, the named recipients only, the
 * verdict gate, then the S3 action that encrypts each mail with the mail key.
 */
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { VerdictGateAction } from '../functions/verdict-gate-function';
import type { MailStore } from '../mail-store/mail-store';
import { EncryptedS3Action } from './encrypted-s3-action';

/** Properties of `InboundReceiptRule`. */
export interface InboundReceiptRuleProps {
  readonly store: MailStore;
  readonly recipients: readonly string[];
  readonly ruleSetName: string;
  readonly ruleName: string;
  readonly objectKeyPrefix: string;
  /** The verdict gate, invoked before the S3 action. */
  readonly gate: lambda.IFunction;
}

/** The rule set and the rule. */
export class InboundReceiptRule extends Construct {
  readonly ruleSet: ses.ReceiptRuleSet;
  readonly rule: ses.ReceiptRule;

  constructor(scope: Construct, id: string, props: InboundReceiptRuleProps) {
    super(scope, id);
    this.ruleSet = new ses.ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: props.ruleSetName });
    this.rule = this.ruleSet.addRule('StoreEncrypted', {
      receiptRuleName: props.ruleName,
      recipients: [...props.recipients],
      enabled: true,
      scanEnabled: true,
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      // The gate first: when it answers STOP_RULE, SES skips the S3 action and the mail is never stored.
      actions: [
        new VerdictGateAction(props.gate, { ruleSetName: props.ruleSetName, ruleName: props.ruleName }),
        new EncryptedS3Action({
          bucket: props.store.bucket,
          kmsKey: props.store.key,
          objectKeyPrefix: props.objectKeyPrefix,
          ruleSetName: props.ruleSetName,
          ruleName: props.ruleName,
        }),
      ],
    });
  }
}
