/**
 * escapeControls: what the CLI prints of a path, key or argument never acts on the terminal. Expected strings are
 * written out by hand.
 */
import { escapeControls, jsonForTerminal } from '../../cli/terminal-text';

it.each([
  ['ESC and a clear-screen sequence', 'raw/\u001b[2Jkey', 'raw/\\x1b[2Jkey'],
  ['LF and CR', 'a\nb\rc', 'a\\x0ab\\x0dc'],
  ['NUL, BEL, TAB and the last C0', '\u0000\u0007\t\u001f', '\\x00\\x07\\x09\\x1f'],
  ['DEL', 'x\u007fy', 'x\\x7fy'],
  ['the C1 controls: CSI and the first and last', '\u009b2J\u0080\u009f', '\\u009b2J\\u0080\\u009f'],
  ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
  ['bidirectional overrides and isolates', '\u202eabc\u2066d\u200f', '\\u202eabc\\u2066d\\u200f'],
])('escapes %s', (_what, text, printed) => {
  expect(escapeControls(text)).toBe(printed);
});

it('leaves printable text, non-ASCII letters and backslashes as they are, so escaping twice changes nothing', () => {
  expect(escapeControls('/tmp/Café mail/été 2026.eml')).toBe('/tmp/Café mail/été 2026.eml');
  expect(escapeControls('C:\\mail\\x.eml')).toBe('C:\\mail\\x.eml');
  const once = escapeControls('k\u001b[2J\n\u009b');
  expect(escapeControls(once)).toBe(once);
});

it('gives a JSON string that reads back as the value, with no control character in it', () => {
  const key = 'raw/\u001b[2J\n\u009b\u2028"quoted"\u202e';
  const printed = jsonForTerminal(key);
  expect(printed).toBe('"raw/\\u001b[2J\\n\\u009b\\u2028\\"quoted\\"\\u202e"');
  expect(JSON.parse(printed)).toBe(key);
});
