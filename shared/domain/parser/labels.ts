/**
 * Text around the cells: the label before a cell (whose words tell some variants apart) and the
 * uncoded sub-lines of a total (Cleared Swaps 12A-12C before [8715]).
 */
import { AMOUNT_SOURCE, parseAmount } from '../money';
import type { UncodedLine } from '../model';
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
/** PART_RE tried only where a match can start (`X.` and a space, after a space or at the start): the matches of matchAll, without its attempt at every position. */
const PART_Y = new RegExp(PART_RE.source, 'sy');
export function partMatches(s: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  const n = s.length;
  for (let i = 0; i + 2 < n; i++) {
    const c = s.charCodeAt(i);
    if (
      c < 65 ||
      c > 90 ||
      s.charCodeAt(i + 1) !== 46 ||
      !isSpace(s.charCodeAt(i + 2)) ||
      (i > 0 && !isSpace(s.charCodeAt(i - 1)))
    )
      continue;
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
 * The uncoded sub-lines (`A. Cash 0 B. ... C. ... 0`) in text[from, to), before the cell of
 * `partOf`, matched to the definition's parts by letter. A sub-line whose amount is not one
 * well-formed number is left out (its total's check then cannot be made).
 */
export function readParts(
  defs: readonly { id: string; label: string }[],
  text: string,
  from: number,
  to: number,
  partOf: string,
): UncodedLine[] {
  // A PDF page number between the sub-lines is not an amount: `A. Cash 0 Page 3 of 5 B. ...`.
  let segment = text.slice(from, to);
  if (segment.indexOf('<') !== -1) segment = segment.replace(/<[^>]*>/g, ' ');
  if (segment.indexOf('Page') !== -1) segment = segment.replace(/\bPage\s+\d+\s+of\s+\d+\b/g, ' ');
  // A PDF's letter-spaced banner (`W I N J A M M E R F I L I N G`) between them is not a label either.
  if (segment.indexOf(' I ') !== -1 || / [A-Z] [A-Z] [A-Z] /.test(segment))
    segment = segment.replace(/\b(?:[A-Z] ){4,}[A-Z]\b(?!\.)/g, ' ');
  const out: UncodedLine[] = [];
  for (const m of partMatches(segment)) {
    const idx = m[1].charCodeAt(0) - 65;
    const amount = parseAmount(m[3] ?? m[4]);
    if (idx < 0 || idx >= defs.length || amount === null) continue;
    out.push({ id: defs[idx].id, partOf, label: cleanLabelOf(m[2]), amount });
  }
  return out;
}
