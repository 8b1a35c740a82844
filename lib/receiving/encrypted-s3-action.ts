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

/** Where SES stores mail and with which key, for which rule. */
export interface EncryptedS3ActionOptions {
  readonly bucket: s3.Bucket;
  readonly kmsKey: kms.Key;
  readonly objectKeyPrefix: string;
  readonly ruleSetName: string;
  readonly ruleName: string;
}

/** SES's S3 action, "encrypt message" on. */
export class EncryptedS3Action implements ses.IReceiptRuleAction {
  constructor(private readonly options: EncryptedS3ActionOptions) {}

  bind(rule: ses.IReceiptRule): ses.ReceiptRuleActionConfig {
    const { bucket, kmsKey, objectKeyPrefix, ruleSetName, ruleName } = this.options;
    const sourceArn = Stack.of(rule).formatArn({
      service: 'ses',
      resource: 'receipt-rule-set',
      resourceName: `${ruleSetName}:receipt-rule/${ruleName}`,
    });
    const ses = new iam.ServicePrincipal('ses.amazonaws.com');

    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSesToStoreMailOfThisRule',
        principals: [ses],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`${objectKeyPrefix}*`)],
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
        resources: [bucket.arnForObjects(`${objectKeyPrefix}*`)],
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
            'kms:EncryptionContext:aws:ses:rule-name': ruleName,
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
