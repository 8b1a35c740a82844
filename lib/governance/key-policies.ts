/**
 * Key policies that separate administration from use.
 *
 * Administrators (IAM principals of the account, through their IAM policies) may manage a key but not use it; use is
 * granted statement by statement to the few principals that need it. Optionally, the actions a person would take to
 * weaken a key (policy changes, disabling, deletion) require MFA.
 */
import { DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** Managing a key, never using it: no Encrypt, Decrypt, GenerateDataKey, ReEncrypt or CreateGrant. */
export const KEY_ADMINISTRATION_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
] as const;

/** What weakens a key or what it protects: with `requireMfa`, people must have signed in with MFA to do these. */
export const SENSITIVE_KEY_ACTIONS = [
  'kms:PutKeyPolicy',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:ScheduleKeyDeletion',
] as const;

/** Options of `administrationOnlyKeyPolicy`. */
export interface KeyPolicyOptions {
  /** Require MFA for the sensitive administrative actions (CloudFormation's CDK execution role is exempt). */
  readonly requireMfa: boolean;
}

/**
 * A key policy document holding only administration; callers add use statements for each principal that needs one.
 *
 * The MFA rule is a Deny for any principal of the account without MFA, except CDK's CloudFormation execution role,
 * which updates the policy on deployment and cannot present MFA (without that exemption KMS's lockout check would also
 * refuse to create the key).
 */
export function administrationOnlyKeyPolicy(scope: Construct, options: KeyPolicyOptions): iam.PolicyDocument {
  const stack = Stack.of(scope);
  const document = new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'KeyAdministrationNotUse',
        principals: [new iam.AccountRootPrincipal()],
        actions: [...KEY_ADMINISTRATION_ACTIONS],
        // In a key policy, "*" means this key.
        resources: ['*'],
      }),
    ],
  });
  // Grants are a way around the key policy: only AWS services, for AWS resources, may create them (AWS Control Tower
  // proactive control CT.KMS.PR.3). Nothing in this pipeline uses grants.
  document.addStatements(
    new iam.PolicyStatement({
      sid: 'GrantsOnlyForAwsServices',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
      },
    }),
  );
  if (options.requireMfa) {
    document.addStatements(
      new iam.PolicyStatement({
        sid: 'SensitiveKeyAdministrationRequiresMfa',
        effect: iam.Effect.DENY,
        principals: [new iam.AccountRootPrincipal()],
        actions: [...SENSITIVE_KEY_ACTIONS],
        resources: ['*'],
        conditions: {
          BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' },
          ...deploymentRoleExemption(stack),
        },
      }),
    );
  }
  return document;
}

/**
 * A key-policy statement that lets the principals whose ARNs are listed use the key, as their own IAM policies allow.
 *
 * The principal is the account, narrowed by `aws:PrincipalArn`, rather than the roles themselves: KMS refuses a key
 * policy that names a principal it cannot see yet (`MalformedPolicyDocumentException`), which happens to roles created
 * in the same deployment and to roles that do not exist yet
 * (https://repost.aws/knowledge-center/kms-policy-error-invalid-principals). A condition is a string compared at
 * request time, so it needs no principal to exist. Because the principal is the account, each role's own IAM policy
 * must allow the action too: the key policy alone grants nothing.
 */
export function useByPrincipalArns(options: {
  readonly sid: string;
  readonly actions: readonly string[];
  readonly principalArns: readonly string[];
  readonly conditions?: Record<string, Record<string, unknown>>;
}): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: options.sid,
    principals: [new iam.AccountRootPrincipal()],
    actions: [...options.actions],
    // In a key policy, "*" means this key.
    resources: ['*'],
    conditions: {
      ...options.conditions,
      ArnEquals: { 'aws:PrincipalArn': options.principalArns },
    },
  });
}

/**
 * The one principal spared the MFA requirement: the CloudFormation execution role this stack is deployed with, by its
 * exact ARN (from the stack's synthesizer, qualifier included). A wildcard such as `role/cdk-*-cfn-exec-role-*` would
 * spare any role whoever holds `iam:CreateRole` chooses to name that way. A stack without a bootstrap execution role
 * (another synthesizer) spares nobody: its deployments of key changes then need MFA too.
 */
function deploymentRoleExemption(stack: Stack): Record<string, Record<string, unknown>> {
  const synthesizer = stack.synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) {
    return {};
  }
  // The synthesizer leaves `${AWS::Partition}` (and, for an environment-agnostic stack, the account and region) as
  // placeholders; Fn::Sub gives them their deployed values.
  const arn = synthesizer.cloudFormationExecutionRoleArn;
  return { ArnNotEquals: { 'aws:PrincipalArn': arn.includes('${') ? Fn.sub(arn) : arn } };
}
