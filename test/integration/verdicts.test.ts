/**
 * Verdicts end to end over the emulators (fauxqs, KMS emulator): the gate stops what the policy refuses before
 * anything is stored; forwarded mail carries SES's verdicts; a sender-written verdict below SES's block changes
 * nothing; a mail SES added no verdicts to is forwarded with none.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Message } from '@aws-sdk/client-sqs';
import { readForwardedMail } from '../../lambda/consumer/read-forwarded-mail';
import type { createHandler as CreateHandler } from '../../lambda/decrypt-function/handler';
import { createVerdictGate } from '../../lambda/verdict-gate/handler';
import { LOCAL_MAIL_BUCKET, LOCAL_PAYLOAD_BUCKET, type LocalStack } from '../../local/local-stack';
import { drainQueue, objectCreatedEvent, putObject, runMail } from '../../local/pipeline';
import { CLEAN_VERDICTS, sesHeaderBlock, storeAsSes } from '../../local/ses-simulator';
import { runBundledHandler } from '../support/bundled-handler';
import { startStackWithHandler } from '../support/handler-stack';

const MIME = Buffer.from('From: someone@example.org\r\nSubject: verdicts\r\n\r\nhello\r\n');
let stack: LocalStack;
let handler: ReturnType<typeof CreateHandler>;

beforeAll(async () => {
  ({ stack, handler } = await startStackWithHandler());
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

async function storedKeys(): Promise<string[]> {
  const listed = await stack.clients.s3.send(new ListObjectsV2Command({ Bucket: LOCAL_MAIL_BUCKET }));
  return (listed.Contents ?? []).map((o) => o.Key as string);
}

it('forwards a clean mail with its verdicts as the SesVerdicts attribute, byte-exact as SES stored it', async () => {
  const report = await runMail(stack, handler, MIME, {
    verdicts: { ...CLEAN_VERDICTS, spam: 'GRAY' },
    gate: createVerdictGate({}),
  });
  expect(report).toMatchObject({
    outcome: 'delivered',
    identical: true,
    verdicts: { spam: 'GRAY', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
    workQueue: { receives: 1 },
  });
});

it('lets the gate stop an infected mail before it is stored, and an opted-in DMARC failure, when their action is stop', async () => {
  const before = await storedKeys();
  const infected = await runMail(stack, handler, MIME, {
    verdicts: { ...CLEAN_VERDICTS, virus: 'FAIL' },
    gate: createVerdictGate({ VERDICT_ACTIONS: '{"VIRUS":"stop"}' }),
  });
  expect(infected.outcome).toBe('stopped');
  const dmarc = await runMail(stack, handler, MIME, {
    verdicts: { ...CLEAN_VERDICTS, dmarc: 'FAIL', dmarcPolicy: 'reject' },
    gate: createVerdictGate({ REFUSE_DMARC_FAIL: 'true', VERDICT_ACTIONS: '{"DMARC":"stop"}' }),
  });
  expect(dmarc.outcome).toBe('stopped');
  expect(await storedKeys()).toEqual(before);
  expect(await drainQueue(stack, stack.outputQueueUrl, 0)).toHaveLength(0);
});

it('quarantines a stored mail whose SES block says virus FAIL, though the sender wrote X-SES-Virus-Verdict: PASS below it', async () => {
  // Stored as if the gate had been off: SES's block says FAIL, the sender's own header says PASS.
  const forged = Buffer.concat([Buffer.from('X-SES-Virus-Verdict: PASS\r\n'), MIME]);
  const stored = await storeAsSes(stack.clients.kms, forged, {
    kmsKeyArn: stack.kmsKeyArn,
    ruleName: 'store-encrypted',
    sourceAccount: '111122223333',
    verdicts: { ...CLEAN_VERDICTS, virus: 'FAIL' },
  });
  expect(stored.plaintext.toString('latin1')).toMatch(/X-SES-Virus-Verdict: FAIL[\s\S]*X-SES-Virus-Verdict: PASS/);
  await putObject(stack, stored.key, stored.body, stored.metadata);
  const result = await handler(objectCreatedEvent([{ key: stored.key, size: stored.body.length }]));
  // The default action for virus FAIL: quarantined (test/integration/quarantine.test.ts), never forwarded.
  expect(result).toEqual({ forwarded: 0, skipped: 0, rejected: 0, quarantined: 1 });
  expect(await drainQueue(stack, stack.outputQueueUrl, 0)).toHaveLength(0);
  expect(await storedKeys()).toContain(`quarantine/VIRUS/${stored.key.slice('raw/'.length)}`);
});

it("the bundled function forwards SES's DKIM and DMARC FAIL, though the sender's MAIL FROM and HELO spell PASS", async () => {
  const stored = await storeAsSes(stack.clients.kms, MIME, {
    kmsKeyArn: stack.kmsKeyArn,
    ruleName: 'store-encrypted',
    sourceAccount: '111122223333',
    verdicts: { ...CLEAN_VERDICTS, dkim: 'FAIL', dmarc: 'FAIL' },
    envelope: { mailFrom: '"a;dkim=pass;dmarc=pass"@example.org', helo: 'mx;dkim=pass;dmarc=pass' },
  });
  expect(stored.plaintext.toString('latin1')).toMatch(/helo=mx;dkim=pass;dmarc=pass;/);
  await putObject(stack, stored.key, stored.body, stored.metadata);
  const result = await runBundledHandler(objectCreatedEvent([{ key: stored.key, size: stored.body.length }]), {
    ...stack.env,
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
  expect(JSON.parse(result.stdout)).toEqual({ forwarded: 1, skipped: 0, rejected: 0 });
  const [message] = await drainQueue(stack, stack.outputQueueUrl, 1);
  const mail = await readForwardedMail(message as Message, {
    s3: stack.clients.s3,
    payloadBucket: LOCAL_PAYLOAD_BUCKET,
  });
  expect(mail.mime.equals(stored.plaintext)).toBe(true);
  expect(mail.verdicts).toEqual({ spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'FAIL', dmarc: 'FAIL' });
}, 60_000);

it('forwards a mail with no SES verdict headers with no verdicts, whatever the sender wrote', async () => {
  const senderWritten = Buffer.concat([Buffer.from('X-SES-Virus-Verdict: FAIL\r\nX-SES-Spam-Verdict: PASS\r\n'), MIME]);
  const report = await runMail(stack, handler, senderWritten);
  expect(report).toMatchObject({
    outcome: 'delivered',
    identical: true,
    verdicts: undefined,
    workQueue: { receives: 1 },
  });
});

it("the simulator writes SES's header fields in SES's order", () => {
  const block = sesHeaderBlock('m1', CLEAN_VERDICTS);
  expect(
    block
      .split('\r\n')
      .map((line) => line.split(':')[0])
      .filter((name) => /^[A-Z]/.test(name ?? '')),
  ).toEqual([
    'Return-Path',
    'Received',
    'X-SES-Spam-Verdict',
    'X-SES-Virus-Verdict',
    'Received-SPF',
    'Authentication-Results',
    'X-SES-RECEIPT',
    'X-SES-DKIM-SIGNATURE',
  ]);
});
