/**
 * The checks every consumer example passes in `npm run test:consumers`, whatever its language: the three fixture mails
 * (inline text, base64, offloaded) written byte-exact, no address in its output; and the hostile messages
 * (local/hostile-consumer-messages.ts): nothing written outside its output folder, no pointer followed outside the
 * payload bucket and prefix, each refusal reported by its code, and its file naming refusing NUL, separators, dots and
 * over-long ids.
 */
import type { SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { ExpectedMails } from '../../local/consumer-fixtures';
import {
  NAMING_EDGE_IDS,
  sendHostileConsumerMessages,
  sendMissingPayloadMessage,
} from '../../local/hostile-consumer-messages';
import type { LocalStack } from '../../local/local-stack';

/** One example: run over the queue into outDir, and its file naming over ids in outDir. */
export interface ConsumerExample {
  run(outDir: string): SpawnSyncReturns<string>;
  names(outDir: string, ids: readonly string[]): Array<string | null> | string;
}

/** Runs the example over the forwarded fixtures; returns what went wrong. */
export function deliveryChecks(example: ConsumerExample, expected: ExpectedMails, outDir: string): string[] {
  const run = example.run(outDir);
  if (run.status !== 0) {
    return [`exit status ${run.status}:\n${run.stdout}${run.stderr}`];
  }
  const problems: string[] = [];
  const kinds = run.stdout
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { delivery: string }).delivery)
    .sort()
    .join(', ');
  if (kinds !== 'inline, inline, offloaded') {
    problems.push(`deliveries ${kinds}, expected inline, inline, offloaded`);
  }
  for (const [id, mime] of expected) {
    const file = join(outDir, `${id}.eml`);
    if (!readdirSync(outDir).includes(`${id}.eml`) || !readFileSync(file).equals(mime)) {
      problems.push(`${id}.eml is not the mail byte for byte`);
    }
  }
  // The summaries name no address (a@example.org sends the first mail).
  if (run.stdout.includes('@')) {
    problems.push('a summary line names an address');
  }
  return problems;
}

/** Runs the example over the hostile messages and its file naming over hostile ids; returns what went wrong. */
export async function hostileChecks(example: ConsumerExample, stack: LocalStack, parent: string): Promise<string[]> {
  const problems: string[] = [];
  const out = join(parent, 'out');
  mkdirSync(out, { recursive: true });
  const hostile = await sendHostileConsumerMessages(stack, parent);
  const run = example.run(out);
  const files = readdirSync(parent, { recursive: true }).map(String).sort();
  const expectedFiles = ['out', join('out', `${hostile.good.id}.eml`)];
  if (JSON.stringify(files) !== JSON.stringify(expectedFiles)) {
    problems.push(`files written: ${JSON.stringify(files)}, expected ${JSON.stringify(expectedFiles)}`);
  } else if (!readFileSync(join(out, `${hostile.good.id}.eml`)).equals(hostile.good.mime)) {
    problems.push('the good mail was not written byte for byte');
  }
  const refusals = run.stderr
    .trim()
    .split('\n')
    .map((line) => {
      try {
        return (JSON.parse(line) as { refused?: string }).refused ?? line;
      } catch {
        return line;
      }
    })
    .sort();
  if (JSON.stringify(refusals) !== JSON.stringify(hostile.refusals)) {
    problems.push(`refusals ${JSON.stringify(refusals)}, expected ${JSON.stringify(hostile.refusals)}`);
  }
  if (/escaped|planted|aaaa/.test(run.stderr)) {
    problems.push('stderr repeats a message id or a key');
  }
  if (run.status !== 1) {
    problems.push(`exit status ${run.status}, expected 1`);
  }
  // Ids SQS cannot carry (NUL) and the edges of the naming rule, through the example's own function; the examples
  // resolve their folder (realpath), so the expected paths do too.
  const names = example.names(out, NAMING_EDGE_IDS);
  const folder = realpathSync(out);
  const expectedNames = [join(folder, '0123abcd.eml'), ...Array(8).fill(null), join(folder, `${'a'.repeat(128)}.eml`)];
  if (JSON.stringify(names) !== JSON.stringify(expectedNames)) {
    problems.push(`file naming gave ${JSON.stringify(names)}`);
  }
  return problems;
}

/** A pointer to no payload: refused PAYLOAD_UNREADABLE, exit status 1, no trace of an uncaught error, nothing written. */
export async function missingPayloadChecks(
  example: ConsumerExample,
  stack: LocalStack,
  parent: string,
): Promise<string[]> {
  const out = join(parent, 'out');
  mkdirSync(out, { recursive: true });
  await sendMissingPayloadMessage(stack);
  const run = example.run(out);
  const problems: string[] = [];
  const lines = run.stderr.trim().split('\n');
  const refused = lines.map((line) => {
    try {
      return (JSON.parse(line) as { refused?: unknown }).refused;
    } catch {
      return line;
    }
  });
  if (run.status !== 1 || JSON.stringify(refused) !== JSON.stringify(['PAYLOAD_UNREADABLE'])) {
    problems.push(`exit ${run.status}, stderr ${run.stderr.slice(0, 400)}`);
  }
  if (readdirSync(out).length > 0) problems.push(`files written: ${JSON.stringify(readdirSync(out))}`);
  return problems;
}
