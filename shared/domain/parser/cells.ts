/**
 * Cells: every `amount [code]` of a text. Each `[dddd]` is found with indexOf and four digit
 * checks; its amount is read backwards from the code, over whitespace and `<u>`-style tags.
 *
 * An amount is read only when the whole token before the code is one well-formed number
 * (money.ts readAmount). The common shapes (`1,234,567`, `-1,234`, `(1,234)`, `1, 234`, after a
 * tag, a tab or a word) are read on a fast path straight into decimal.js's base-1e7 words; any
 * other shape (a `$`, cents, space-grouped thousands, a sign apart from its digits, a number right
 * before it) goes to `readRun`, which splits the run of amount characters before the code into
 * tokens and reads:
 * - the longest suffix of tokens that is one well-formed number, when nothing that could be part
 *   of the same number stands before it (`Regulation 30.7 340,727,172`: `30.7` is a label);
 * - otherwise a doubt: the well-formed suffix and the readings of the whole run with its
 *   separators dropped (`5 812,672,420`: 812,672,420 or 5,812,672,420) are candidates, and only
 *   the form's identities may pick one (identities.ts). A token is never shortened into a number.
 *   A punctuation mark between digits (`3'309'126`, `3*309,126`) makes a doubt the same way.
 *   A sign standing alone right after a word (`debit balances - 334`) is the amount's, unless
 *   the line's label has a dash right after that word: then the caller makes it a doubt
 *   (assemble.ts: -334, or the label's dash and 334).
 */
import { decimalFromLimbs, MAX_AMOUNT_DIGITS, readAmount, readLooseAmount, cmp, type Decimal } from '../money';
import { isDigit, isInnerSpace, isSpace, isWs } from './chars';

/** The code finder; the benchmark's bare scan uses the same source. */
export const CODE_RE = /\[(\d{4})\]/g;

/**
 * A text's UTF-16 code units, `units[i] === text.charCodeAt(i)` for every i of the text (and
 * undefined outside it, where charCodeAt is NaN: both compare false with every number). The cell
 * reader reads characters one by one, many times each; from a typed array that costs about half
 * what `charCodeAt` does on a string.
 */
export type Codes = Uint8Array | Uint16Array;

/** Scratch for codeUnits' ASCII texts (one parse at a time: a parse is synchronous), grown as needed. */
let asciiScratch = Buffer.alloc(0);
/** How many times codeUnits has filled the scratch: a scanner whose codes are the scratch checks it is still its own. */
let scratchFills = 0;

/**
 * A text's code units: for an ASCII text (its UTF-8 length is its length) its bytes, written by
 * Buffer's latin1 encoder into scratch reused from parse to parse (valid until the next call);
 * for any other text a Uint16Array of its own.
 */
export function codeUnits(text: string): Codes {
  const n = text.length;
  if (Buffer.byteLength(text, 'utf8') === n) {
    if (asciiScratch.length < n) asciiScratch = Buffer.allocUnsafeSlow(Math.max(n, 2 * asciiScratch.length, 65536));
    asciiScratch.write(text, 0, n, 'latin1');
    scratchFills++;
    return new Uint8Array(asciiScratch.buffer, asciiScratch.byteOffset, n);
  }
  const units = new Uint16Array(n);
  for (let i = 0; i < n; i++) units[i] = text.charCodeAt(i);
  return units;
}

/** Code strings by number, made once: a cell's code is never sliced from the text again. */
const CODE_STRINGS: (string | undefined)[] = new Array(10000).fill(undefined);
export function codeString(n: number): string {
  return (CODE_STRINGS[n] ??= String(n).padStart(4, '0'));
}

/** An amount the text does not settle: the token as filed and the readings the identities may choose from. */
export interface Doubt {
  raw: string;
  candidates: Decimal[];
  /** Where the well-formed suffix starts (the amount's start if the doubt is settled for it), or -1. */
  strictStart: number;
  strict: Decimal | null;
}

export interface Cell {
  code: string;
  amount: Decimal | null;
  start: number;
  end: number;
  doubt?: Doubt;
}

/** Base-1e7 limbs of an amount read backwards, least significant first (enough for MAX_AMOUNT_DIGITS). */
const LIMB_COUNT = Math.ceil(MAX_AMOUNT_DIGITS / 7);

/**
 * The most characters one well-formed number may take: MAX_AMOUNT_DIGITS digits, a separator of
 * up to two characters (`, `) between each group of three, a sign, `$`, parentheses and cents
 * (`-$(123, 456, ..., 890.12)`: 55), with room to spare.
 */
const NUMBER_CHARS = 2 * MAX_AMOUNT_DIGITS + 8;

// Characters an amount is made of (`readRun` collects runs of them and inner spaces).
const isAmountChar = (c: number) =>
  (c >= 48 && c <= 57) || c === 44 || c === 46 || c === 36 || c === 40 || c === 41 || c === 45 || c === 0x2212;
// Any non-ASCII character other than a space glued to an amount makes it unreadable: a look-alike
// digit or comma ("2,563,5\uff159,677", "559\u066c677") must not leave its ASCII tail read as the amount.
const isWordish = (c: number) =>
  (c >= 65 && c <= 90) ||
  (c >= 97 && c <= 122) ||
  c === 95 ||
  (c > 127 && c !== 0x2212 && !isSpace(c) && !isDashLike(c));

/**
 * Dashes that typeset text puts where a minus sign goes (U+2010-U+2013, small and fullwidth
 * hyphen-minus): before an amount (`–3,309,126`) the amount's sign or a label's dash, a doubt
 * (`signBefore`); between digits, a mark inside the number (isGlue).
 */
const isDashLike = (c: number) => (c >= 0x2010 && c <= 0x2013) || c === 0xfe63 || c === 0xff0d;

/**
 * ASCII punctuation that is neither an amount's own character nor a tag's `<` `>`: `'`, `*`, `:`,
 * `;`, `/`, `#` and the like; and the typeset dashes (isDashLike). Right after a digit and right before an amount (`3'309'126`,
 * `3*309,126`), it may be a foreign or damaged separator inside the number, not where the number
 * starts (readRun, readGlued).
 */
const isGlue = (c: number) =>
  (c >= 33 && c <= 47 && c !== 36 && c !== 40 && c !== 41 && c !== 44 && c !== 45 && c !== 46) ||
  (c >= 58 && c <= 64 && c !== 60 && c !== 62) ||
  (c >= 91 && c <= 96 && c !== 95) ||
  (c >= 123 && c <= 126) ||
  isDashLike(c);

/**
 * Whether t[i] is the sign of an exponent (`2.563559677E+09`, how a spreadsheet shows a large
 * number): a `+` right after an `E` or `e` that follows a digit or a dot, none of them before
 * `floor`. The digits after it are no amount, and the number as a whole is none either (its
 * mantissa may have lost digits): the cell is unreadable. (With `E-` or no sign the digits are
 * glued to the `E`, a word's letter, already.)
 */
function exponentSign(u: Codes, i: number, floor: number): boolean {
  if (i - 2 < floor || u[i] !== 43 /* + */) return false;
  const e = u[i - 1];
  if (e !== 69 /* E */ && e !== 101 /* e */) return false;
  const d = u[i - 2];
  return isDigit(d) || d === 46 /* . */;
}

/** What may stand before a glue mark inside a number: an amount's character other than `)` (a digit, a comma, a dot, a sign, `$`, `(`). */
const isBeforeGlue = (c: number) => c !== 41 /* ) */ && isAmountChar(c);

/**
 * Whether t[i] is a glue mark inside a number: the nearest other character before it (over inner
 * spaces, not before `floor`) is a digit, a comma, a dot, a sign, `$` or `(`, and the nearest after
 * it (not past `last`) a digit: `3'309`, `3,|309`, `622 ~258`, `668| 398`, `-$[8`, `577.~28`.
 */
function glueInside(u: Codes, i: number, floor: number, last: number): boolean {
  if (!isGlue(u[i])) return false;
  let a = i - 1;
  while (a >= floor && isInnerSpace(u[a])) a--;
  if (a < floor || !isBeforeGlue(u[a])) return false;
  let b = i + 1;
  while (b <= last && isInnerSpace(u[b])) b++;
  return b <= last && isDigit(u[b]);
}

/**
 * Where the simple tag (`<u>`, `</b>`: letters only, up to 10) that ends at t[j] (its `>`) starts,
 * not before `floor`; -1 when t[j] ends none.
 */
function tagStart(u: Codes, j: number, floor: number): number {
  if (j - 2 < floor || u[j] !== 62 /* > */) return -1;
  let k = j - 1;
  while (k >= floor && k > j - 12) {
    const c = u[k];
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) k--;
    else break;
  }
  if (k === j - 1 || k < floor) return -1;
  if (u[k] === 47 /* / */) k--;
  return k >= floor && u[k] === 60 /* < */ ? k : -1;
}

/** Skip whitespace and simple tags (`<u>`, `</b>`) backwards from j; returns the new j. */
export function skipBack(u: Codes, j: number): number {
  for (;;) {
    while (j >= 0 && isWs(u[j])) j--;
    const k = tagStart(u, j, 0);
    if (k < 0) return j;
    j = k - 1;
  }
}

/** How many tags the last `backOverSpacesAndTags` passed (a module variable: it runs for most cells, and a tuple would be garbage). */
let tagsPassed = 0;

/**
 * Back from just before `at` over inner spaces and simple tags, not before `floor`: where that
 * stops (the last character before them); `tagsPassed` says how many tags it passed.
 */
function backOverSpacesAndTags(u: Codes, at: number, floor: number): number {
  let p = at - 1;
  let tags = 0;
  for (;;) {
    while (p >= floor && isInnerSpace(u[p])) p--;
    const k = tagStart(u, p, floor);
    if (k < 0) break;
    p = k - 1;
    tags++;
  }
  tagsPassed = tags;
  return p;
}

/**
 * Whether a sign stands at `p`, before an amount that did not take it, over `tags` tags and inner
 * spaces (`backOverSpacesAndTags`): a `-` or U+2212 before the tags that open the amount
 * (`-<b>3,309,126`, `- <u>334`: at least one tag), or a typeset dash (`–3,309,126`,
 * `– 3,309,126`, `–<u>334`); not before `floor`.
 */
function signAt(u: Codes, p: number, tags: number, floor: number): boolean {
  if (p < floor) return false;
  const c = u[p];
  if (isDashLike(c)) return true;
  return tags > 0 && (c === 45 || c === 0x2212);
}

/**
 * A number standing apart before an amount, ending at `p`, over inner spaces and `tags` tags and
 * nothing else (`backOverSpacesAndTags`; at least one tag: `252,400,000</u> <sup>1</sup>`,
 * `$1 234.56<sup>(2)</sup>`, a footnote's mark after the amount, in a tag of its own): [start,
 * end) of the longest well-formed number that ends there and starts a token (not glued to a word:
 * `Line12`), not before `floor`; null when none does. Before a 0 (`zeroMark`), a number with one
 * decimal is a label's (`Regulation 30.7 <u>0</u>`): none either.
 */
function numberBefore(
  t: string,
  u: Codes,
  at: number,
  tags: number,
  floor: number,
  zeroMark: boolean,
): [number, number] | null {
  let p = at;
  if (tags === 0 || !endsNumber(u, p, floor)) return null;
  const end = p + 1;
  // The run of amount characters and inner spaces before it (at most NUMBER_CHARS), then its tokens' starts.
  while (p >= floor && p >= end - NUMBER_CHARS && (isAmountChar(u[p]) || isInnerSpace(u[p]))) p--;
  const wordBefore = p >= floor && isWordish(u[p]);
  for (let s = p + 1; s < end; s++) {
    if (isInnerSpace(u[s])) continue;
    const tokenStart = s === p + 1 || isInnerSpace(u[s - 1]);
    if (!tokenStart || (s === p + 1 && wordBefore)) continue;
    const token = t.slice(s, end);
    if (!(zeroMark && ODD_DECIMALS.test(token)) && readAmount(token) !== null) return [s, end];
  }
  return null;
}

/**
 * Whether `t[p]` may end a number: a digit, or a `)` closing a parenthesis that opens a number
 * (`(90 000 000 152)`, not a label's `(add lines 4 and 5)`): over digits, grouping, `.` and `$`
 * back to its `(`, at most NUMBER_CHARS characters, not before `floor`.
 */
function endsNumber(u: Codes, p: number, floor: number): boolean {
  if (p < floor) return false;
  const c = u[p];
  if (isDigit(c)) return true;
  if (c !== 41 || p - 1 < floor || !isDigit(u[p - 1])) return false;
  for (let k = p - 2; k >= floor && k >= p - NUMBER_CHARS; k--) {
    const b = u[k];
    if (b === 40) return true;
    if (!(isDigit(b) || b === 44 || b === 46 || b === 36 || isInnerSpace(b))) return false;
  }
  return false;
}

const FAST = 0;
const SLOW = 1;

/**
 * Reads a text's cells one after another: `next(from, floor)` finds the next `[dddd]` at or after
 * `from` and reads its amount (which may not start before `floor`, the end of the cell before);
 * the cell found is in the scanner's fields until the next call.
 */
export class CellScanner {
  /** The code of the cell found, as a number. */
  num = 0;
  /** Its amount; null when there is none readable (see `doubt`). */
  amount: Decimal | null = null;
  /** A doubt the identities may settle (amount is null then). */
  doubt: Doubt | null = null;
  /** Where the cell starts (its amount's first character, or the `[` when it has none) and ends (after `]`). */
  start = 0;
  end = 0;
  /**
   * When the amount was read by `readRun`: where each token of the run starts, and where the run
   * ends (a total printed in one cell with a sub-line's amount, `0 0 [8715]`, is split by the caller).
   */
  runStarts: number[] | null = null;
  runEnd = 0;
  /**
   * When the amount's sign stands alone right after a word (`debit balances - 334`): that word
   * (lower case) and the amount without the sign. In text flattened from a page where a label's
   * first line ends in a dash (`debit balances -` / `gross amount`), the dash may be the label's.
   */
  loneSign: { word: string; unsigned: Decimal } | null = null;

  // The fast path's reading: limbs, digits, sign, start.
  private readonly limbs: number[] = new Array<number>(LIMB_COUNT).fill(0);
  private rbStart = 0;
  private rbLimbCount = 0;
  private rbNegative = false;

  /** The text's UTF-16 code units (codeUnits): what `text.charCodeAt(i)` is, read without a string's per-character cost. */
  readonly codes: Codes;

  /** The scratch's fill this scanner's codes are (-1: codes of its own); next() refuses to read a scratch filled again since. */
  private readonly fill: number;

  constructor(readonly text: string) {
    this.codes = codeUnits(text);
    this.fill = this.codes instanceof Uint8Array ? scratchFills : -1;
  }

  next(from: number, floor: number): boolean {
    // Never read another text's code units: one scanner at a time reads the scratch.
    if (this.fill !== -1 && this.fill !== scratchFills)
      throw new Error('CellScanner: its code units were reused by a later scanner');
    const text = this.text;
    const u = this.codes;
    const last = text.length - 6;
    let p = text.indexOf('[', from);
    while (p !== -1 && p <= last) {
      const d1 = u[p + 1] - 48;
      const d2 = u[p + 2] - 48;
      const d3 = u[p + 3] - 48;
      const d4 = u[p + 4] - 48;
      if (d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9 || d4 < 0 || d4 > 9 || u[p + 5] !== 93 /* ] */) {
        p = text.indexOf('[', p + 1);
        continue;
      }
      const j = skipBack(u, p - 1);
      this.amount = null;
      this.doubt = null;
      this.runStarts = null;
      this.loneSign = null;
      this.start = p;
      if (j >= floor) {
        if (this.readBack(j, floor) === FAST) {
          this.amount = decimalFromLimbs(this.limbs, this.rbLimbCount, this.rbNegative);
          this.start = this.rbStart;
        } else {
          this.readRun(j, floor);
        }
        if (this.amount !== null) this.doubtBefore(j, floor);
      }
      this.num = d1 * 1000 + d2 * 100 + d3 * 10 + d4;
      this.end = p + 6;
      return true;
    }
    return false;
  }

  /**
   * What stands before a well-formed amount that may make it a doubt: a sign before the tag that
   * opens it or a typeset dash, or a number apart before it of which it may be a footnote's mark.
   * Out of `next`, which runs for every cell.
   */
  private doubtBefore(j: number, floor: number): void {
    const t = this.text;
    const u = this.codes;
    const a = this.amount;
    if (a === null || this.start - 1 < floor) return;
    // Only a positive amount may have a sign before it that it did not take, and only one of one or
    // two digits (maybe in parentheses) may be a footnote's mark: nothing else to look for.
    const mark = j + 1 - this.start <= 4 && isMark(u, this.start, j + 1);
    if (!mark && (a.isNegative() || a.isZero())) return;
    // Right before it neither a space, a tag's `>` nor a typeset dash: no doubt (the look back
    // below would stop at once and find no tag).
    const c = u[this.start - 1];
    if (c !== 62 /* > */ && !isInnerSpace(c) && !isDashLike(c)) return;
    // What stands before it, over spaces and tags: one look back serves both doubts.
    const p = backOverSpacesAndTags(u, this.start, floor);
    const tags = tagsPassed;
    // A sign before the tag that opens the amount (`-<b>3,309,126</b>`, `- <u>334</u>`) or a
    // typeset dash (`–3,309,126`): the amount's sign, or a label's dash. Never one on faith.
    if (signAt(u, p, tags, floor)) {
      if (a.isNegative() || a.isZero()) return;
      this.doubt = { raw: t.slice(p, j + 1), candidates: [a, a.negated()], strictStart: this.start, strict: a };
      this.amount = null;
      this.runStarts = null;
      this.start = p;
      return;
    }
    // A number apart before it, in a tag of its own (`252,400,000</u> <sup>1</sup>`): the amount
    // may be that number, and what was read a footnote's mark. Never the mark on faith.
    if (tags === 0 || !mark) return;
    const front = numberBefore(t, u, p, tags, floor, a.isZero());
    const own = front && readAmount(t.slice(front[0], front[1]));
    if (front && own && cmp(own, a) !== 0) {
      this.doubt = { raw: t.slice(front[0], j + 1), candidates: [a, own], strictStart: this.start, strict: a };
      this.amount = null;
      this.runStarts = null;
      this.start = front[0];
    }
  }

  /**
   * The fast path: the amount that ends at t[j], read backwards into the limbs, when it is
   * `-?( \(N\) | N )`, N = \d{1,3}(,\s?\d{3})+ | \d+, and what stands before it cannot be part of
   * it (a tag, a tab or line break, a word, the cell before). SLOW for everything else.
   */
  private readBack(j: number, floor: number): number {
    const u = this.codes;
    const limbs = this.limbs;
    let paren = false;
    if (u[j] === 41 /* ) */) {
      paren = true;
      j--;
      while (j >= 0 && isWs(u[j])) j--;
    }
    let groups = 0;
    let digits = 0;
    // The limb being filled (w, the next digit's place in it) and how many are complete.
    let w = 0;
    let place = 1;
    let full = 0;
    for (;;) {
      const end = j + 1;
      for (let c = u[j]; j >= 0 && c >= 48 && c <= 57; c = u[--j]) {
        if (full < LIMB_COUNT) {
          w += (c - 48) * place;
          place *= 10;
          if (place === 1e7) {
            limbs[full++] = w;
            w = 0;
            place = 1;
          }
        }
        digits++;
      }
      const len = end - (j + 1);
      if (len === 0) return SLOW;
      groups++;
      // separator ", " or ","?
      let k = j;
      if (k >= 1 && u[k] === 32 && u[k - 1] === 44) k--;
      if (k >= 0 && u[k] === 44 && k >= 1 && isDigit(u[k - 1])) {
        if (len !== 3) return SLOW;
        j = k - 1;
        continue;
      }
      if (groups > 1 && len > 3) return SLOW;
      break;
    }
    if (paren) {
      while (j >= 0 && isWs(u[j])) j--;
      if (j < 0 || u[j] !== 40 /* ( */) return SLOW;
      j--;
    }
    let negative = paren;
    if (j >= 0 && u[j] === 45 /* - */) {
      if (paren) return SLOW;
      negative = true;
      j--;
    }
    if (digits > MAX_AMOUNT_DIGITS || j + 1 < floor) return SLOW;
    // What stands before the amount.
    if (j >= floor) {
      const c = u[j];
      if (isInnerSpace(c)) {
        // A space: the token before it may belong to the same number (`5 812,672,420`, `- 1,234`,
        // `2 563 559 677`), or be a label that ends in a number (`Regulation 30.7`, `line 6.`).
        let k = j - 1;
        while (k >= floor && isInnerSpace(u[k])) k--;
        // One or two digits after a number (`1,234.56 (1)`, `(90 000 000 152) 3`): maybe a
        // footnote's mark after the amount, for readRun to weigh.
        if (digits <= 2 && endsNumber(u, k, floor)) return SLOW;
        // Only a token of digits, commas, signs, `$` and `(` can be part of the same number (or of
        // a doubt); one with anything else in it (`30.7`, `5)`, `4D(F)`, a word) is a label.
        if (k >= floor) {
          for (; k >= floor; k--) {
            const b = u[k];
            if (isInnerSpace(b) || b === 9 || b === 10 || b === 13 || b === 62 /* > */) return SLOW;
            if (!((b >= 48 && b <= 57) || b === 44 || b === 36 || b === 45 || b === 40 || b === 0x2212)) {
              // (`3*309 126`: a glue mark between digits may be inside the same number; `\40 961`:
              // one right before the digits leaves them a number's front, for readRun to weigh.)
              if (isGlue(b) && (glueInside(u, k, floor, u.length - 1) || isDigit(u[k + 1]))) return SLOW;
              break;
            }
          }
          if (k < floor) return SLOW;
        }
      } else if (
        isAmountChar(c) ||
        isWordish(c) ||
        glueInside(u, j, floor, u.length - 1) ||
        exponentSign(u, j, floor)
      ) {
        // Glued to `$`, a dot (cents), a digit group of another shape, a word, a glue mark
        // right after a digit (`3'309'126`, `3*309,126`), or an exponent's `E+` (`2.56E+09`).
        return SLOW;
      }
    }
    if (place !== 1 && full < LIMB_COUNT) limbs[full++] = w;
    this.rbStart = j + 1;
    this.rbLimbCount = full;
    this.rbNegative = negative;
    return FAST;
  }

  /** The general reading of the run of amount characters that ends at t[j] (see the file comment). */
  private readRun(j: number, floor: number): void {
    const t = this.text;
    const u = this.codes;
    if (!isAmountChar(u[j])) return;
    // Tokens of the run, right to left: [start, end) each.
    const starts: number[] = [];
    const ends: number[] = [];
    let i = j;
    let guard = 0;
    // The rightmost glue mark between digits (`3'309'126`, `3*309,126`): part of the run.
    let lastGlue = -1;
    for (;;) {
      const end = i + 1;
      for (; i >= floor; i--) {
        const c = u[i];
        if (isAmountChar(c)) continue;
        if (!glueInside(u, i, floor, j)) break;
        if (lastGlue < 0) lastGlue = i;
      }
      starts.push(i + 1);
      ends.push(end);
      let k = i;
      while (k >= floor && isInnerSpace(u[k])) k--;
      if (k === i || k < floor || !(isAmountChar(u[k]) || glueInside(u, k, floor, j)) || ++guard >= 16) break;
      i = k;
    }
    starts.reverse();
    ends.reverse();
    const n = starts.length;
    this.runStarts = starts;
    this.runEnd = j + 1;
    // A first token glued to a word (`Line12`) is part of that word, not of an amount; one right
    // after an exponent's `E+` (`2.563559677E+09`) is no amount either.
    const s0 = starts[0];
    const glued = s0 > floor && (isWordish(u[s0 - 1]) || exponentSign(u, s0 - 1, floor));
    const runEnd = j + 1;
    if (lastGlue >= 0) {
      this.readGlued(starts, ends, glued ? 1 : 0, lastGlue, runEnd);
      return;
    }
    let best = -1;
    let strict: Decimal | null = null;
    for (let k = glued ? 1 : 0; k < n; k++) {
      strict = readAmount(t.slice(starts[k], runEnd));
      if (strict !== null) {
        best = k;
        break;
      }
    }
    // Tokens before the well-formed suffix (or all of them) that could be the front of the same number.
    const candidates: Decimal[] = strict ? [strict] : [];
    const suffix = best >= 0 ? best : n;
    let from = suffix;
    for (let m = suffix - 1; m >= (glued ? 1 : 0) && m >= suffix - 3; m--) {
      const token = t.slice(starts[m], ends[m]);
      if (!PIECE.test(token) && !(best < 0 && m === n - 1)) break;
      const loose = readLooseAmount(t.slice(starts[m], runEnd));
      if (loose === null) break;
      if (!candidates.some((c) => cmp(c, loose) === 0)) candidates.push(loose);
      from = m;
    }
    // A space-grouped number whose first group stands right after a line reference (`subtract
    // line 6 957`: a wrapped label's `line 6` run into the amount `957`): that group may be the
    // label's; so may one right after a punctuation mark (`#40 961`). Both readings are
    // candidates and only the identities may pick one (never the longer number on faith). After
    // any other word (`Cash 2 563 559 677`) the number is whole.
    if (strict && candidates.length === 1 && best + 1 < n && /^\d{1,3}$/.test(t.slice(starts[best], ends[best]))) {
      const before = starts[best] - 1;
      let w = before;
      while (w >= floor && isInnerSpace(u[w])) w--;
      if (
        (w >= floor && w < before && LINE_REFERENCE.test(t.slice(Math.max(floor, w - 9), w + 1))) ||
        (before >= floor && isGlue(u[before]))
      ) {
        // (A rest that starts with a 0 group, `1 000 000`, is no number of its own.)
        const rest = u[starts[best + 1]] === 48 ? null : readAmount(t.slice(starts[best + 1], runEnd));
        if (rest !== null && cmp(rest, strict) !== 0) {
          candidates.push(rest);
          from = best;
        }
      }
    }
    // A number apart before the well-formed suffix (`252,400,000 (1)`: a footnote's mark after the
    // amount): its own reading is a candidate too, for the identities. Never the mark on faith.
    // A mark of one or two digits (`1,234.56 (1)`, `(90 000 000 152) 3`) may follow a number of
    // any shape, over as many tokens as the run holds (`(53 931 165 180 064 255 215) 3`: seven):
    // the longest one is a candidate. (Before a 0, `Regulation 30.7 0`, a one-decimal number is the label's.)
    if (strict && best > (glued ? 1 : 0)) {
      const front = t.slice(starts[best - 1], ends[best - 1]);
      let own = PIECE.test(front) ? readAmount(front) : null;
      let at = best - 1;
      if (isMark(u, starts[best], runEnd)) {
        const zeroMark = strict.isZero();
        for (let m = glued ? 1 : 0; m < best; m++) {
          const span = t.slice(starts[m], ends[best - 1]);
          const whole = zeroMark && ODD_DECIMALS.test(span) ? null : readAmount(span);
          if (whole !== null) {
            own = whole;
            at = m;
            break;
          }
        }
      }
      if (own !== null && !candidates.some((c) => cmp(c, own) === 0)) {
        candidates.push(own);
        from = Math.min(from, at);
      }
    }
    // A sign standing alone right after a word (`debit balances - 334`): remembered, for the
    // caller who knows the line's label may end in a dash there (assemble.ts).
    if (strict && candidates.length === 1 && best + 1 < n && ends[best] - starts[best] === 1) {
      const sign = u[starts[best]];
      let w = starts[best] - 1;
      if ((sign === 45 || sign === 0x2212) && w >= floor && isInnerSpace(u[w])) {
        while (w >= floor && isInnerSpace(u[w])) w--;
        const wordEnd = w + 1;
        while (w >= floor && isLetter(u[w])) w--;
        const unsigned = wordEnd > w + 1 ? readAmount(t.slice(starts[best + 1], runEnd)) : null;
        if (unsigned !== null && cmp(unsigned, strict) !== 0)
          this.loneSign = { word: t.slice(w + 1, wordEnd).toLowerCase(), unsigned };
      }
    }
    if (strict && candidates.length === 1) {
      this.amount = strict;
      this.start = starts[best];
      return;
    }
    if (candidates.length === 0) return;
    this.start = starts[from];
    this.doubt = { raw: t.slice(starts[from], runEnd), candidates, strictStart: best >= 0 ? starts[best] : -1, strict };
  }

  /**
   * A run with a glue mark between digits (`3'309'126`, `3*309,126`, `32 648 5@30`): always a
   * doubt. Its candidates are what follows the last mark, when that is a well-formed number (the
   * mark a label's), and each reading with the marks dropped that starts at the token holding the
   * mark or at a token before it that could be the number's front. The identities alone may pick one, or the line is unreadable.
   */
  private readGlued(starts: number[], ends: number[], first: number, lastGlue: number, runEnd: number): void {
    const t = this.text;
    this.runStarts = null;
    const candidates: Decimal[] = [];
    const tail = readAmount(t.slice(lastGlue + 1, runEnd));
    if (tail !== null) candidates.push(tail);
    let g = starts.length - 1;
    while (g > 0 && starts[g] > lastGlue) g--;
    let from = -1;
    for (let m = g; m >= first; m--) {
      if (m < g && !PIECE.test(withoutGlue(t.slice(starts[m], ends[m])))) break;
      const loose = readLooseAmount(withoutGlue(t.slice(starts[m], runEnd)));
      if (loose === null) break;
      if (!candidates.some((c) => cmp(c, loose) === 0)) candidates.push(loose);
      from = m;
    }
    if (candidates.length === 0) return;
    this.start = from >= 0 ? starts[from] : lastGlue + 1;
    this.doubt = {
      raw: t.slice(this.start, runEnd),
      candidates,
      strictStart: tail !== null ? lastGlue + 1 : -1,
      strict: tail,
    };
  }
}

/** `s` without its glue marks (isGlue), for a run's loose readings. */
function withoutGlue(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) if (!isGlue(s.charCodeAt(i))) out += s[i];
  return out;
}

/** An ASCII letter, or a letter of another script (a label's last character). */
const isLetter = (c: number) =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c > 127 && /\p{L}/u.test(String.fromCharCode(c)));

/**
 * A number with other than two decimals (`30.7`, of the label `... under Regulation 30.7`): a
 * label's, not money, when it stands before a 0 (a footnote's mark is never 0). Before any other
 * mark it may be money written with one decimal (`474.6 (1)`): a doubt, for the identities.
 */
const ODD_DECIMALS = /\.(?!\d\d\)?$)/;

/**
 * Whether t[from, to) looks like a footnote's mark after an amount: one or two digits, maybe in
 * parentheses (`/^\(?\d{1,2}\)?$/`, without the slice and the regular expression: it is asked
 * of every small amount).
 */
export function isMark(u: Codes, from: number, to: number): boolean {
  if (u[from] === 40 /* ( */) from++;
  if (to > from && u[to - 1] === 41 /* ) */) to--;
  const n = to - from;
  return (n === 1 || n === 2) && isDigit(u[from]) && (n === 1 || isDigit(u[from + 1]));
}

/** The words after which a form's label refers to a line by its number (`subtract line 6`, `lines 7 through 12`). */
const LINE_REFERENCE = /\b(?:lines?|through|from|to|and)$/i;

/** A token that could be the front of a number broken by a space: digits and commas, a sign, `$` or `(` before them. */
const PIECE = /^[-\u2212$(]{0,3}[\d,]*\d[\d,]*$/;

/**
 * Every `amount [code]` cell of a text (each `[dddd]`, exactly what CODE_RE matches), its amount
 * read as above; a code with no readable amount gets `amount: null`.
 */
export function scanCells(text: string): Cell[] {
  const cells: Cell[] = [];
  const s = new CellScanner(text);
  let from = 0;
  while (s.next(from, from)) {
    const cell: Cell = { code: codeString(s.num), amount: s.amount, start: s.start, end: s.end };
    if (s.doubt) cell.doubt = s.doubt;
    cells.push(cell);
    from = s.end;
  }
  return cells;
}
