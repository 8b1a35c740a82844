/**
 * The quarantine in the mail bucket (lambda/contract/verdict-actions.ts): its prefix and lifecycle, the decrypt
 * function's right to copy refused mail there, the operators' sole right to read (and so release) and delete it, and
 * the settings the two functions read.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { ENV } from '../../lambda/contract/env-names';
import type { VerdictActions } from '../../lambda/contract/verdict-actions';
import type { VerdictPolicy } from '../../lambda/contract/verdict-policy';

/** What the quarantine is set up with. */
export interface QuarantineOptions {
  readonly bucket: s3.Bucket;
  /** Where quarantined mail goes: `quarantine/`. */
  readonly prefix: string;
  readonly retentionDays: number;
  readonly decryptFunction: lambda.Function;
  readonly functionRole: iam.IRole;
  readonly gateFunction: lambda.Function;
  readonly policy: VerdictPolicy;
  readonly actions: VerdictActions;
  /** `operatorRoleArns`: the only principals that may read (release) or delete quarantined mail. */
  readonly operatorRoleArns: readonly string[];
}

/**
 * Adds the quarantine's lifecycle rule, grants and denies, and the functions' settings.
 * @returns the decrypt function's verdict settings (variable name to value), which operator commands run with too
 */
export function configureQuarantine(options: QuarantineOptions): Record<string, string> {
  const { bucket, prefix, functionRole } = options;
  const objects = bucket.arnForObjects(`${prefix}*`);
  bucket.addLifecycleRule({
    id: 'QuarantinedMail',
    prefix,
    expiration: Duration.days(options.retentionDays),
    noncurrentVersionExpiration: Duration.days(1),
    abortIncompleteMultipartUploadAfter: Duration.days(1),
  });
  // CopyObject needs read on the source (the function has it) and s3:PutObject on the destination
  // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html, "Permissions").
  functionRole.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: 'CopyRefusedMailToQuarantine', actions: ['s3:PutObject'], resources: [objects] }),
  );
  // Only the function writes there, so nobody can plant a mail for an operator to release. aws:PrincipalArn is the
  // role's ARN for a role's sessions (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyWritesToQuarantineExceptByTheFunction',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [objects],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': functionRole.roleArn } },
    }),
  );
  // Only operator roles read or delete it: the function cannot release (it never reads quarantine/), and without
  // operatorRoleArns nobody can until the bucket policy is changed. Listing the keys is not denied (keys hold only
  // the reasons and the SES message id).
  const operators = [...options.operatorRoleArns];
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyReadingQuarantineExceptOperators',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      resources: [objects],
      ...(operators.length > 0 ? { conditions: { ArnNotEquals: { 'aws:PrincipalArn': operators } } } : {}),
    }),
  );
  const actions = JSON.stringify(options.actions);
  options.gateFunction.addEnvironment(ENV.VERDICT_ACTIONS, actions);
  const { policy } = options;
  const settings: Record<string, string> = {};
  for (const [name, value] of [
    [ENV.VERDICT_ACTIONS, actions],
    [ENV.QUARANTINE_PREFIX, prefix],
    [ENV.REFUSE_VIRUS, String(policy.refuseVirus)],
    [ENV.REFUSE_SPAM, String(policy.refuseSpam)],
    [ENV.REFUSE_SPF_FAIL, String(policy.refuseSpfFail)],
    [ENV.REFUSE_DKIM_FAIL, String(policy.refuseDkimFail)],
    [ENV.REFUSE_DMARC_FAIL, String(policy.refuseDmarcFail)],
  ] as const) {
    options.decryptFunction.addEnvironment(name, value);
    settings[name] = value;
  }
  return settings;
}
