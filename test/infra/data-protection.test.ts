/**
 * The data-protection options: key administration separated from use (always), MFA for sensitive key administration,
 * operator roles, the audit trail, and Macie discovery over payloads; each pinned off (the default) and on.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { KEY_ADMINISTRATION_ACTIONS, SENSITIVE_KEY_ACTIONS } from '../../lib/governance/key-policies';
import { keyPolicyStatements, logicalId, synthStack } from '../support/synth';

const off = synthStack();
const on = synthStack({
  requireMfa: 'true',
  operatorRoleArns: 'arn:aws:iam::111122223333:role/mail-operator',
  auditTrail: 'true',
  macie: 'true',
});

function allKeyPolicies(result: ReturnType<typeof synthStack>): any[][] {
  return Object.values(result.template.findResources('AWS::KMS::Key')).map((k) => k.Properties.KeyPolicy.Statement);
}

const USE_ACTIONS = /^kms:(Decrypt|Encrypt|GenerateDataKey.*|ReEncrypt.*|CreateGrant|\*)$/;

describe('key administration', () => {
  it('lets the account administer the keys but not use them; use is granted statement by statement', () => {
    for (const statements of allKeyPolicies(off)) {
      const admin = statements.find((s) => s.Sid === 'KeyAdministrationNotUse');
      expect([...admin.Action].sort()).toEqual([...KEY_ADMINISTRATION_ACTIONS].sort());
      expect([admin.Action].flat().filter((a: string) => USE_ACTIONS.test(a))).toEqual([]);
    }
  });

  it('lets only the function (and SES, to encrypt) use the mail key, under the context conditions', () => {
    const users = keyPolicyStatements(off, 'mailKey').filter(
      (s) => s.Effect === 'Allow' && [s.Action].flat().some((a: string) => USE_ACTIONS.test(a)),
    );
    expect(users.map((s) => s.Sid).sort()).toEqual([
      'AllowSesToEncryptMailOfThisRule',
      'FunctionUnwrapsDataKeysOfThisAccountAndRule',
    ]);
    const fn = users.find((s) => s.Sid === 'FunctionUnwrapsDataKeysOfThisAccountAndRule');
    // The account as principal, narrowed to the function's role (deployment-findings.test.ts says why).
    expect(fn.Principal).toEqual({ AWS: 'arn:aws:iam::111122223333:root' });
    expect(fn.Condition.ArnEquals).toEqual({
      'aws:PrincipalArn': [{ 'Fn::GetAtt': [logicalId(off.stack.pipeline.function.role as any), 'Arn'] }],
    });
    expect(fn.Action).toBe('kms:Decrypt');
    expect(fn.Condition.StringEquals['kms:EncryptionContext:aws:ses:rule-name']).toBe('store-encrypted');
  });

  it('lets named principals of the account use the delivery key only through SQS and S3', () => {
    const use = keyPolicyStatements(off, 'deliveryKey').find((s) => s.Sid === 'NamedPrincipalsUseThroughSqsAndS3');
    expect(use.Condition.StringEquals).toEqual({
      'kms:CallerAccount': '111122223333',
      'kms:ViaService': ['sqs.eu-west-1.amazonaws.com', 's3.eu-west-1.amazonaws.com'],
    });
  });

  it('refuses every grant but those AWS services create for AWS resources, on every key (CT.KMS.PR.3)', () => {
    for (const statements of allKeyPolicies(on)) {
      expect(statements.find((s) => s.Sid === 'GrantsOnlyForAwsServices')).toEqual({
        Sid: 'GrantsOnlyForAwsServices',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      });
    }
  });

  it('keeps keys on stack deletion, with the longest deletion waiting period', () => {
    for (const key of Object.values(off.template.findResources('AWS::KMS::Key'))) {
      expect(key).toMatchObject({
        DeletionPolicy: 'RetainExceptOnCreate',
        UpdateReplacePolicy: 'Retain',
        Properties: { PendingWindowInDays: 30 },
      });
    }
  });

  it('does not require MFA by default', () => {
    for (const statements of allKeyPolicies(off)) {
      expect(statements.filter((s) => s.Effect === 'Deny').map((s) => s.Sid)).toEqual(['GrantsOnlyForAwsServices']);
    }
  });

  it('requires MFA for policy changes, disabling and deletion on every key when asked, sparing the CDK deployment role', () => {
    const policies = allKeyPolicies(on);
    // The mail, delivery, work-queue, delivery-records and audit keys.
    expect(policies).toHaveLength(5);
    for (const statements of policies) {
      const deny = statements.find((s) => s.Sid === 'SensitiveKeyAdministrationRequiresMfa');
      expect([...deny.Action].sort()).toEqual([...SENSITIVE_KEY_ACTIONS].sort());
      expect(deny.Effect).toBe('Deny');
      expect(deny.Condition).toEqual({
        BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' },
        // Exactly the bootstrap execution role of this stack's account and region, not any role named like it.
        ArnNotEquals: {
          'aws:PrincipalArn': {
            'Fn::Sub': `arn:\${AWS::Partition}:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-111122223333-eu-west-1`,
          },
        },
      });
    }
  });

  it('lets named operator roles decrypt stored mail only under the same context, and nobody by default', () => {
    expect(
      keyPolicyStatements(off, 'mailKey').find((s) => s.Sid === 'OperatorsUnwrapDataKeysOfThisAccountAndRule'),
    ).toBeUndefined();
    const operators = keyPolicyStatements(on, 'mailKey').find(
      (s) => s.Sid === 'OperatorsUnwrapDataKeysOfThisAccountAndRule',
    );
    expect(operators).toMatchObject({
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 'kms:Decrypt',
      Condition: {
        ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111122223333:role/mail-operator'] },
        StringEquals: { 'kms:EncryptionContext:aws:ses:rule-name': 'store-encrypted' },
      },
    });
    expect(() => synthStack({ operatorRoleArns: 'jane' })).toThrow('operatorRoleArns must hold IAM role ARNs');
    for (const wildcard of ['arn:aws:iam::111122223333:role/*', 'arn:aws:iam::111122223333:role/ops-?']) {
      expect(() => synthStack({ operatorRoleArns: wildcard })).toThrow('operatorRoleArns must name roles exactly');
    }
  });
});

describe('audit trail', () => {
  it('is off by default', () => {
    off.template.resourceCountIs('AWS::CloudTrail::Trail', 0);
  });

  it('records management events and S3 data events of both buckets, encrypted, with log file validation', () => {
    on.template.hasResourceProperties('AWS::CloudTrail::Trail', {
      EnableLogFileValidation: true,
      IsLogging: true,
      KMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AuditKey'), 'Arn'] },
      EventSelectors: Match.arrayWith([
        { IncludeManagementEvents: true, ReadWriteType: 'All' },
        Match.objectLike({
          DataResources: [
            {
              Type: 'AWS::S3::Object',
              Values: [
                { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(on.stack.pipeline.mailBucket), 'Arn'] }, '/']] },
                { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(on.stack.pipeline.payloadBucket), 'Arn'] }, '/']] },
              ],
            },
          ],
        }),
      ]),
    });
  });

  it('writes to a bucket of its own: access-logged, TLS only, versioned, expiring after the retention period', () => {
    const trailBucket = on.stack.pipeline.auditTrailBucket;
    const bucket = on.template.toJSON().Resources[logicalId(trailBucket as any)];
    expect(bucket.Properties).toMatchObject({
      LoggingConfiguration: { LogFilePrefix: 'audit-trail-bucket/' },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 365 })] },
    });
    const policy = Object.values(on.template.findResources('AWS::S3::BucketPolicy')).find(
      (p) => p.Properties.Bucket.Ref === logicalId(trailBucket as any),
    );
    expect(JSON.stringify(policy)).toContain('aws:SecureTransport');
    expect(JSON.stringify(policy)).toContain('cloudtrail.amazonaws.com');
  });

  it('lets CloudTrail read the bucket ACL and write logs only for this trail (aws:SourceArn)', () => {
    const trailBucket = logicalId(on.stack.pipeline.auditTrailBucket as any);
    const policy = Object.values(on.template.findResources('AWS::S3::BucketPolicy')).find(
      (p) => p.Properties.Bucket.Ref === trailBucket,
    ) as any;
    const forCloudTrail = policy.Properties.PolicyDocument.Statement.filter(
      (s: any) => s.Principal?.Service === 'cloudtrail.amazonaws.com',
    );
    const trailArn = 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/TestStack-mail-audit';
    // Every action CloudTrail is allowed is also denied for any other trail.
    const allowed = forCloudTrail.filter((s: any) => s.Effect === 'Allow').flatMap((s: any) => [s.Action].flat());
    const deny = forCloudTrail.find((s: any) => s.Effect === 'Deny');
    expect([deny.Action].flat().sort()).toEqual([...allowed].sort());
    expect(deny.Condition).toEqual({ StringNotEquals: { 'aws:SourceArn': trailArn } });
  });

  it('lets CloudTrail encrypt with its key only for this trail, and the account read logs only through S3', () => {
    const key = Object.entries(on.template.findResources('AWS::KMS::Key')).find(([id]) => id.includes('AuditKey'))?.[1];
    const statements: any[] = key?.Properties.KeyPolicy.Statement;
    const trailArn = 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/TestStack-mail-audit';
    expect(statements.find((s) => s.Sid === 'CloudTrailEncryptsThisTrail').Condition).toEqual({
      StringEquals: { 'aws:SourceArn': trailArn, 'kms:EncryptionContext:aws:cloudtrail:arn': trailArn },
    });
    expect(
      statements.find((s) => s.Sid === 'AccountReadsTrailLogsThroughS3').Condition.StringEquals['kms:ViaService'],
    ).toBe('s3.eu-west-1.amazonaws.com');
    expect(key?.Properties.EnableKeyRotation).toBe(true);
  });
});

describe('sensitive-data discovery', () => {
  it('is off by default', () => {
    off.template.resourceCountIs('Custom::MacieClassificationJob', 0);
    expect(JSON.stringify(off.template.toJSON())).not.toContain('macie2:CreateClassificationJob');
  });

  it('creates the Macie job over the payload bucket (test/unit/payload-discovery-job.test.ts), and lets Macie read payloads', () => {
    const jobs = Object.values(on.template.findResources('Custom::MacieClassificationJob'));
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.Properties).toMatchObject({
      BucketName: { Ref: logicalId(on.stack.pipeline.payloadBucket) },
      AccountId: '111122223333',
      JobName: 'TestStack-payload-discovery',
    });
    const macie = keyPolicyStatements(on, 'deliveryKey').find((s) => s.Sid === 'MacieReadsPayloads');
    expect(JSON.stringify(macie.Condition)).toContain('AWSServiceRoleForAmazonMacie');
    expect(keyPolicyStatements(on, 'mailKey').find((s) => s.Sid === 'MacieReadsPayloads')).toBeUndefined();
  });

  it('fixes no client token in the template: each creation gets its own, so toggling the job off and on makes a new one', () => {
    expect(JSON.stringify(on.template.toJSON())).not.toMatch(/clientToken/i);
  });

  it("lets its handler create, describe and cancel this account and region's jobs only", () => {
    const policies = Object.values(on.template.findResources('AWS::IAM::Role')).flatMap((role) =>
      (role.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement),
    );
    const macie = policies.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('macie2:')));
    expect(macie).toHaveLength(1);
    expect(macie[0].Action).toEqual([
      'macie2:CreateClassificationJob',
      'macie2:DescribeClassificationJob',
      'macie2:UpdateClassificationJob',
      'macie2:TagResource',
    ]);
    expect(JSON.stringify(macie[0].Resource)).toContain(':classification-job/*');
  });
});
