/**
 * Text from outside the CLI (a path, an S3 key or prefix, an argument, an SDK's message) made safe to print on a
 * terminal: every character that moves the cursor, clears the screen, starts an escape sequence, breaks the line or
 * reorders text is shown escaped instead of acted on.
 */

/**
 * C0 controls (ESC, CR, LF, ...), DEL, the C1 controls (CSI U+009B, ...), the Unicode line and paragraph separators,
 * and the bidirectional formatting characters (which reorder what the terminal shows).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters this module escapes.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Escapes every control character of `text`: C0 controls and DEL as `\xNN` (ESC is `\x1b`, LF `\x0a`), the others
 * as `\uNNNN` (CSI is `\u009b`). Everything else, backslashes included, prints as it is, so escaping twice changes
 * nothing.
 */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (character) => {
    const code = character.charCodeAt(0);
    return code <= 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * A JSON string for a terminal, for a value to be copied exactly (a resume key): JSON escapes the C0 controls, and
 * this escapes the rest of what `escapeControls` does as well, so the line reads back with JSON.parse as the value.
 */
export function jsonForTerminal(text: string): string {
  return JSON.stringify(text).replace(
    UNSAFE,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
