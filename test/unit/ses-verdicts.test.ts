/**
 * SES's verdicts are read from the header block SES prepends, and only from it: a sender can write any header below.
 */
import { combinedResult, parseAuthenticationResults } from '../../lambda/decrypt-function/authentication-results';
import { readSesVerdicts } from '../../lambda/decrypt-function/ses-verdicts';
import { CLEAN_VERDICTS, sesHeaderBlock } from '../../local/ses-simulator';

const BODY = 'From: someone@example.org\r\nSubject: hello\r\n\r\nbody text X-SES-Virus-Verdict: FAIL\r\n';
const asPlaintext = (text: string, pieces = 1) => {
  const bytes = Buffer.from(text, 'latin1');
  const size = Math.ceil(bytes.length / pieces);
  const chunks = Array.from({ length: pieces }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
  return { chunks, byteLength: bytes.length };
};

it('reads every verdict SES wrote, whatever piece sizes the plaintext comes in', () => {
  const mail = sesHeaderBlock('abc123', { ...CLEAN_VERDICTS, spam: 'GRAY', dkim: 'FAIL' }) + BODY;
  for (const pieces of [1, 3, 50]) {
    expect(readSesVerdicts(asPlaintext(mail, pieces))).toEqual({
      spam: 'GRAY',
      virus: 'PASS',
      spf: 'PASS',
      dkim: 'FAIL',
      dmarc: 'PASS',
    });
  }
});

it("ignores a sender-written X-SES-Virus-Verdict: PASS below SES's FAIL", () => {
  const mail = `${sesHeaderBlock('abc123', { ...CLEAN_VERDICTS, virus: 'FAIL' })}X-SES-Virus-Verdict: PASS\r\n${BODY}`;
  expect(readSesVerdicts(asPlaintext(mail))?.virus).toBe('FAIL');
});

it('reads nothing from a mail whose top is not an SES block, even if it names SES fields', () => {
  const forged = `X-SES-Virus-Verdict: PASS\r\nX-SES-Spam-Verdict: PASS\r\nX-SES-RECEIPT: forged\r\n${BODY}`;
  // Starts like a block, but a field SES never writes comes before X-SES-RECEIPT.
  const interrupted = `Return-Path: <a@example.org>\r\nFrom: a@example.org\r\nX-SES-Virus-Verdict: PASS\r\nX-SES-RECEIPT: x\r\n\r\n`;
  expect(readSesVerdicts(asPlaintext(BODY))).toBeUndefined();
  expect(readSesVerdicts(asPlaintext(interrupted))).toBeUndefined();
  // A forged block at the very top is indistinguishable by form; in SES-received mail the top is SES's own.
  expect(readSesVerdicts(asPlaintext(forged))?.virus).toBe('PASS');
});

it("refuses a block that names an SES field twice (the second copy is the sender's)", () => {
  const doubled = `X-SES-Virus-Verdict: FAIL\r\nX-SES-Virus-Verdict: PASS\r\nX-SES-RECEIPT: x\r\n\r\n`;
  expect(readSesVerdicts(asPlaintext(doubled))).toBeUndefined();
});

it('gives no verdict when SES added none (scanning off), even with sender-written verdicts below', () => {
  const block =
    'Return-Path: <a@example.org>\r\nReceived: from x by inbound-smtp.us-east-1.amazonaws.com\r\nX-SES-RECEIPT: x\r\n';
  const mail = `${block}X-SES-Virus-Verdict: PASS\r\nX-SES-Spam-Verdict: PASS\r\n${BODY}`;
  expect(readSesVerdicts(asPlaintext(mail))).toEqual({});
});

it("takes SPF from Received-SPF when Authentication-Results is not SES's", () => {
  const block =
    'Received-SPF: softfail (spfCheck: ...) client-ip=192.0.2.1;\r\nAuthentication-Results: other.example; spf=pass; dkim=pass\r\nX-SES-RECEIPT: x\r\n';
  expect(readSesVerdicts(asPlaintext(`${block}\r\n`))).toEqual({ spf: 'SOFTFAIL' });
});

it('reads no further than 64 KiB into the mail: a block the bound cuts reads FAIL throughout, no piece beyond read', () => {
  // SES's own block, with verdicts, pushed past 64 KiB by a long (folded) Return-Path.
  const padded = `Return-Path: <a@example.org>${'\r\n (x)'.repeat(14 * 1024)}\r\n`;
  const block = sesHeaderBlock('abc123', { ...CLEAN_VERDICTS, virus: 'FAIL' }).replace(
    /^Return-Path:[^\r]*\r\n/,
    padded,
  );
  const mail = `${block}${BODY}${'x'.repeat(1024 * 1024)}`;
  const bytes = Buffer.from(mail, 'latin1');
  expect(bytes.indexOf('X-SES-RECEIPT')).toBeGreaterThan(64 * 1024);
  let pulled = 0;
  const chunks = {
    *[Symbol.iterator]() {
      for (let offset = 0; offset < bytes.length; offset += 1024) {
        pulled += 1;
        yield bytes.subarray(offset, offset + 1024);
      }
    },
  };
  // Cut inside its Return-Path, the block gave nothing: no verdict can be trusted, so none reads PASS.
  expect(readSesVerdicts({ chunks, byteLength: bytes.length } as never)).toEqual({
    spam: 'FAIL',
    virus: 'FAIL',
    spf: 'FAIL',
    dkim: 'FAIL',
    dmarc: 'FAIL',
  });
  expect(pulled).toBe(64);
  // The same block within the bound is read.
  const short = sesHeaderBlock('abc123', { ...CLEAN_VERDICTS, virus: 'FAIL' }) + BODY;
  expect(readSesVerdicts(asPlaintext(short))?.virus).toBe('FAIL');
});

describe('a block the sender swells past 64 KiB (SES writes a dkim result for each of its DKIM signatures)', () => {
  const swollen = (verdicts: typeof CLEAN_VERDICTS, signatures: number) => {
    const results = Array.from(
      { length: signatures },
      (_, i) => `\r\n dkim=pass header.i=@${'d'.repeat(200)}${i}.example;`,
    );
    const block = sesHeaderBlock('abc123', verdicts).replace(
      /(Authentication-Results: amazonses\.com;)/,
      `$1${results.join('')}`,
    );
    return `${block}${BODY}`;
  };

  it("reads FAIL for what the cut hid, and SES's verdicts above the cut as SES wrote them", () => {
    const mail = swollen({ ...CLEAN_VERDICTS, virus: 'FAIL', spam: 'PASS' }, 300);
    expect(Buffer.from(mail, 'latin1').indexOf('X-SES-RECEIPT')).toBeGreaterThan(64 * 1024);
    expect(readSesVerdicts(asPlaintext(mail, 7))).toEqual({
      spam: 'PASS',
      virus: 'FAIL',
      spf: 'PASS',
      dkim: 'FAIL',
      dmarc: 'FAIL',
    });
    expect(readSesVerdicts(asPlaintext(swollen(CLEAN_VERDICTS, 300)))).toMatchObject({ virus: 'PASS', dkim: 'FAIL' });
  });

  it('reads as before when the swollen block still ends within the bound', () => {
    expect(readSesVerdicts(asPlaintext(swollen({ ...CLEAN_VERDICTS, virus: 'FAIL' }, 100)))).toEqual({
      spam: 'PASS',
      virus: 'FAIL',
      spf: 'PASS',
      dkim: 'PASS',
      dmarc: 'PASS',
    });
  });

  it('reads nothing from a top of 64 KiB that is not SES fields (a mail stored without a block)', () => {
    const plain = `From: a@example.org\r\nX-Long: ${'x'.repeat(70 * 1024)}\r\n\r\nbody`;
    expect(readSesVerdicts(asPlaintext(plain))).toBeUndefined();
  });
});

it('reads a block that reaches past the first 4 KiB, and stops at an empty line that straddles that point', () => {
  // The end of the header section is looked for in the first 4 KiB, then up to 64 KiB (ses-verdicts.ts headerText).
  const folded = (bytes: number) => `Return-Path: <a@example.org>${'\r\n (x)'.repeat(Math.ceil(bytes / 6))}\r\n`;
  const long = sesHeaderBlock('abc123', { ...CLEAN_VERDICTS, virus: 'FAIL' }).replace(
    /^Return-Path:[^\r]*\r\n/,
    folded(5 * 1024),
  );
  expect(Buffer.from(long, 'latin1').indexOf('X-SES-RECEIPT')).toBeGreaterThan(4 * 1024);
  for (const pieces of [1, 3, 40]) {
    expect(readSesVerdicts(asPlaintext(long + BODY, pieces))?.virus).toBe('FAIL');
  }
  // SES fields cut by an empty line whose CRLF CRLF spans bytes 4094 to 4097, where the first read ends: what follows
  // it is the body, so the X-SES-Virus-Verdict and X-SES-RECEIPT there make no block.
  const head = `${folded(3900)}X-SES-Spam-Verdict: PASS\r\nReceived-SPF: `;
  const pad = 'p'.repeat(4094 - Buffer.byteLength(head, 'latin1'));
  const cut = `${head}${pad}\r\n\r\nX-SES-Virus-Verdict: PASS\r\nX-SES-RECEIPT: x\r\n\r\n`;
  expect(Buffer.from(cut, 'latin1').indexOf('\r\n\r\n')).toBe(4094);
  for (const pieces of [1, 3, 40]) {
    expect(readSesVerdicts(asPlaintext(cut, pieces))).toBeUndefined();
  }
});

/** SES's header block with its Authentication-Results value replaced by `field` (as a sender's text could leave it). */
function withAuthenticationResults(field: string): string {
  const block = sesHeaderBlock('abc123', CLEAN_VERDICTS, 'us-east-1').replace(
    /Authentication-Results: [\s\S]*?(?=\r\nX-SES-RECEIPT)/,
    `Authentication-Results: ${field}`,
  );
  expect(block).toContain(field);
  return block;
}

describe("a sender's MAIL FROM and HELO, which SES copies into its Authentication-Results, never change a verdict", () => {
  const failed = { ...CLEAN_VERDICTS, dkim: 'FAIL', dmarc: 'FAIL' } as const;
  it("a HELO naming other words beside SES's none does not put its words in SesVerdicts: FAIL", () => {
    const none = { ...CLEAN_VERDICTS, dkim: 'NONE', dmarc: 'NONE' } as unknown as typeof CLEAN_VERDICTS;
    const block = sesHeaderBlock('abc123', none, 'us-east-1', {
      mailFrom: 'a@example.org',
      helo: 'x; dkim=temperror; dmarc=neutral',
    });
    expect(readSesVerdicts(asPlaintext(`${block}${BODY}`))).toMatchObject({ dkim: 'FAIL', dmarc: 'FAIL' });
    const plain = sesHeaderBlock('abc123', none, 'us-east-1');
    expect(readSesVerdicts(asPlaintext(`${plain}${BODY}`))).toMatchObject({ dkim: 'NONE', dmarc: 'NONE' });
  });

  const verdictsOf = (envelope: { mailFrom: string; helo: string }) =>
    readSesVerdicts(asPlaintext(sesHeaderBlock('abc123', failed, 'us-east-1', envelope) + BODY));

  it.each([
    ['a HELO carrying results', { mailFrom: 'a@example.org', helo: 'x;dkim=pass;dmarc=pass' }],
    ['a HELO carrying results after a space', { mailFrom: 'a@example.org', helo: 'x dkim=pass dmarc=pass' }],
    [
      'a quoted local part carrying results',
      { mailFrom: '"a;dkim=pass;dmarc=pass"@example.org', helo: 'mx.example.org' },
    ],
    ['an unquoted MAIL FROM carrying results', { mailFrom: 'a@example.org;dkim=pass;dmarc=pass', helo: 'h' }],
    ['a comment carrying results', { mailFrom: 'a@example.org (dkim=pass; dmarc=pass)', helo: 'h' }],
    ['a comment left open', { mailFrom: 'a@example.org (dkim=pass', helo: 'h;dkim=pass;dmarc=pass' }],
    ['an escaped quote', { mailFrom: '"a\\";dkim=pass;dmarc=pass"@example.org', helo: 'h' }],
    // Results other than PASS before SES's own, or a word no method defines (text for consumers' SesVerdicts).
    ['a HELO carrying NONE results', { mailFrom: 'a@example.org', helo: 'x;dkim=none;dmarc=none' }],
    ['an address literal HELO carrying results', { mailFrom: 'a@example.org', helo: '[x:a;dkim=none;dmarc=none]' }],
    ['a HELO carrying words no method defines', { mailFrom: 'a@example.org', helo: 'x;dkim=ceo-bank;dmarc=ok' }],
    ['a HELO carrying neutral results', { mailFrom: 'a@example.org', helo: 'x;dkim=neutral;dmarc=temperror' }],
    // A comment or quoted string left open hides SES's own results: the field cannot be read.
    ['a HELO opening a comment', { mailFrom: 'a@example.org', helo: 'x(' }],
    ['a HELO opening a quoted string', { mailFrom: 'a@example.org', helo: 'x"' }],
    ['an address literal HELO opening a comment', { mailFrom: 'a@example.org', helo: '[x:(]' }],
  ])('%s', (_name, envelope) => {
    const verdicts = verdictsOf(envelope);
    expect(verdicts?.dkim).toBe('FAIL');
    expect(verdicts?.dmarc).toBe('FAIL');
    expect(verdicts?.spf).toBe('PASS');
    expect(verdicts?.virus).toBe('PASS');
  });

  it("results the sender writes before a comment that swallows SES's own read FAIL, not the sender's PASS", () => {
    // HELO `x; dkim=pass; dmarc=pass (`, closed by a `)` in the From domain SES writes after its results.
    const field =
      'amazonses.com; spf=pass client-ip=192.0.2.1; helo=x; dkim=pass; dmarc=pass (; dkim=fail header.i=@a; dmarc=fail header.from=evil.example)';
    const block = withAuthenticationResults(field);
    expect(readSesVerdicts(asPlaintext(block + BODY))).toMatchObject({ spf: 'PASS', dkim: 'FAIL', dmarc: 'FAIL' });
  });

  it.each(['GRAY', 'PROCESSING_FAILED', 'DISABLED'] as const)(
    "reads SES's status %s as SES wrote it, not FAIL",
    (status) => {
      const block = sesHeaderBlock('abc123', { ...CLEAN_VERDICTS, spf: status, dkim: status, dmarc: status });
      expect(readSesVerdicts(asPlaintext(block + BODY))).toMatchObject({ spf: status, dkim: status, dmarc: status });
    },
  );

  it('a field SES wrote without a dmarc result, and no `;` hidden in it, gives no dmarc verdict (not FAIL)', () => {
    const field = 'amazonses.com; spf=pass (spfCheck: ok) client-ip=192.0.2.1; helo=h; dkim=pass header.i=@a';
    const block = withAuthenticationResults(field);
    const verdicts = readSesVerdicts(asPlaintext(block + BODY));
    expect(verdicts).toMatchObject({ spf: 'PASS', dkim: 'PASS' });
    expect(verdicts?.dmarc).toBeUndefined();
  });

  it("a quoted local part holding a `;` (RFC 5321 allows it) hides nothing: SES's PASS reads PASS", () => {
    const block = sesHeaderBlock('abc123', CLEAN_VERDICTS, 'us-east-1', { mailFrom: '"a;b"@example.net', helo: 'h' });
    expect(readSesVerdicts(asPlaintext(block + BODY))).toMatchObject({ spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' });
  });

  it("a quote the sender opens, with a backslash before SES's `;`, still hides nothing it can use: FAIL", () => {
    const field =
      'amazonses.com; spf=pass client-ip=192.0.2.1; helo=x; dkim=pass; dmarc=pass "\\; dkim=fail header.i=@a; dmarc=fail header.from=e"';
    const verdicts = readSesVerdicts(asPlaintext(withAuthenticationResults(field) + BODY));
    expect(verdicts).toMatchObject({ spf: 'PASS', dkim: 'FAIL', dmarc: 'FAIL' });
  });

  it('a comment the sender opens and a later one closes hides a result: dkim and dmarc read FAIL', () => {
    const field = 'amazonses.com; spf=pass client-ip=192.0.2.1; helo=x(; dkim=fail header.i=@a); dmarc=pass';
    const block = withAuthenticationResults(field);
    const verdicts = readSesVerdicts(asPlaintext(block + BODY));
    expect(verdicts).toMatchObject({ spf: 'PASS', dkim: 'FAIL', dmarc: 'FAIL' });
  });
});

describe('Authentication-Results as RFC 8601 reads it', () => {
  it('takes a method only at the start of a result, ignoring properties and comments', () => {
    const parsed = parseAuthenticationResults(
      'amazonses.com; spf=pass (sender dkim=fail) smtp.mailfrom=a@example.org; x-note dkim=fail; dkim/1 = pass header.i=@example.org',
    );
    expect(parsed).toEqual({
      authservId: 'amazonses.com',
      results: [
        { method: 'spf', result: 'PASS' },
        { method: 'dkim', result: 'PASS' },
      ],
      hidesSeparator: false,
    });
    const hides = (text: string) => parseAuthenticationResults(`amazonses.com; spf=pass ${text}`)?.hidesSeparator;
    expect([hides('(a; dkim=pass) x=y'), hides('x="a; DMARC / 1 = none"'), hides('(a\\;dkim=fail)')]).toEqual([
      true,
      true,
      true,
    ]);
    expect([hides('(a; b) x=y'), hides('x="a;b"'), hides('(dkim=pass; x)')]).toEqual([false, false, false]);
  });

  it('says PASS for a method only when every one of its results passes, else the first that does not', () => {
    const results = (text: string) => parseAuthenticationResults(`amazonses.com; ${text}`)?.results ?? [];
    expect(combinedResult(results('dkim=pass; dkim=pass'), 'dkim')).toBe('PASS');
    expect(combinedResult(results('dkim=pass; dkim=fail; dkim=temperror'), 'dkim')).toBe('FAIL');
    expect(combinedResult(results('dkim=neutral; dkim=pass'), 'dkim')).toBe('NEUTRAL');
    expect(combinedResult(results('dkim=none; dkim=none'), 'dkim')).toBe('NONE');
    expect(combinedResult(results('spf=pass'), 'dkim')).toBeUndefined();
  });

  it("reads FAIL when results of one method name two different words besides PASS: which is SES's is unknowable", () => {
    const results = (text: string) => parseAuthenticationResults(`amazonses.com; ${text}`)?.results ?? [];
    expect(combinedResult(results('dkim=temperror; dkim=none'), 'dkim')).toBe('FAIL');
    expect(combinedResult(results('dmarc=neutral; dmarc=pass; dmarc=none'), 'dmarc')).toBe('FAIL');
    expect(combinedResult(results('spf=softfail; spf=neutral'), 'spf')).toBe('FAIL');
  });

  it('reads genuine DKIM results of several signatures as the first besides PASS, not FAIL', () => {
    const results = (text: string) => parseAuthenticationResults(`amazonses.com; ${text}`)?.results ?? [];
    // An ESP's signature whose key lookup timed out beside the author domain's whose key is gone.
    const field = 'dkim=temperror header.i=@shop.example; dkim=permerror header.i=@esp.example';
    expect(combinedResult(results(field), 'dkim')).toBe('TEMPERROR');
    expect(combinedResult(results(`dkim=pass header.i=@a.example; ${field}`), 'dkim')).toBe('TEMPERROR');
  });

  it('gives nothing for a field with an open comment or quoted string, or no authserv-id', () => {
    expect(parseAuthenticationResults('amazonses.com; dkim=pass (open')).toBeUndefined();
    expect(parseAuthenticationResults('amazonses.com; dkim="pass')).toBeUndefined();
    expect(parseAuthenticationResults('   ')).toBeUndefined();
  });

  it("reads only SES's own field: another authserv-id gives no dkim or dmarc verdict", () => {
    const block = 'Authentication-Results: mx.example.org; dkim=pass; dmarc=pass\r\nX-SES-RECEIPT: x\r\n\r\n';
    expect(readSesVerdicts(asPlaintext(block))).toEqual({});
  });
});
