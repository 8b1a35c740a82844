/**
 * The receipt rule's S3 action with KMS encryption, granting SES exactly what it needs and no more.
 *
 * aws-cdk-lib's `aws_ses_actions.S3` lets SES use the key for any rule of the account; this one pins the bucket and
 * key grants to this account and this rule (by `aws:SourceArn` and the encryption context SES sends).
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as ses from 'aws-cdk-lib/aws-ses';
import { oneOrList, type RuleHistory, receiptRuleArns } from './rule-history';

/** Where SES stores mail and with which key, for which rule. */
export interface EncryptedS3ActionOptions {
  readonly bucket: s3.Bucket;
  readonly kmsKey: kms.Key;
  readonly objectKeyPrefix: string;
  readonly ruleSetName: string;
  readonly ruleName: string;
  /** The names and prefixes the rule had before (a rename), besides the current ones. */
  readonly history: RuleHistory;
}

/** SES's S3 action, "encrypt message" on. */
export class EncryptedS3Action implements ses.IReceiptRuleAction {
  constructor(private readonly options: EncryptedS3ActionOptions) {}

  bind(rule: ses.IReceiptRule): ses.ReceiptRuleActionConfig {
    const { bucket, kmsKey, objectKeyPrefix, history } = this.options;
    // Every name the rule has had: SES writes with the old rule's ARN until the update has moved it.
    const sourceArn = oneOrList(receiptRuleArns(rule, history));
    const ruleNames = oneOrList(history.ruleNames);
    const ses = new iam.ServicePrincipal('ses.amazonaws.com');

    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSesToStoreMailOfThisRule',
        principals: [ses],
        actions: ['s3:PutObject'],
        // The previous prefixes too: until the update has moved the rule, SES writes where the old rule says.
        resources: history.objectKeyPrefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`)),
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(rule).account },
          ArnLike: { 'aws:SourceArn': sourceArn },
        },
      }),
    );
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        // Only SES writes under the mail prefix: nobody else, administrators included, can overwrite a stored mail
        // or plant an object (or an instruction file) for the function to read. aws:PrincipalServiceName is present
        // only when a service principal makes the call, and a negated operator is true when the key is absent
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalservicename,
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
        // PutObject also governs CopyObject's destination and multipart uploads.
        sid: 'DenyWritesToMailExceptBySes',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: history.objectKeyPrefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`)),
        conditions: { StringNotEquals: { 'aws:PrincipalServiceName': 'ses.amazonaws.com' } },
      }),
    );
    kmsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSesToEncryptMailOfThisRule',
        principals: [ses],
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        // In a key policy, "*" means this key.
        resources: ['*'],
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Stack.of(rule).account,
            'kms:EncryptionContext:aws:ses:source-account': Stack.of(rule).account,
            'kms:EncryptionContext:aws:ses:rule-name': ruleNames,
          },
          ArnLike: { 'aws:SourceArn': sourceArn },
          Null: { 'kms:EncryptionContext:aws:ses:message-id': 'false' },
        },
      }),
    );
    const policy = bucket.policy;
    if (policy !== undefined) {
      // SES checks its permissions when the rule is created.
      rule.node.addDependency(policy);
    }
    return {
      s3Action: { bucketName: bucket.bucketName, kmsKeyArn: kmsKey.keyArn, objectKeyPrefix },
    };
  }
}
