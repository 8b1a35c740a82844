/**
 * The raw parts of a multipart body, cut by its boundary as RFC 2046 says and nothing more: the tests' expected bytes
 * come from this, not from the parser under test.
 */

export interface RawPart {
  /** The part's header section, as written. */
  readonly headers: string;
  /** The part's body: from after the blank line to the line break before the next delimiter (excluded). */
  readonly body: Buffer;
}

/** The parts under `boundary`, in order; the preamble and the epilogue are not parts. */
export function rawParts(mail: Buffer, boundary: string): RawPart[] {
  const text = mail.toString('latin1');
  const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const delimiter = new RegExp(`(?:^|\\r?\\n)--${escaped}(--)?[ \\t]*(?:\\r?\\n|$)`, 'g');
  const marks = [...text.matchAll(delimiter)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
    close: match[1] !== undefined,
  }));
  const parts: RawPart[] = [];
  for (let i = 0; i < marks.length - 1; i++) {
    const mark = marks[i] as (typeof marks)[number];
    if (mark.close) {
      break;
    }
    const next = marks[i + 1] as (typeof marks)[number];
    const part = text.slice(mark.end, next.start);
    // A part without headers starts with its blank line.
    const blank = /^\r?\n/.exec(part) ?? /\r?\n\r?\n/.exec(part);
    const bodyStart = blank === null ? part.length : blank.index + blank[0].length;
    parts.push({
      headers: part.slice(0, blank?.index ?? part.length),
      body: Buffer.from(part.slice(bodyStart), 'latin1'),
    });
  }
  return parts;
}

/** A part's base64 body decoded by Node (line breaks ignored). */
export function base64Body(part: RawPart | undefined): Buffer {
  if (part === undefined) {
    throw new Error('no such part');
  }
  return Buffer.from(part.body.toString('latin1'), 'base64');
}
