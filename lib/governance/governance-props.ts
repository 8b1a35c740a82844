import type * as sns from 'aws-cdk-lib/aws-sns';

/** Who may administer the keys and how that is watched: MFA, operators, the audit trail, Macie, alarms. Part of `EncryptedInboundMailProps`. */
export interface GovernanceProps {
  /**
   * Require MFA for the administrative actions a person would take on the keys (policy changes, disabling, disabling
   * rotation, scheduling deletion). CDK's CloudFormation execution role is exempt so deployments keep working.
   *
   * @default false
   */
  readonly requireMfaForKeyAdministration?: boolean;
  /**
   * IAM roles allowed to decrypt stored mail with the mail key (operators running `decrypt`, `replay`, `redrive`),
   * under the same encryption-context conditions as the function. They also need s3:GetObject on the mail bucket.
   *
   * @default - nobody but the function
   */
  readonly operatorRoleArns?: string[];
  /**
   * Record an audit trail: a CloudTrail trail (KMS-encrypted, log file validation on, its own access-logged bucket)
   * with S3 data events for the mail and payload buckets. Every data-key unwrap is a KMS Decrypt event whose encryption
   * context names the SES message id.
   *
   * @default false
   */
  readonly auditTrail?: boolean;
  /**
   * Days audit log files are kept, when `auditTrail` is on.
   *
   * @default 365
   */
  readonly auditRetentionDays?: number;
  /**
   * Run a daily Amazon Macie sensitive-data discovery job over the payload bucket (the only place decrypted mail
   * rests). Macie must be enabled in the account.
   *
   * @default false
   */
  readonly payloadDiscovery?: boolean;
  /**
   * An SNS topic every alarm notifies when it fires and when it clears (in the stack's region; if it is encrypted,
   * its key must let CloudWatch use it).
   *
   * @default - alarms only change state in CloudWatch; nobody is notified
   */
  readonly alarmTopic?: sns.ITopic;
}
