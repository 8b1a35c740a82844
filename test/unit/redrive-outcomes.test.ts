/**
 * What `redrive` deletes from the queue it reads: a message whose records are done with (forwarded, skipped, or held
 * in quarantine, where `quarantine release` takes it on), never one still refused; a message it cannot read (a
 * rejection record naming a key no S3 object has) is left on the queue without stopping the run.
 */
import { PassThrough } from 'node:stream';
import { CopyObjectCommand } from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { runRedriveCommand } from '../../cli/redrive-command';
import { CLEAN_VERDICTS } from '../../local/ses-simulator';
import { MAIL_BUCKET, mockedFunctionWorld } from '../support/mocked-function';
import { sesObject } from '../support/ses-objects';

const { kms, keyArn, clients, s3Mock, sqsMock, put, baseEnv } = mockedFunctionWorld();
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/111122223333/work-dlq';
const MAIL = Buffer.from('From: someone@example.org\r\nSubject: redriven\r\n\r\nhello\r\n');

/** Runs redrive over `bodies` (one receive), and says which receipt handles it deleted. */
async function redriveOver(bodies: string[]): Promise<{ status: number; deleted: unknown[] }> {
  const messages = bodies.map((Body, i) => ({ MessageId: `m${i}`, ReceiptHandle: `r${i}`, Body }));
  sqsMock.on(ReceiveMessageCommand).resolvesOnce({ Messages: messages }).resolves({ Messages: [] });
  sqsMock.on(DeleteMessageCommand).resolves({});
  sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
  const io = { env: baseEnv(), stdout: new PassThrough(), stderr: new PassThrough(), clients };
  const status = await runRedriveCommand(['--queue-url', QUEUE], io);
  const deleted = sqsMock.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input.ReceiptHandle);
  return { status, deleted };
}

const eventBody = (key: string, size: number) =>
  JSON.stringify({
    Records: [{ s3: { bucket: { name: MAIL_BUCKET }, object: { key, versionId: 'v1', size } } }],
  });

it('deletes a message whose mail is now quarantined: the next run does not copy it again', async () => {
  s3Mock.on(CopyObjectCommand).resolves({});
  const infected = put(await sesObject(kms, keyArn, MAIL, 'virusmail', { ...CLEAN_VERDICTS, virus: 'FAIL' }), 'v1');
  const { status, deleted } = await redriveOver([eventBody(infected.key, infected.body.length)]);
  expect(status).toBe(0);
  expect(s3Mock.commandCalls(CopyObjectCommand)).toHaveLength(1);
  expect(deleted).toEqual(['r0']);
});

it('leaves a rejection naming a key with a lone surrogate on the queue and goes on to the next message', async () => {
  const good = put(await sesObject(kms, keyArn, MAIL, 'goodmail'), 'v1');
  const poison = JSON.stringify({ bucket: 'elsewhere', key: 'x\ud800', reason: 'BUCKET_NOT_ALLOWED', errorName: 'E' });
  const { status, deleted } = await redriveOver([poison, eventBody(good.key, good.body.length)]);
  expect(status).toBe(1);
  expect(deleted).toEqual(['r1']);
  expect(sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual([
    'r0',
  ]);
});

it('refuses to run without the mail bucket, reading nothing: a planted record could name any bucket', async () => {
  const { MAIL_BUCKET: _unset, ...env } = baseEnv();
  const io = { env, stdout: new PassThrough(), stderr: new PassThrough(), clients };
  await expect(runRedriveCommand(['--queue-url', QUEUE], io)).rejects.toThrow(/no mail bucket/);
  expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
});
