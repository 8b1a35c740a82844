/**
 * The receipt rule set and its one rule: TLS required, spam and virus scanning, the named recipients only, and the
 * S3 action that encrypts each mail with the mail key.
 */
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { EncryptedS3Action } from './encrypted-s3-action';
import type { MailStore } from './mail-store';

/** Properties of `InboundReceiptRule`. */
export interface InboundReceiptRuleProps {
  readonly store: MailStore;
  readonly recipients: readonly string[];
  readonly ruleSetName: string;
  readonly ruleName: string;
  readonly objectKeyPrefix: string;
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
      actions: [
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
