/**
 * `--stack NAME`: the operator CLI takes the queue URLs, buckets, key ARN and rule name from a deployed stack's
 * outputs (CloudFormation stubbed with aws-sdk-client-mock), here pointing at the local emulators.
 */
import { PassThrough } from 'node:stream';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from '../../cli/run-cli';
import { settingsFromStack, takeStackFlag } from '../../cli/stack-settings';
import { OUTPUT_NAMES } from '../../lib/output-names';
import { LOCAL_MAIL_BUCKET, LOCAL_PAYLOAD_BUCKET, type LocalStack, startLocalStack } from '../../local/local-stack';
import { drainQueue, storeMail } from '../../local/pipeline';
import { CLEAN_VERDICTS } from '../../local/ses-simulator';

const cloudFormationMock = mockClient(CloudFormationClient);
const cloudFormation = new CloudFormationClient({ region: 'us-east-1' });
let stack: LocalStack;

/** The outputs an EncryptedInboundMail stack has, with the construct id the deployed stack gives it. */
function outputsFor(local: LocalStack) {
  const values: Record<keyof typeof OUTPUT_NAMES, string> = {
    outputQueueUrl: local.outputQueueUrl,
    failureQueueUrl: local.failureQueueUrl,
    payloadBucketName: LOCAL_PAYLOAD_BUCKET,
    mailBucketName: LOCAL_MAIL_BUCKET,
    mailObjectPrefix: 'raw/',
    ruleName: 'store-encrypted',
    mxRecordValue: '10 inbound-smtp.us-east-1.amazonaws.com',
    mailKeyArn: local.kmsKeyArn,
    deliveryKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/delivery',
    // Not read by --stack (a stack with directInvocation has no work queue); redrive takes it as --queue-url.
    workDeadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/work-dead-letters',
    workDeadLetterQueueArn: 'arn:aws:sqs:us-east-1:111122223333:work-dead-letters',
    // As the construct writes it: the function's verdict settings (spam refused here), and nothing else is taken
    // from it (an OUTPUT_QUEUE_URL inside is ignored).
    operatorSettings: JSON.stringify({
      REFUSE_SPAM: 'true',
      VERDICT_ACTIONS: JSON.stringify({ VIRUS: 'quarantine', SPAM: 'quarantine' }),
      QUARANTINE_PREFIX: 'quarantine/',
      PAYLOAD_PREFIX: 'payloads/',
      INLINE_MAX_BYTES: '65536',
      MAX_MAIL_BYTES: '41943040',
      BODY_ENCODING: 'auto',
      OUTPUT_QUEUE_URL: 'https://sqs.example/attacker',
    }),
  };
  return Object.entries(OUTPUT_NAMES).map(([key, name]) => ({
    OutputKey: `InboundMail${name}`,
    OutputValue: values[key as keyof typeof OUTPUT_NAMES],
  }));
}

beforeAll(async () => {
  stack = await startLocalStack();
  // The commands' own clients use the SDK's default chain, as they do for an operator.
  Object.assign(process.env, stack.env);
  cloudFormationMock.on(DescribeStacksCommand, { StackName: 'EncryptedInboundMail' }).resolves({
    Stacks: [
      {
        StackName: 'EncryptedInboundMail',
        StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/EncryptedInboundMail/abc',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: outputsFor(stack),
      },
    ],
  });
  cloudFormationMock
    .on(DescribeStacksCommand, { StackName: 'Missing' })
    .rejects(Object.assign(new Error('Stack with id Missing does not exist'), { name: 'ValidationError' }));
}, 60_000);
afterAll(async () => {
  cloudFormationMock.restore();
  await stack?.stop();
});

function capture() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function cli(args: string[], env: Record<string, string | undefined>) {
  const stdout = capture();
  const stderr = capture();
  const status = await runCli(args, { env, stdout: stdout.stream, stderr: stderr.stream, cloudFormation });
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}

it('fills every setting from the outputs, the account from the stack id', async () => {
  expect(await settingsFromStack(cloudFormation, 'EncryptedInboundMail')).toEqual({
    OUTPUT_QUEUE_URL: stack.outputQueueUrl,
    FAILURE_QUEUE_URL: stack.failureQueueUrl,
    PAYLOAD_BUCKET: LOCAL_PAYLOAD_BUCKET,
    EXPECTED_KMS_KEY_ARN: stack.kmsKeyArn,
    ALLOWED_RULE_NAMES: 'store-encrypted',
    EXPECTED_SOURCE_ACCOUNT: '111122223333',
    MAIL_BUCKET: LOCAL_MAIL_BUCKET,
    MAIL_PREFIX: 'raw/',
    REFUSE_SPAM: 'true',
    VERDICT_ACTIONS: JSON.stringify({ VIRUS: 'quarantine', SPAM: 'quarantine' }),
    QUARANTINE_PREFIX: 'quarantine/',
    PAYLOAD_PREFIX: 'payloads/',
    INLINE_MAX_BYTES: '65536',
    MAX_MAIL_BYTES: '41943040',
    BODY_ENCODING: 'auto',
    SES_INBOUND_MAIL_LOCATION: `s3://${LOCAL_MAIL_BUCKET}/raw/`,
  });
});

it("redrive --stack decides as the deployed function: the stack's bucket, prefix and verdict actions", async () => {
  await drainQueue(stack, stack.outputQueueUrl, 0);
  await drainQueue(stack, stack.failureQueueUrl, 0);
  const spam = await storeMail(stack, Buffer.from('Subject: spam\r\n\r\nbuy\r\n'), undefined, {
    ...CLEAN_VERDICTS,
    spam: 'FAIL',
  });
  const send = (body: unknown) =>
    stack.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: stack.failureQueueUrl, MessageBody: JSON.stringify(body) }),
    );
  // What the work dead-letter queue would hold for it, and records naming other buckets and keys.
  await send({ Records: [{ s3: { bucket: { name: LOCAL_MAIL_BUCKET }, object: { key: spam.key } } }] });
  await send({ bucket: 'someone-elses-bucket', key: spam.key, reason: 'OBJECT_ACCESS_DENIED', errorName: 'x' });
  await send({
    bucket: LOCAL_MAIL_BUCKET,
    key: `quarantine/SPAM/${spam.messageId}`,
    reason: 'TRANSIENT',
    errorName: 'x',
  });

  const env = { ...process.env };
  for (const name of ['MAIL_BUCKET', 'MAIL_PREFIX', 'REFUSE_SPAM', 'VERDICT_ACTIONS']) delete env[name];
  const result = await cli(['redrive', '--stack', 'EncryptedInboundMail'], env);

  // The spam is quarantined as the function would, never forwarded; the other two stay refused.
  expect(result.stdout).toMatch(/quarantined\s+1/);
  expect(result.stdout).toMatch(/BUCKET_NOT_ALLOWED 1/);
  expect(result.stdout).toMatch(/MESSAGE_ID_MISMATCH 1/);
  expect(await drainQueue(stack, stack.outputQueueUrl, 0)).toHaveLength(0);
});

it("replays the stack's mail with nothing but --stack: no variables, no s3:// location", async () => {
  const stored = await storeMail(stack, Buffer.from('Subject: via --stack\r\n\r\nhello\r\n'));
  const env = { ...process.env };
  for (const name of [
    'OUTPUT_QUEUE_URL',
    'FAILURE_QUEUE_URL',
    'PAYLOAD_BUCKET',
    'EXPECTED_KMS_KEY_ARN',
    'ALLOWED_RULE_NAMES',
    'EXPECTED_SOURCE_ACCOUNT',
  ]) {
    delete env[name];
  }
  const result = await cli(['replay', '--stack', 'EncryptedInboundMail'], env);
  expect(result.stderr).not.toContain('required');
  expect(result.status).toBe(0);
  expect(result.stdout).toContain(`replay s3://${LOCAL_MAIL_BUCKET}/raw/`);
  const delivered = await drainQueue(stack, stack.outputQueueUrl, 1);
  expect(delivered.map((m) => m.MessageAttributes?.SesMessageId?.StringValue)).toContain(stored.messageId);
});

it('says plainly when the stack does not exist, or is not one of ours (exit 2)', async () => {
  const missing = await cli(['replay', '--stack', 'Missing'], {});
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain('no stack Missing in this region: check --stack and AWS_REGION');
  cloudFormationMock.on(DescribeStacksCommand, { StackName: 'Other' }).resolves({
    Stacks: [{ StackName: 'Other', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }],
  });
  const other = await cli(['redrive', '--stack', 'Other'], {});
  expect(other.status).toBe(2);
  expect(other.stderr).toContain('has no output ending in OutputQueueUrl: is it an EncryptedInboundMail stack?');
});

it('takes --stack anywhere on the command line, in either spelling', () => {
  expect(takeStackFlag(['--dry-run', '--stack', 'S', 's3://b/p'])).toEqual({
    stackName: 'S',
    rest: ['--dry-run', 's3://b/p'],
  });
  expect(takeStackFlag(['--stack=S'])).toEqual({ stackName: 'S', rest: [] });
  expect(() => takeStackFlag(['--stack'])).toThrow('--stack needs a stack name');
});
