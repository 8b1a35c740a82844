/**
 * What someone with write access to the mail bucket (and none to KMS) can try, through the shipped artefacts: the
 * bundled function (dist/functions/decrypt/index.js, in a process of its own) and the compiled CLI (dist/cli.js), against the
 * local emulators. Each attempt is refused with a stable reason, nothing reaches the output queue, and set-up problems
 * (refused credentials) consume no mail.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { LOCAL_MAIL_BUCKET, type LocalStack, startLocalStack } from '../../local/local-stack';
import { drainQueue, objectCreatedEvent, putObject } from '../../local/pipeline';
import { type SesStoredObject, storeAsSes } from '../../local/ses-simulator';
import { runBundledHandler } from '../support/bundled-handler';
import { offlineAwsEnv, runCli } from '../support/run-cli';

const MIME = Buffer.from('From: someone@example.org\r\nSubject: attack surface\r\n\r\nthe genuine mail\r\n');
let stack: LocalStack;
let genuine: SesStoredObject;
const ID = 'attackmail0001';

function matdescWith(edit: (json: string) => string): Record<string, string> {
  return { ...genuine.metadata, 'x-amz-matdesc': edit(genuine.metadata['x-amz-matdesc'] as string) };
}

/** The attacks, each an object made from a genuine SES object, and the reason it must get. */
const attacks: Array<{
  name: string;
  key: string;
  reason: string;
  store: () => Promise<void>;
  /** Extra environment for the function. */
  env?: Record<string, string>;
  /**
   * Only the function can refuse it: it knows the rule's prefix; an operator's `decrypt s3://` names one object on
   * purpose, and SES's binding of the message id still holds there (the key's last part).
   */
  functionOnly?: boolean;
}> = [
  {
    name: 'cipher downgrade (genuine SES data key, x-amz-cek-alg set to CBC)',
    key: `downgrade/${ID}`,
    reason: 'LEGACY_CBC_REFUSED',
    // The variable earlier versions read to turn legacy CBC on: the function no longer has such a switch.
    env: { ALLOW_LEGACY_CBC: 'true' },
    store: () => {
      const { 'x-amz-tag-len': _tag, ...withoutTag } = genuine.metadata;
      return putObject(stack, `downgrade/${ID}`, Buffer.alloc(64, 0x41), {
        ...withoutTag,
        'x-amz-cek-alg': 'AES/CBC/PKCS5Padding',
        'x-amz-iv': Buffer.alloc(16, 1).toString('base64'),
        'x-amz-unencrypted-content-length': '60',
      });
    },
  },
  {
    name: 'a __proto__ member added to the material description',
    key: `proto/${ID}`,
    reason: 'ENVELOPE_INVALID',
    store: () =>
      putObject(
        stack,
        `proto/${ID}`,
        genuine.body,
        matdescWith((j) => j.replace('{', '{"__proto__":"x",')),
      ),
  },
  {
    name: 'a second rule-name member in the material description',
    key: `duplicate/${ID}`,
    reason: 'ENVELOPE_INVALID',
    store: () =>
      putObject(
        stack,
        `duplicate/${ID}`,
        genuine.body,
        matdescWith((j) => j.replace('}', ',"aws:ses:rule-name":"store-encrypted"}')),
      ),
  },
  {
    name: "a genuine mail copied under the rule's prefix to a key of the copier's choosing",
    key: `raw/copied/${ID}`,
    reason: 'MESSAGE_ID_MISMATCH',
    functionOnly: true,
    store: () => putObject(stack, `raw/copied/${ID}`, genuine.body, genuine.metadata),
  },
  {
    name: 'a 96 MiB instruction file',
    key: `oversized/${ID}`,
    reason: 'ENVELOPE_INVALID',
    store: async () => {
      await putObject(stack, `oversized/${ID}`, genuine.body, {});
      const huge = Buffer.alloc(96 * 1024 * 1024, 0x41);
      huge.write('{"x-amz-iv":"', 0);
      await putObject(stack, `oversized/${ID}.instruction`, huge, {});
    },
  },
];

beforeAll(async () => {
  stack = await startLocalStack();
  genuine = await storeAsSes(stack.clients.kms, MIME, {
    kmsKeyArn: stack.kmsKeyArn,
    ruleName: 'store-encrypted',
    sourceAccount: '111122223333',
    messageId: ID,
  });
  for (const attack of attacks) {
    await attack.store();
  }
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

function runBundled(event: unknown, env: Record<string, string>) {
  return runBundledHandler(event, { ...stack.env, ...env });
}

/** The event S3 sends for the object stored under `key`: its size is the stored one, as S3 gives it. */
async function eventFor(key: string) {
  const head = await stack.clients.s3.send(new HeadObjectCommand({ Bucket: LOCAL_MAIL_BUCKET, Key: key }));
  return objectCreatedEvent([{ key, size: head.ContentLength as number }]);
}

describe('through the bundled function', () => {
  it.each(attacks.map((a) => [a.name, a] as const))(
    'refuses %s',
    async (_name, attack) => {
      const run = await runBundled(await eventFor(attack.key), { REPORT_PEAK_RSS: '1', ...attack.env });
      expect(run.status).toBe(0);
      const report = JSON.parse(run.stdout) as { result: unknown; peakRssMiB: number };
      expect(report.result).toEqual({ forwarded: 0, skipped: 0, rejected: 1 });
      // A 96 MiB instruction file read whole would take the process past 250 MiB; bounded, it stays near its idle size.
      expect(report.peakRssMiB).toBeLessThan(160);
      expect(await drainQueue(stack, stack.outputQueueUrl, 0)).toHaveLength(0);
      const failures = (await drainQueue(stack, stack.failureQueueUrl, 0)).map((m) => JSON.parse(m.Body ?? '{}'));
      expect(failures).toEqual([
        { bucket: LOCAL_MAIL_BUCKET, key: attack.key, reason: attack.reason, errorName: expect.any(String) },
      ]);
    },
    60_000,
  );

  it('forwards the genuine object it was made from (the control)', async () => {
    await putObject(stack, genuine.key, genuine.body, genuine.metadata);
    const run = await runBundled(await eventFor(genuine.key), {});
    expect(JSON.parse(run.stdout)).toEqual({ forwarded: 1, skipped: 0, rejected: 0 });
    const [message] = await drainQueue(stack, stack.outputQueueUrl, 1);
    expect(message?.Body).toBe(MIME.toString('utf8'));
  }, 60_000);

  it('consumes nothing when KMS refuses its credentials: the invocation fails, to be retried', async () => {
    stack.kms.revokeAccessKey('revoked-access-key');
    const run = await runBundled(await eventFor(genuine.key), { AWS_ACCESS_KEY_ID: 'revoked-access-key' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('RetryableRecordsError');
    expect(await drainQueue(stack, stack.outputQueueUrl, 0)).toHaveLength(0);
    expect(await drainQueue(stack, stack.failureQueueUrl, 0)).toHaveLength(0);
  }, 60_000);
});

describe('through the compiled CLI (decrypt s3://…)', () => {
  const cliEnv = () => offlineAwsEnv({ ...stack.env });

  it.each(attacks.filter((a) => a.functionOnly !== true).map((a) => [a.name, a] as const))(
    'refuses %s, writing nothing',
    async (_name, attack) => {
      const result = await runCli(['decrypt', `s3://${LOCAL_MAIL_BUCKET}/${attack.key}`], cliEnv());
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^ses-inbound decrypt: refused \\(${attack.reason}\\): [^\\n]+\\n$`));
      expect(result.stdout.length).toBe(0);
    },
  );

  it('refuses the downgrade even with --allow-legacy-cbc (SES never writes CBC), and warns what the flag risks', async () => {
    const downgrade = attacks[0] as (typeof attacks)[number];
    const result = await runCli(
      ['decrypt', `s3://${LOCAL_MAIL_BUCKET}/${downgrade.key}`, '--allow-legacy-cbc'],
      cliEnv(),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('warning: --allow-legacy-cbc reads unauthenticated AES/CBC');
    expect(result.stderr).toContain('refused (LEGACY_CBC_REFUSED)');
    expect(result.stdout.length).toBe(0);
  });

  it('refuses an SES object copied under another key, as the function does (MESSAGE_ID_MISMATCH)', async () => {
    await putObject(stack, 'raw/copied-elsewhere', genuine.body, genuine.metadata);
    const result = await runCli(['decrypt', `s3://${LOCAL_MAIL_BUCKET}/raw/copied-elsewhere`], cliEnv());
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('refused (MESSAGE_ID_MISMATCH)');
    expect(result.stdout.length).toBe(0);
  });

  it('says the credentials were refused, and how to fix it, with exit 4 (not a refusal of the object)', async () => {
    stack.kms.revokeAccessKey('revoked-access-key');
    const result = await runCli(['decrypt', `s3://${LOCAL_MAIL_BUCKET}/${genuine.key}`], {
      ...cliEnv(),
      AWS_ACCESS_KEY_ID: 'revoked-access-key',
    });
    expect(result.status).toBe(4);
    expect(result.stderr).toBe(
      'ses-inbound decrypt: AWS refused the credentials (UnrecognizedClientException): they are expired, unknown or ' +
        'for another partition; refresh them (aws sso login, or new keys), check AWS_PROFILE, and check the clock\n',
    );
    expect(result.stdout.length).toBe(0);
  });

  it('says no credentials were found, and how to give them, with exit 4', async () => {
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...noCredentials } = cliEnv();
    const result = await runCli(['decrypt', `s3://${LOCAL_MAIL_BUCKET}/${genuine.key}`], noCredentials);
    expect(result.status).toBe(4);
    expect(result.stderr).toMatch(
      /^ses-inbound decrypt: no AWS credentials found: set AWS_PROFILE .*AWS_ACCESS_KEY_ID/,
    );
  });
});
