import { encodeBody } from '../../lambda/decrypt-function/forward-mail';

// What SQS takes in a body (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html):
// #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF. The expected encodings below come from that list.
const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe('encodeBody', () => {
  it.each([
    ['tab, LF, CR and printable ASCII', 'a\tb\r\nc ~\x7F'],
    ['the last BMP character before the surrogates', '\uD7FF'],
    ['the first private-use character', '\uE000'],
    ['U+FFFD', '\uFFFD'],
    ['a character outside the BMP (a surrogate pair in JavaScript)', '\u{1F600}'],
    ['the last code point', '\u{10FFFF}'],
    ['a byte order mark, kept', '\uFEFFSubject: x'],
  ])('sends %s as the text itself', (_, text) => {
    const { body, encoding } = encodeBody(utf8(text), 'auto');
    expect(encoding).toBe('identity');
    expect(Buffer.from(body, 'utf8').equals(utf8(text))).toBe(true);
  });

  it.each([
    ['NUL', '\x00'],
    ['a C0 control', '\x08'],
    ['vertical tab', 'a\x0Bb'],
    ['form feed', '\x0C'],
    ['unit separator', '\x1F'],
    ['U+FFFE', '\uFFFE'],
    ['U+FFFF', 'x\uFFFF'],
  ])('sends %s as base64', (_, text) => {
    expect(encodeBody(utf8(text), 'auto')).toEqual({ body: utf8(text).toString('base64'), encoding: 'base64' });
  });

  it.each([
    ['a lone continuation byte', [0x61, 0x80]],
    ['an encoded surrogate (CESU)', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['an overlong encoding', [0xc0, 0xaf]],
  ])('sends bytes that are not UTF-8 (%s) as base64', (_, bytes) => {
    const mime = Buffer.from(bytes);
    expect(encodeBody(mime, 'auto')).toEqual({ body: mime.toString('base64'), encoding: 'base64' });
  });

  it('sends base64 whatever the bytes when base64 is chosen', () => {
    expect(encodeBody(utf8('plain'), 'base64')).toEqual({ body: utf8('plain').toString('base64'), encoding: 'base64' });
  });
});
