/**
 * What a real account would do with the template, pinned one finding at a time (issue 10): key policies KMS accepts
 * on first deployment, a delivery key only named principals can use, a rule-set activation that touches only our
 * set, options whose dependencies may not exist yet, no plaintext kept after delete, regions and context checked,
 * MX records off the zone apex, alarms that notify. Each is argued from AWS's documentation in lib/.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { EncryptedInboundMail } from '../../lib/encrypted-inbound-mail';
import { logicalIdOf } from '../../lib/stable-logical-id';
import { keyPolicyStatements, logicalId, synthStack, TEST_ENV } from '../support/synth';

const defaults = synthStack();
const allOn = synthStack({
  operatorRoleArns: 'arn:aws:iam::111122223333:role/mail-operator',
  auditTrail: 'true',
  macie: 'true',
  activateRuleSet: 'true',
});

const ROLE_ARN = (result: ReturnType<typeof synthStack>) => ({
  'Fn::GetAtt': [logicalId(result.stack.pipeline.function.role as iam.Role), 'Arn'],
});

describe('1. key policies name no principal KMS might not see yet', () => {
  it('names the account, never a role, in every key policy of every option', () => {
    for (const key of Object.values(allOn.template.findResources('AWS::KMS::Key'))) {
      for (const statement of key.Properties.KeyPolicy.Statement as any[]) {
        const principal = statement.Principal?.AWS;
        if (principal === undefined) continue;
        // The account root (Fn::Join of partition and account), or "*" narrowed by conditions: no role ARN, no GetAtt.
        expect(JSON.stringify(principal)).not.toMatch(/:role\/|Fn::GetAtt/);
      }
    }
  });

  it('lets the function unwrap through aws:PrincipalArn, keeping the encryption-context conditions', () => {
    const statement = keyPolicyStatements(defaults, 'mailKey').find(
      (s) => s.Sid === 'FunctionUnwrapsDataKeysOfThisAccountAndRule',
    );
    expect(statement).toEqual({
      Sid: 'FunctionUnwrapsDataKeysOfThisAccountAndRule',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        ArnEquals: { 'aws:PrincipalArn': [ROLE_ARN(defaults)] },
        StringEquals: {
          'kms:EncryptionContext:aws:ses:source-account': '111122223333',
          'kms:EncryptionContext:aws:ses:rule-name': 'store-encrypted',
        },
      },
    });
  });

  it("carries the function's grant in its own IAM policy, under the same conditions", () => {
    defaults.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'UnwrapDataKeysOfThisAccountAndRule',
            Action: 'kms:Decrypt',
            Resource: { 'Fn::GetAtt': [logicalId(defaults.stack.pipeline.mailKey), 'Arn'] },
            Condition: {
              StringEquals: {
                'kms:EncryptionContext:aws:ses:source-account': '111122223333',
                'kms:EncryptionContext:aws:ses:rule-name': 'store-encrypted',
              },
            },
          }),
        ]),
      },
    });
  });

  it('names operator roles the same way', () => {
    const statement = keyPolicyStatements(allOn, 'mailKey').find(
      (s) => s.Sid === 'OperatorsUnwrapDataKeysOfThisAccountAndRule',
    );
    expect(statement.Condition.ArnEquals).toEqual({
      'aws:PrincipalArn': ['arn:aws:iam::111122223333:role/mail-operator'],
    });
    expect(JSON.stringify(statement.Principal)).toContain(':root');
  });
});

describe('2. the delivery key is used only by named principals, through SQS and S3', () => {
  const use = (result: ReturnType<typeof synthStack>) =>
    keyPolicyStatements(result, 'deliveryKey').filter(
      (s) => s.Effect === 'Allow' && [s.Action].flat().some((a: string) => /Decrypt|GenerateDataKey/.test(a)),
    );

  it('names the function alone by default, and no statement lets the whole account use the key', () => {
    const statements = use(defaults);
    expect(statements.map((s) => s.Sid)).toEqual(['NamedPrincipalsUseThroughSqsAndS3']);
    expect(statements[0].Condition).toEqual({
      ArnEquals: { 'aws:PrincipalArn': [ROLE_ARN(defaults)] },
      StringEquals: {
        'kms:CallerAccount': '111122223333',
        'kms:ViaService': ['sqs.eu-west-1.amazonaws.com', 's3.eu-west-1.amazonaws.com'],
      },
    });
  });

  it('adds operator roles to the function, and each principal grantConsume names to a statement that only decrypts', () => {
    const { template, stack } = synthStack(
      { operatorRoleArns: 'arn:aws:iam::111122223333:role/mail-operator' },
      (s) => {
        s.pipeline.grantConsume(new iam.Role(s, 'Consumer', { assumedBy: new iam.AccountRootPrincipal() }));
      },
    );
    const consumer = stack.node.findChild('Consumer') as iam.Role;
    const statements = template.toJSON().Resources[logicalId(stack.pipeline.deliveryKey)].Properties.KeyPolicy
      .Statement as any[];
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid);
    expect(bySid('NamedPrincipalsUseThroughSqsAndS3').Condition.ArnEquals['aws:PrincipalArn']).toEqual([
      { 'Fn::GetAtt': [logicalId(stack.pipeline.function.role as iam.Role), 'Arn'] },
      'arn:aws:iam::111122223333:role/mail-operator',
    ]);
    const consumers = bySid('ConsumersDecryptThroughSqsAndS3');
    expect(consumers.Action).toBe('kms:Decrypt');
    expect(consumers.Condition.ArnEquals['aws:PrincipalArn']).toEqual([{ 'Fn::GetAtt': [logicalId(consumer), 'Arn'] }]);
  });

  it('refuses to grant a principal it cannot name by ARN', () => {
    const { stack } = synthStack();
    expect(() => stack.pipeline.grantConsume(new iam.ServicePrincipal('lambda.amazonaws.com'))).toThrow(
      'grantConsume takes an IAM role or user',
    );
  });
});

describe('3. rule-set activation touches only our set', () => {
  const activation = (result: ReturnType<typeof synthStack>) => {
    const resources = result.template.findResources('Custom::SesActiveReceiptRuleSet');
    expect(Object.keys(resources)).toHaveLength(1);
    return Object.values(resources)[0] as any;
  };

  it('exists with activation off too (so a set activated by hand can still be deleted), activating only when asked', () => {
    expect(activation(defaults).Properties).toMatchObject({
      RuleSetName: 'encrypted-inbound',
      Activate: 'false',
    });
    expect(activation(allOn).Properties).toMatchObject({ RuleSetName: 'encrypted-inbound', Activate: 'true' });
    // Not aws-cdk-lib's AwsCustomResource, whose delete would call SetActiveReceiptRuleSet with no name: the only
    // Custom::AWS left is 0.1.0's activation, retired (lib/upgrades/retired-rule-set-activation.ts), which calls
    // nothing on update or delete.
    const calls = Object.values(allOn.template.findResources('Custom::AWS')).flatMap((r: any) =>
      [r.Properties.Create, r.Properties.Update, r.Properties.Delete].filter((call) => call !== undefined),
    );
    expect(calls.join('\n')).not.toContain('setActiveReceiptRuleSet');
  });

  it('comes after the function, its trigger and its retry settings, and before the rule set goes', () => {
    const dependsOn: string[] = activation(defaults).DependsOn;
    const pipeline = defaults.stack.pipeline;
    const ids = Object.keys(defaults.template.toJSON().Resources);
    const notifications = ids.find((id) => id.includes('MailBucketNotifications'));
    const invokeConfig = ids.find((id) => id.includes('EventInvokeConfig'));
    expect(dependsOn).toEqual(
      expect.arrayContaining([
        logicalId(pipeline.function),
        notifications,
        invokeConfig,
        logicalId(pipeline.ruleSet),
        logicalId(pipeline.rule),
      ]),
    );
  });
});

describe('4. options whose dependencies may not exist yet', () => {
  it("names Macie's service-linked role only in a condition, so the key policy is valid before Macie is enabled", () => {
    const statement = keyPolicyStatements(allOn, 'deliveryKey').find((s) => s.Sid === 'MacieReadsPayloads');
    expect(statement).toMatchObject({
      Principal: { AWS: '*' },
      Action: 'kms:Decrypt',
      Condition: {
        StringEquals: { 'kms:CallerAccount': '111122223333' },
        ArnEquals: {
          'aws:PrincipalArn':
            'arn:aws:iam::111122223333:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie',
        },
      },
    });
  });

  it('writes the audit trail without an S3 Bucket Key, and lets CloudTrail use its key only for this trail (aws:SourceArn)', () => {
    const trailArn = 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/TestStack-mail-audit';
    allOn.template.hasResourceProperties('AWS::CloudTrail::Trail', { TrailName: 'TestStack-mail-audit' });
    const bucket = allOn.template.toJSON().Resources[logicalId(allOn.stack.pipeline.auditTrailBucket as any)];
    const rule = bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0];
    expect(rule.BucketKeyEnabled).toBe(false);
    const key = Object.entries(allOn.template.findResources('AWS::KMS::Key')).find(([id]) =>
      id.includes('AuditKey'),
    )?.[1];
    const statements: any[] = key?.Properties.KeyPolicy.Statement;
    expect(statements.find((s) => s.Sid === 'CloudTrailEncryptsThisTrail')).toMatchObject({
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Condition: { StringEquals: { 'aws:SourceArn': trailArn, 'kms:EncryptionContext:aws:cloudtrail:arn': trailArn } },
    });
    expect(statements.find((s) => s.Sid === 'AccountReadsTrailLogsThroughS3').Condition.StringEquals).toMatchObject({
      'kms:EncryptionContext:aws:cloudtrail:arn': trailArn,
      'kms:ViaService': 's3.eu-west-1.amazonaws.com',
    });
  });
});

describe('5. the payload bucket keeps no plaintext after delete', () => {
  it('has versioning suspended (a bucket 0.1 created versioned stops keeping versions too), and old versions expire', () => {
    const bucket = defaults.template.toJSON().Resources[logicalId(defaults.stack.pipeline.payloadBucket)];
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Suspended' });
    expect(bucket.Properties.LifecycleConfiguration.Rules[0]).toMatchObject({
      NoncurrentVersionExpiration: { NoncurrentDays: 1 },
    });
  });
});

describe('6. regions and FIPS', () => {
  it.each(['ap-east-1', 'me-central-1', 'af-south-1', 'il-central-1', 'us-gov-west-1', 'cn-north-1'])(
    'refuses %s (no SES receiving into a bucket there)',
    (region) => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [], recipients: 'inbox@example.com' } });
      const { EncryptedInboundMailStack } = require('../../lib/app/encrypted-inbound-mail-stack');
      expect(() => new EncryptedInboundMailStack(app, 'S', { env: { account: '111122223333', region } })).toThrow(
        `SES cannot receive mail into a bucket in ${region}: deploy to one of us-east-1`,
      );
    },
  );

  it('refuses a stack with no region, saying how to give one', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], recipients: 'inbox@example.com' } });
    const { EncryptedInboundMailStack } = require('../../lib/app/encrypted-inbound-mail-stack');
    expect(() => new EncryptedInboundMailStack(app, 'S')).toThrow('the stack has no region: set AWS_REGION');
  });

  it.each(['eu-west-1', 'ca-central-1'])('refuses fips in %s (no SQS FIPS endpoint there)', (region) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], recipients: 'inbox@example.com', fips: 'true' } });
    const { EncryptedInboundMailStack } = require('../../lib/app/encrypted-inbound-mail-stack');
    expect(() => new EncryptedInboundMailStack(app, 'S', { env: { account: '111122223333', region } })).toThrow(
      'useFipsEndpoints needs FIPS endpoints for S3, SQS and KMS, which exist only in us-east-1, us-east-2, us-west-1, us-west-2',
    );
  });
});

describe('7. context is read strictly', () => {
  it('refuses a misspelt key, naming the closest one and every key it reads', () => {
    expect(() => synthStack({ activateRuleset: 'true' })).toThrow(
      /unknown context key 'activateRuleset' \(did you mean 'activateRuleSet'\?\); the stack reads recipients, ruleSetName/,
    );
  });

  it('leaves the CDK its own keys (feature flags, aws:cdk:…)', () => {
    expect(() =>
      synthStack({ '@aws-cdk/core:newStyleStackSynthesis': true, 'aws:cdk:enable-path-metadata': true }),
    ).not.toThrow();
  });

  it.each(['not-an-address@', 'a@b', 'inbox@example..com', 'two words@example.com', '-bad.example.com', 'example'])(
    'refuses the malformed recipient %p with the rule SES applies, without repeating it',
    (recipient) => {
      let message = '';
      try {
        synthStack({ recipients: `inbox@example.com,${recipient}` });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toBe(
        'recipient 2 of 2 is malformed: each recipient must be an address (user@example.com), a domain (example.com) or every subdomain of one (.example.com)',
      );
    },
  );

  it.each(['inbox@example.com', 'example.org', '.example.org', 'first.last+tag@mail.example.co.uk'])(
    'takes %p',
    (recipient) => {
      expect(() => synthStack({ recipients: recipient })).not.toThrow();
    },
  );
});

describe('8. the MX record is not put at the zone apex unless asked', () => {
  const zone = { hostedZoneId: 'Z0123456789', hostedZoneName: 'example.org' };

  it('refuses a hosted zone without a receiving subdomain, saying why', () => {
    expect(() => synthStack(zone)).toThrow(/hostedZone needs receivingDomain, a subdomain such as mail\.example\.org/);
    expect(() => synthStack({ ...zone, receivingDomain: 'example.org' })).toThrow(/is the zone apex/);
    expect(() => synthStack({ ...zone, receivingDomain: 'mail.example.com' })).toThrow(
      /within the hosted zone example\.org/,
    );
  });

  it('puts the MX record and the identity (with its DKIM records) on the receiving subdomain', () => {
    const { template } = synthStack({ ...zone, receivingDomain: 'mail.example.org' });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: 'MX',
      Name: 'mail.example.org.',
      ResourceRecords: ['10 inbound-smtp.eu-west-1.amazonaws.com'],
    });
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'mail.example.org' });
    expect(
      Object.values(template.findResources('AWS::Route53::RecordSet')).filter((r) => r.Properties.Type === 'CNAME'),
    ).toHaveLength(3);
    expect(JSON.stringify(template.findResources('AWS::Route53::RecordSet'))).not.toContain('"Name":"example.org."');
  });

  it('puts the MX record at the apex only with replaceApexMx', () => {
    const { template } = synthStack({ ...zone, replaceApexMx: 'true' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Type: 'MX', Name: 'example.org.' });
  });
});

describe('9. alarms notify a topic when given one', () => {
  it('has no actions without a topic, and alarm and OK actions to the topic given', () => {
    for (const alarm of Object.values(defaults.template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
    const topicArn = 'arn:aws:sns:eu-west-1:111122223333:mail-alarms';
    const { template } = synthStack({ alarmTopicArn: topicArn });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(8);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({ AlarmActions: [topicArn], OKActions: [topicArn] });
    }
  });

  it('refuses a topic ARN that is malformed or in another region', () => {
    expect(() => synthStack({ alarmTopicArn: 'mail-alarms' })).toThrow(
      'context alarmTopicArn must be an SNS topic ARN',
    );
    expect(() => synthStack({ alarmTopicArn: 'arn:aws:sns:us-east-1:111122223333:mail-alarms' })).toThrow(
      "must name a topic in eu-west-1, the stack's region",
    );
  });
});

describe('stateful resources keep their logical IDs across the 0.2 split into constructs', () => {
  it('gives keys, buckets, queues, the rule set and the rule the IDs 0.1 gave them', () => {
    const resources = synthStack({
      ...{ hostedZoneId: 'Z1', hostedZoneName: 'example.org' },
      replaceApexMx: 'true',
    }).template.toJSON().Resources;
    // Taken from the 0.1 template (`cdk synth` of the previous release), not computed by the code under test.
    for (const id of [
      'InboundMailMailKeyC49186E6',
      'InboundMailDeliveryKey400A103F',
      'InboundMailAccessLogs5533AEB3',
      'InboundMailMailBucket5ABB4935',
      'InboundMailPayloadBucketBAF8DED4',
      'InboundMailFailureQueue746962A7',
      'InboundMailOutputDeadLetterQueueE8ADD054',
      'InboundMailOutputQueueB8755B68',
      'InboundMailRuleSet1C376EE0',
      'InboundMailRuleSetStoreEncrypted507A3F03',
      'InboundMailDomainIdentity4EA5920C',
      'InboundMailDomainIdentityDkimDnsToken1291B1008',
      'InboundMailMxRecordC47CBB25',
    ]) {
      expect(Object.keys(resources)).toContain(id);
    }
  });

  it('computes them as aws-cdk-lib does for any construct id the user chooses', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Any', { env: TEST_ENV });
    const pipeline = new EncryptedInboundMail(stack, 'Mail', { recipients: ['inbox@example.com'] });
    const probe = new route53.PublicHostedZone(stack, 'Probe', { zoneName: 'example.net' });
    expect(logicalId(pipeline.mailKey)).toBe(logicalIdOf(['Mail', 'MailKey', 'Resource']));
    // The same function reproduces an ID aws-cdk-lib allocated itself.
    expect(logicalIdOf(['Probe', 'Resource'])).toBe(logicalId(probe));
  });
});
