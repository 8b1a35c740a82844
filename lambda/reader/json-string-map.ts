/**
 * Reads a flat JSON object of strings (a material description, an instruction file) so that what the reader sees is
 * exactly what is stored.
 *
 * Written by hand because `JSON.parse` is not exact enough here: it keeps the last of two members with the same name
 * (so a policy could check one rule name while the raw metadata shows another), and a `__proto__` member it returns
 * is silently dropped by any later copy into a plain object (so a member could exist that the policy never saw).
 * The grammar is RFC 8259 restricted to one object whose values are strings; each string token is still decoded by
 * `JSON.parse`, so escapes mean exactly what they mean in JSON.
 */
import { EnvelopeError } from './errors';

/** A parsed map: null prototype, so no name is special. */
export type StringMap = Readonly<Record<string, string>>;

const WHITESPACE = /[ \t\n\r]*/y;
// A JSON string token: no raw control characters, only JSON's escapes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the range excludes control characters, as RFC 8259 requires.
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
// A UTF-16 surrogate without its partner: such a string has no UTF-8 form, so KMS could not receive it unchanged.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Parses `text` as one JSON object whose every value is a string.
 * @throws EnvelopeError ENVELOPE_INVALID naming `what` when it is not JSON, not such an object, names a member twice,
 *   names `__proto__`, or holds a name or value that is not well-formed Unicode (a lone surrogate cannot reach KMS
 *   unchanged)
 */
export function parseJsonStringMap(text: string, what: string): StringMap {
  const map: Record<string, string> = Object.create(null);
  let at = 0;
  const skipWhitespace = () => {
    WHITESPACE.lastIndex = at;
    WHITESPACE.test(text);
    at = WHITESPACE.lastIndex;
  };
  const expect = (character: string) => {
    skipWhitespace();
    if (text[at] !== character) {
      throw invalid(what, 'is not a JSON object of strings');
    }
    at += 1;
  };
  const readString = (): string => {
    skipWhitespace();
    STRING.lastIndex = at;
    const match = STRING.exec(text);
    if (match === null) {
      throw invalid(what, 'is not a JSON object of strings');
    }
    at = STRING.lastIndex;
    const value = JSON.parse(match[0]) as string;
    /* Precondition: every name and value is well-formed Unicode. */
    if (LONE_SURROGATE.test(value)) {
      throw invalid(what, 'holds a string that is not well-formed Unicode');
    }
    return value;
  };

  expect('{');
  skipWhitespace();
  if (text[at] === '}') {
    at += 1;
  } else {
    for (;;) {
      const name = readString();
      /* Precondition: no member is named __proto__ (it cannot round-trip through a plain object). */
      if (name === '__proto__') {
        throw invalid(what, 'names a member __proto__');
      }
      /* Precondition: no member is named twice. */
      if (Object.hasOwn(map, name)) {
        throw invalid(what, 'names a member twice');
      }
      expect(':');
      map[name] = readString();
      skipWhitespace();
      if (text[at] === ',') {
        at += 1;
        continue;
      }
      expect('}');
      break;
    }
  }
  skipWhitespace();
  if (at !== text.length) {
    throw invalid(what, 'has text after the JSON object');
  }
  return map;
}

function invalid(what: string, problem: string): EnvelopeError {
  return new EnvelopeError('ENVELOPE_INVALID', `${what} ${problem}`);
}
