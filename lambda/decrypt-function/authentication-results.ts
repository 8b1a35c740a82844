/**
 * Reads an `Authentication-Results` header field as RFC 8601 defines it (section 2.2): an authserv-id, then results
 * separated by `;`, where a `;` inside a comment `( … )` or a quoted string `" … "` separates nothing, and a method
 * (`dkim`, `dkim/1`) counts only at the start of a result; reasons and properties (`header.i=…`, `smtp.mailfrom=…`)
 * are not results. Written by hand: only the separators and the method at a result's start matter here, and the
 * parsers on npm come inside whole mail-authentication libraries that would bring far more into the function.
 *
 * SES copies sender-chosen text into its own header (the envelope sender and the HELO name, as `envelope-from=…;
 * helo=…;` after its `spf` result), so text between its results can be the sender's. A sender can therefore add
 * results but not remove SES's; `combinedResult` reads several results for one method so that nothing added (a PASS,
 * a NONE, a word no method defines) hides SES's own FAIL. A comment or quoted string the sender leaves open can hide
 * what follows; ses-verdicts.ts reads such a field as FAIL, and a method missing from a field whose comments or quoted
 * strings hold a `;` (where a result could hide).
 */

/** One result of the header: its method (lower-case, version dropped) and its result word (upper-case). */
export interface AuthenticationResult {
  readonly method: string;
  readonly result: string;
}

/** The parsed field: who wrote it, and its results in order. */
export interface AuthenticationResults {
  /** The authserv-id, lower-case (`amazonses.com` for SES). */
  readonly authservId: string;
  readonly results: readonly AuthenticationResult[];
  /**
   * True when a comment or quoted string holds a `;` and a spf, dkim or dmarc result after it: a result was hidden there
   * (text of the sender's opening a comment or quote that later text closes). SES's own comments hold none.
   */
  readonly hidesSeparator: boolean;
}

/** `method[/version] = result` at the start of a result (RFC 8601's methodspec, its keyword and version). */
const METHOD_SPEC = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\s*\/\s*[0-9]+)?\s*=\s*([A-Za-z0-9_-]+)/;

/**
 * Parses one unfolded `Authentication-Results` value. Returns undefined when it has no authserv-id, or when a comment
 * or quoted string is left open (a malformed field gives no verdict rather than a guess).
 */
export function parseAuthenticationResults(value: string): AuthenticationResults | undefined {
  const split = splitOutsideCommentsAndQuotes(value);
  if (split === undefined) {
    return undefined;
  }
  const [first, ...rest] = split.segments;
  // The authserv-id may be followed by a version (RFC 8601 2.2): its first word is the id.
  const authservId = /^\S+/.exec(first?.trim() ?? '')?.[0]?.toLowerCase();
  if (authservId === undefined) {
    return undefined;
  }
  const results: AuthenticationResult[] = [];
  for (const segment of rest) {
    const match = METHOD_SPEC.exec(segment.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) {
      results.push({ method: match[1].toLowerCase(), result: match[2].toUpperCase() });
    }
  }
  return { authservId, results, hidesSeparator: split.hidesSeparator };
}

/**
 * The result words of RFC 8601 and its registry for spf, dkim and dmarc (PASS, FAIL, NONE, NEUTRAL, SOFTFAIL, POLICY,
 * TEMPERROR, PERMERROR; https://www.iana.org/assignments/email-auth/email-auth.xhtml), and the statuses SES gives its
 * verdicts (GRAY, PROCESSING_FAILED, DISABLED; docs/CONTRACT.md "Verdicts"), which the simulator writes here too. Any
 * other word is the sender's.
 */
const RESULT_WORDS = new Set([
  'PASS',
  'FAIL',
  'NONE',
  'NEUTRAL',
  'SOFTFAIL',
  'POLICY',
  'TEMPERROR',
  'PERMERROR',
  'GRAY',
  'PROCESSING_FAILED',
  'DISABLED',
]);

/**
 * The verdict for one method over all its results: FAIL when any result is FAIL or a word no method defines (which
 * only a sender writes, and which would otherwise reach consumers in `SesVerdicts`); FAIL too when two results name
 * different words besides PASS where SES writes only one: for spf and dmarc (one result each), and for dkim when one
 * of them is NONE (SES writes `dkim=none` only for a mail with no signature), as a sender's `temperror` beside SES's
 * `none` would be; else PASS when every result is PASS; else the first word besides PASS. Several DKIM signatures
 * give several genuine results (`temperror` for one, `permerror` for another): those read as the first. So a PASS or
 * NONE a sender slips in beside SES's FAIL reads FAIL, and a mail with one good and one broken DKIM signature reads
 * as the broken one: consumers and the gate err towards refusing, never towards trusting.
 */
export function combinedResult(results: readonly AuthenticationResult[], method: string): string | undefined {
  let combined: string | undefined;
  for (const result of results) {
    if (result.method !== method) continue;
    if (result.result === 'FAIL' || !RESULT_WORDS.has(result.result)) return 'FAIL';
    if (result.result === 'PASS') {
      combined ??= 'PASS';
    } else if (combined === undefined || combined === 'PASS') {
      combined = result.result;
    } else if (combined !== result.result && (method !== 'dkim' || combined === 'NONE' || result.result === 'NONE')) {
      return 'FAIL';
    }
  }
  return combined;
}

/**
 * A result of spf, dkim or dmarc after a `;`, as SES writes its own: inside a comment or quoted string it was hidden
 * there. (A `;` alone is not enough: an RFC 5321 MAIL FROM may quote a local part holding one, `"a;b"@example.net`.)
 */
const HIDDEN_RESULT = /;\s*(?:spf|dkim|dmarc)\s*(?:\/\s*[0-9]+\s*)?=/i;

/**
 * The value split at `;` outside comments (which nest, RFC 5322 3.2.2) and quoted strings; comments are dropped.
 * Backslash escapes the next character in both. Undefined when a comment or quoted string is not closed;
 * `hidesSeparator` when one holds a `;` and a result after it (HIDDEN_RESULT).
 */
function splitOutsideCommentsAndQuotes(value: string): { segments: string[]; hidesSeparator: boolean } | undefined {
  const segments: string[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  // The text inside comments and quoted strings, each ended by a NUL (which no \s matches), for HIDDEN_RESULT.
  let hidden = '';
  for (let at = 0; at < value.length; at += 1) {
    const char = value[at] as string;
    if (quoted || depth > 0) hidden += char;
    if ((quoted || depth > 0) && char === '\\') {
      // The escaped character counts as hidden text too (a `\` of the sender's before SES's `;` must not hide it).
      hidden += value[at + 1] ?? '';
      if (depth === 0) current += char + (value[at + 1] ?? '');
      at += 1;
      continue;
    }
    if (quoted) {
      current += char;
      if (char === '"') {
        quoted = false;
        hidden += '\u0000';
      }
      continue;
    }
    if (char === '(') {
      depth += 1;
      continue;
    }
    if (depth > 0) {
      if (char === ')') {
        depth -= 1;
        if (depth === 0) {
          current += ' ';
          hidden += '\u0000';
        }
      }
      continue;
    }
    if (char === '"') {
      quoted = true;
      current += char;
    } else if (char === ';') {
      segments.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (quoted || depth > 0) {
    return undefined;
  }
  segments.push(current);
  return { segments, hidesSeparator: HIDDEN_RESULT.test(hidden) };
}
