/**
 * `npx cdk synth -c recipients=...` as a user runs it: the CDK CLI, the app from cdk.json, and the function bundled by
 * the project's own esbuild (no Docker).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

import { cdkSynth } from '../support/cdk-cli';

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
      // The stack bundles exactly as scripts/build.mjs does (npm run bench measures its load): about 470 KB, plus about
      // 90 KB for the delivery records (Powertools Idempotency and the DynamoDB client). A ceiling against bloat.
      expect(statSync(assetPath).size).toBeLessThan(600_000);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  },
  150_000,
);
