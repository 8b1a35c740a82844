/**
 * The Python consumer example (examples/python/consume.py, boto3) for `npm run test:consumers`: its poller as a
 * ConsumerExample, run with AWS_REGION only (as the README says to set it; boto3 itself reads AWS_DEFAULT_REGION);
 * its Lambda SQS handler over an event built from the queue's messages; its region from the queue URL; its --help;
 * and parse_mail over the sample and damaged mail.
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Message } from '@aws-sdk/client-sqs';
import type { ExpectedMails } from '../../local/consumer-fixtures';
import { LOCAL_PAYLOAD_BUCKET, type LocalStack } from '../../local/local-stack';
import type { ConsumerExample } from './example-checks';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'python', 'consume.py');

/** Runs `code` with consume imported; its stdout parsed as JSON, or the error text. */
function withConsume(python: string, code: string, args: string[], env?: Record<string, string>): unknown {
  const result = spawnSync(
    python,
    ['-c', `import json, sys; sys.path.insert(0, sys.argv[1]); import consume\n${code}`, dirname(EXAMPLE), ...args],
    { encoding: 'utf8', ...(env === undefined ? {} : { env }) },
  );
  try {
    return result.status === 0 ? JSON.parse(result.stdout) : `${result.stdout}${result.stderr}`;
  } catch {
    return result.stdout;
  }
}

export function pythonExample(python: string, stack: LocalStack): ConsumerExample {
  return {
    run: (outDir) =>
      spawnSync(python, [EXAMPLE, outDir], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ...stack.env, QUEUE_URL: stack.outputQueueUrl },
      }),
    names: (outDir, ids) =>
      withConsume(
        python,
        'print(json.dumps([consume.mail_file_path(sys.argv[2], i) for i in json.loads(sys.argv[3])]))',
        [outDir, JSON.stringify(ids)],
      ) as Array<string | null> | string,
  };
}

/**
 * The handler over a Lambda SQS event made of the queue's messages (as Lambda shapes them) and one pointer into the
 * mail bucket: every mail delivered byte-exact, the pointer's record, only it, reported as a batch item failure.
 */
export function lambdaChecks(
  python: string,
  stack: LocalStack,
  messages: Message[],
  expected: ExpectedMails,
): string[] {
  const record = (m: Message) => ({
    messageId: m.MessageId,
    receiptHandle: m.ReceiptHandle,
    body: m.Body,
    attributes: {},
    messageAttributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([name, v]) => [
        name,
        { stringValue: v.StringValue, stringListValues: [], binaryListValues: [], dataType: v.DataType },
      ]),
    ),
    md5OfBody: m.MD5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:inbound-mail',
    awsRegion: 'us-east-1',
  });
  const offloaded = messages.find((m) => m.MessageAttributes?.ExtendedPayloadSize !== undefined);
  const foreign = {
    ...record(offloaded ?? {}),
    messageId: 'foreign-pointer',
    body: JSON.stringify([
      'software.amazon.payloadoffloading.PayloadS3Pointer',
      { s3BucketName: 'inbound-mail', s3Key: 'payloads/x' },
    ]),
  };
  // A pointer to no payload (forged, or past its lifetime), a base64 body that is not base64, and SesVerdicts that is
  // not JSON, each with its length and SHA-256 right: refused one by one, the batch's other mails still delivered.
  const junk = Buffer.from('Subject: junk\r\n\r\nx\r\n');
  const attributes = (extra: Record<string, string>) =>
    Object.fromEntries(
      Object.entries({ ContentSha256: sha256(junk), ContentLength: String(junk.length), ...extra }).map(([k, v]) => [
        k,
        {
          stringValue: v,
          stringListValues: [],
          binaryListValues: [],
          dataType: k === 'ContentLength' ? 'Number' : 'String',
        },
      ]),
    );
  const broken = [
    {
      ...foreign,
      messageId: 'missing-payload',
      body: JSON.stringify([
        'software.amazon.payloadoffloading.PayloadS3Pointer',
        { s3BucketName: LOCAL_PAYLOAD_BUCKET, s3Key: 'payloads/nosuchpayload0' },
      ]),
      messageAttributes: attributes({ ExtendedPayloadSize: String(junk.length) }),
    },
    {
      ...foreign,
      messageId: 'bad-base64',
      body: '!!not base64!!',
      messageAttributes: attributes({ ContentEncoding: 'base64' }),
    },
    {
      ...foreign,
      messageId: 'bad-verdicts',
      body: junk.toString('utf8'),
      messageAttributes: attributes({ SesVerdicts: '{' }),
    },
    // JSON nested past Python's recursion limit: a RecursionError stopped the handler, the whole batch returned.
    {
      ...foreign,
      messageId: 'deep-verdicts',
      body: junk.toString('utf8'),
      messageAttributes: attributes({ SesVerdicts: '['.repeat(100_000) }),
    },
  ];
  const event = { Records: [...messages.map(record), foreign, ...broken] };
  const run = spawnSync(
    python,
    [
      '-c',
      'import json, sys, hashlib; sys.path.insert(0, sys.argv[1]); import consume; seen = {}\n' +
        'result = consume.handler(json.loads(sys.stdin.read()), None, lambda m: seen.__setitem__(m["sesMessageId"], [m["delivery"], hashlib.sha256(m["mime"]).hexdigest()]))\n' +
        'print(json.dumps({"delivered": seen, "result": result}))',
      dirname(EXAMPLE),
    ],
    { encoding: 'utf8', input: JSON.stringify(event), env: { PATH: process.env.PATH ?? '', ...stack.env } },
  );
  const expectedAnswer = {
    delivered: Object.fromEntries(
      [...expected].map(([id, mime]) => [
        id,
        [id === offloaded?.MessageAttributes?.SesMessageId?.StringValue ? 'offloaded' : 'inline', sha256(mime)],
      ]),
    ),
    result: {
      batchItemFailures: ['foreign-pointer', 'missing-payload', 'bad-base64', 'bad-verdicts', 'deep-verdicts'].map(
        (itemIdentifier) => ({ itemIdentifier }),
      ),
    },
  };
  const lines = run.stdout.trim().split('\n');
  const refusals = lines.slice(0, -1);
  const problems: string[] = [];
  if (run.status !== 0 || !sameJson(lines.at(-1) ?? '', expectedAnswer)) {
    problems.push(`handler gave ${run.stdout}${run.stderr}, expected ${JSON.stringify(expectedAnswer)}`);
  }
  const expectedRefusals = [
    'POINTER_BUCKET_REFUSED',
    'PAYLOAD_UNREADABLE',
    'MESSAGE_MALFORMED',
    'MESSAGE_MALFORMED',
    'MESSAGE_MALFORMED',
  ];
  if (JSON.stringify(refusals) !== JSON.stringify(expectedRefusals.map((code) => `{"refused": "${code}"}`))) {
    problems.push(`handler logged ${JSON.stringify(refusals)}`);
  }
  // Without PAYLOAD_BUCKET an offloaded mail is refused (a TypeError stopped the handler: the whole batch returned).
  if (offloaded !== undefined) {
    const { PAYLOAD_BUCKET: _unset, ...withoutBucket } = stack.env;
    const unconfigured = spawnSync(
      python,
      [
        '-c',
        'import json, sys; sys.path.insert(0, sys.argv[1]); import consume\n' +
          'print(json.dumps(consume.handler(json.loads(sys.stdin.read()), None, lambda m: None)))',
        dirname(EXAMPLE),
      ],
      {
        encoding: 'utf8',
        input: JSON.stringify({ Records: [record(offloaded)] }),
        env: { PATH: process.env.PATH ?? '', ...withoutBucket },
      },
    );
    const expectedLines = [
      '{"refused": "OFFLOAD_NOT_CONFIGURED"}',
      JSON.stringify({ batchItemFailures: [{ itemIdentifier: offloaded.MessageId }] }),
    ];
    const got = unconfigured.stdout.trim().split('\n');
    if (
      got.length !== 2 ||
      got[0] !== expectedLines[0] ||
      !sameJson(got[1] ?? '', JSON.parse(expectedLines[1] as string))
    ) {
      problems.push(`handler without PAYLOAD_BUCKET gave ${unconfigured.stdout}${unconfigured.stderr.slice(-300)}`);
    }
  }
  // Its default delivery is a log line (CloudWatch Logs in Lambda): no subject, no address.
  const logged = spawnSync(
    python,
    [
      '-c',
      'import json, sys; sys.path.insert(0, sys.argv[1]); import consume; consume.handler(json.loads(sys.stdin.read()))',
      dirname(EXAMPLE),
    ],
    { encoding: 'utf8', input: JSON.stringify(event), env: { PATH: process.env.PATH ?? '', ...stack.env } },
  );
  const logLines = logged.stdout.trim().split('\n');
  if (
    logged.status !== 0 ||
    logLines.length !== messages.length + expectedRefusals.length ||
    /inline text|latin-1|Subject|@/.test(logged.stdout)
  ) {
    problems.push(`the handler's log: ${logged.status} ${logged.stdout.slice(0, 300)}${logged.stderr.slice(0, 300)}`);
  }
  return problems;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The region: AWS_REGION alone works; a queue URL names it when nothing else does; --help answers. */
export function setupChecks(python: string): string[] {
  const problems: string[] = [];
  const regions = withConsume(python, 'print(json.dumps([consume.region_name(*a) for a in json.loads(sys.argv[2])]))', [
    JSON.stringify([
      [{ AWS_REGION: 'eu-west-1' }, 'https://sqs.us-east-1.amazonaws.com/111122223333/q'],
      [{ AWS_DEFAULT_REGION: 'eu-west-2' }, 'https://sqs.us-east-1.amazonaws.com/111122223333/q'],
      [{}, 'https://sqs.ap-south-1.amazonaws.com/111122223333/q', 'eu-central-1'],
      [{}, 'https://sqs.ap-south-1.amazonaws.com/111122223333/q'],
      [{}, 'https://sqs.cn-north-1.amazonaws.com.cn/111122223333/q'],
      [{}, 'http://127.0.0.1:4566/111122223333/q'],
    ]),
  ]);
  const expectedRegions = ['eu-west-1', 'eu-west-2', 'eu-central-1', 'ap-south-1', 'cn-north-1', null];
  if (!sameJson(JSON.stringify(regions), expectedRegions)) {
    problems.push(`region_name gave ${JSON.stringify(regions)}, expected ${JSON.stringify(expectedRegions)}`);
  }
  const help = spawnSync(python, [EXAMPLE, '--help'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  if (help.status !== 0 || !help.stdout.includes('InboundMailOutputQueueUrl') || !help.stdout.includes('handler')) {
    problems.push(`--help gave ${help.status}: ${help.stdout.slice(0, 200)}${help.stderr.slice(0, 500)}`);
  }
  return problems;
}

export function sameJson(text: string, expected: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(expected);
  } catch {
    return false;
  }
}
