import type { RemovalPolicy } from 'aws-cdk-lib';

/** Where SES stores the encrypted mail, and for how long. Part of `EncryptedInboundMailProps`. */
export interface MailStoreProps {
  /**
   * Key prefix of stored mail in the mail bucket.
   *
   * @default 'raw/'
   */
  readonly objectKeyPrefix?: string;
  /**
   * Prefixes the rule stored mail under before (a rename): that mail keeps expiring after `rawMailRetentionDays`,
   * stays readable by the function's retries, `redrive` and operators, and stays closed to writers other than SES.
   *
   * @default - none
   */
  readonly previousObjectKeyPrefixes?: string[];
  /**
   * Days stored (encrypted) mail is kept in the mail bucket.
   *
   * @default 30
   */
  readonly rawMailRetentionDays?: number;
  /**
   * Days quarantined mail (under `quarantine/` in the mail bucket) is kept before its lifecycle rule deletes it.
   *
   * @default 30
   */
  readonly quarantineRetentionDays?: number;
  /**
   * Removal policy of the keys and buckets (stored mail cannot be read without the mail key). RETAIN is applied as
   * RETAIN_ON_UPDATE_OR_DELETE (CloudFormation's `RetainExceptOnCreate`): kept on stack deletion and replacement,
   * deleted only when the deployment that created them rolls back.
   *
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
}
