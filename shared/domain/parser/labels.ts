/**
 * Text around the cells: the label before a cell (whose words tell some variants apart) and the
 * uncoded sub-lines of a total (Cleared Swaps 12A-12C before [8715]).
 */
import { AMOUNT_SOURCE, parseAmount, readAmount } from '../money';
import type { UncodedLine, UnreadPart } from '../model';
import { isSpace, memo } from './chars';

/**
 * The label text before a cell: its last 400 characters with tags (`<...>`) and `**` / `##`
 * marks made spaces, whitespace runs made one space, trimmed. One pass, the same result as
 * `raw.slice(-400).replace(/<[^>]*>/g, ' ').replace(/\*\*|##/g, ' ').replace(/\s+/g, ' ').trim()`
 * (test/unit/parser-fast.test.ts holds it to that).
 */
export function cleanLabel(raw: string): string {
  const t = raw.length > 400 ? raw.slice(-400) : raw;
  const n = t.length;
  let out = '';
  // A run of kept characters [runStart, i), and whether a space is owed before the next one.
  let runStart = -1;
  let space = false;
  let noCloser = false;
  let i = 0;
  while (i < n) {
    const c = t.charCodeAt(i);
    let skip = 0;
    if (c === 60 /* < */ && !noCloser) {
      const close = t.indexOf('>', i + 1);
      if (close === -1) noCloser = true;
      else skip = close + 1 - i;
    } else if ((c === 42 /* * */ || c === 35) /* # */ && i + 1 < n && t.charCodeAt(i + 1) === c) {
      skip = 2;
    } else if (isSpace(c)) {
      skip = 1;
    }
    if (skip > 0) {
      if (runStart >= 0) {
        out += t.slice(runStart, i);
        runStart = -1;
        space = true;
      }
      i += skip;
      continue;
    }
    if (runStart < 0) {
      if (space) out += ' ';
      space = false;
      runStart = i;
    }
    i++;
  }
  if (runStart >= 0) out += t.slice(runStart, n);
  return out;
}

export const cleanLabelOf = memo(cleanLabel, 4096);

/** At most this many tokens, and characters, of what stood before a code whose amount is no number. */
const FILED_TOKENS = 4;
const FILED_CHARS = 40;

/**
 * What stands in text[from, to) right before a code whose amount is no number at all, for the
 * finding to quote (`n/a`, `2.563559677E+09`, `2,563,559,677 CR`): from the cell's start (after
 * the last tag, tab or line break before it, over the tags and spaces that close it), the tokens
 * right before the code back to one that is the label's: a word of three letters or more, or a
 * token that closes a parenthesis it did not open (`12)` of `(add lines 7 through 12)`). At most
 * FILED_TOKENS tokens and FILED_CHARS characters (longer: its end, after `…`); '' when no such
 * token stands there (nothing, or only words: a label's, or `see note`).
 */
export function filedBefore(text: string, from: number, to: number): string {
  const segment = text.slice(Math.max(from, to - 200), to).replace(/(?:\s|<[^<>]*>)+$/, '');
  let cell = -1;
  for (const mark of ['>', '\t', '\n', '\r', '\f']) cell = Math.max(cell, segment.lastIndexOf(mark));
  const tokens = segment
    .slice(cell + 1)
    .replace(/<[^<>]*>?/g, ' ')
    .split(/\s+/);
  const out: string[] = [];
  for (let i = tokens.length - 1; i >= 0 && out.length < FILED_TOKENS; i--) {
    const token = tokens[i];
    if (token === '') continue;
    if (/\p{L}{3}/u.test(token) || (token.endsWith(')') && !token.includes('('))) break;
    out.push(token);
  }
  const filed = out.reverse().join(' ');
  return filed.length > FILED_CHARS ? `…${filed.slice(-(FILED_CHARS - 1))}` : filed;
}

/**
 * A sub-line: its letter, its label, and its amount (group 3 or 4). The amount either stands in a
 * cell of its own at the end of its line (after a tab, as the markup and a PDF's text put it: the
 * sub-line ends there, whatever the next line holds, a PDF page's running header included), or is
 * followed by the next sub-line's letter or the end of the text (text run together).
 */
export const PART_RE = new RegExp(
  String.raw`(?<=^|\s)([A-Z])\.\s+(.*?)(?:\t *(${AMOUNT_SOURCE}) *(?=\r?\n)|\s+(${AMOUNT_SOURCE})\s*(?=[A-Z]\.\s|$))`,
  'gs',
);
/** Whether a sub-line starts at s[i]: one of the first `letters` capitals, a dot and a space, at the start or after a space. */
function partStartAt(s: string, i: number, letters: number): boolean {
  const c = s.charCodeAt(i) - 65;
  return (
    c >= 0 &&
    c < letters &&
    s.charCodeAt(i + 1) === 46 &&
    isSpace(s.charCodeAt(i + 2)) &&
    (i === 0 || isSpace(s.charCodeAt(i - 1)))
  );
}

/** Where the next of the first `letters` sub-lines starts at or after `from` (by its dot, found with indexOf); s.length when none does. */
function nextPartStart(s: string, from: number, letters: number): number {
  for (let dot = s.indexOf('.', from + 1); dot !== -1; dot = s.indexOf('.', dot + 1))
    if (partStartAt(s, dot - 1, letters)) return dot - 1;
  return s.length;
}

/** PART_RE tried only where a match can start (`X.` and a space, after a space or at the start): the matches of matchAll, without its attempt at every position. */
const PART_Y = new RegExp(PART_RE.source, 'sy');
export function partMatches(s: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  const n = s.length;
  for (let i = 0; i + 2 < n; i++) {
    if (!partStartAt(s, i, 26)) continue;
    PART_Y.lastIndex = i;
    const m = PART_Y.exec(s);
    if (m) {
      out.push(m);
      i = PART_Y.lastIndex - 1;
    }
  }
  return out;
}

/**
 * A label's last token when it holds a digit (`5` of `Cash 5`, `3'` of `Cash 3'`, `0` of `Cash 0`
 * before `(1)`): maybe the front of the amount after it, or the amount itself with a mark after it;
 * null for any other label (no sub-line's label ends in a number).
 */
function digitTail(label: string): string | null {
  let digit = false;
  let i = label.length - 1;
  for (; i >= 0; i--) {
    const c = label.charCodeAt(i);
    if (isSpace(c)) break;
    if (c >= 48 && c <= 57) digit = true;
  }
  return digit ? label.slice(i + 1) : null;
}

/**
 * The uncoded sub-lines (`A. Cash 0 B. ... C. ... 0`) in text[from, to), before the cell of
 * `partOf`, matched to the definition's parts by letter. Each sub-line is read within its own
 * place, from its letter to the next sub-line's letter: its amount is the one well-formed number
 * that ends its label there, never a number of the sub-line after it, and never a number cut
 * short (`Cash 5 00`: the `5` no label's). A sub-line that is there but whose amount cannot be
 * read so (`n/a`, `5 00`, `5 812,672,420`) is left out and, when `unread` is given, named in it
 * with what stands there; one with nothing after its label (2013's 12C, printed in one cell with
 * the total) is simply left out. Either way its total's check cannot be made.
 */
export function readParts(
  defs: readonly { id: string; label: string }[],
  text: string,
  from: number,
  to: number,
  partOf: string,
  unread?: UnreadPart[],
  continued?: string,
): UncodedLine[] {
  // A PDF page number between the sub-lines is not an amount: `A. Cash 0 Page 3 of 5 B. ...`.
  let segment = text.slice(from, to);
  if (segment.indexOf('<') !== -1) segment = segment.replace(/<[^>]*>/g, ' ');
  if (segment.indexOf('Page') !== -1) segment = segment.replace(/\bPage\s+\d+\s+of\s+\d+\b/g, ' ');
  // A PDF's letter-spaced banner (`W I N J A M M E R F I L I N G`) between them is not a label either.
  // (Any such banner holds three capitals between spaces, which this looks for first.)
  if (/ [A-Z] [A-Z] [A-Z] /.test(segment)) segment = segment.replace(/\b(?:[A-Z] ){4,}[A-Z]\b(?!\.)/g, ' ');
  const out: UncodedLine[] = [];
  const n = segment.length;
  const letters = defs.length;
  // Each place a sub-line starts, to the next one's start (found by their dots, not a look at every character).
  for (let at = nextPartStart(segment, 0, letters); at < n; ) {
    const next = nextPartStart(segment, at + 3, letters);
    const def = defs[segment.charCodeAt(at) - 65]!;
    PART_Y.lastIndex = at;
    const m = PART_Y.exec(segment);
    // A match that runs past the next sub-line's start (its label holds it: an amount holds no
    // letter) is no reading of this one: its amount is that sub-line's.
    if (m !== null && PART_Y.lastIndex <= next) {
      const token = m[3] ?? m[4] ?? '';
      const tail = digitTail(m[2]);
      let amount = tail === null ? parseAmount(token) : null;
      // An amount at the end of the place, where the text goes on with a token of the same run
      // (`C. ... 1 444 543 | 350 015 [8715]`, cut before the cell's reading): the same number may
      // go on there; then it is no reading of the sub-line alone.
      let filed = tail === null ? token.trim() : `${tail} ${token.trim()}`;
      if (amount !== null && continued !== undefined && PART_Y.lastIndex === n) {
        const joined = `${segment.slice(m.index + m[0].lastIndexOf(token))}${continued}`;
        if (readAmount(joined.trim()) !== null) {
          amount = null;
          filed = `${joined.trim()}…`;
        }
      }
      if (amount !== null) out.push({ id: def.id, partOf, label: cleanLabelOf(m[2]), amount });
      else unread?.push({ id: def.id, partOf, filed });
    } else {
      // No reading of its own: what stands up to the next sub-line's start (or the end).
      const filed = filedBefore(segment, at + 2, next);
      if (filed !== '') unread?.push({ id: def.id, partOf, filed });
    }
    at = next;
  }
  return out;
}
