/**
 * `npm run lint:cfn`: synthesizes the stack for every region where SES can receive mail into a bucket, with every
 * option off and every option on, and runs cfn-lint (AWS's CloudFormation linter, with its per-region resource data)
 * over each template for its own region. Zero errors or it fails. cfn-lint is a Python tool, pinned in
 * requirements-dev.txt and run through its console entry point (scripts/python.ts says which Python).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { EncryptedInboundMailStack } from '../lib/app/encrypted-inbound-mail-stack';
import { FIPS_REGIONS, SES_RECEIVING_REGIONS } from '../lib/deployment-region';
import { EncryptedInboundMail } from '../lib/encrypted-inbound-mail';
import { INSTALL_HINT, pythonCommand } from './python';

const ACCOUNT = '111122223333';
const CDK_JSON_CONTEXT = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')).context;

/** Every option on; FIPS only where its endpoints exist (the stack refuses it elsewhere). */
function everyOption(region: string): Record<string, string> {
  return {
    recipients: 'inbox@example.com,example.org,.example.net',
    activateRuleSet: 'true',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    hostedZoneName: 'example.org',
    receivingDomain: 'mail.example.org',
    alarmTopicArn: `arn:aws:sns:${region}:${ACCOUNT}:mail-alarms`,
    fifo: 'true',
    ...((FIPS_REGIONS as readonly string[]).includes(region) ? { fips: 'true' } : {}),
    requireMfa: 'true',
    operatorRoleArns: `arn:aws:iam::${ACCOUNT}:role/mail-operator`,
    auditTrail: 'true',
    macie: 'true',
  };
}

function synthesize(region: string, context: Record<string, string>, file: string): void {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new EncryptedInboundMailStack(app, 'EncryptedInboundMail', { env: { account: ACCOUNT, region } });
  const assembly = app.synth();
  writeFileSync(file, JSON.stringify(assembly.getStackArtifact(stack.artifactId).template, null, 1));
}

/**
 * The construct's template, linted for ap-east-1, where SES does not receive mail: cfn-lint must report E3006 there,
 * or this gate could not fail. Returns 1 when it does not. (The construct refuses to synthesize for ap-east-1 itself,
 * so the control is synthesized for eu-west-1 and only linted for ap-east-1: its SES resource types are the same.)
 */
function checkTheGateIsLive(work: string): number {
  const file = join(work, 'ap-east-1-control.json');
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Control', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  new EncryptedInboundMail(stack, 'InboundMail', { recipients: ['inbox@example.com'] });
  writeFileSync(file, JSON.stringify(app.synth().getStackArtifact(stack.artifactId).template));
  const lint = cfnLint(['--regions', 'ap-east-1', '--format', 'parseable', '--', file]);
  const live = /:E3006:/.test(lint.stdout);
  process.stdout.write(
    `  control: ap-east-1 ${live ? 'reported E3006 (no SES receiving there), as it must' : 'was NOT reported: the gate is blind'}\n`,
  );
  return live ? 0 : 1;
}

/** cfn-lint through the project's Python: the same entry point as its `cfn-lint` console script. */
function cfnLint(args: readonly string[]) {
  const entry = 'import sys; from cfnlint.runner import main; sys.argv[0] = "cfn-lint"; sys.exit(main())';
  return spawnSync(pythonCommand(), ['-c', entry, ...args], { encoding: 'utf8' });
}

function main(): number {
  const version = cfnLint(['--version']);
  if (version.error !== undefined || version.status !== 0) {
    process.stderr.write(
      `lint:cfn: cfn-lint is not installed for ${pythonCommand()}; install it with: ${INSTALL_HINT}\n`,
    );
    return 1;
  }
  process.stdout.write(`lint:cfn: ${version.stdout.trim()}, ${SES_RECEIVING_REGIONS.length} regions x 2 option sets\n`);
  const work = mkdtempSync(join(tmpdir(), 'lint-cfn-'));
  let errors = 0;
  try {
    for (const region of SES_RECEIVING_REGIONS) {
      const files = [join(work, `${region}-defaults.json`), join(work, `${region}-every-option.json`)];
      synthesize(region, { recipients: 'inbox@example.com' }, files[0] as string);
      synthesize(region, everyOption(region), files[1] as string);
      const lint = cfnLint(['--regions', region, '--format', 'parseable', '--', ...files]);
      const findings = lint.stdout.split('\n').filter((line) => line.trim() !== '');
      const regionErrors = findings.filter((line) => /:E\d{4}:/.test(line));
      errors += regionErrors.length;
      // cfn-lint's exit status is a bit mask: 2 means errors, 4 warnings, 8 informational findings.
      if (lint.status === null || (lint.status & 2) !== 0 || (lint.status & 1) !== 0) {
        errors += regionErrors.length === 0 ? 1 : 0;
      }
      // Errors in full; warnings and notes counted by rule (aws-cdk-lib's own redundant DependsOn give W3005).
      const others = new Map<string, number>();
      for (const line of findings) {
        const rule = /:([WI]\d{4}):/.exec(line)?.[1];
        if (rule !== undefined) others.set(rule, (others.get(rule) ?? 0) + 1);
      }
      const summary = [...others].map(([rule, count]) => `${rule} x${count}`).join(', ');
      process.stdout.write(`  ${region.padEnd(15)} ${regionErrors.length} errors${summary ? `; ${summary}` : ''}\n`);
      for (const line of regionErrors) process.stdout.write(`    ${line.replace(`${work}/`, '')}\n`);
      if (lint.stderr.trim() !== '') process.stdout.write(`    ${lint.stderr.trim()}\n`);
    }
    errors += checkTheGateIsLive(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`lint:cfn: ${errors === 0 ? 'no errors' : `${errors} errors`}\n`);
  return errors === 0 ? 0 : 1;
}

process.exitCode = main();
