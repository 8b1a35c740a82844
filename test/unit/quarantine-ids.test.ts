/**
 * Which quarantined mail `quarantine release ID` and `purge ID` act on: the one the id names, or the key given; an id
 * two quarantined copies share (the same mail quarantined again under other reasons) names neither, and nothing is
 * deleted or delivered until the operator gives one of the keys the error lists.
 */
import { PassThrough } from 'node:stream';
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { runQuarantineCommand } from '../../cli/quarantine-command';
import { UsageError } from '../../cli/usage-error';
import { PolicyError } from '../../lambda/reader/errors';
import { MAIL_BUCKET, mockedFunctionWorld } from '../support/mocked-function';

const { clients, s3Mock, baseEnv } = mockedFunctionWorld();
const ID = 'abcdef0123456789';

function listing(...keys: string[]): void {
  s3Mock.on(ListObjectsV2Command).resolves({
    Contents: keys.map((Key, i) => ({ Key, Size: 100, LastModified: new Date(Date.UTC(2026, 0, 1 + i)) })),
  });
  s3Mock.on(DeleteObjectCommand).resolves({});
}

const run = (...args: string[]) =>
  runQuarantineCommand([...args, '--bucket', MAIL_BUCKET], {
    env: baseEnv(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    clients,
  });

const deletedKeys = () => s3Mock.commandCalls(DeleteObjectCommand).map((call) => call.args[0].input.Key);

it.each(['purge', 'release'])('%s ID refuses an id two quarantined copies share, naming both keys', async (action) => {
  listing(`quarantine/DMARC/${ID}`, `quarantine/SPAM/${ID}`);
  const error = await run(action, ID).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UsageError);
  expect((error as Error).message).toContain(`quarantine/DMARC/${ID}`);
  expect((error as Error).message).toContain(`quarantine/SPAM/${ID}`);
  expect(deletedKeys()).toEqual([]);
});

it('purge KEY removes the copy the key names, and only that one', async () => {
  listing(`quarantine/DMARC/${ID}`, `quarantine/SPAM/${ID}`);
  expect(await run('purge', `quarantine/SPAM/${ID}`)).toBe(0);
  expect(deletedKeys()).toEqual([`quarantine/SPAM/${ID}`, `quarantine/SPAM/${ID}.instruction`]);
});

it('purge ID removes the only copy an id names', async () => {
  listing(`quarantine/DMARC/${ID}`, 'quarantine/SPAM/0000000000000000');
  expect(await run('purge', ID)).toBe(0);
  expect(deletedKeys()).toEqual([`quarantine/DMARC/${ID}`, `quarantine/DMARC/${ID}.instruction`]);
});

describe('which bucket: no S3 call before the bucket is known to be the mail bucket', () => {
  const runIn = (bucket: string, env: Record<string, string | undefined>, ...args: string[]) =>
    runQuarantineCommand([...args, '--bucket', bucket], {
      env,
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      clients,
    });

  it.each(['list', 'purge', 'release'])(
    '%s refuses a bucket other than MAIL_BUCKET (BUCKET_NOT_ALLOWED)',
    async (action) => {
      listing(`quarantine/SPAM/${ID}`);
      const error = await runIn('other-bucket', baseEnv(), action, ...(action === 'list' ? [] : [ID])).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PolicyError);
      expect((error as PolicyError).code).toBe('BUCKET_NOT_ALLOWED');
      expect(s3Mock.calls()).toHaveLength(0);
    },
  );

  it('refuses what is not a bucket name, an access point ARN included', async () => {
    const error = await runIn('arn:aws:s3:us-east-1:999999999999:accesspoint/evil', {}, 'list').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(s3Mock.calls()).toHaveLength(0);
  });

  it('release needs MAIL_BUCKET (list and purge name their bucket themselves)', async () => {
    listing(`quarantine/SPAM/${ID}`);
    const { MAIL_BUCKET: _unset, ...withoutMailBucket } = baseEnv();
    const error = await runIn(MAIL_BUCKET, withoutMailBucket, 'release', ID).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('MAIL_BUCKET');
    expect(s3Mock.calls()).toHaveLength(0);
    expect(await runIn(MAIL_BUCKET, withoutMailBucket, 'list')).toBe(0);
  });
});
