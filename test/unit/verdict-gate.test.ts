/**
 * The verdict gate over real-shaped SES Lambda-action events (the simulator writes them as SES documents them):
 * every verdict value, DMARC policies, the default policy and each opt-in, failing open, and logs that carry
 * verdicts and ids but never addresses or subjects.
 */

import { readVerdictPolicy } from '../../lambda/contract/environment-values';
import { DEFAULT_VERDICT_POLICY, decide, type VerdictPolicy } from '../../lambda/contract/verdict-policy';
import type { createVerdictGate as CreateVerdictGate } from '../../lambda/verdict-gate/handler';
import {
  CLEAN_VERDICTS,
  type SimulatedVerdicts,
  sesLambdaActionEvent,
  type VerdictStatus,
} from '../../local/ses-simulator';

const STATUSES: VerdictStatus[] = ['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED', 'DISABLED'];
const ALL_ON: VerdictPolicy = {
  refuseVirus: true,
  refuseSpam: true,
  refuseSpfFail: true,
  refuseDkimFail: true,
  refuseDmarcFail: true,
};
const NONE: VerdictPolicy = {
  refuseVirus: false,
  refuseSpam: false,
  refuseSpfFail: false,
  refuseDkimFail: false,
  refuseDmarcFail: false,
};

function receiptOf(verdicts: SimulatedVerdicts) {
  return sesLambdaActionEvent('abcdefghij0123456789', verdicts, 'arn:aws:lambda:us-east-1:111122223333:function:gate')
    .Records[0]?.ses.receipt as Parameters<typeof decide>[0];
}

describe('the default policy: only a virus FAIL stops the mail', () => {
  it.each(STATUSES)('virus %s', (status) => {
    const decision = decide(receiptOf({ ...CLEAN_VERDICTS, virus: status }), DEFAULT_VERDICT_POLICY);
    expect(decision).toEqual(
      status === 'FAIL' ? { disposition: 'STOP_RULE', reasons: ['VIRUS'] } : { disposition: 'CONTINUE', reasons: [] },
    );
  });

  it.each(['spam', 'spf', 'dkim', 'dmarc'] as const)('%s FAIL alone does not stop it', (verdict) => {
    const decision = decide(
      receiptOf({ ...CLEAN_VERDICTS, [verdict]: 'FAIL', dmarcPolicy: 'reject' }),
      DEFAULT_VERDICT_POLICY,
    );
    expect(decision.disposition).toBe('CONTINUE');
  });

  it('reads the defaults from an empty environment', () => {
    expect(readVerdictPolicy({})).toEqual(DEFAULT_VERDICT_POLICY);
  });
});

describe('each opt-in stops only its own FAIL', () => {
  const cases: Array<[keyof VerdictPolicy, keyof SimulatedVerdicts, string]> = [
    ['refuseSpam', 'spam', 'SPAM'],
    ['refuseSpfFail', 'spf', 'SPF'],
    ['refuseDkimFail', 'dkim', 'DKIM'],
  ];
  it.each(cases)('%s', (option, verdict, reason) => {
    const policy = { ...NONE, [option]: true };
    for (const status of STATUSES) {
      const decision = decide(receiptOf({ ...CLEAN_VERDICTS, [verdict]: status }), policy);
      expect(decision).toEqual(
        status === 'FAIL' ? { disposition: 'STOP_RULE', reasons: [reason] } : { disposition: 'CONTINUE', reasons: [] },
      );
    }
    // Another verdict failing does not trip this option.
    const other = verdict === 'spam' ? 'spf' : 'spam';
    expect(decide(receiptOf({ ...CLEAN_VERDICTS, [other]: 'FAIL' }), policy).disposition).toBe('CONTINUE');
  });

  it.each([
    ['reject', 'STOP_RULE'],
    ['quarantine', 'STOP_RULE'],
    ['none', 'CONTINUE'],
    [undefined, 'CONTINUE'],
  ] as const)('refuseDmarcFail: DMARC FAIL under a %p policy → %s', (dmarcPolicy, disposition) => {
    const policy = { ...NONE, refuseDmarcFail: true };
    const decision = decide(receiptOf({ ...CLEAN_VERDICTS, dmarc: 'FAIL', dmarcPolicy }), policy);
    expect(decision.disposition).toBe(disposition);
    for (const status of STATUSES.filter((s) => s !== 'FAIL')) {
      expect(decide(receiptOf({ ...CLEAN_VERDICTS, dmarc: status, dmarcPolicy: 'reject' }), policy).disposition).toBe(
        'CONTINUE',
      );
    }
  });

  it('gives every reason that applies', () => {
    const everything: SimulatedVerdicts = {
      spam: 'FAIL',
      virus: 'FAIL',
      spf: 'FAIL',
      dkim: 'FAIL',
      dmarc: 'FAIL',
      dmarcPolicy: 'reject',
    };
    expect(decide(receiptOf(everything), ALL_ON).reasons).toEqual(['VIRUS', 'SPAM', 'SPF', 'DKIM', 'DMARC']);
    expect(decide(receiptOf(everything), NONE)).toEqual({ disposition: 'CONTINUE', reasons: [] });
  });
});

describe('the handler', () => {
  let logs: string[] = [];
  let createVerdictGate: typeof CreateVerdictGate;
  const originalWrite = process.stdout.write.bind(process.stdout);
  const originalError = process.stderr.write.bind(process.stderr);
  beforeAll(async () => {
    // Powertools reads its settings when the module loads: logs at INFO and metrics on, for this block only.
    const saved = { ...process.env };
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    jest.resetModules();
    ({ createVerdictGate } = await import('../../lambda/verdict-gate/handler'));
    restoreEnv = () => {
      process.env = saved;
    };
  });
  let restoreEnv: () => void = () => {};
  afterAll(() => restoreEnv());
  beforeEach(() => {
    logs = [];
    // Every line Powertools writes, to standard output (info, metrics) and standard error (errors).
    const capture = ((chunk: string | Uint8Array) => {
      logs.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
  });
  afterEach(() => {
    process.stdout.write = originalWrite;
    process.stderr.write = originalError;
  });

  const event = (verdicts: SimulatedVerdicts) =>
    sesLambdaActionEvent('abcdefghij0123456789', verdicts, 'arn:aws:lambda:us-east-1:111122223333:function:gate');

  it('answers SES with the disposition only', async () => {
    const gate = createVerdictGate({ VERDICT_ACTIONS: '{"VIRUS":"stop"}' });
    await expect(gate(event({ ...CLEAN_VERDICTS, virus: 'FAIL' }))).resolves.toEqual({ disposition: 'STOP_RULE' });
    await expect(gate(event(CLEAN_VERDICTS))).resolves.toEqual({ disposition: 'CONTINUE' });
  });

  it('takes its opt-ins from the environment the stack sets', async () => {
    const gate = createVerdictGate({ REFUSE_SPAM: 'true', REFUSE_VIRUS: 'false', VERDICT_ACTIONS: '{"SPAM":"stop"}' });
    await expect(gate(event({ ...CLEAN_VERDICTS, spam: 'FAIL' }))).resolves.toEqual({ disposition: 'STOP_RULE' });
    await expect(gate(event({ ...CLEAN_VERDICTS, virus: 'FAIL' }))).resolves.toEqual({ disposition: 'CONTINUE' });
  });

  it('logs the verdicts, the SES message id and the decision, never an address or a subject', async () => {
    await createVerdictGate({ VERDICT_ACTIONS: '{"VIRUS":"stop"}' })(event({ ...CLEAN_VERDICTS, virus: 'FAIL' }));
    const text = logs.join('');
    expect(text).toContain('"message":"gate decision"');
    expect(text).toContain('"sesMessageId":"abcdefghij0123456789"');
    expect(text).toContain('"disposition":"STOP_RULE"');
    expect(text).toContain('"reasons":["VIRUS"]');
    expect(text).toMatch(/"virus":"FAIL"/);
    expect(text).not.toMatch(/example\.(net|com)|a subject/);
  });

  it('logs only the words SES defines: any other status or DMARC policy text reads OTHER', async () => {
    const odd = event({ ...CLEAN_VERDICTS, dmarc: 'FAIL' });
    Object.assign(odd.Records[0]?.ses.receipt ?? {}, {
      dmarcPolicy: 'reject; ceo@victim.example',
      spamVerdict: { status: 'PASS someone@example.org' },
    });
    await createVerdictGate({})(odd);
    const text = logs.join('');
    expect(text).toContain('"dmarcPolicy":"OTHER"');
    expect(text).toContain('"spam":"OTHER"');
    expect(text).toContain('"virus":"PASS"');
    expect(text).not.toMatch(/victim|someone@/);
  });

  it('decides as before when the DMARC policy is not text at all (it only logs as OTHER)', async () => {
    const odd = event({ ...CLEAN_VERDICTS, virus: 'FAIL' });
    Object.assign(odd.Records[0]?.ses.receipt ?? {}, { dmarcPolicy: 7 });
    const answer = await createVerdictGate({ VERDICT_ACTIONS: '{"VIRUS":"stop"}' })(odd);
    expect(answer).toEqual({ disposition: 'STOP_RULE' });
    expect(logs.join('')).toContain('"dmarcPolicy":"OTHER"');
  });

  it.each([
    ['an event without a receipt', { Records: [{ ses: {} }] }, {}],
    ['an empty event', {}, {}],
    ['a setting that is not true or false', undefined, { REFUSE_SPAM: 'yes' }],
  ])('fails open on %s: CONTINUE, logged and counted as an error', async (_what, badEvent, env) => {
    const gate = createVerdictGate(env);
    const answer = await gate((badEvent ?? event({ ...CLEAN_VERDICTS, virus: 'FAIL' })) as never);
    expect(answer).toEqual({ disposition: 'CONTINUE' });
    const text = logs.join('');
    expect(text).toContain('gate failed: the mail continues');
    expect(text).toContain('GateErrors');
  });
});
