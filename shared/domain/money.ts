/**
 * Money is exact: every amount is a decimal.js value inside segwatch and a plain decimal
 * string ("-3309126") at every boundary. Nothing here ever goes through a JS number.
 */
import DecimalBase from 'decimal.js';

/** A Decimal with enough precision that sums of very long amounts stay exact. */
export const Decimal = DecimalBase.clone({
  precision: 200,
  rounding: DecimalBase.ROUND_HALF_EVEN,
  toExpNeg: -1000,
  toExpPos: 1000,
});
export type Decimal = DecimalBase;

export const ZERO = new Decimal(0);

/**
 * Where an amount may stand in a regular expression (the 12A-12C sub-lines): a run of what an
 * amount is made of. What the run says is decided by readAmount, the one grammar.
 */
export const AMOUNT_SOURCE = String.raw`(?:[-\u2212$(][ \u00a0]?){0,2}(?:\d{1,3}(?:(?:, ?|[ \u00a0\u202f\u2009\u2007])\d{3})+|\d+)(?:\.\d{1,2})?(?: ?\))?`;

/**
 * Longest amount accepted, in digits. The largest FCMs hold 11-12 digit sums; DynamoDB numbers
 * carry 38 digits. A longer "amount" is unreadable (a finding), never stored.
 */
export const MAX_AMOUNT_DIGITS = 30;

const CANONICAL = /^-?\d+(?:\.\d+)?$/;

const isDig = (c: number) => c >= 48 && c <= 57;
/** A space that may group thousands or follow a sign: space, no-break, narrow no-break, thin, figure space. */
const isGroupSpace = (c: number) => c === 32 || c === 0xa0 || c === 0x202f || c === 0x2009 || c === 0x2007;

export interface AmountGrammar {
  /** Digits after the decimal point at most (cents: 2; a percentage may have more). */
  maxFraction?: number;
  /** Grouping allowed (false: the digits of a loose reading, run together). */
  grouping?: boolean;
}

/**
 * The amount a whole token says, or null when the token is not one well-formed number. The
 * grammar: an optional sign (`-` or U+2212), `$` and opening parenthesis in any order seen
 * (`-1,234`, `(1,234)`, `$-1,234`, `-$1,234`, `($1,234)`, `- 1,234`, spaces after them allowed),
 * digits grouped by thousands consistently (one kind per number: `,` optionally followed by one
 * stray space, or one space, U+00A0, U+202F, U+2009 or U+2007 between groups of three) or not at
 * all, optional cents (`1,234.56`, read exactly), and the closing parenthesis. A minus and
 * parentheses together, a lone group, a group of two, a separator of another kind: null. Never a
 * JS number: the digits go into the Decimal as a string.
 */
export function readAmount(token: string, grammar: AmountGrammar = {}): Decimal | null {
  const maxFraction = grammar.maxFraction ?? 2;
  const grouping = grammar.grouping ?? true;
  const s = token;
  const n = s.length;
  let i = 0;
  while (i < n && isGroupSpace(s.charCodeAt(i))) i++;
  let minus = false;
  let dollar = false;
  let paren = false;
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 45 || c === 0x2212) {
      if (minus) return null;
      minus = true;
    } else if (c === 36) {
      if (dollar) return null;
      dollar = true;
    } else if (c === 40) {
      if (paren) return null;
      paren = true;
    } else break;
    i++;
    while (i < n && isGroupSpace(s.charCodeAt(i))) i++;
  }
  if (minus && paren) return null;
  const first = i;
  while (i < n && isDig(s.charCodeAt(i))) i++;
  const lead = i - first;
  if (lead === 0) return null;
  let count = lead;
  // Groups of three, all after the same kind of separator.
  let sep = -1;
  for (;;) {
    const c = s.charCodeAt(i);
    let k = i;
    let kind: number;
    if (c === 44 /* , */) {
      kind = 44;
      k++;
      if (s.charCodeAt(k) === 32) k++;
    } else if (isGroupSpace(c)) {
      kind = c;
      k++;
    } else break;
    if (
      !isDig(s.charCodeAt(k)) ||
      !isDig(s.charCodeAt(k + 1)) ||
      !isDig(s.charCodeAt(k + 2)) ||
      isDig(s.charCodeAt(k + 3))
    ) {
      // Not a group: a space may still be the one before `)`; anything else is not this grammar.
      if (kind !== 44) break;
      return null;
    }
    if (!grouping || lead > 3 || (sep !== -1 && sep !== kind)) return null;
    sep = kind;
    count += 3;
    i = k + 3;
  }
  const intEnd = i;
  let fraction = '';
  if (s.charCodeAt(i) === 46 /* . */) {
    const f = ++i;
    while (i < n && isDig(s.charCodeAt(i))) i++;
    if (i === f || i - f > maxFraction) return null;
    fraction = s.slice(f, i);
  }
  while (i < n && isGroupSpace(s.charCodeAt(i))) i++;
  if (paren) {
    if (s.charCodeAt(i) !== 41) return null;
    i++;
    while (i < n && isGroupSpace(s.charCodeAt(i))) i++;
  }
  if (i !== n) return null;
  if (count > MAX_AMOUNT_DIGITS) return null;
  const negative = minus || paren;
  if (!fraction) {
    // Straight into decimal.js's words from the text (separators skipped), as the fast path does.
    const d = decimalFromText(s, first, intEnd, negative);
    return d.isZero() ? ZERO : d;
  }
  let digits = '';
  for (let k = first; k < intEnd; k++) if (isDig(s.charCodeAt(k))) digits += s[k];
  const d = new Decimal(`${digits}.${fraction}`);
  if (d.isZero()) return ZERO;
  return negative ? d.negated() : d;
}

/**
 * A token that is not well formed, read as one ungrouped number: its separators (commas and
 * spaces) dropped (`5 812,672,420` -> 5812672420). Never taken as it stands: only a reading the
 * form's identities confirm (the parser's identity check) may be used.
 */
export function readLooseAmount(token: string): Decimal | null {
  // Whole dollars (the usual case): digits and separators after a sign, `$` or `(`, read straight
  // from the token; anything else through readAmount with the separators dropped.
  const n = token.length;
  let i = 0;
  let minus = false;
  let paren = false;
  for (; i < n; i++) {
    const c = token.charCodeAt(i);
    if (c === 45 || c === 0x2212) minus = true;
    else if (c === 40) paren = true;
    else if (c !== 36 && !isGroupSpace(c)) break;
  }
  let end = n;
  while (end > i && isGroupSpace(token.charCodeAt(end - 1))) end--;
  if (paren && token.charCodeAt(end - 1) === 41) end--;
  let digits = 0;
  let plain = i < end && isDig(token.charCodeAt(i)) && isDig(token.charCodeAt(end - 1));
  for (let k = i; plain && k < end; k++) {
    const c = token.charCodeAt(k);
    if (isDig(c)) digits++;
    else if (c !== 44 && !isGroupSpace(c)) plain = false;
  }
  if (plain && !(minus && paren) && digits <= MAX_AMOUNT_DIGITS) {
    const d = decimalFromText(token, i, end, minus || paren);
    return d.isZero() ? ZERO : d;
  }
  return readAmount(token.replace(/[,\u0020\u00a0\u202f\u2009\u2007]+(?=\d)/g, ''), { grouping: false });
}

/** Parse an amount as rendered in a filing (readAmount); null when it is not one. */
export function parseAmount(raw: string): Decimal | null {
  return readAmount(raw.trim());
}

/** Read a canonical decimal string (as stored in JSON or DynamoDB). */
export function dec(value: string | Decimal): Decimal {
  if (typeof value !== 'string') return value;
  if (!CANONICAL.test(value)) throw new Error(`not a decimal string: ${JSON.stringify(value)}`);
  return new Decimal(value);
}

/** Canonical decimal string for a boundary: no exponent, no grouping. */
export function str(d: Decimal): string {
  return d.toFixed();
}

/** `$1,234,567` / `-$1,234,567` for people. */
export function usd(d: Decimal): string {
  const neg = d.isNegative() && !d.isZero();
  const [int, frac] = d.abs().toFixed().split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}$${grouped}${frac ? `.${frac}` : ''}`;
}

/** `1,234,567` / `-1,234,567` without a currency sign (tables). */
export function grouped(d: Decimal): string {
  return usd(d).replace('$', '');
}

export function sum(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}

const LOG_BASE = 7;
const BASE = 1e7;

/**
 * Makes Decimals from parts: `new MadeDecimal(s, e, d)` is a Decimal (its prototype is
 * Decimal.prototype, and it owns `constructor`, `s`, `e`, `d` as decimal.js's own constructor
 * sets them, in that order) allocated in one piece, where Object.create plus four property adds
 * would grow the object twice.
 */
interface DecimalParts {
  constructor: unknown;
  s: number;
  e: number;
  d: number[];
}
const MadeDecimal = function (this: DecimalParts, s: number, e: number, d: number[]) {
  this.constructor = Decimal;
  this.s = s;
  this.e = e;
  this.d = d;
} as unknown as new (
  s: number,
  e: number,
  d: number[],
) => Decimal;
MadeDecimal.prototype = Decimal.prototype;

/**
 * A Decimal from a string of ASCII digits (an amount as read from a filing) and a sign, built
 * straight into decimal.js's documented representation (`d` base-1e7 words, `e` exponent, `s`
 * sign) instead of going through the general string parser: the parser makes ~150 of these per
 * filing. Exactly equal to `new Decimal(digits)` (negated when asked); a property test holds it
 * to that.
 */
export function decimalFromDigits(digits: string, negative: boolean): Decimal {
  return decimalFromText(digits, 0, digits.length, negative);
}

/**
 * `decimalFromDigits` of the ASCII digits in `text[from, to)`, every other character (thousands
 * separators, a stray space) skipped: the parser builds amounts straight from the filing's text,
 * with no digit string in between. The caller has checked the grammar of the range.
 */
export function decimalFromText(text: string, from: number, to: number, negative: boolean): Decimal {
  // The first and last non-zero digits, and how many digits run from the first to the end.
  let first = -1;
  let last = -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    if (first < 0) {
      if (c === 48) continue;
      first = i;
    }
    n++;
    if (c !== 48) last = i;
  }
  // Decimals are immutable: every zero can be the one ZERO.
  if (first < 0) return ZERO;
  if (n > 60) {
    let digits = '';
    for (let i = first; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) digits += text[i];
    }
    return negative ? new Decimal(digits).negated() : new Decimal(digits);
  }
  const e = n - 1;
  const words: number[] = [];
  // First word holds (e + 1) % 7 digits (or 7), the rest 7 each, the last padded with zeros.
  let cap = (e + 1) % LOG_BASE || LOG_BASE;
  let w = 0;
  let taken = 0;
  for (let i = first; i <= last; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    w = w * 10 + (c - 48);
    if (++taken === cap) {
      words.push(w);
      w = 0;
      taken = 0;
      cap = LOG_BASE;
    }
  }
  if (taken > 0) {
    for (; taken < cap; taken++) w *= 10;
    words.push(w);
  }
  return new MadeDecimal(negative ? -1 : 1, e, words);
}

/**
 * A Decimal from the base-1e7 limbs of an integer, least significant first (`limbs[0]` holds the
 * units), `n` of them, and a sign: the parser reads an amount backwards from its code and adds
 * each digit into its limb as it goes. decimal.js keeps an integer as words aligned the same way
 * (most significant first, no zero word at either end, `e` = digits - 1), so the words are the
 * limbs reversed. Zero is `new Decimal(0)` whatever the sign, as in decimalFromDigits.
 */
export function decimalFromLimbs(limbs: ArrayLike<number>, n: number, negative: boolean): Decimal {
  let hi = n - 1;
  while (hi >= 0 && limbs[hi] === 0) hi--;
  // Decimals are immutable: every zero amount can be the one ZERO.
  if (hi < 0) return ZERO;
  let lo = 0;
  while (limbs[lo] === 0) lo++;
  const words: number[] = new Array<number>(hi - lo + 1);
  for (let i = hi, w = 0; i >= lo; i--) words[w++] = limbs[i];
  const top = limbs[hi];
  const topDigits =
    top >= 1e6 ? 7 : top >= 1e5 ? 6 : top >= 1e4 ? 5 : top >= 1e3 ? 4 : top >= 100 ? 3 : top >= 10 ? 2 : 1;
  return new MadeDecimal(negative ? -1 : 1, hi * LOG_BASE + topDigits - 1, words);
}

// ---- exact sums without intermediate Decimals ------------------------------------------------

/**
 * Base-1e7 limbs of an integer, least significant first; limb values stay far below 2^53. All zero
 * between calls of sumEquals, which clears only the limbs it used (a fill of all of them is a call
 * into the runtime, ~85 per filing).
 */
const LIMBS = 16;
const acc = new Float64Array(LIMBS);

/** The highest limb the sum being decided has written (a module variable: no object per call). */
let topLimb = 0;

/**
 * Add `sign * x` into `acc` limb by limb. decimal.js keeps x as base-1e7 words `d` (most
 * significant first), the first word's place being 1e7^floor(e / 7); an integer has no word below
 * the units. False (nothing added) when x is not an integer that fits LIMBS limbs.
 */
function addLimbs(x: Decimal, sign: number): boolean {
  const { d, e } = x as unknown as { d: number[] | null; e: number };
  if (!d) return false;
  if (d[0] === 0) return true;
  if (e < 0) return false;
  const k = Math.floor(e / LOG_BASE);
  if (k >= LIMBS - 1 || d.length > k + 1) return false;
  const s = sign * (x as unknown as { s: number }).s;
  for (let j = 0; j < d.length; j++) acc[k - j] += s * d[j];
  if (k > topLimb) topLimb = k;
  return true;
}

/** Whether the limbs acc[0..topLimb] add up to zero (each carries out to nothing); clears them. */
function limbsZero(): boolean {
  // Zero iff every limb carries out to nothing: each partial value must be a multiple of the base.
  let zero = true;
  let carry = 0;
  for (let i = 0; i <= topLimb; i++) {
    const v = acc[i] + carry;
    acc[i] = 0;
    if (!zero) continue;
    if (v % BASE !== 0) zero = false;
    else carry = v / BASE;
  }
  return zero && carry === 0;
}

/** Clears the limbs a sum left unfinished wrote (acc[0..topLimb]). */
function clearLimbs(): void {
  for (let i = 0; i <= topLimb; i++) acc[i] = 0;
}

/**
 * Whether the sum of `terms` (each negated where `negate[i]`) equals `actual`, decided exactly in
 * base-1e7 limbs, as decimal.js itself adds, but without a Decimal per partial sum. `null` when a
 * value is not a (not too long) integer: the caller then computes the sum with decimal.js.
 * Used by the reconciler, which checks ~85 sums per filing and needs the Decimal sum only when one
 * is off.
 */
export function sumEquals(
  terms: readonly Decimal[],
  negate: readonly boolean[],
  count: number,
  actual: Decimal,
): boolean | null {
  topLimb = 0;
  for (let i = 0; i < count; i++)
    if (!addLimbs(terms[i], negate[i] ? -1 : 1)) {
      clearLimbs();
      return null;
    }
  if (!addLimbs(actual, -1)) {
    clearLimbs();
    return null;
  }
  return limbsZero();
}

/**
 * `x.comparedTo(y)` for two Decimals (-1, 0, 1; NaN when either is NaN), without the copy of `y`
 * decimal.js makes first (its argument may be a number or a string): the same comparison on the
 * same representation. The reconciler compares each statement's excess with its target this way.
 */
export function cmp(x: Decimal, y: Decimal): number {
  const a = x as unknown as { d: number[] | null; e: number; s: number };
  const b = y as unknown as { d: number[] | null; e: number; s: number };
  const xd = a.d;
  const yd = b.d;
  const xs = a.s;
  const ys = b.s;
  if (!xd || !yd) return x.comparedTo(y);
  if (!xd[0] || !yd[0]) return xd[0] ? xs : yd[0] ? -ys : 0;
  if (xs !== ys) return xs;
  if (a.e !== b.e) return a.e > b.e !== xs < 0 ? 1 : -1;
  const n = Math.min(xd.length, yd.length);
  for (let i = 0; i < n; i++) if (xd[i] !== yd[i]) return xd[i] > yd[i] !== xs < 0 ? 1 : -1;
  return xd.length === yd.length ? 0 : xd.length > yd.length !== xs < 0 ? 1 : -1;
}
