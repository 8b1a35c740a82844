/**
 * parseForwardedMail over the project's fixture mails and postal-mime's own test mails (test/fixtures/postal-mime):
 * every expected value is read off the .eml itself, and attachment bytes are cut and decoded here
 * (test/support/mime-parts.ts), never taken from the parser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ParsedMail, parseForwardedMail } from '../../lambda/consumer/parse-forwarded-mail';
import { base64Body, rawParts } from '../support/mime-parts';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path));
const vector = (name: string) => read(`test/fixtures/vectors/${name}/plain.eml`);
const upstream = (name: string) => read(`test/fixtures/postal-mime/${name}.eml`);

const ALL = [
  ...['000', '001', '002', '003', '004', '005', '006', '007', '008', '009'].map(
    (n) => `test/fixtures/vectors/${n}-ses/plain.eml`,
  ),
  'local/sample-mail.eml',
  ...['arf', 'bounce', 'mimetorture'].map((n) => `test/fixtures/postal-mime/${n}.eml`),
];

/**
 * A 7bit or 8bit part's bytes as parseForwardedMail gives them (postal-mime's representation): its lines, each ending
 * in LF, the line break before the delimiter included.
 */
const asLines = (body: Buffer | undefined) =>
  Buffer.from(`${body?.toString('latin1').replace(/\r\n/g, '\n')}\n`, 'latin1');

/** The attachment with this file name, its bytes as a Buffer for comparison. */
function attachment(mail: ParsedMail, filename: string) {
  const found = mail.attachments.filter((a) => a.filename === filename);
  expect(found).toHaveLength(1);
  const [one] = found as [ParsedMail['attachments'][number]];
  return { ...one, bytes: Buffer.from(one.content) };
}

it.each(ALL)('%s parses into typed fields: sizes are byte lengths, dates are valid or absent', async (path) => {
  const mail = await parseForwardedMail(read(path));
  expect(mail.headers.length).toBeGreaterThan(0);
  for (const header of mail.headers) {
    expect(header.name).toMatch(/^[\x21-\x39\x3b-\x7e]+$/);
    expect(typeof header.value).toBe('string');
  }
  if (mail.date !== undefined) {
    expect(Number.isNaN(mail.date.getTime())).toBe(false);
  }
  for (const a of mail.attachments) {
    expect(a.content).toBeInstanceOf(Uint8Array);
    expect(a.size).toBe(a.content.byteLength);
    expect(a.contentType).toMatch(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/);
  }
});

it('001: a plain mail, its four headers in order, the date with its zone applied', async () => {
  const mail = await parseForwardedMail(vector('001-ses'));
  expect(mail.headers).toEqual([
    { name: 'From', value: 'andris@kreata.ee' },
    { name: 'To', value: 'andris.reinman@gmail.com' },
    { name: 'Subject', value: 'test' },
    { name: 'Date', value: 'Sun, 8 Jan 2017 20:37:44 +0200' },
  ]);
  expect(mail.from).toEqual({ address: 'andris@kreata.ee', name: '' });
  expect(mail.to).toEqual([{ address: 'andris.reinman@gmail.com', name: '' }]);
  expect(mail.cc).toEqual([]);
  expect(mail.subject).toBe('test');
  expect(mail.date).toEqual(new Date(Date.UTC(2017, 0, 8, 18, 37, 44)));
  expect(mail.messageId).toBeUndefined();
  expect(mail.text).toBe('Hello world!\n');
  expect(mail.html).toBeUndefined();
  expect(mail.attachments).toEqual([]);
});

it('002: a single-part attachment, byte-exact with the base64 body decoded by Node', async () => {
  const eml = vector('002-ses');
  const body = eml.subarray(eml.indexOf('\n\n') + 2);
  const png = attachment(await parseForwardedMail(eml), 'screenshot.png');
  expect(png).toMatchObject({ contentType: 'image/png', disposition: 'attachment', contentId: undefined });
  expect(png.bytes.equals(Buffer.from(body.toString('latin1'), 'base64'))).toBe(true);
  expect(png.bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(png.size).toBe(425);
});

it('000: nested multiparts, encoded words, RFC 2231 names, content ids; each attachment byte-exact', async () => {
  const eml = vector('000-ses');
  const mail = await parseForwardedMail(eml);
  expect(mail.subject).toBe('Nodemailer is unicode friendly \u2714 (1476358788189)');
  expect(mail.text).toBe('Hello to myself! http://www.nodemailer.com/\n');
  expect(mail.html).toMatch(/^<p><b>Hello<\/b> to myself <img src="cid:note@example.com"\/><\/p>/);
  const related = rawParts(eml, '----sinikael-?=_5-14763587882000.8241290969717285');
  const image = attachment(mail, 'image.png');
  expect(image).toMatchObject({ contentType: 'image/png', disposition: 'attachment', contentId: '<note@example.com>' });
  expect(image.bytes.equals(base64Body(related[1]))).toBe(true);
  const nyan = attachment(mail, 'nyan cat \u2714.gif');
  expect(nyan).toMatchObject({ contentType: 'image/gif', contentId: '<nyan@example.com>' });
  expect(nyan.bytes.equals(base64Body(related[2]))).toBe(true);
  expect(nyan.bytes.subarray(0, 6).toString('latin1')).toBe('GIF89a');
  const notes = attachment(mail, 'notes.txt');
  expect(notes.contentType).toBe('text/plain');
  const notesPart = rawParts(eml, '----sinikael-?=_1-14763587882000.8241290969717285')[1];
  expect(notes.bytes.equals(asLines(notesPart?.body))).toBe(true);
  expect(notes.bytes.toString()).toBe('Some notes about this e-mail\n');
});

it('the sample mail: display name, encoded subject, 8bit UTF-8 text, quoted-printable HTML, a CSV', async () => {
  const mail = await parseForwardedMail(read('local/sample-mail.eml'));
  expect(mail.from).toEqual({ address: 'sender@example.net', name: 'Example Sender' });
  expect(mail.to).toEqual([{ address: 'recipient@example.com', name: '' }]);
  expect(mail.subject).toBe('Quarterly report \u2014 draft');
  expect(mail.date).toEqual(new Date(Date.UTC(2026, 10, 23, 7, 59, 58)));
  expect(mail.messageId).toBe('<sample-0001@example.net>');
  expect(mail.headers.map((h) => h.name)).toEqual([
    'Return-Path',
    'Received',
    'From',
    'To',
    'Subject',
    'Date',
    'Message-ID',
    'MIME-Version',
    'Content-Type',
  ]);
  expect(mail.text).toContain('attached. Gr\u00fc\u00dfe, \u00a1hola!, \u3053\u3093\u306b\u3061\u306f.\n');
  // The part's lines, each ending in LF: the HTML line and the blank line before the delimiter.
  expect(mail.html).toBe('<p>Hello,</p><p>the draft of the quarterly report is attached. Gr\u00fc\u00dfe!</p>\n\n');
  const csv = attachment(mail, 'report.csv');
  expect(csv).toMatchObject({ contentType: 'text/csv', disposition: 'attachment', size: 40 });
  expect(csv.bytes.toString()).toBe('quarter,revenue\n1,100\n2,120\n3,145\n4,160\n');
});

it('a ForwardedMail as readForwardedMail returns it parses like its bytes', async () => {
  const mime = read('local/sample-mail.eml');
  const forwarded = { mime, sesMessageId: 'abc', delivery: 'inline' as const, verdicts: undefined };
  expect(await parseForwardedMail(forwarded)).toEqual(await parseForwardedMail(mime));
});

it('003 and 005: a Latin-1 HTML part; an mbox "From " line before the headers is not a header', async () => {
  expect((await parseForwardedMail(vector('003-ses'))).html).toBe('<span>html section\u00dc</span>\n\n\n');
  const mail = await parseForwardedMail(vector('005-ses'));
  expect(mail.headers[0]).toEqual({ name: 'Return-Path', value: '<ubuntu-bugs-bounces@lists.ubuntu.com>' });
  expect(mail.subject).toBe('[Bug 381598] Re: ubiquity crashes in ubuntu 9.04 installation');
  // A From field with space before its colon (RFC 5322's obsolete syntax) is a header, not an mbox line.
  const obsolete = await parseForwardedMail(Buffer.from('From : a@example.org\r\nSubject: x\r\n\r\nbody'));
  expect(obsolete.headers).toEqual([
    { name: 'From', value: 'a@example.org' },
    { name: 'Subject', value: 'x' },
  ]);
});

it('006: no From, no Subject: undefined and empty, text and HTML from the alternatives', async () => {
  const mail = await parseForwardedMail(vector('006-ses'));
  expect(mail).toMatchObject({ from: undefined, to: [], subject: undefined, date: undefined, attachments: [] });
  expect(mail.text).toContain('This e-mail message has been scanned for Viruses and Content and cleared');
  expect(mail.html).toMatch(/^<HTML><HEAD>/);
});

it("postal-mime's arf.eml: a feedback report, the reported mail attached line for line", async () => {
  const eml = upstream('arf');
  const mail = await parseForwardedMail(eml);
  expect(mail.from).toEqual({ address: 'abusedesk@example.com', name: '' });
  expect(mail.to).toEqual([{ address: 'abuse@example.net', name: '' }]);
  expect(mail.subject).toBe('FW: Earn money');
  // Thu, 8 Mar 2005 17:40:36 EDT (UTC-4)
  expect(mail.date).toEqual(new Date(Date.UTC(2005, 2, 8, 21, 40, 36)));
  expect(mail.text).toMatch(/^This is an email abuse report for an email message received from IP\n/);
  expect(mail.attachments.map((a) => a.contentType)).toEqual(['message/feedback-report', 'message/rfc822']);
  const parts = rawParts(eml, 'part1_13d.2e68ed54_boundary');
  expect(Buffer.from(mail.attachments[1]?.content as Uint8Array).equals(asLines(parts[2]?.body))).toBe(true);
  const reported = await parseForwardedMail(mail.attachments[1]?.content as Uint8Array);
  // The reported mail's header section ends at the blank line after Received: its Subject is body text.
  expect(reported.headers.map((h) => h.name)).toEqual(['From', 'Received']);
  expect(reported.from).toEqual({ address: 'somespammer@example.net', name: '' });
  expect(reported.subject).toBeUndefined();
  expect(reported.text).toMatch(/^To: <Undisclosed Recipients>\nSubject: Earn money\n[\s\S]*\nSpam Spam Spam\n$/);
});

it("postal-mime's mimetorture.eml: ten forwarded mails, each an attachment with its part's lines", async () => {
  const eml = upstream('mimetorture');
  const mail = await parseForwardedMail(eml);
  expect(mail.subject).toBe("Ryan Finnie's MIME Torture Test v1.0");
  // 23 Oct 2003 23:28:34 -0700
  expect(mail.date).toEqual(new Date(Date.UTC(2003, 9, 24, 6, 28, 34)));
  const parts = rawParts(eml, '=-qYxqvD9rbH0PNeExagh1');
  expect(parts).toHaveLength(11);
  expect(mail.attachments).toHaveLength(10);
  mail.attachments.forEach((a, i) => {
    expect(a.contentType).toBe('message/rfc822');
    expect(Buffer.from(a.content).equals(asLines(parts[i + 1]?.body))).toBe(true);
  });
});

it("postal-mime's bounce.eml: a delivery report whose returned mail parses again", async () => {
  const mail = await parseForwardedMail(upstream('bounce'));
  expect(mail.from?.address).toBe('MAILER-DAEMON@messagingengine.com');
  expect(mail.subject).toBe('Undelivered Mail Returned to Sender');
  expect(mail.messageId).toBe('<20221010053722.37BD05C00A2@mailout.nyi.internal>');
  expect(mail.date).toEqual(new Date(Date.UTC(2022, 9, 10, 5, 37, 22)));
  expect(mail.attachments.map((a) => a.contentType)).toEqual(['message/delivery-status', 'message/rfc822']);
  const returned = await parseForwardedMail(mail.attachments[1]?.content as Uint8Array);
  expect(returned.subject).toBe('Proovikiri');
  expect(returned.from).toEqual({ address: 'andrisreinman@fastmail.com', name: 'Andris Reinman' });
});
