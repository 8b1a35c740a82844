/**
 * cdk-nag's AwsSolutions and Serverless packs over the app, with every option off and on: no finding may be left
 * unacknowledged (each acknowledgement carries its reason in lib/).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnResource, type Stack } from 'aws-cdk-lib';
import { buildApp } from '../../lib/app/inbound-mail-app';
import { TEST_ENV } from '../support/synth';

// The app as users synthesize it: aws-cdk-lib's built-in CloudFormation validation on too (template tests turn it off,
// test/support/builtin-validation-off.ts), its findings in the same report.
delete process.env.CDK_VALIDATION;

// A region where every option, FIPS included, is available.
const FIPS_ENV = { account: '111122223333', region: 'us-east-1' };

const ALL_OPTIONS = {
  recipients: 'inbox@example.com,example.org',
  activateRuleSet: 'true',
  hostedZoneId: 'Z0123456789',
  hostedZoneName: 'example.org',
  receivingDomain: 'mail.example.org',
  alarmTopicArn: 'arn:aws:sns:us-east-1:111122223333:mail-alarms',
  fifo: 'true',
  fips: 'true',
  requireMfa: 'true',
  operatorRoleArns: 'arn:aws:iam::111122223333:role/mail-operator',
  auditTrail: 'true',
  auditRetentionDays: '400',
  macie: 'true',
  previousRuleNames: 'store-v1',
  previousRuleSetNames: 'inbound-v1',
  previousObjectKeyPrefixes: 'old/',
};

// What `cdk synth` gives the app with a region but no credentials: the account stays a token.
const NO_ACCOUNT_ENV = { region: 'us-east-1' };

it.each([
  ['defaults', { recipients: 'inbox@example.com' }, FIPS_ENV],
  ['every option on', ALL_OPTIONS, FIPS_ENV],
  ['defaults, no account', { recipients: 'inbox@example.com' }, NO_ACCOUNT_ENV],
  ['every option on, no account', ALL_OPTIONS, NO_ACCOUNT_ENV],
])('leaves no cdk-nag or cfn-guard finding unacknowledged (%s)', (_name, context, env) => {
  const outdir = mkdtempSync(join(tmpdir(), 'nag-'));
  try {
    const { app } = buildApp({ outdir, context: { 'aws:cdk:bundling-stacks': [], ...context } }, env);
    app.synth();
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    const violations = (report.pluginReports as Array<{ violations?: unknown[] }>).flatMap((r) => r.violations ?? []);
    expect(violations).toEqual([]);
    expect(report.title).toBe('Validation Report');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});

/** Synthesizes the default app with `plant` added to its stack: what synthesis threw ('' if nothing) and the report. */
function synthWithPlanted(plant: (stack: Stack) => void): { message: string; report: ValidationReport } {
  const outdir = mkdtempSync(join(tmpdir(), 'nag-'));
  try {
    const { app, stack } = buildApp(
      { outdir, context: { 'aws:cdk:bundling-stacks': [], recipients: 'inbox@example.com' } },
      TEST_ENV,
    );
    plant(stack);
    let message = '';
    try {
      app.synth();
    } catch (error) {
      message = String(error);
    }
    return { message, report: JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

interface ValidationReport {
  readonly pluginReports: Array<{ pluginName: string; violations?: Array<{ ruleName: string }> }>;
}

it('does report a finding that is not acknowledged (the gate is live)', () => {
  const { message } = synthWithPlanted((stack) => {
    const { Queue } = require('aws-cdk-lib/aws-sqs') as typeof import('aws-cdk-lib/aws-sqs');
    new Queue(stack, 'Unencrypted', { encryption: undefined });
  });
  // Both gates report the planted queue (cdk-nag's TLS rule, cfn-guard's encryption control), and only it.
  expect(message).toMatch(/^ValidationFailed/);
  expect(message).toContain("Acknowledge with 'AwsSolutions::AwsSolutions-SQS4'");
  expect(message).toContain("Acknowledge with 'cdk-validator-cfnguard::sqs_queue_encrypted_check'");
  const findings = message.split('\n').filter((line) => /^\s+EncryptedInboundMail\//.test(line));
  expect(findings.length).toBeGreaterThanOrEqual(2);
  for (const path of findings) expect(path).toMatch(/^\s+EncryptedInboundMail\/Unencrypted\/Resource /);
});

it("keeps aws-cdk-lib's built-in CloudFormation validation on: a property CloudFormation does not know is reported", () => {
  const { report } = synthWithPlanted((stack) => {
    new CfnResource(stack, 'Planted', { type: 'AWS::CloudFormation::WaitConditionHandle', properties: { Unknown: 1 } });
  });
  const builtin = report.pluginReports
    .filter((r) => r.pluginName === 'CloudFormation Validate')
    .flatMap((r) => r.violations ?? []);
  expect(builtin.map((v) => v.ruleName)).toContain('F3002');
});
