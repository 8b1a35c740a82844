/**
 * `npm run test:consumers`: the Python consumer example (examples/python/consume.py, boto3) against the local
 * emulators, reading inline text, base64 and offloaded mail and checking each byte for byte; then hostile messages
 * (local/hostile-consumer-messages.ts): it must write nothing outside its output folder, follow no pointer outside the
 * payload bucket and prefix, and report each by its code; and its file naming refuses NUL, separators, dots and
 * over-long ids. It needs a Python with
 * boto3 (requirements-dev.txt; scripts/python.ts says which Python): without it, it says how to install it and fails,
 * so a machine that lacks it cannot pass for one that ran it. The Node example is tested in `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { forwardConsumerFixtures } from '../local/consumer-fixtures';
import { NAMING_EDGE_IDS, sendHostileConsumerMessages } from '../local/hostile-consumer-messages';
import { type LocalStack, startLocalStack } from '../local/local-stack';
import { INSTALL_HINT, pythonCommand } from './python';

const EXAMPLE = join(__dirname, '..', 'examples', 'python', 'consume.py');

async function main(): Promise<number> {
  const python = pythonCommand();
  const probe = spawnSync(python, ['-c', 'import boto3; print(boto3.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    process.stderr.write(`test:consumers: boto3 is not installed for ${python}; install it with: ${INSTALL_HINT}\n`);
    return 1;
  }
  const stack = await startLocalStack();
  const work = mkdtempSync(join(tmpdir(), 'python-consumer-'));
  try {
    Object.assign(process.env, stack.env);
    const { createHandler } = await import('../lambda/decrypt-function/handler');
    const expected = await forwardConsumerFixtures(stack, createHandler());
    const run = runExample(python, stack, work);
    if (run.status !== 0) {
      process.stdout.write(`test:consumers: the Python example failed (${run.status}):\n${run.stdout}${run.stderr}\n`);
      return 1;
    }
    const deliveries = run.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { delivery: string }).delivery);
    let failed = 0;
    for (const [id, mime] of expected) {
      const same = readFileSync(join(work, `${id}.eml`)).equals(mime);
      if (!same) failed += 1;
    }
    // The summaries name no address (a@example.org sends the first mail) and give each mail's subject.
    const namesAddress = run.stdout.includes('@');
    if (namesAddress) {
      process.stdout.write('test:consumers: a summary line names an address\n');
    }
    const parsing = parseChecks(python);
    for (const problem of parsing) {
      process.stdout.write(`test:consumers: parse_mail: ${problem}\n`);
    }
    process.stdout.write(
      `test:consumers: parse_mail over the sample and damaged mail: ${parsing.length === 0 ? 'passed' : 'FAILED'}\n`,
    );
    const kinds = deliveries.sort().join(', ');
    process.stdout.write(
      `test:consumers: ${python} (boto3 ${probe.stdout.trim()}) read ${expected.size} mails (${kinds}): ${expected.size - failed} passed, ${failed} failed\n`,
    );
    const hostile = await hostileChecks(python, stack, join(work, 'hostile'));
    for (const problem of hostile) {
      process.stdout.write(`test:consumers: hostile messages: ${problem}\n`);
    }
    process.stdout.write(`test:consumers: hostile messages and ids: ${hostile.length === 0 ? 'passed' : 'FAILED'}\n`);
    const parsed = parsing.length === 0 && !namesAddress;
    return failed === 0 && kinds === 'inline, inline, offloaded' && hostile.length === 0 && parsed ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
    await stack.stop();
  }
}

function runExample(python: string, stack: LocalStack, outDir: string) {
  return spawnSync(python, [EXAMPLE, outDir], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      ...stack.env,
      QUEUE_URL: stack.outputQueueUrl,
      AWS_DEFAULT_REGION: stack.env.AWS_REGION,
    },
  });
}

/** Runs the example over the hostile messages and its file naming over hostile ids; returns what went wrong. */
async function hostileChecks(python: string, stack: LocalStack, parent: string): Promise<string[]> {
  const problems: string[] = [];
  const out = join(parent, 'out');
  mkdirSync(out, { recursive: true });
  const hostile = await sendHostileConsumerMessages(stack, parent);
  const run = runExample(python, stack, out);
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
  // Ids SQS cannot carry (NUL) and the edges of the naming rule, through the example's own function.
  const ids = NAMING_EDGE_IDS;
  const naming = spawnSync(
    python,
    [
      '-c',
      'import json, sys; sys.path.insert(0, sys.argv[1]); import consume; ' +
        'print(json.dumps([consume.mail_file_path(sys.argv[2], i) for i in json.loads(sys.argv[3])]))',
      dirname(EXAMPLE),
      out,
      JSON.stringify(ids),
    ],
    { encoding: 'utf8' },
  );
  // The example resolves its folder (realpath), so the expected paths do too.
  const folder = realpathSync(out);
  const expectedNames = [join(folder, '0123abcd.eml'), ...Array(8).fill(null), join(folder, `${'a'.repeat(128)}.eml`)];
  if (naming.status !== 0 || !sameJson(naming.stdout, expectedNames)) {
    problems.push(`mail_file_path gave ${naming.stdout.trim() || naming.stderr.trim()}`);
  }
  return problems;
}

/**
 * The example's parse_mail (the email package) over local/sample-mail.eml, whose fields and CSV bytes are read off
 * the file, and over damaged mail, which it must refuse by code.
 */
function parseChecks(python: string): string[] {
  const sample = join(__dirname, '..', 'local', 'sample-mail.eml');
  const csv = Buffer.from('cXVhcnRlcixyZXZlbnVlCjEsMTAwCjIsMTIwCjMsMTQ1CjQsMTYwCg==', 'base64');
  const probe = spawnSync(
    python,
    [
      '-c',
      'import json, sys; sys.path.insert(0, sys.argv[1]); import consume\n' +
        'm = consume.parse_mail(open(sys.argv[2], "rb").read())\n' +
        'out = {k: m[k] for k in ("from", "subject", "messageId")} | {"date": m["date"].isoformat(), ' +
        '"html": m["html"], "attachments": [[a["filename"], a["contentType"], a["content"].hex()] for a in m["attachments"]]}\n' +
        'out["refused"] = [consume.mail_summary(b).get("refused") for b in (b"", b"\\r\\nno headers", bytes(range(256)) * 16)]\n' +
        'print(json.dumps(out))',
      dirname(EXAMPLE),
      sample,
    ],
    { encoding: 'utf8' },
  );
  const expected = {
    from: { address: 'sender@example.net', name: 'Example Sender' },
    subject: 'Quarterly report \u2014 draft',
    messageId: '<sample-0001@example.net>',
    date: '2026-11-23T08:59:58+01:00',
    html: '<p>Hello,</p><p>the draft of the quarterly report is attached. Gr\u00fc\u00dfe!</p>\n',
    attachments: [['report.csv', 'text/csv', csv.toString('hex')]],
    refused: ['MAIL_MALFORMED', 'MAIL_MALFORMED', 'MAIL_MALFORMED'],
  };
  return probe.status === 0 && sameJson(probe.stdout, expected)
    ? []
    : [`gave ${probe.stdout.trim() || probe.stderr.trim()}, expected ${JSON.stringify(expected)}`];
}

function sameJson(text: string, expected: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(expected);
  } catch {
    return false;
  }
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`test:consumers: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
