/**
 * parseForwardedMail on damaged, hostile and oversized mail: a result or a ParsedMailError with a stable code, soon,
 * and never a message that repeats the mail.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import {
  ParsedMailError,
  type ParseForwardedMailOptions,
  parseForwardedMail,
} from '../../lambda/consumer/parse-forwarded-mail';

const SAMPLE = readFileSync(join(__dirname, '..', '..', 'local', 'sample-mail.eml'));
const SECRET = 'secret-marker@example.org';
const HEAD = `From: ${SECRET}\r\nSubject: ${SECRET}\r\n`;

/** The code of the ParsedMailError the parse rejects with; fails on a result or any other error. */
async function refusal(mail: Uint8Array, options?: ParseForwardedMailOptions): Promise<string> {
  const error = await parseForwardedMail(mail, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ParsedMailError);
  expect((error as Error).message).not.toContain('secret-marker');
  return (error as ParsedMailError).code;
}

/** A seeded byte generator: the same junk on every run. */
function junk(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

const multipart = (parts: string) =>
  Buffer.from(`${HEAD}Content-Type: multipart/mixed; boundary=b\r\n\r\n${parts}--b--\r\n`);

it('refuses a mail over maxBytes before parsing it: 40 MiB by default', async () => {
  expect(await refusal(SAMPLE, { maxBytes: SAMPLE.length - 1 })).toBe('MAIL_TOO_LARGE');
  await expect(parseForwardedMail(SAMPLE, { maxBytes: SAMPLE.length })).resolves.toBeDefined();
  const big = Buffer.alloc(40 * 1024 * 1024 + 1, 0x61);
  big.write(HEAD);
  expect(await refusal(big)).toBe('MAIL_TOO_LARGE');
});

it('refuses more lines than maxLines (600,000 by default) unparsed, in well under a second', async () => {
  const lines = Buffer.from(`${HEAD}\r\n${'\n'.repeat(600_000)}`);
  const started = Date.now();
  expect(await refusal(lines)).toBe('MAIL_TOO_COMPLEX');
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(await refusal(SAMPLE, { maxLines: 10 })).toBe('MAIL_TOO_COMPLEX');
});

it('parses a 29 MiB attachment in 40 MiB of base64 lines under the default bounds, byte-exact', async () => {
  const bytes = Buffer.alloc(29 * 1024 * 1024);
  for (let i = 0; i < bytes.length; i += 4096) {
    bytes.writeUInt32BE(i, i);
  }
  const base64 = bytes.toString('base64').replace(/.{76}/g, '$&\r\n');
  const mail = Buffer.from(
    `${HEAD}Content-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64}`,
  );
  expect(mail.length).toBeLessThanOrEqual(40 * 1024 * 1024);
  const parsed = await parseForwardedMail(mail);
  expect(parsed.attachments).toHaveLength(1);
  expect(parsed.attachments[0]?.filename).toBe('big.bin');
  expect(Buffer.from(parsed.attachments[0]?.content as Uint8Array).equals(bytes)).toBe(true);
});

it('refuses more part delimiters than maxParts (10,000 by default) unparsed', async () => {
  expect(await refusal(multipart('--b\r\n\r\nx\r\n'.repeat(10_001)))).toBe('MAIL_TOO_COMPLEX');
  // The sample's lines starting with '--': four delimiters, two closing delimiters, the signature separator.
  const dashed = SAMPLE.toString('latin1')
    .split('\n')
    .filter((line) => line.startsWith('--')).length;
  expect(dashed).toBe(7);
  expect(await refusal(SAMPLE, { maxParts: dashed - 1 })).toBe('MAIL_TOO_COMPLEX');
  await expect(parseForwardedMail(SAMPLE, { maxParts: dashed })).resolves.toBeDefined();
});

it('refuses 10,000 nested multiparts (deeper than maxNestingDepth, 64 by default)', async () => {
  /** A multipart with `levels` multiparts nested below it, each the one part of the one above. */
  const nested = (levels: number) => {
    let mail = `${HEAD}Content-Type: multipart/mixed; boundary=b0\r\n\r\n`;
    for (let i = 1; i <= levels; i++) {
      mail += `--b${i - 1}\r\nContent-Type: multipart/mixed; boundary=b${i}\r\n\r\n`;
    }
    return Buffer.from(mail);
  };
  expect(await refusal(nested(9_999))).toBe('MAIL_TOO_COMPLEX');
  expect(await refusal(nested(65))).toBe('MAIL_TOO_COMPLEX');
  await expect(parseForwardedMail(nested(64))).resolves.toBeDefined();
  // The sample's text parts sit two levels below the top: mixed, alternative, text.
  expect(await refusal(SAMPLE, { maxNestingDepth: 1 })).toBe('MAIL_TOO_COMPLEX');
  await expect(parseForwardedMail(SAMPLE, { maxNestingDepth: 2 })).resolves.toBeDefined();
});

it('refuses a huge header, too many header fields and too many attachments', async () => {
  const hugeHeader = Buffer.from(`${HEAD}X-Big: ${'a'.repeat(3 * 1024 * 1024)}\r\n\r\nbody`);
  expect(await refusal(hugeHeader)).toBe('MAIL_TOO_COMPLEX');
  expect(await refusal(SAMPLE, { maxHeadersBytes: 100 })).toBe('MAIL_TOO_COMPLEX');
  const manyHeaders = Buffer.from(`${HEAD}${'X-A: b\r\n'.repeat(5_000)}\r\nbody`);
  expect(await refusal(manyHeaders)).toBe('MAIL_TOO_COMPLEX');
  await expect(parseForwardedMail(manyHeaders, { maxHeaders: 5_002 })).resolves.toBeDefined();
  const attachment =
    '--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n';
  expect(await refusal(multipart(attachment.repeat(1_001)))).toBe('MAIL_TOO_COMPLEX');
  const thousand = await parseForwardedMail(multipart(attachment.repeat(1_000)));
  expect(thousand.attachments).toHaveLength(1_000);
  expect(Buffer.from(thousand.attachments[999]?.content as Uint8Array).toString('hex')).toBe('000102');
  expect(await refusal(multipart(attachment.repeat(2)), { maxAttachments: 1 })).toBe('MAIL_TOO_COMPLEX');
});

it('refuses what is no mail: empty, binary junk, no header section, a line that is no header field', async () => {
  expect(await refusal(Buffer.alloc(0))).toBe('MAIL_MALFORMED');
  for (const seed of [1, 2, 3, 4, 5]) {
    expect(await refusal(junk(4096, seed))).toBe('MAIL_MALFORMED');
  }
  expect(await refusal(Buffer.from(`\r\n${SECRET}\r\n`))).toBe('MAIL_MALFORMED');
  expect(await refusal(Buffer.from(`this is not a mail, ${SECRET}\r\n`))).toBe('MAIL_MALFORMED');
  expect(await refusal(Buffer.from(`${HEAD}no colon ${SECRET}\r\n\r\nbody`))).toBe('MAIL_MALFORMED');
});

it('refuses a top-level header field over maxFieldBytes unparsed (postal-mime took 8 s on a From of 1 MiB)', async () => {
  const from = `From: ${'g:'.repeat(512 * 1024)}\r\n\r\nbody`;
  expect(await refusal(Buffer.from(from))).toBe('MAIL_TOO_COMPLEX');
  await expect(parseForwardedMail(Buffer.from(from))).rejects.toThrow('a header field is over 262144 bytes');
  // A To of 1,500 recipients (about 80 KB, folded) is a mail.
  const staff = Array.from({ length: 1500 }, (_, i) => `Staff Member ${i} <staff.member.${i}@example.com>`);
  const announcement = await parseForwardedMail(Buffer.from(`${HEAD}To: ${staff.join(',\r\n ')}\r\n\r\nbody`));
  expect(announcement.to).toHaveLength(1500);
  // Folded lines count with their field; a field within the bound (or a bound set higher) passes.
  const folded = `To: a@example.org${',\r\n b@example.org'.repeat(16_000)}\r\n\r\nbody`;
  expect(await refusal(Buffer.from(folded))).toBe('MAIL_TOO_COMPLEX');
  await expect(parseForwardedMail(Buffer.from(folded), { maxFieldBytes: 512 * 1024 })).resolves.toBeDefined();
  const exact = `Subject: ${'s'.repeat(262_144 - 'Subject: '.length - 1)}\n`;
  await expect(parseForwardedMail(Buffer.from(`${exact}\r\nbody`))).resolves.toBeDefined();
  expect(await refusal(Buffer.from(`s${exact}\r\nbody`))).toBe('MAIL_TOO_COMPLEX');
  // The body's long lines are not header fields.
  await expect(parseForwardedMail(Buffer.from(`${HEAD}\r\n${'b'.repeat(200_000)}\r\n`))).resolves.toBeDefined();
});

it('refuses a mail of two From fields: which one a reader takes differs (RFC 5322 allows one)', async () => {
  const two = `From : ceo@victim.example\r\nFrom: me@attacker.example\r\nSubject: x\r\n\r\nbody`;
  expect(await refusal(Buffer.from(two))).toBe('MAIL_MALFORMED');
  const lowerCase = `From: a@example.org\r\nfrom: b@example.org\r\n\r\nbody`;
  expect(await refusal(Buffer.from(lowerCase))).toBe('MAIL_MALFORMED');
  // One From, and an mbox separator line before the header section, is a mail.
  const mbox = await parseForwardedMail(Buffer.from(`From sender@example.org Mon Nov 23 12:00:00 2026\r\n${HEAD}\r\n`));
  expect(mbox.from?.address).toBe(SECRET);
});

it.each([
  ['a list', 'ceo@victim.example, me@attacker.example'],
  ['a list read as two by Python (an unquoted comma)', 'Doe, John <john@example.org>'],
  ['a group', 'x: ceo@victim.example, me@attacker.example;'],
  ['an address as an unquoted display name', 'ceo@victim.example <me@attacker.example>'],
  ['an address as a display name beside a comment', 'ceo@victim.example(x) <me@attacker.example>'],
])('refuses a From that is not one mailbox to every reader: %s', async (_label, from) => {
  expect(await refusal(Buffer.from(`From: ${from}\r\nSubject: x\r\n\r\nbody`))).toBe('MAIL_MALFORMED');
});

it('reads a From of one mailbox, however its display name is written', async () => {
  for (const [from, address, name] of [
    ['"ceo@victim.example" <me@example.org>', 'me@example.org', 'ceo@victim.example'],
    ['"Doe, John" <john@example.org>', 'john@example.org', 'Doe, John'],
    ['=?utf-8?q?J=C3=B6rg?= <j@example.org>', 'j@example.org', 'J\u00f6rg'],
    ['j@example.org (J\u00f6rg)', 'j@example.org', expect.any(String)],
    ['j@example.org', 'j@example.org', ''],
    // A `<` or `@` inside a comment or quotes is no angle address and no display name.
    ['john@example.com (John <Doe>)', 'john@example.com', expect.any(String)],
    ['"Doe <j@x.example>" (a@b.example) <john@example.com>', 'john@example.com', expect.any(String)],
  ] as const) {
    const mail = await parseForwardedMail(Buffer.from(`From: ${from}\r\nSubject: x\r\n\r\nbody`));
    expect(mail.from).toEqual({ address, name });
  }
});

it('refuses a top-level header line holding a bare CR: readers split it differently (Python at the CR)', async () => {
  const crFrom = 'X-A: 1\rFrom: ceo@victim.example\r\r\nFrom: me@attacker.example\r\nSubject: x\r\n\r\nbody';
  expect(await refusal(Buffer.from(crFrom))).toBe('MAIL_MALFORMED');
  expect(await refusal(Buffer.from('Subject: a\rSubject: b\r\n\r\nbody'))).toBe('MAIL_MALFORMED');
  // In the body a lone CR is the body's business.
  await expect(parseForwardedMail(Buffer.from(`${HEAD}\r\nline\rmore\r\n`))).resolves.toBeDefined();
});

it('bounds the address fields together by maxFieldBytes: postal-mime parses each (12.6 s for seven of 256 KiB)', async () => {
  const to = `To: ${'g:'.repeat(20_000)}\r\n`;
  const seven = Buffer.from(`${HEAD}${to.repeat(7)}\r\nbody`);
  expect(await refusal(seven)).toBe('MAIL_TOO_COMPLEX');
  // Refused unparsed: fields of 100 KiB each, each under the bound, all seven over it together.
  const smaller = Buffer.from(`${HEAD}${`To: ${'g:'.repeat(50_000)}\r\n`.repeat(7)}\r\nbody`);
  await expect(parseForwardedMail(smaller)).rejects.toThrow(/the address fields are over 262144 bytes/);
  // 1,500 recipients over several fields (about 80 KB) stay a mail.
  const recipients = Array.from({ length: 500 }, (_, i) => `user${i}@example.org`).join(', ');
  await expect(
    parseForwardedMail(Buffer.from(`${HEAD}To: ${recipients}\r\nCc: ${recipients}\r\nBcc: ${recipients}\r\n\r\nx`)),
  ).resolves.toBeDefined();
});

it('gives a result for damaged mail that is still a mail: header only, truncated, bad base64, a bad date', async () => {
  const headerOnly = await parseForwardedMail(Buffer.from(HEAD));
  expect(headerOnly).toMatchObject({ subject: SECRET, text: undefined, html: undefined, attachments: [] });
  // Cut inside the CSV's base64 line: the parts before it are whole, the mail's headers intact.
  const truncated = await parseForwardedMail(SAMPLE.subarray(0, SAMPLE.indexOf('cXVhcnRlcixy') + 8));
  expect(truncated.subject).toBe('Quarterly report \u2014 draft');
  expect(truncated.html).toContain('Gr\u00fc\u00dfe!');
  const badBase64 = Buffer.from(
    `${HEAD}Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n!!*** not base64 ***!!\r\n`,
  );
  const bad = await parseForwardedMail(badBase64);
  expect(bad.attachments).toHaveLength(1);
  expect(bad.attachments[0]?.size).toBe(bad.attachments[0]?.content.byteLength);
  const undated = await parseForwardedMail(Buffer.from(`${HEAD}Date: the day after tomorrow\r\n\r\nx`));
  expect(undated.date).toBeUndefined();
});

it('any bytes, and the sample mail cut or flipped anywhere, give a result or a ParsedMailError', async () => {
  const check = async (mail: Uint8Array) => {
    try {
      const parsed = await parseForwardedMail(mail);
      expect(parsed.date === undefined || !Number.isNaN(parsed.date.getTime())).toBe(true);
    } catch (error) {
      expect(error).toBeInstanceOf(ParsedMailError);
    }
  };
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), check), { numRuns: 200 });
  await fc.assert(
    fc.asyncProperty(
      fc.nat(SAMPLE.length),
      fc.nat(SAMPLE.length - 1),
      fc.integer({ min: 1, max: 255 }),
      (cut, at, x) => {
        const flipped = Buffer.from(SAMPLE);
        flipped[at] = (flipped[at] as number) ^ x;
        return Promise.all([check(SAMPLE.subarray(0, cut)), check(flipped)]).then(() => undefined);
      },
    ),
    { numRuns: 300 },
  );
});

it('checks its arguments: bounds are positive whole numbers, the mail is bytes or a ForwardedMail', async () => {
  for (const maxBytes of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    await expect(parseForwardedMail(SAMPLE, { maxBytes })).rejects.toThrow(TypeError);
  }
  await expect(parseForwardedMail(SAMPLE, { maxAttachments: 0 })).rejects.toThrow(TypeError);
  await expect(parseForwardedMail('Subject: x\r\n\r\n' as unknown as Uint8Array)).rejects.toThrow(TypeError);
  await expect(parseForwardedMail({} as unknown as Uint8Array)).rejects.toThrow(TypeError);
  await expect(parseForwardedMail(new Uint16Array(8) as unknown as Uint8Array)).rejects.toThrow(TypeError);
  // Bytes from another realm (a vm context, as test runners use) are bytes too.
  const foreign = runInNewContext('new Uint8Array([83, 58, 32, 120, 13, 10, 13, 10, 121])') as Uint8Array;
  expect(foreign).not.toBeInstanceOf(Uint8Array);
  expect((await parseForwardedMail(foreign)).headers).toEqual([{ name: 'S', value: 'x' }]);
});
