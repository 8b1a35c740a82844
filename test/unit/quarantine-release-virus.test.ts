/**
 * `quarantine release` reads SES's virus verdict from the mail itself, not only from the reasons its key names: a
 * mail SES found a virus in is delivered only with --accept-virus-risk, whatever prefix it lies under (a key is
 * written by the function alone, but the verdict is SES's own and travels with the mail).
 */
import { PassThrough } from 'node:stream';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { runQuarantineCommand } from '../../cli/quarantine-command';
import { UsageError } from '../../cli/usage-error';
import { CLEAN_VERDICTS } from '../../local/ses-simulator';
import { MAIL_BUCKET, mockedFunctionWorld, OUTPUT } from '../support/mocked-function';
import { sesObject } from '../support/ses-objects';

const { kms, keyArn, clients, s3Mock, baseEnv, put, sent } = mockedFunctionWorld();
const MAIL = Buffer.from('From: someone@example.org\r\nSubject: held\r\n\r\nhello\r\n');

async function quarantinedUnder(reasons: string, verdicts: typeof CLEAN_VERDICTS) {
  const stored = await sesObject(kms, keyArn, MAIL, 'heldmail', verdicts);
  const key = `quarantine/${reasons}/${stored.messageId}`;
  put({ ...stored, key });
  s3Mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: key, Size: stored.body.length }] });
  return stored.messageId;
}

const release = (...args: string[]) =>
  runQuarantineCommand(['release', ...args, '--bucket', MAIL_BUCKET], {
    env: baseEnv(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    clients,
  });

it('refuses a mail whose virus verdict is FAIL though its key names SPAM, and delivers nothing', async () => {
  const id = await quarantinedUnder('SPAM', { ...CLEAN_VERDICTS, virus: 'FAIL' });
  const error = await release(id).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UsageError);
  expect((error as Error).message).toMatch(/virus.*--accept-virus-risk/);
  expect(sent(OUTPUT)).toHaveLength(0);
});

it('delivers it with --accept-virus-risk, the release record saying so', async () => {
  const id = await quarantinedUnder('SPAM', { ...CLEAN_VERDICTS, virus: 'FAIL' });
  expect(await release(id, '--accept-virus-risk')).toBe(0);
  const refusal = JSON.parse(sent(OUTPUT)[0]?.MessageAttributes?.VerdictRefusal?.StringValue as string);
  expect(refusal).toMatchObject({ action: 'released', reasons: ['SPAM'], virusRiskAccepted: true });
});

it('delivers a spam mail without a virus as before', async () => {
  const id = await quarantinedUnder('SPAM', { ...CLEAN_VERDICTS, spam: 'FAIL' });
  expect(await release(id)).toBe(0);
  expect(sent(OUTPUT)).toHaveLength(1);
});
