/**
 * The verdict actions in the function and the gate, with every SDK client mocked and KMS answered by the emulator:
 * quarantine copies the stored object (still encrypted) under `quarantine/<REASONS>/<id>` and forwards nothing,
 * deliver-marked forwards with the `VerdictRefusal` attribute, virus mail is never forwarded, and the gate stops only
 * what is to be stopped.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CopyObjectCommand } from '@aws-sdk/client-s3';
import { ConfigError } from '../../lambda/contract/environment-values';
import {
  actionFor,
  DEFAULT_VERDICT_ACTIONS,
  parseQuarantineKey,
  quarantineKey,
  readVerdictActions,
} from '../../lambda/contract/verdict-actions';
import { createHandler } from '../../lambda/decrypt-function/handler';
import { countQuarantined } from '../../lambda/decrypt-function/quarantine-metrics';
import { createVerdictGate } from '../../lambda/verdict-gate/handler';
import { CLEAN_VERDICTS, sesLambdaActionEvent, storeAsSes } from '../../local/ses-simulator';
import { FAILURE, MAIL_BUCKET, mockedFunctionWorld, OUTPUT } from '../support/mocked-function';
import { ACCOUNT, RULE, sesObject } from '../support/ses-objects';

const SES_OPTIONS = { ruleName: RULE, sourceAccount: ACCOUNT };

const { keyArn, s3Mock, kms, clients, baseEnv, put, eventFor, sent, failureRecords } = mockedFunctionWorld();

const MAIL = Buffer.from('From: someone@example.org\r\nSubject: refused\r\n\r\nhello\r\n');

function copies() {
  return s3Mock.commandCalls(CopyObjectCommand).map((call) => call.args[0].input);
}

describe('quarantine in the function', () => {
  it('quarantines virus FAIL by default: one server-side copy under quarantine/VIRUS/, nothing sent anywhere', async () => {
    s3Mock.on(CopyObjectCommand).resolves({});
    const object = put(await sesObject(kms, keyArn, MAIL, 'infected', { ...CLEAN_VERDICTS, virus: 'FAIL' }));
    const result = await createHandler({ env: baseEnv(), clients })(eventFor(object));
    expect(result).toEqual({ forwarded: 0, skipped: 0, rejected: 0, quarantined: 1 });
    expect(copies()).toEqual([
      {
        Bucket: MAIL_BUCKET,
        Key: 'quarantine/VIRUS/infected',
        CopySource: `${MAIL_BUCKET}/raw%2Finfected`,
        MetadataDirective: 'COPY',
      },
    ]);
    expect(sent(OUTPUT)).toHaveLength(0);
    expect(sent(FAILURE)).toHaveLength(0);
  });

  it('quarantines an opted-in DMARC failure, and names every reason in the key, sorted', async () => {
    s3Mock.on(CopyObjectCommand).resolves({});
    const dmarc = put(await sesObject(kms, keyArn, MAIL, 'dmarconly', { ...CLEAN_VERDICTS, dmarc: 'FAIL' }));
    const both = put(await sesObject(kms, keyArn, MAIL, 'both', { ...CLEAN_VERDICTS, dmarc: 'FAIL', virus: 'FAIL' }));
    const env = baseEnv({ REFUSE_DMARC_FAIL: 'true', QUARANTINE_PREFIX: 'held/' });
    await createHandler({ env, clients })(eventFor(dmarc, both));
    expect(copies().map((c) => c.Key)).toEqual(['held/DMARC/dmarconly', 'held/DMARC+VIRUS/both']);
    expect(sent(OUTPUT)).toHaveLength(0);
  });

  it.each([
    ['x;dkim=none;dmarc=none', "results before SES's own"],
    ['x(', 'a comment left open'],
  ])("quarantines DKIM and DMARC failures whatever the sender's HELO (%s: %s)", async (helo) => {
    s3Mock.on(CopyObjectCommand).resolves({});
    const failed = { ...CLEAN_VERDICTS, dkim: 'FAIL', dmarc: 'FAIL' } as const;
    const envelope = { mailFrom: 'a@example.org', helo };
    const stored = await storeAsSes(kms, MAIL, { ...SES_OPTIONS, kmsKeyArn: keyArn, verdicts: failed, envelope });
    const object = put(stored);
    const env = baseEnv({ REFUSE_DKIM_FAIL: 'true', REFUSE_DMARC_FAIL: 'true' });
    await createHandler({ env, clients })(eventFor(object));
    expect(copies().map((c) => c.Key)).toEqual([`quarantine/DKIM+DMARC/${stored.messageId}`]);
    expect(sent(OUTPUT)).toHaveLength(0);
  });

  it("quarantines virus FAIL though the sender swelled SES's block past 64 KiB with DKIM signatures", async () => {
    s3Mock.on(CopyObjectCommand).resolves({});
    const dkimSigners = Array.from({ length: 300 }, (_, i) => `${'d'.repeat(200)}${i}.example`);
    const infected = { ...CLEAN_VERDICTS, virus: 'FAIL' } as const;
    const stored = await storeAsSes(kms, MAIL, { ...SES_OPTIONS, kmsKeyArn: keyArn, verdicts: infected, dkimSigners });
    const object = put(stored);
    expect(await createHandler({ env: baseEnv(), clients })(eventFor(object))).toMatchObject({ quarantined: 1 });
    expect(copies().map((c) => c.Key)).toEqual([`quarantine/VIRUS/${stored.messageId}`]);
    expect(sent(OUTPUT)).toHaveLength(0);
  });

  it('copies the exact version the event named', async () => {
    s3Mock.on(CopyObjectCommand).resolves({});
    const object = put(await sesObject(kms, keyArn, MAIL, 'versioned', { ...CLEAN_VERDICTS, virus: 'FAIL' }));
    const event = eventFor(object);
    const record = event.Records[0] as { s3: { object: { versionId?: string } } };
    record.s3.object.versionId = 'v1';
    // The mocked bucket serves `key@version` for a versioned read.
    put({ ...object, key: `${object.key}@v1` });
    await createHandler({ env: baseEnv(), clients })(event);
    expect(copies()[0]?.CopySource).toBe(`${MAIL_BUCKET}/raw%2Fversioned?versionId=v1`);
  });

  it('rejects with FORWARD_FAILED when S3 refuses the copy, and retries when S3 throttles', async () => {
    s3Mock.on(CopyObjectCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDenied', $fault: 'client' }));
    const object = put(await sesObject(kms, keyArn, MAIL, 'refused', { ...CLEAN_VERDICTS, virus: 'FAIL' }));
    const result = await createHandler({ env: baseEnv(), clients })(eventFor(object));
    expect(result).toEqual({ forwarded: 0, skipped: 0, rejected: 1 });
    expect(failureRecords()).toEqual([
      { bucket: MAIL_BUCKET, key: 'raw/refused', reason: 'FORWARD_FAILED', errorName: 'ForwardError' },
    ]);
    expect(sent(OUTPUT)).toHaveLength(0);
    s3Mock
      .on(CopyObjectCommand)
      .rejects(Object.assign(new Error('slow'), { name: 'SlowDown', $fault: 'server', $retryable: {} }));
    await expect(createHandler({ env: baseEnv(), clients })(eventFor(object))).rejects.toThrow(/another attempt/);
  });

  it('rejects virus FAIL as VIRUS_DETECTED when its action is stop (the gate was off or failed open)', async () => {
    const object = put(await sesObject(kms, keyArn, MAIL, 'stopped', { ...CLEAN_VERDICTS, virus: 'FAIL' }));
    const env = baseEnv({ VERDICT_ACTIONS: '{"VIRUS":"stop"}' });
    await createHandler({ env, clients })(eventFor(object));
    expect(copies()).toHaveLength(0);
    expect(failureRecords()[0]?.reason).toBe('VIRUS_DETECTED');
  });

  it('delivers a deliver-marked refusal with the VerdictRefusal attribute, and a clean mail without it', async () => {
    const spam = put(await sesObject(kms, keyArn, MAIL, 'spammy', { ...CLEAN_VERDICTS, spam: 'FAIL' }));
    const clean = put(await sesObject(kms, keyArn, MAIL, 'clean', CLEAN_VERDICTS));
    const env = baseEnv({ REFUSE_SPAM: 'true', VERDICT_ACTIONS: '{"SPAM":"deliver-marked"}' });
    await createHandler({ env, clients })(eventFor(spam, clean));
    const [marked, unmarked] = sent(OUTPUT);
    expect(JSON.parse(marked?.MessageAttributes?.VerdictRefusal?.StringValue as string)).toEqual({
      action: 'deliver-marked',
      reasons: ['SPAM'],
    });
    expect(unmarked?.MessageAttributes?.VerdictRefusal).toBeUndefined();
    expect(copies()).toHaveLength(0);
  });
});

describe('quarantine metrics', () => {
  it('counts quarantined mail once overall and once per reason (Powertools EMF)', () => {
    const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const metrics = new Metrics({ namespace: 'SesEncryptedInbound', serviceName: 'test' });
      countQuarantined(metrics, ['DMARC', 'VIRUS']);
      metrics.publishStoredMetrics();
    } finally {
      spy.mockRestore();
      process.env.POWERTOOLS_METRICS_DISABLED = disabled;
    }
    const emf = lines.flatMap((line) => line.split('\n')).filter((line) => line.includes('"_aws"'));
    const records = emf.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.filter((r) => r.Quarantined === 1).map((r) => r.Reason)).toEqual(['DMARC', 'VIRUS']);
    expect(records.filter((r) => r.QuarantinedMail === 1)).toHaveLength(1);
    expect(records.find((r) => r.QuarantinedMail === 1)?.Reason).toBeUndefined();
  });
});

describe('the gate under the actions', () => {
  const gateEvent = (verdicts: typeof CLEAN_VERDICTS) =>
    sesLambdaActionEvent('abcdefghij0123456789', verdicts, 'arn:aws:lambda:us-east-1:111122223333:function:gate');

  it('lets virus FAIL be stored by default (quarantine), and stops it when its action is stop', async () => {
    const infected = gateEvent({ ...CLEAN_VERDICTS, virus: 'FAIL' });
    await expect(createVerdictGate({})(infected)).resolves.toEqual({ disposition: 'CONTINUE' });
    const stopping = createVerdictGate({ VERDICT_ACTIONS: '{"VIRUS":"stop"}' });
    await expect(stopping(infected)).resolves.toEqual({ disposition: 'STOP_RULE' });
  });

  it('stops when any refusing verdict asks for stop (the strictest action wins)', async () => {
    const gate = createVerdictGate({ REFUSE_SPAM: 'true', VERDICT_ACTIONS: '{"SPAM":"stop"}' });
    await expect(gate(gateEvent({ ...CLEAN_VERDICTS, spam: 'FAIL', virus: 'FAIL' }))).resolves.toEqual({
      disposition: 'STOP_RULE',
    });
  });
});

describe('the actions in the contract', () => {
  it('defaults to quarantine for every reason', () => {
    expect(readVerdictActions({})).toEqual(DEFAULT_VERDICT_ACTIONS);
    expect(Object.values(DEFAULT_VERDICT_ACTIONS)).toEqual([
      'quarantine',
      'quarantine',
      'quarantine',
      'quarantine',
      'quarantine',
    ]);
  });

  it.each([
    ['{"VIRUS":"deliver-marked"}', /virus mail is never forwarded/],
    ['{"SPAM":"drop"}', /SPAM must be one of stop, quarantine, deliver-marked/],
    ['{"FOO":"stop"}', /unknown reason FOO/],
    ['["stop"]', /must be a JSON object/],
    ['not json', /must be a JSON object/],
  ])('refuses VERDICT_ACTIONS=%s', (value, message) => {
    expect(() => readVerdictActions({ VERDICT_ACTIONS: value })).toThrow(ConfigError);
    expect(() => readVerdictActions({ VERDICT_ACTIONS: value })).toThrow(message);
  });

  it('picks the strictest action of several reasons', () => {
    const actions = { ...DEFAULT_VERDICT_ACTIONS, SPAM: 'deliver-marked', DKIM: 'stop' } as const;
    expect(actionFor(['SPAM'], actions)).toBe('deliver-marked');
    expect(actionFor(['SPAM', 'VIRUS'], actions)).toBe('quarantine');
    expect(actionFor(['SPAM', 'VIRUS', 'DKIM'], actions)).toBe('stop');
    expect(actionFor([], actions)).toBeUndefined();
  });

  it('reads a quarantine key back, and nothing that is not one', () => {
    expect(quarantineKey('quarantine/', ['VIRUS', 'DMARC'], 'abc123')).toBe('quarantine/DMARC+VIRUS/abc123');
    expect(parseQuarantineKey('quarantine/', 'quarantine/DMARC+VIRUS/abc123')).toEqual({
      reasons: ['DMARC', 'VIRUS'],
      messageId: 'abc123',
      keyPrefix: 'quarantine/DMARC+VIRUS/',
    });
    for (const key of [
      'raw/abc123',
      'quarantine/abc123',
      'quarantine/EVIL/abc123',
      'quarantine/VIRUS/a/b',
      'quarantine/VIRUS/ABC',
    ]) {
      expect(parseQuarantineKey('quarantine/', key)).toBeUndefined();
    }
  });
});
