/**
 * The stack's security properties, pinned one by one with CDK assertions (no whole-template snapshots).
 */
import { App, AspectPriority, Aspects, Stack, Tags } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { EncryptedInboundMail } from '../../lib/encrypted-inbound-mail';
import { NoPersonalDataAspect } from '../../lib/governance/no-personal-data-aspect';
import { logicalId, synthStack, TEST_ENV } from '../support/synth';

const { stack, template } = synthStack();
const pipeline = stack.pipeline;
const mailKeyId = logicalId(pipeline.mailKey);
const deliveryKeyId = logicalId(pipeline.deliveryKey);

function statementsOf(resourceType: string, filter: (resource: { [key: string]: any }) => boolean = () => true) {
  return Object.values(template.findResources(resourceType))
    .filter(filter)
    .flatMap(
      (r) => (r.Properties.PolicyDocument ?? r.Properties.KeyPolicy).Statement as Array<Record<string, unknown>>,
    );
}

describe('receipt rule', () => {
  it('requires TLS, scans for spam and viruses, names its recipients, and stores with the mail key under the prefix', () => {
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: {
        Name: 'store-encrypted',
        Enabled: true,
        Recipients: ['inbox@example.com'],
        TlsPolicy: 'Require',
        ScanEnabled: true,
        Actions: [
          { LambdaAction: Match.objectLike({ InvocationType: 'RequestResponse' }) },
          { S3Action: { KmsKeyArn: { 'Fn::GetAtt': [mailKeyId, 'Arn'] }, ObjectKeyPrefix: 'raw/' } },
        ],
      },
    });
    template.hasResourceProperties('AWS::SES::ReceiptRuleSet', { RuleSetName: 'encrypted-inbound' });
  });

  it('activates the rule set only when asked, with a resource that deactivates only our own set on delete', () => {
    // Not aws-cdk-lib's AwsCustomResource: its delete called SetActiveReceiptRuleSet with no name, which deactivates
    // whatever set is active (deployment-findings.test.ts and the handler's tests say the rest).
    template.resourceCountIs('Custom::AWS', 0);
    template.hasResourceProperties('Custom::SesActiveReceiptRuleSet', {
      RuleSetName: 'encrypted-inbound',
      Activate: 'false',
    });
    synthStack({ activateRuleSet: 'true' }).template.hasResourceProperties('Custom::SesActiveReceiptRuleSet', {
      RuleSetName: 'encrypted-inbound',
      Activate: 'true',
    });
  });

  it('refuses to build without recipients', () => {
    expect(() => synthStack({ recipients: '' })).toThrow('recipients is required');
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(() => new EncryptedInboundMail(new Stack(app, 'S', { env: TEST_ENV }), 'P', { recipients: [] })).toThrow(
      'recipients must name at least one address or domain',
    );
  });

  it('creates the domain identity and the MX record only with a hosted zone', () => {
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    const withZone = synthStack({
      hostedZoneId: 'Z0123456789',
      hostedZoneName: 'example.org',
      receivingDomain: 'mail.example.org',
    }).template;
    withZone.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: 'MX',
      Name: 'mail.example.org.',
      ResourceRecords: ['10 inbound-smtp.eu-west-1.amazonaws.com'],
    });
    withZone.resourceCountIs('AWS::SES::EmailIdentity', 1);
  });
});

describe('keys', () => {
  it('rotates both keys, and keeps them (and the buckets) when the stack is deleted (removal-policy.test.ts)', () => {
    const resources = template.toJSON().Resources;
    for (const id of [mailKeyId, deliveryKeyId]) {
      expect(resources[id]).toMatchObject({
        Type: 'AWS::KMS::Key',
        Properties: { EnableKeyRotation: true },
        DeletionPolicy: 'RetainExceptOnCreate',
      });
    }
    expect(mailKeyId).not.toBe(deliveryKeyId);
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'RetainExceptOnCreate' });
  });

  it('lets SES encrypt with the mail key only for this account and this rule', () => {
    const statement = (
      template.toJSON().Resources[mailKeyId].Properties.KeyPolicy.Statement as Array<Record<string, any>>
    ).find((s) => s.Principal?.Service === 'ses.amazonaws.com');
    expect(statement?.Action).toEqual(['kms:Encrypt', 'kms:GenerateDataKey']);
    expect(statement?.Condition.StringEquals).toEqual({
      'aws:SourceAccount': '111122223333',
      'kms:EncryptionContext:aws:ses:source-account': '111122223333',
      'kms:EncryptionContext:aws:ses:rule-name': 'store-encrypted',
    });
    expect(JSON.stringify(statement?.Condition.ArnLike)).toContain(
      ':receipt-rule-set/encrypted-inbound:receipt-rule/store-encrypted',
    );
    expect(statement?.Condition.Null).toEqual({ 'kms:EncryptionContext:aws:ses:message-id': 'false' });
  });

  it('encrypts the queues and the payload bucket with the delivery key, not the mail key', () => {
    // Every queue but the work queue and its dead-letter queue, which have their own key (work-queue.test.ts).
    for (const queue of [pipeline.outputQueue, pipeline.outputDeadLetterQueue, pipeline.failureQueue]) {
      expect(template.findResources('AWS::SQS::Queue')[logicalId(queue)]?.Properties.KmsMasterKeyId).toEqual({
        'Fn::GetAtt': [deliveryKeyId, 'Arn'],
      });
    }
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [deliveryKeyId, 'Arn'] },
            },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
  });
});

describe('buckets', () => {
  it('block public access and enforce object ownership on every bucket; versioning on all but the payload bucket', () => {
    template.allResourcesProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    const buckets = template.toJSON().Resources;
    for (const [id, bucket] of Object.entries(template.findResources('AWS::S3::Bucket'))) {
      const expected = id === logicalId(pipeline.payloadBucket) ? 'Suspended' : 'Enabled';
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: expected });
    }
    expect(Object.keys(buckets).length).toBeGreaterThan(3);
  });

  it('deny every request without TLS or below TLS 1.2, on every bucket', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      const statements = policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>;
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      );
    }
  });

  it('log access of the mail and payload buckets', () => {
    const logged = Object.values(template.findResources('AWS::S3::Bucket')).filter(
      (b) => b.Properties.LoggingConfiguration,
    );
    expect(logged.map((b) => b.Properties.LoggingConfiguration.LogFilePrefix).sort()).toEqual([
      'mail-bucket/',
      'payload-bucket/',
    ]);
  });

  it('expire stored mail after the retention period and payloads after the dead-letter queue (payload-lifetime.test.ts)', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        // Then quarantined mail's own rule (quarantine-stack.test.ts).
        Rules: [
          Match.objectLike({ Prefix: 'raw/', ExpirationInDays: 30, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'quarantine/', ExpirationInDays: 30, Status: 'Enabled' }),
        ],
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      // 14 days on the standard dead-letter queue (counted from the send), and a day's margin.
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 15 })] },
    });
    synthStack({ rawMailRetentionDays: '7' }).template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'raw/', ExpirationInDays: 7 })]) },
    });
  });

  it('let SES write only under the prefix, only for this account and rule', () => {
    const statement = statementsOf('AWS::S3::BucketPolicy').find(
      (s: any) => s.Principal?.Service === 'ses.amazonaws.com',
    ) as any;
    expect(statement.Action).toBe('s3:PutObject');
    expect(JSON.stringify(statement.Resource)).toContain('/raw/*');
    expect(statement.Condition.StringEquals).toEqual({ 'aws:SourceAccount': '111122223333' });
    expect(JSON.stringify(statement.Condition.ArnLike)).toContain('receipt-rule/store-encrypted');
  });

  it('deny every write under the mail prefix to every principal but SES, so nobody can overwrite a stored mail', () => {
    const mailBucketId = logicalId(pipeline.mailBucket);
    const mailPolicy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
      (p: any) => p.Properties.Bucket.Ref === mailBucketId,
    ) as any;
    const denies = mailPolicy.Properties.PolicyDocument.Statement.filter(
      (s: any) => s.Effect === 'Deny' && [s.Action].flat().includes('s3:PutObject'),
    );
    expect(denies).toEqual([
      // Under quarantine/, only the function writes (quarantine-stack.test.ts).
      expect.objectContaining({ Sid: 'DenyWritesToQuarantineExceptByTheFunction' }),
      {
        Sid: 'DenyWritesToMailExceptBySes',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [mailBucketId, 'Arn'] }, '/raw/*']] },
        Condition: { StringNotEquals: { 'aws:PrincipalServiceName': 'ses.amazonaws.com' } },
      },
    ]);
  });

  it('deny deleting stored mail (a version, or the object with a delete marker) to all but the operator roles', () => {
    const denyOf = (t: typeof template) =>
      Object.values(t.findResources('AWS::S3::BucketPolicy'))
        .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
        .find((s: any) => s.Sid === 'DenyDeletingMailExceptOperators');
    const mailObjects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(pipeline.mailBucket), 'Arn'] }, '/raw/*']] };
    // Without operator roles nobody may (the lifecycle still expires mail: it is not a request).
    expect(denyOf(template)).toEqual({
      Sid: 'DenyDeletingMailExceptOperators',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
      Resource: mailObjects,
    });
    const operator = 'arn:aws:iam::111122223333:role/mail-operator';
    expect(denyOf(synthStack({ operatorRoleArns: operator }).template)).toMatchObject({
      Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [operator] } },
    });
  });

  it('notify the work queue only for objects under the rule prefix', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          { Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'raw/' }] } } },
        ],
      },
    });
  });
});

describe('queues', () => {
  it('deny requests without TLS on every queue', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(5);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('give the output queue a dead-letter queue for consumers, and become FIFO on request', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { maxReceiveCount: 5 },
      MessageRetentionPeriod: 345600,
    });
    template.resourcePropertiesCountIs('AWS::SQS::Queue', { FifoQueue: true }, 0);
    synthStack({ fifo: 'true' }).template.resourcePropertiesCountIs('AWS::SQS::Queue', { FifoQueue: true }, 2);
  });
});

describe('function', () => {
  const fn = () =>
    Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Environment?.Variables?.OUTPUT_QUEUE_URL,
    );

  it('runs Node.js 22 on ARM64, sized for a 40 MB mail, logging JSON to an explicit log group with retention', () => {
    expect(fn()?.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 120,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: expect.anything() },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('gets the environment contract, pinned to the mail key, this account and this rule', () => {
    expect(fn()?.Properties.Environment.Variables).toMatchObject({
      EXPECTED_KMS_KEY_ARN: { 'Fn::GetAtt': [mailKeyId, 'Arn'] },
      EXPECTED_SOURCE_ACCOUNT: '111122223333',
      ALLOWED_RULE_NAMES: 'store-encrypted',
      INLINE_MAX_BYTES: '262144',
      PAYLOAD_PREFIX: 'payloads/',
      BODY_ENCODING: 'auto',
    });
    expect(fn()?.Properties.Environment.Variables.AWS_USE_FIPS_ENDPOINT).toBeUndefined();
    // The function never reads AES/CBC (SES never writes it): the stack offers no switch for it.
    expect(fn()?.Properties.Environment.Variables.ALLOW_LEGACY_CBC).toBeUndefined();
    // FIPS endpoints for S3, SQS and KMS exist in the US regions only (deployment-findings.test.ts).
    const fips = synthStack({ fips: 'true', inlineMaxBytes: '1048576' }, undefined, {
      account: '111122223333',
      region: 'us-east-1',
    }).template;
    fips.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          AWS_USE_FIPS_ENDPOINT: 'true',
          INLINE_MAX_BYTES: '1048576',
        }),
      },
    });
  });

  it('retries asynchronous invocations twice, then sends the event to the failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(pipeline.failureQueue), 'Arn'] } } },
    });
  });
});

describe('least privilege', () => {
  const roleId = logicalId(pipeline.function.role as iam.Role);
  const functionStatements = () =>
    statementsOf('AWS::IAM::Policy', (p) => JSON.stringify(p.Properties.Roles).includes(roleId)) as Array<
      Record<string, any>
    >;

  it('grants the function no Resource "*" and no managed policy', () => {
    for (const statement of functionStatements()) {
      expect([statement.Resource].flat()).not.toContain('*');
    }
    expect(template.toJSON().Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('lets the function decrypt with the mail key only for this account and rule', () => {
    const decrypt = functionStatements().filter((s) => JSON.stringify(s.Resource).includes(mailKeyId));
    expect(decrypt).toEqual([
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Condition: {
          StringEquals: {
            'kms:EncryptionContext:aws:ses:source-account': '111122223333',
            'kms:EncryptionContext:aws:ses:rule-name': 'store-encrypted',
          },
        },
      }),
    ]);
  });

  it('lets the function read only the rule prefix, write only the payload prefix, send only to its two queues', () => {
    const granting = (action: string) => functionStatements().filter((s) => [s.Action].flat().includes(action));
    const resourcesOf = (action: string) => granting(action).flatMap((s) => [s.Resource].flat());
    expect(JSON.stringify(resourcesOf('s3:GetObject'))).toContain('/raw/*');
    expect(resourcesOf('s3:GetObject')).toHaveLength(1);
    // The version its event names: GetObject with a VersionId needs s3:GetObjectVersion, on the same prefix only.
    expect(resourcesOf('s3:GetObjectVersion')).toEqual(resourcesOf('s3:GetObject'));
    expect(resourcesOf('s3:AbortMultipartUpload')).toHaveLength(1);
    expect(JSON.stringify(resourcesOf('s3:AbortMultipartUpload'))).toContain('/payloads/*');
    // PutObject: the payload prefix, and quarantine/ for refused mail's copies (quarantine-stack.test.ts).
    expect(resourcesOf('s3:PutObject')).toHaveLength(2);
    expect(JSON.stringify(resourcesOf('s3:PutObject'))).toMatch(
      /\/payloads\/\*.*\/quarantine\/\*|\/quarantine\/\*.*\/payloads\/\*/,
    );
    expect(resourcesOf('sqs:SendMessage')).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': [logicalId(pipeline.outputQueue), 'Arn'] },
        { 'Fn::GetAtt': [logicalId(pipeline.failureQueue), 'Arn'] },
      ]),
    );
    expect(resourcesOf('sqs:SendMessage')).toHaveLength(2);
    // The delivery key (sending), and the delivery records' key, only through DynamoDB.
    const [deliveryKeyUse, recordsKeyUse] = [
      granting('kms:GenerateDataKey').filter((s) => JSON.stringify(s.Resource).includes('DeliveryKey')),
      granting('kms:GenerateDataKey').filter((s) => !JSON.stringify(s.Resource).includes('DeliveryKey')),
    ];
    expect(recordsKeyUse.map((s) => s.Condition)).toEqual([
      { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
    ]);
    expect(deliveryKeyUse).toHaveLength(1);
    expect(deliveryKeyUse[0]?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': ['sqs.eu-west-1.amazonaws.com', 's3.eu-west-1.amazonaws.com'] },
    });
  });
});

describe('operations', () => {
  it('alarms on rejected mail, function errors, the consumers dead-letter queue, the verdict gate, quarantine growth and the work queue', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 8);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(pipeline.failureQueue), 'QueueName'] } }],
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Namespace: 'AWS/Lambda' });
  });

  it('gives replay and redrive (--stack) the function’s verdict and delivery settings, exactly as the function has them', () => {
    const fn = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { OUTPUT_QUEUE_URL: Match.anyValue() } } },
    });
    const variables = Object.values(fn)[0]?.Properties.Environment.Variables;
    expect(variables.MAIL_BUCKET).toEqual({ Ref: logicalId(pipeline.mailBucket) });
    const settings = JSON.parse(template.findOutputs('InboundMailOperatorSettings').InboundMailOperatorSettings?.Value);
    expect(Object.keys(settings).sort()).toEqual(
      [
        'BODY_ENCODING',
        'INLINE_MAX_BYTES',
        'MAX_MAIL_BYTES',
        'PAYLOAD_PREFIX',
        'QUARANTINE_PREFIX',
        'REFUSE_DKIM_FAIL',
        'REFUSE_DMARC_FAIL',
        'REFUSE_SPAM',
        'REFUSE_SPF_FAIL',
        'REFUSE_VIRUS',
        'VERDICT_ACTIONS',
      ].sort(),
    );
    for (const [name, value] of Object.entries(settings)) expect(variables[name]).toBe(value);
  });

  it('outputs what consumers and the CLI need, under stable names with no hash suffix', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(
      [
        'InboundMailOutputQueueUrl',
        'InboundMailFailureQueueUrl',
        'InboundMailPayloadBucketName',
        'InboundMailMailBucketName',
        'InboundMailMailObjectPrefix',
        'InboundMailRuleName',
        'InboundMailMxRecordValue',
        'InboundMailMailKeyArn',
        'InboundMailDeliveryKeyArn',
        'InboundMailWorkDeadLetterQueueUrl',
        'InboundMailWorkDeadLetterQueueArn',
        'InboundMailOperatorSettings',
      ].sort(),
    );
  });
});

describe('no personal data in names or tags', () => {
  function synthWith(change: (stack: Stack) => void) {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const s = new Stack(app, 'S', { env: TEST_ENV });
    new EncryptedInboundMail(s, 'P', { recipients: ['someone@example.com'] });
    change(s);
    Aspects.of(app).add(new NoPersonalDataAspect(), { priority: AspectPriority.READONLY });
    return () => app.synth();
  }

  it('accepts addresses where they belong (the rule recipients)', () => {
    expect(synthWith(() => undefined)).not.toThrow();
  });

  it('fails synthesis when a tag value holds an e-mail address, without repeating it', () => {
    const synth = synthWith((s) => Tags.of(s).add('owner', 'jane.doe@example.com'));
    expect(synth).toThrow(/tag of .* contains an e-mail address/);
    expect(synth).not.toThrow(/jane/);
  });

  it('fails synthesis when a resource name holds an e-mail address', () => {
    expect(synthWith((s) => new sqs.CfnQueue(s, 'Q', { queueName: 'mail-for-jane@example.com' }))).toThrow(
      /queueName of .* contains an e-mail address/,
    );
  });
});

it("tells the function the rule's object key prefix, so a mail's key must be exactly that prefix and its id", () => {
  for (const [context, prefix] of [
    [{}, 'raw/'],
    [{ objectKeyPrefix: 'inbound/' }, 'inbound/'],
  ] as const) {
    synthStack(context).template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MAIL_PREFIX: prefix, OUTPUT_QUEUE_URL: Match.anyValue() }) },
    });
  }
});
