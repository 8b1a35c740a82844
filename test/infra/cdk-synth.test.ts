/**
 * `npx cdk synth -c recipients=...` as a user runs it: the CDK CLI, the app from cdk.json, and the function bundled by
 * the project's own esbuild (no Docker).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

const EVERY_OPTION = [
  'recipients=inbox@example.com,example.org',
  'activateRuleSet=true',
  'hostedZoneId=Z0123456789',
  'hostedZoneName=example.org',
  'receivingDomain=mail.example.org',
  'alarmTopicArn=arn:aws:sns:us-east-1:111122223333:mail-alarms',
  'fifo=true',
  'fips=true',
  'requireMfa=true',
  'operatorRoleArns=arn:aws:iam::111122223333:role/mail-operator',
  'auditTrail=true',
  'macie=true',
];

/** Runs `npx cdk synth` offline with the given context in the given region (the region the CLI resolves for the stack). */
function cdkSynth(context: readonly string[], region: string, outdir: string) {
  const args = ['cdk', 'synth', ...context.flatMap((c) => ['-c', c]), '-o', outdir, '-q', '--no-notices'];
  return spawnSync('npx', args, {
    cwd: ROOT,
    encoding: 'utf8',
    // Offline: no version check, notices or telemetry.
    env: {
      ...process.env,
      CDK_DISABLE_VERSION_CHECK: '1',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      CI: 'true',
      AWS_REGION: region,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
    timeout: 120_000,
  });
}

it.each([
  ['only the recipients given', ['recipients=inbox@example.com']],
  ['every option on', EVERY_OPTION],
])(
  'synthesizes with %s, bundling the function locally',
  (_name, context) => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
    try {
      // A region where every option, FIPS included, exists.
      const result = cdkSynth(context, 'us-east-1', outdir);
      expect(result.stderr).not.toMatch(/docker/i);
      expect(result.status).toBe(0);
      const template = JSON.parse(readFileSync(join(outdir, 'EncryptedInboundMail.template.json'), 'utf8'));
      const fn = Object.values(template.Resources as Record<string, any>).find(
        (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.OUTPUT_QUEUE_URL,
      );
      const assetPath = join(outdir, fn.Metadata['aws:asset:path'], 'index.js');
      expect(existsSync(assetPath)).toBe(true);
      expect(statSync(assetPath).size).toBeGreaterThan(10_000);
      // The goal npm run bench tracks: the stack bundles exactly as scripts/build.mjs does.
      expect(statSync(assetPath).size).toBeLessThan(500_000);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  },
  150_000,
);

describe('npx cdk synth refuses settings it cannot deploy with one line naming the problem and the fix', () => {
  it.each([
    [
      'an unsupported region',
      'ap-east-1',
      ['recipients=inbox@example.com'],
      /^SES cannot receive mail into a bucket in ap-east-1: deploy to one of us-east-1, /,
    ],
    [
      'fips outside the US',
      'ca-central-1',
      ['recipients=inbox@example.com', 'fips=true'],
      /^fips needs FIPS endpoints for S3, SQS and KMS, which exist only in us-east-1, us-east-2, us-west-1, us-west-2: deploy there or turn fips off$/,
    ],
    [
      'a misspelt context key',
      'us-east-1',
      ['recipients=inbox@example.com', 'activateRuleset=true'],
      /^unknown context key 'activateRuleset' \(did you mean 'activateRuleSet'\?\); the stack reads recipients, /,
    ],
    [
      'a malformed recipient',
      'us-east-1',
      ['recipients=not-an-address@'],
      /^recipient 1 of 1 is malformed: each recipient must be an address \(user@example\.com\), a domain \(example\.com\) or every subdomain of one \(\.example\.com\)$/,
    ],
  ])(
    '%s',
    (_name, region, context, message) => {
      const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
      try {
        const result = cdkSynth(context, region, outdir);
        expect(result.status).not.toBe(0);
        // npm's own warnings about this machine's npm configuration (npx runs the CLI) are not the app's output.
        const lines = result.stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('npm warn'));
        expect(lines[0]).toMatch(message);
        // No stack trace: only the CLI's own closing line follows.
        expect(result.stderr).not.toMatch(/^\s+at /m);
        expect(lines.slice(1)).toEqual([expect.stringMatching(/Subprocess exited with error 1$/)]);
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    },
    150_000,
  );
});
