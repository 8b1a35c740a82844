/**
 * Quarantine end to end over the emulators (fauxqs, KMS emulator), with the real gate, handler and operator command:
 * a simulated virus FAIL and an opted-in DMARC fail are stored, copied under quarantine/ and never forwarded;
 * `quarantine list` shows ids, reasons, age and size and nothing of the mail; `release` delivers each byte-exact with
 * SES's verdicts and a release record (virus mail only with --accept-virus-risk); `purge` removes them.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Message } from '@aws-sdk/client-sqs';
import { runQuarantineCommand } from '../../cli/quarantine-command';
import { UsageError } from '../../cli/usage-error';
import { readForwardedMail } from '../../lambda/consumer/read-forwarded-mail';
import type { createHandler as CreateHandler } from '../../lambda/decrypt-function/handler';
import { createVerdictGate } from '../../lambda/verdict-gate/handler';
import { LOCAL_MAIL_BUCKET, LOCAL_PAYLOAD_BUCKET, type LocalStack } from '../../local/local-stack';
import { drainQueue, type MailReport, runMail } from '../../local/pipeline';
import { CLEAN_VERDICTS } from '../../local/ses-simulator';
import { startStackWithHandler } from '../support/handler-stack';

const MIME = Buffer.from('From: someone@example.org\r\nSubject: held for review\r\n\r\nhello\r\n');
let stack: LocalStack;
let handler: ReturnType<typeof CreateHandler>;

beforeAll(async () => {
  ({ stack, handler } = await startStackWithHandler());
  // The function reads its settings at its first invocation; DMARC failures refuse (and so are quarantined).
  process.env.REFUSE_DMARC_FAIL = 'true';
}, 60_000);
afterAll(async () => {
  delete process.env.REFUSE_DMARC_FAIL;
  await stack?.stop();
});

async function quarantine(...args: string[]): Promise<{ status: number; stdout: string }> {
  let stdout = '';
  const sink = (append: (text: string) => void) =>
    ({
      write: (chunk: unknown) => {
        append(String(chunk));
        return true;
      },
    }) as unknown as NodeJS.WritableStream;
  const status = await runQuarantineCommand([...args, '--bucket', LOCAL_MAIL_BUCKET], {
    env: stack.env,
    stdout: sink((text) => {
      stdout += text;
    }),
    stderr: sink(() => undefined),
    clients: stack.clients,
  });
  return { status, stdout };
}

async function quarantinedKeys(): Promise<string[]> {
  const listed = await stack.clients.s3.send(
    new ListObjectsV2Command({ Bucket: LOCAL_MAIL_BUCKET, Prefix: 'quarantine/' }),
  );
  return (listed.Contents ?? []).map((o) => o.Key as string).sort();
}

it('quarantines, lists, releases byte-exact with a release record, and purges', async () => {
  const gate = createVerdictGate({ REFUSE_DMARC_FAIL: 'true' });
  const virus = await runMail(stack, handler, MIME, { verdicts: { ...CLEAN_VERDICTS, virus: 'FAIL' }, gate });
  const dmarc = await runMail(stack, handler, MIME, {
    verdicts: { ...CLEAN_VERDICTS, dmarc: 'FAIL', dmarcPolicy: 'reject' },
    gate,
  });
  // Each through the work queue: its notification received once and deleted.
  expect(virus).toMatchObject({ outcome: 'quarantined', workQueue: { receives: 1 } });
  expect(dmarc).toMatchObject({ outcome: 'quarantined', workQueue: { receives: 1 } });
  const held = [virus, dmarc] as Array<Extract<MailReport, { outcome: 'quarantined' }>>;
  expect(await quarantinedKeys()).toEqual(
    [`quarantine/VIRUS/${virus.messageId}`, `quarantine/DMARC/${dmarc.messageId}`].sort(),
  );
  expect(await drainQueue(stack, stack.outputQueueUrl, 0)).toHaveLength(0);
  expect(await drainQueue(stack, stack.failureQueueUrl, 0)).toHaveLength(0);

  const listed = await quarantine('list');
  expect(listed.status).toBe(0);
  expect(listed.stdout).toMatch(new RegExp(`${virus.messageId}\\s+VIRUS\\s+\\d+m\\s+\\d+`));
  expect(listed.stdout).toMatch(new RegExp(`${dmarc.messageId}\\s+DMARC\\s+\\d+m\\s+\\d+`));
  expect(listed.stdout).not.toMatch(/example\.org|held for review/);

  await expect(quarantine('release', virus.messageId)).rejects.toThrow(UsageError);
  await expect(quarantine('release', virus.messageId)).rejects.toThrow(/virus.*--accept-virus-risk/);
  expect(await drainQueue(stack, stack.outputQueueUrl, 0)).toHaveLength(0);

  expect((await quarantine('release', virus.messageId, '--accept-virus-risk')).status).toBe(0);
  expect((await quarantine('release', dmarc.messageId)).status).toBe(0);
  const messages = await drainQueue(stack, stack.outputQueueUrl, 1);
  expect(messages).toHaveLength(2);
  for (const [report, reasons, accepted] of [
    [held[0], ['VIRUS'], true],
    [held[1], ['DMARC'], false],
  ] as const) {
    const message = messages.find((m) => m.MessageAttributes?.SesMessageId?.StringValue === report?.messageId);
    const mail = await readForwardedMail(message as Message, {
      s3: stack.clients.s3,
      payloadBucket: LOCAL_PAYLOAD_BUCKET,
    });
    expect(mail.mime.equals(report?.plaintext as Buffer)).toBe(true);
    const record = JSON.parse(message?.MessageAttributes?.VerdictRefusal?.StringValue as string);
    expect(record).toMatchObject({ action: 'released', reasons });
    expect(Date.parse(record.releasedAt)).toBeGreaterThan(Date.parse(record.quarantinedAt) - 1000);
    expect(record.virusRiskAccepted).toBe(accepted ? true : undefined);
    expect(message?.MessageAttributes?.SourceKey?.StringValue).toBe(`quarantine/${reasons[0]}/${report?.messageId}`);
  }

  expect((await quarantine('purge', virus.messageId)).status).toBe(0);
  expect((await quarantine('purge', dmarc.messageId)).status).toBe(0);
  expect(await quarantinedKeys()).toEqual([]);
  expect((await quarantine('list')).stdout).toBe('quarantine is empty\n');
}, 60_000);
