/**
 * `npm run test:consumers`: the Python (examples/python/consume.py, boto3) and Java (examples/java, the SQS Extended
 * Client Library, built with Maven) consumer examples against the local emulators: each reads inline text, base64 and
 * offloaded mail byte for byte, and refuses the hostile messages (local/hostile-consumer-messages.ts): it writes
 * nothing outside its output folder, follows no pointer outside the payload bucket and prefix, reports each by its
 * code, and its file naming refuses NUL, separators, dots and over-long ids. The Python one also as a Lambda SQS
 * handler, with its region from AWS_REGION or the queue URL, its --help and its parse_mail. It needs a Python with
 * boto3 (requirements-dev.txt; scripts/python.ts says which Python), and Maven and a JDK 17: without them it says what
 * is missing and fails, so a machine that lacks them cannot pass for one that ran them. The Node example is tested in
 * `npm test`. The last line is the count of examples' checks passed and failed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forwardConsumerFixtures } from '../local/consumer-fixtures';
import { type LocalStack, startLocalStack } from '../local/local-stack';
import { drainQueue } from '../local/pipeline';
import { type ConsumerExample, deliveryChecks, hostileChecks, missingPayloadChecks } from './consumers/example-checks';
import { buildJavaExample } from './consumers/java-example';
import { lambdaChecks, pythonExample, setupChecks } from './consumers/python-example';
import { parseChecks } from './consumers/python-parse-checks';
import { INSTALL_HINT, pythonCommand } from './python';

async function main(): Promise<number> {
  const python = pythonCommand();
  const probe = spawnSync(python, ['-c', 'import boto3; print(boto3.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    process.stderr.write(`test:consumers: boto3 is not installed for ${python}; install it with: ${INSTALL_HINT}\n`);
    return 1;
  }
  const started = Date.now();
  const java = buildJavaExample();
  if (typeof java === 'string') {
    process.stderr.write(`test:consumers: the Java example did not build (Maven and a JDK 17 needed): ${java}\n`);
    return 1;
  }
  process.stdout.write(`test:consumers: the Java example built in ${seconds(started)}\n`);
  const work = mkdtempSync(join(tmpdir(), 'consumers-'));
  const results: Array<[string, string[]]> = [];
  const { createHandler } = await import('../lambda/decrypt-function/handler');
  // Each example on a stack of its own: the messages another left on the queue (refused ones stay) are not its own.
  const examples: Array<[string, (stack: LocalStack) => ConsumerExample]> = [
    [`Python (${python}, boto3 ${probe.stdout.trim()})`, (stack) => pythonExample(python, stack)],
    [
      'Java (SQS Extended Client Library)',
      (stack) => ({
        run: (out) => java.run({ PATH: process.env.PATH ?? '', ...stack.env, QUEUE_URL: stack.outputQueueUrl }, out),
        names: java.names,
      }),
    ],
  ];
  try {
    for (const [name, example] of examples) {
      const stack = await startLocalStack();
      try {
        Object.assign(process.env, stack.env);
        const handler = createHandler();
        const folder = join(work, name.split(' ')[0] as string);
        mkdirSync(folder);
        const expected = await forwardConsumerFixtures(stack, handler);
        const mail = deliveryChecks(example(stack), expected, join(folder, 'mail'));
        results.push([`${name}: inline, base64 and offloaded mail byte-exact`, mail]);
        const hostile = await hostileChecks(example(stack), stack, join(folder, 'hostile'));
        results.push([`${name}: hostile messages and ids`, hostile]);
        await drainQueue(stack, stack.outputQueueUrl, 0);
        const missing = await missingPayloadChecks(example(stack), stack, join(folder, 'missing'));
        results.push([`${name}: a pointer to no payload`, missing]);
        if (name.startsWith('Python')) {
          await drainQueue(stack, stack.outputQueueUrl, 0);
          const fixtures = await forwardConsumerFixtures(stack, handler);
          const messages = await drainQueue(stack, stack.outputQueueUrl, 1);
          results.push(['Python: the Lambda SQS handler', lambdaChecks(python, stack, messages, fixtures)]);
        }
      } finally {
        await stack.stop();
      }
      process.stdout.write(`test:consumers: ${name} checked at ${seconds(started)}\n`);
    }
    results.push(['Python: region from AWS_REGION or the queue URL, --help', setupChecks(python)]);
    results.push(['Python: parse_mail over the sample and damaged mail', parseChecks(python)]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  for (const [name, problems] of results) {
    process.stdout.write(`test:consumers: ${name}: ${problems.length === 0 ? 'passed' : 'FAILED'}\n`);
    for (const problem of problems) {
      process.stdout.write(`  ${problem}\n`);
    }
  }
  const failed = results.filter(([, problems]) => problems.length > 0).length;
  process.stdout.write(`test:consumers: ${seconds(started)}\n${results.length - failed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
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
