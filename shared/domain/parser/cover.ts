/**
 * The Cover Page (README "Reading filings: formats, amounts, the cover page"): for each account class, the FCM's residual interest
 * target, "choose one" of (a) a minimum dollar amount, (b) a minimum percentage of the customer
 * funds required, (c) a dollar range, (d) a percentage range. Unused choices hold 0. The page
 * carries no line codes: values stand after their labels, in the markup on the label's line, in a
 * PDF-to-text transcription run together (`...required:% ; or 0 c. Dollar amount range
 * between:and; or 155,000,000 200,000,000`), where a number may even come out broken
 * (`155,000, ,000,000`): such a value is not read (null), and the class's target with it.
 */
import type { StatementKey } from '../forms';
import { Decimal, readAmount } from '../money';
import { COVER_TARGET_TYPES, type CoverPage, type CoverTargetType } from '../model';

/** A section heading of the cover page: which class, and where its choices start (after `(choose one):`). */
export interface CoverHeading {
  key: StatementKey;
  /** Index just after the heading's colon. */
  from: number;
  /** Where its section ends: the next heading, header field, statement title or line code (set by the header's reader). */
  to: number;
}

/** `word` (lower case letters) in any case ending at t[end - 1]; where it starts, or -1. */
function wordEnding(t: string, end: number, word: string): number {
  const start = end - word.length;
  if (start < 0) return -1;
  for (let i = 0; i < word.length; i++) if ((t.charCodeAt(start + i) | 32) !== word.charCodeAt(i)) return -1;
  return start;
}
const isWhite = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 0xa0;
function skipWhiteBack(t: string, j: number): number {
  while (j >= 0 && isWhite(t.charCodeAt(j))) j--;
  return j;
}

/** Where `(choose one)` (any case and spacing) ending right before the colon at `colon` starts (its `(`), or -1. */
function chooseOneBefore(t: string, colon: number): number {
  let j = skipWhiteBack(t, colon - 1);
  if (t.charCodeAt(j) !== 41 /* ) */) return -1;
  j = skipWhiteBack(t, j - 1);
  const one = wordEnding(t, j + 1, 'one');
  if (one < 0) return -1;
  j = skipWhiteBack(t, one - 1);
  const choose = wordEnding(t, j + 1, 'choose');
  if (choose < 0) return -1;
  j = skipWhiteBack(t, choose - 1);
  return t.charCodeAt(j) === 40 /* ( */ ? j : -1;
}

const isAsciiLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** Whether the words before t[end] are `words` (nearest first, lower case, any case in the text, anything but letters between). */
function wordsBeforeAre(t: string, end: number, words: readonly string[]): boolean {
  let j = end - 1;
  for (const w of words) {
    while (j >= 0 && !isAsciiLetter(t.charCodeAt(j))) j--;
    const e = j + 1;
    while (j >= 0 && isAsciiLetter(t.charCodeAt(j))) j--;
    if (e - (j + 1) !== w.length || wordEnding(t, e, w) < 0) return false;
  }
  return true;
}

/** The class a heading's words name, nearest first: `... Segregated Funds Residual Interest Target`. */
const CLASS_WORDS: [StatementKey, string[]][] = [
  ['segregation', ['target', 'interest', 'residual', 'funds', 'segregated']],
  ['secured', ['target', 'interest', 'residual', 'funds', 'amount', 'secured']],
  ['clearedSwaps', ['target', 'interest', 'residual', 'collateral', 'customer', 'swaps', 'cleared']],
];

/**
 * The cover page heading that ends at the colon at `colon` (`FCM's Customer Segregated Funds
 * Residual Interest Target (choose one):`), found by the header's pass over the colons; null when
 * it is not one.
 */
export function coverHeadingAt(t: string, colon: number): CoverHeading | null {
  const c = t.charCodeAt(colon - 1);
  if (c !== 41 /* ) */ && !isWhite(c)) return null;
  const open = chooseOneBefore(t, colon);
  if (open < 0) return null;
  for (const [key, want] of CLASS_WORDS)
    if (wordsBeforeAre(t, open, want)) return { key, from: colon + 1, to: t.length };
  return null;
}

const HUNDREDTH = new Decimal('0.01');
const EXPECTED: Record<CoverTargetType, number> = {
  'minimum-dollar': 1,
  'minimum-percent': 1,
  'dollar-range': 2,
  'percent-range': 2,
};

export interface CoverChoice {
  type: CoverTargetType;
  values: (Decimal | null)[];
  /** More than one choice holds a value. */
  ambiguous: boolean;
}

const PERCENT = { maxFraction: 10 };
/** The words of one cell into values: words that make one number are one value (`250 000 000`), else one value per word (nulls in a run one null). */
function cellValues(words: readonly string[], out: (Decimal | null)[]): void {
  if (words.length > 1) {
    const whole = readAmount(words.join(' '), PERCENT);
    if (whole !== null) {
      out.push(whole);
      return;
    }
  }
  let prevNull = false;
  for (const w of words) {
    const v = readAmount(w, PERCENT);
    if (v === null && prevNull) continue;
    out.push(v);
    prevNull = v === null;
  }
}

/**
 * A choice's values from its cells (the words with digits of each): a cell each, unless the choice
 * takes two values and there is one cell whose words split into two numbers exactly one way (a
 * PDF line's `87 100`: 87 and 100).
 */
function choiceValues(cells: readonly string[][], expected: number): (Decimal | null)[] {
  const out: (Decimal | null)[] = [];
  if (cells.length === 1 && expected === 2 && cells[0].length > 1) {
    const words = cells[0];
    let split: [Decimal, Decimal] | undefined;
    let ways = 0;
    for (let k = 1; k < words.length && ways < 2; k++) {
      const a = readAmount(words.slice(0, k).join(' '), PERCENT);
      const b = a && readAmount(words.slice(k).join(' '), PERCENT);
      if (a && b) {
        ways++;
        split = [a, b];
      }
    }
    if (ways === 1) return split!;
  }
  for (const c of cells) cellValues(c, out);
  return out;
}

const isSp = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 0xa0;

const MARKS = [
  ['a.', 'a)'],
  ['b.', 'b)'],
  ['c.', 'c)'],
  ['d.', 'd)'],
];
const isMarkBefore = (c: number) => c !== c || isSp(c) || c === 62 /* > */ || c === 42; /* * */

/** Where choice `letter`'s mark (`b.` or `b)`, after a space, a tag or `*`, before a space) is in sec[from, to); -1 if nowhere. */
function markAt(sec: string, letter: number, from: number, to: number): number {
  let best = -1;
  for (const m of MARKS[letter]) {
    for (let p = sec.indexOf(m, from); p !== -1 && p < to; p = sec.indexOf(m, p + 1)) {
      if ((p === 0 || isMarkBefore(sec.charCodeAt(p - 1))) && isSp(sec.charCodeAt(p + 2))) {
        if (best === -1 || p < best) best = p;
        break;
      }
    }
  }
  return best;
}

const DIGIT_G = /\d/g;
const isWordEnd = (c: number) =>
  c === 9 ||
  c === 10 ||
  c === 13 ||
  c === 12 ||
  c === 60 ||
  c === 62 ||
  c === 32 ||
  c === 0x3a ||
  c === 0x3b ||
  c === 0x25;

/**
 * The values of each choice (a-d, in order) of one section. A choice starts at its letter (`b.` or
 * `b)`). Its values are the words with digits after its label (the labels hold none, so reading
 * starts at the first digit): cells (split at tabs, line breaks and tags) hold one value each when
 * their words make one number (`<u>250 000 000</u>`), else one per word (a PDF line:
 * `155,000,000 200,000,000`); a word with digits that is not a number is null, and a run of such
 * words one null (`155,000, ,000,000`). `:`, `;` and `%` (the labels' `required:% ; or`) separate
 * words; a page number (`Page 2 of 5`) is not a value.
 */
export function choicesOf(
  text: string,
  from: number,
  to: number,
  page = text.indexOf('Page', from),
): (Decimal | null)[][] {
  // The section (a page number in it made a cell break). `page`: the first `Page` at or after `from` (-1: none).
  const raw = text.slice(from, to);
  const sec = page !== -1 && page < to ? raw.replace(/\bPage\s+\d+\s+of\s+\d+\b/gi, '\t') : raw;
  const end0 = sec.length;
  let pos = 0;
  const marks: number[] = [];
  for (let letter = 0; letter < 4; letter++) {
    const p = markAt(sec, letter, pos, end0);
    if (p < 0) break;
    marks.push(p);
    pos = p + 2;
  }
  const choices: (Decimal | null)[][] = [];
  let words: string[] = [];
  for (let k = 0; k < marks.length; k++) {
    const cells: string[][] = [];
    const end = k + 1 < marks.length ? marks[k + 1] : end0;
    DIGIT_G.lastIndex = marks[k] + 2;
    const d = DIGIT_G.exec(sec);
    if (!d || d.index >= end) {
      choices.push([]);
      continue;
    }
    let i = d.index;
    while (i > marks[k] + 2 && !isWordEnd(sec.charCodeAt(i - 1))) i--;
    let start = -1;
    let digit = false;
    for (; i <= end; i++) {
      const c = i < end ? sec.charCodeAt(i) : 10;
      // (A no-break space does not end a word: it groups digits, or pads an empty cell.)
      // (A form feed, a PDF's page break, ends a cell as a line break does.)
      const cellEnd = c === 9 || c === 10 || c === 13 || c === 12 || c === 60; /* < */
      if (cellEnd || c === 32 || c === 0x3a || c === 0x3b || c === 0x25 /* : ; % */) {
        if (start >= 0 && digit) {
          // A sentence's full stop is not a decimal point (`and%. 0.`).
          let e = i;
          if (sec.charCodeAt(e - 1) === 46) e--;
          words.push(sec.slice(start, e));
        }
        start = -1;
        digit = false;
        if (cellEnd) {
          if (words.length) {
            cells.push(words);
            words = [];
          }
          if (c === 60) {
            const close = sec.indexOf('>', i);
            if (close !== -1 && close < end) i = close;
          }
        }
        continue;
      }
      if (start < 0) start = i;
      if (c >= 48 && c <= 57) digit = true;
    }
    if (words.length) {
      cells.push(words);
      words = [];
    }
    choices.push(choiceValues(cells, EXPECTED[COVER_TARGET_TYPES[k]]));
  }
  return choices;
}

/** The choices of each class on the cover page, from its headings; undefined when there are none. */
export function readCoverPage(
  text: string,
  headings: readonly CoverHeading[],
): Partial<Record<StatementKey, CoverChoice>> | undefined {
  if (headings.length === 0) return undefined;
  const out: Partial<Record<StatementKey, CoverChoice>> = {};
  let any = false;
  let page = text.indexOf('Page', headings[0].from);
  for (const { key, from, to } of headings) {
    while (page !== -1 && page < from) page = text.indexOf('Page', page + 1);
    const choices = choicesOf(text, from, to, page);
    let first: CoverChoice | undefined;
    let filled = 0;
    for (let i = 0; i < choices.length; i++) {
      const values = choices[i];
      let zero = true;
      for (const v of values) if (v === null || !v.isZero()) zero = false;
      if (zero) continue;
      filled++;
      first ??= { type: COVER_TARGET_TYPES[i], values, ambiguous: false };
    }
    if (!first) continue;
    first.ambiguous = filled > 1;
    out[key] = first;
    any = true;
  }
  return any ? out : undefined;
}

/**
 * The target in dollars a choice sets, for a statement whose requirement is `required`: (a) the
 * amount, (b) the percentage of the requirement, (c) the lower bound, (d) the lower percentage of
 * the requirement. Exact (Decimal arithmetic: a percentage gives cents or finer as they fall);
 * null when a value is missing or unreadable, the choice is ambiguous, or a percentage has no
 * requirement to apply to.
 */
export function effectiveTarget(choice: CoverChoice, required: Decimal | undefined): Decimal | null {
  const { type, values } = choice;
  if (choice.ambiguous || values.length !== EXPECTED[type] || values.some((v) => v === null)) return null;
  const vs = values as Decimal[];
  const low = vs.length === 2 && vs[1].lt(vs[0]) ? vs[1] : vs[0];
  switch (type) {
    case 'minimum-dollar':
    case 'dollar-range':
      return low;
    case 'minimum-percent':
    case 'percent-range':
      if (required === undefined) return null;
      // x% of the requirement: times 0.01, exact (a multiplication; no division, no rounding).
      return required.times(low).times(HUNDREDTH);
  }
}

/** The cover page of a filing: each class's choice and the target it sets against that class's requirement. */
export function coverPageOf(
  choices: Partial<Record<StatementKey, CoverChoice>>,
  requiredOf: (key: StatementKey) => Decimal | undefined,
): CoverPage {
  const out: CoverPage = {};
  for (const key of Object.keys(choices) as StatementKey[]) {
    const c = choices[key]!;
    out[key] = { type: c.type, values: c.values, effectiveTarget: effectiveTarget(c, requiredOf(key)) };
  }
  return out;
}
