import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '../../local/local-stack';
import { measure } from './measure';
import { mailOf, sesObject } from './objects';
import { log, MiB, median, NODE, ROOT, results, rows, spread } from './report';

/** The goal: the CLI's time at most this share of the Ruby reference's, in the same run. */
export const CLI_GOAL = 0.4;

export async function benchCli(stack: LocalStack): Promise<void> {
  log('CLI decrypt, 39 MiB, against the Ruby reference ...');
  const work = mkdtempSync(join(tmpdir(), 'bench-cli-'));
  try {
    const wrappedKey = randomBytes(64);
    const mime = mailOf(39 * MiB);
    const object = sesObject(mime, 'clibench', stack.kmsKeyArn, wrappedKey);
    stack.kms.addKnownCiphertext({
      ciphertextBlob: wrappedKey,
      plaintext: object.dataKey,
      encryptionContext: object.matdesc,
      keyId: stack.kmsKeyArn,
    });
    writeFileSync(join(work, 'object.bin'), object.body);
    writeFileSync(join(work, 'metadata.json'), JSON.stringify(object.metadata));
    const env = { ...process.env, ...stack.env };
    const cliArgs = [
      join(ROOT, 'dist', 'cli.js'),
      'decrypt',
      '--file',
      join(work, 'object.bin'),
      '--metadata',
      join(work, 'metadata.json'),
      '-o',
      join(work, 'out.eml'),
    ];
    const ours: Array<{ millis: number; maxRssKiB?: number }> = [];
    const ruby: Array<{ millis: number; maxRssKiB?: number }> = [];
    const rubyAvailable =
      (await measure('ruby', ['-e', 'require "aws-sdk-s3"; require "aws-sdk-kms"'], env).catch(() => undefined))
        ?.status === 0;
    await measure(NODE, cliArgs, env); // warms the V8 compile cache, as any second run has it
    for (let i = 0; i < 7; i += 1) {
      const run = await measure(NODE, cliArgs, env);
      if (run.status !== 0) throw new Error('CLI decrypt failed in the benchmark');
      ours.push(run);
      rmSync(join(work, 'out.eml'), { force: true });
      if (rubyAvailable) {
        const reference = await measure(
          'ruby',
          [
            join(ROOT, 'scripts', 'ruby-reference-decrypt.rb'),
            join(work, 'object.bin'),
            join(work, 'metadata.json'),
            object.dataKey.toString('hex'),
            stack.kmsKeyArn,
            join(work, 'ruby.eml'),
          ],
          env,
        );
        if (reference.status === 0) ruby.push(reference);
      }
    }
    const ourMillis = median(ours.map((r) => r.millis));
    // Each of our runs was followed by Ruby's: the median of the pairs' ratios shrugs off the machine's drift.
    const ratios =
      ruby.length === ours.length ? spread(ours.map((r, i) => r.millis / (ruby[i]?.millis as number))) : undefined;
    const ourRss = median(ours.map((r) => r.maxRssKiB ?? 0)) / 1024;
    const rubyMillis = ruby.length > 0 ? median(ruby.map((r) => r.millis)) : undefined;
    const rubyRss = ruby.length > 0 ? median(ruby.map((r) => r.maxRssKiB ?? 0)) / 1024 : undefined;
    results.cli = {
      mailBytes: mime.length,
      millis: ourMillis,
      peakMiB: ourRss,
      rubyMillis,
      rubyPeakMiB: rubyRss,
      ratios,
    };
    rows.push({
      measure: 'CLI decrypt, 39 MiB mail from a file (median of 7)',
      value: `${ourMillis.toFixed(0)} ms, peak ${ourRss.toFixed(0)} MiB`,
      reference:
        rubyMillis === undefined
          ? 'Ruby reference not measured (apt-get install ruby-aws-sdk-s3)'
          : `Ruby S3 Encryption Client: ${rubyMillis.toFixed(0)} ms, peak ${rubyRss?.toFixed(0)} MiB; ratio ${ratios === undefined ? '-' : `${ratios.median.toFixed(2)} (${ratios.p25.toFixed(2)}-${ratios.p75.toFixed(2)})`}`,
      goal: `<= ${CLI_GOAL}x Ruby time, <= Ruby memory`,
      met: ratios === undefined ? undefined : ratios.median <= CLI_GOAL && ourRss <= (rubyRss ?? 0),
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
