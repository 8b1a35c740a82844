/**
 * Reads the verdicts SES wrote into the header block it prepends to every mail it receives, without parsing the rest
 * of the mail.
 *
 * SES prepends, in this order: `Return-Path`, its own `Received` (by inbound-smtp.<region>.amazonaws.com), with
 * scanning on `X-SES-Spam-Verdict` and `X-SES-Virus-Verdict`, `Received-SPF`, `Authentication-Results: amazonses.com;
 * …`, then `X-SES-RECEIPT` and `X-SES-DKIM-SIGNATURE`. Everything after that block was written by the sender, who can
 * write any header, `X-SES-Virus-Verdict: PASS` included. So only the topmost block counts: the header fields from the
 * top, each SES field at most once and only one `Received`, up to the first `X-SES-RECEIPT`. Without an `X-SES-RECEIPT`
 * in that position there is no SES block, and no verdict is read at all; unless the 64 KiB bound cut a top of SES's
 * fields only: that block is SES's, incomplete, and what it does not give reads FAIL (SES writes a dkim result for each
 * of the mail's DKIM signatures, so the sender can swell it past the bound).
 */
import type { MailPlaintext } from '../reader/mail-decipher';
import { combinedResult, parseAuthenticationResults } from './authentication-results';

/** SES's verdicts as its headers give them, upper-case (PASS, FAIL, GRAY, PROCESSING_FAILED, SOFTFAIL, …). */
export interface SesVerdicts {
  /**
   * `X-SES-Spam-Verdict`.
   * @default - absent when SES's block has no such field (spam scanning off)
   */
  readonly spam?: string;
  /**
   * `X-SES-Virus-Verdict`.
   * @default - absent when SES's block has no such field (virus scanning off)
   */
  readonly virus?: string;
  /**
   * The `spf=` result of SES's `Authentication-Results`.
   * @default - absent when SES reported none
   */
  readonly spf?: string;
  /**
   * The `dkim=` result of SES's `Authentication-Results`.
   * @default - absent when SES reported none
   */
  readonly dkim?: string;
  /**
   * The `dmarc=` result of SES's `Authentication-Results`.
   * @default - absent when SES reported none
   */
  readonly dmarc?: string;
}

/** The most of the mail read to find the block: SES's fields take about 2 KiB; the rest of the mail is never read. */
const MAX_BLOCK_BYTES = 64 * 1024;

/** The fields SES prepends. */
const SES_FIELDS = new Set([
  'return-path',
  'received',
  'x-ses-spam-verdict',
  'x-ses-virus-verdict',
  'received-spf',
  'authentication-results',
  'x-ses-receipt',
]);

/**
 * The verdicts of SES's own header block, or undefined when the mail has no such block (then nothing is trusted).
 * Reads at most the first 64 KiB of the mail.
 * @param plaintext - the decrypted mail, as `decryptMail` returns it
 */
export function readSesVerdicts(plaintext: MailPlaintext): SesVerdicts | undefined {
  const found = sesBlock(headerText(plaintext));
  if (found === undefined) {
    return undefined;
  }
  const { fields: block, complete } = found;
  const verdicts: { -readonly [K in keyof SesVerdicts]: string } = {};
  const spam = block.get('x-ses-spam-verdict');
  const virus = block.get('x-ses-virus-verdict');
  // A block the bound cut (its Authentication-Results swollen past 64 KiB by the sender's DKIM signatures, say) may
  // have lost any field: what it did not give reads FAIL, as an unreadable field does below.
  if (spam !== undefined) verdicts.spam = word(spam);
  else if (!complete) verdicts.spam = 'FAIL';
  if (virus !== undefined) verdicts.virus = word(virus);
  else if (!complete) verdicts.virus = 'FAIL';
  const receivedSpf = block.get('received-spf');
  const field = block.get('authentication-results') ?? (complete ? undefined : '');
  if (field !== undefined) {
    // SES's field, by its place in SES's block. A field the sender's text (its HELO or MAIL FROM) left unreadable, a
    // comment or quoted string open, or whose comments or quoted strings hold a `;` (SES's own hold none), may hide
    // SES's dkim and dmarc results, and what is visible may be the sender's (`x; dkim=pass (` then a `)` in the From
    // domain SES writes after its results): dkim and dmarc then read FAIL whatever is visible, and spf comes from
    // Received-SPF, whose first word SES writes before any of the sender's text. Refusing a mail it should not is
    // undone by a release; trusting one it should not is not.
    const parsed = field === '' ? undefined : parseAuthenticationResults(field);
    if (parsed === undefined || parsed.authservId === 'amazonses.com') {
      const hidden = parsed === undefined || parsed.hidesSeparator;
      for (const method of ['spf', 'dkim', 'dmarc'] as const) {
        const fromSpf = method === 'spf' && receivedSpf !== undefined ? word(receivedSpf) : undefined;
        const result = hidden || parsed === undefined ? undefined : combinedResult(parsed.results, method);
        const verdict = result ?? fromSpf ?? (hidden ? 'FAIL' : undefined);
        if (verdict !== undefined) verdicts[method] = verdict;
      }
    }
  }
  if (verdicts.spf === undefined && receivedSpf !== undefined) verdicts.spf = word(receivedSpf);
  return Object.keys(verdicts).length === 0 ? {} : verdicts;
}

/**
 * The top of the mail as text (latin1: one character per byte), up to the end of the header section or the bound.
 * Most header sections end within the first few KiB: that much is decoded and searched first, the rest (up to the
 * bound, read on from the same pieces) only when the end is not found well inside it.
 */
function headerText(plaintext: MailPlaintext): { headers: string; truncated: boolean } {
  const top = new MailTop(plaintext);
  const first = top.text(FIRST_READ_BYTES);
  const end = first.search(HEADER_END);
  // A match that ends inside this prefix with room to spare is also the first match in any longer text: a match
  // starting earlier is at most 4 characters long and so would lie wholly in the prefix too.
  if (end !== -1 && end + 4 <= first.length) return { headers: first.slice(0, end), truncated: false };
  if (first.length < FIRST_READ_BYTES) {
    return { headers: end === -1 ? first : first.slice(0, end), truncated: false }; // the whole mail was read
  }
  const text = top.text(MAX_BLOCK_BYTES);
  const whole = text.search(HEADER_END);
  if (whole !== -1) return { headers: text.slice(0, whole), truncated: false };
  return { headers: text, truncated: text.length >= MAX_BLOCK_BYTES };
}

/** The end of the header section: the first empty line. */
const HEADER_END = /\r?\n\r?\n/;

/** What is decoded first when looking for the end of the header section. */
const FIRST_READ_BYTES = 4 * 1024;

/** The top of the mail, its pieces pulled only as far as asked and never past the bound. */
class MailTop {
  private readonly pieces: Buffer[] = [];
  private bytes = 0;
  private readonly rest: Iterator<Buffer>;

  constructor(plaintext: MailPlaintext) {
    this.rest = plaintext.chunks[Symbol.iterator]();
  }

  /** Up to `limit` bytes from the top as latin1 text, copied only when they span several pieces. */
  text(limit: number): string {
    while (this.bytes < limit) {
      const next = this.rest.next();
      if (next.done === true) break;
      const piece = next.value.subarray(0, MAX_BLOCK_BYTES - this.bytes);
      this.pieces.push(piece);
      this.bytes += piece.length;
    }
    const [head] = this.pieces;
    if (head === undefined) return '';
    if (head.length >= limit || this.pieces.length === 1) return head.toString('latin1', 0, limit);
    return Buffer.concat(this.pieces).toString('latin1', 0, limit);
  }
}

/** SES's block: its fields, name (lower-case) to unfolded value, and whether it reached `X-SES-RECEIPT`. */
interface SesBlock {
  readonly fields: ReadonlyMap<string, string>;
  /** False when the bound cut the block: only the fields wholly above the cut are given. */
  readonly complete: boolean;
}

/**
 * SES's block; undefined when the top of the mail is not one. `truncated`: the header section runs past the bound, so
 * the last field may be cut; a top of SES's fields only, up to the cut, is then SES's block, incomplete (the sender
 * writes nothing above SES's fields).
 */
function sesBlock(text: { readonly headers: string; readonly truncated: boolean }): SesBlock | undefined {
  const block = new Map<string, string>();
  // Each field is taken once the next one is seen, so that the last one, which the bound may have cut, is held back;
  // the fields after SES's block are never unfolded.
  let held: string | undefined;
  for (const field of unfold(text.headers)) {
    if (held !== undefined) {
      const taken = take(block, held);
      if (taken !== 'more') return taken;
    }
    held = field;
  }
  if (!text.truncated) {
    const taken = held === undefined ? undefined : take(block, held);
    return taken === 'more' ? undefined : taken;
  }
  const cut = held;
  if (cut === undefined) return undefined;
  const cutName = fieldName(cut);
  // The cut field, when its name is whole, is one of SES's too; cut inside its name, the fields above must show it.
  if (cutName === undefined ? block.size === 0 : !SES_FIELDS.has(cutName) || block.has(cutName)) return undefined;
  return { fields: block, complete: false };
}

/** Adds one field to SES's block: the block once it is whole, undefined when the field is not SES's, else 'more'. */
function take(block: Map<string, string>, field: string): SesBlock | undefined | 'more' {
  const name = fieldName(field);
  if (name === undefined || !SES_FIELDS.has(name) || block.has(name)) {
    return undefined;
  }
  block.set(name, field.slice(field.indexOf(':') + 1).trim());
  return name === 'x-ses-receipt' ? { fields: block, complete: true } : 'more';
}

/** A field's name, lower-case; undefined when it has no colon (or nothing before it). */
function fieldName(field: string): string | undefined {
  const colon = field.indexOf(':');
  return colon <= 0 ? undefined : field.slice(0, colon).trim().toLowerCase();
}

/** Header fields with their continuation lines joined. */
function* unfold(headers: string): Generator<string> {
  let field: string | undefined;
  for (const line of headers.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && field !== undefined) {
      field += ` ${line.trim()}`;
      continue;
    }
    if (field !== undefined) yield field;
    field = line;
  }
  if (field !== undefined && field !== '') yield field;
}

/** The first word of a value, upper-case ("pass (spfCheck: …)" → "PASS"). */
function word(value: string): string {
  return (/^[A-Za-z_]+/.exec(value.trim())?.[0] ?? '').toUpperCase();
}
