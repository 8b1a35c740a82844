/**
 * Renaming the rule, the rule set or the prefix (issue 18, item 5): with the previous names listed, mail stored under
 * them stays readable (the function's allowed names, its read grant, the key policy), SES may write and invoke the
 * gate under the old rule while the update moves it, and old-prefix mail keeps expiring and stays closed to writers.
 * Without them listed, the template is what it was (the other stack tests pin that).
 */
import { logicalId, synthStack } from '../support/synth';

const renamed = synthStack({
  ruleName: 'store-v2',
  ruleSetName: 'inbound-v2',
  objectKeyPrefix: 'mail/',
  previousRuleNames: 'store-encrypted',
  previousRuleSetNames: 'encrypted-inbound',
  previousObjectKeyPrefixes: 'raw/',
});
const { template, stack } = renamed;
const pipeline = stack.pipeline;
const arn = (set: string, rule: string) =>
  `arn:aws:ses:eu-west-1:111122223333:receipt-rule-set/${set}:receipt-rule/${rule}`;
const EVERY_RULE_ARN = [
  arn('inbound-v2', 'store-v2'),
  arn('inbound-v2', 'store-encrypted'),
  arn('encrypted-inbound', 'store-v2'),
  arn('encrypted-inbound', 'store-encrypted'),
];
const objects = (prefix: string) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(pipeline.mailBucket), 'Arn'] }, `/${prefix}*`]],
});

function statements(type: string): any[] {
  return Object.values(template.findResources(type)).flatMap(
    (r: any) => (r.Properties.PolicyDocument ?? r.Properties.KeyPolicy).Statement,
  );
}

it('tells the function every rule name and the previous prefixes, and lets it read under every prefix', () => {
  const env = template.toJSON().Resources[logicalId(pipeline.function)].Properties.Environment.Variables;
  expect(env.ALLOWED_RULE_NAMES).toBe('store-v2,store-encrypted');
  expect(env.MAIL_PREFIX).toBe('mail/');
  expect(JSON.parse(env.PREVIOUS_MAIL_PREFIXES)).toEqual(['raw/']);
  const read = statements('AWS::IAM::Policy').find((s) => s.Sid === 'ReadStoredMail');
  expect(read.Resource).toEqual([objects('mail/'), objects('raw/')]);
});

it('lets the function unwrap data keys of mail stored under either rule name, and no other', () => {
  const decrypt = statements('AWS::IAM::Policy').find((s) => s.Sid === 'UnwrapDataKeysOfThisAccountAndRule');
  expect(decrypt.Condition.StringEquals['kms:EncryptionContext:aws:ses:rule-name']).toEqual([
    'store-v2',
    'store-encrypted',
  ]);
  const unwrap = statements('AWS::KMS::Key').find((s) => s.Sid === 'FunctionUnwrapsDataKeysOfThisAccountAndRule');
  expect(unwrap.Condition.StringEquals['kms:EncryptionContext:aws:ses:rule-name']).toEqual([
    'store-v2',
    'store-encrypted',
  ]);
});

it('lets SES store and encrypt under the old and the new rule while the update moves it', () => {
  const store = statements('AWS::S3::BucketPolicy').find((s) => s.Sid === 'AllowSesToStoreMailOfThisRule');
  expect(store.Condition.ArnLike['aws:SourceArn']).toEqual(EVERY_RULE_ARN);
  expect(store.Resource).toEqual([objects('mail/'), objects('raw/')]);
  const encrypt = statements('AWS::KMS::Key').find((s) => s.Sid === 'AllowSesToEncryptMailOfThisRule');
  expect(encrypt.Condition.ArnLike['aws:SourceArn']).toEqual(EVERY_RULE_ARN);
  expect(encrypt.Condition.StringEquals['kms:EncryptionContext:aws:ses:rule-name']).toEqual([
    'store-v2',
    'store-encrypted',
  ]);
  const gate = Object.values(template.findResources('AWS::Lambda::Permission'))
    .map((p: any) => p.Properties)
    .filter((p) => p.Principal === 'ses.amazonaws.com');
  expect(gate.map((p) => p.SourceArn).sort()).toEqual([...EVERY_RULE_ARN].sort());
});

it('keeps expiring old-prefix mail, and closes the old prefix to every writer but SES', () => {
  const bucket = template.toJSON().Resources[logicalId(pipeline.mailBucket)];
  const rules = bucket.Properties.LifecycleConfiguration.Rules;
  expect(rules.map((r: any) => [r.Prefix, r.ExpirationInDays])).toEqual([
    ['mail/', 30],
    ['raw/', 30],
    ['quarantine/', 30],
  ]);
  const deny = statements('AWS::S3::BucketPolicy').find((s) => s.Sid === 'DenyWritesToMailExceptBySes');
  expect(deny.Resource).toEqual([objects('mail/'), objects('raw/')]);
  const noDelete = statements('AWS::S3::BucketPolicy').find((s) => s.Sid === 'DenyDeletingMailExceptOperators');
  expect(noDelete.Resource).toEqual([objects('mail/'), objects('raw/')]);
});

it.each([
  [{ previousObjectKeyPrefixes: 'raw' }, "previousObjectKeyPrefixes must each end with '/'"],
  [{ previousObjectKeyPrefixes: 'raw/' }, 'differ from objectKeyPrefix'],
  [{ previousRuleNames: 'bad name' }, 'previousRuleNames and previousRuleSetNames must be SES names'],
])('refuses %j at synthesis', (context, message) => {
  expect(() => synthStack(context, () => undefined)).toThrow(message);
});
