/**
 * `npx cdk synth` with settings the stack cannot deploy with: one line naming the problem and the fix, no stack trace.
 * (A file of its own so it runs beside cdk-synth.test.ts rather than after it.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cdkSynth } from '../support/cdk-cli';

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
      // The construct's own check names its property (context fips sets useFipsEndpoints).
      /^useFipsEndpoints needs FIPS endpoints for S3, SQS and KMS, which exist only in us-east-1, us-east-2, us-west-1, us-west-2: deploy there or leave useFipsEndpoints off$/,
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
