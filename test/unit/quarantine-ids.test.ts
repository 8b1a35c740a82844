/**
 * Which quarantined mail `quarantine release ID` and `purge ID` act on: the one the id names, or the key given; an id
 * two quarantined copies share (the same mail quarantined again under other reasons) names neither, and nothing is
 * deleted or delivered until the operator gives one of the keys the error lists.
 */
import { PassThrough } from 'node:stream';
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { runQuarantineCommand } from '../../cli/quarantine-command';
import { UsageError } from '../../cli/usage-error';
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
