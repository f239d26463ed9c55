/**
 * Money is exact: every amount is a decimal.js value inside segwatch and a plain decimal
 * string ("-3309126") at every boundary. Nothing here ever goes through a JS number.
 */
import DecimalBase from 'decimal.js';

/** A Decimal with enough precision that sums of very long amounts stay exact. */
export const Decimal = DecimalBase.clone({ precision: 200, rounding: DecimalBase.ROUND_HALF_EVEN, toExpNeg: -1000, toExpPos: 1000 });
export type Decimal = DecimalBase;

export const ZERO = new Decimal(0);

/** Amount as written in a filing: `1,234`, `-1,234`, `(1,234)`, `1, 234` (stray space after a comma). */
export const AMOUNT_SOURCE = String.raw`(?:-?\(\s*\d{1,3}(?:,\s?\d{3})+\s*\)|-?\(\s*\d+\s*\)|-?\d{1,3}(?:,\s?\d{3})+|-?\d+)`;

/**
 * Longest amount accepted, in digits. The largest FCMs hold 11-12 digit sums; DynamoDB numbers
 * carry 38 digits. A longer "amount" is unreadable (a finding), never stored.
 */
export const MAX_AMOUNT_DIGITS = 30;

const CANONICAL = /^-?\d+(?:\.\d+)?$/;

/** Parse an amount as rendered in a filing; null when it is not one. */
export function parseAmount(raw: string): Decimal | null {
  let s = raw.trim();
  let negative = false;
  if (s.startsWith('-')) {
    negative = true;
    s = s.slice(1);
  }
  if (s.startsWith('(') && s.endsWith(')')) {
    negative = !negative;
    s = s.slice(1, -1).trim();
  }
  s = s.replace(/,\s?/g, '');
  if (!/^\d+$/.test(s) || s.length > MAX_AMOUNT_DIGITS) return null;
  return decimalFromDigits(s, negative);
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

/**
 * A Decimal from a string of ASCII digits (an amount as read from a filing) and a sign, built
 * straight into decimal.js's documented representation (`d` base-1e7 words, `e` exponent, `s`
 * sign) instead of going through the general string parser: the parser makes ~150 of these per
 * filing. Exactly equal to `new Decimal(digits)` (negated when asked); a property test holds it
 * to that.
 */
export function decimalFromDigits(digits: string, negative: boolean): Decimal {
  let i = 0;
  const n = digits.length;
  while (i < n - 1 && digits.charCodeAt(i) === 48) i++;
  let end = n;
  while (end > i + 1 && digits.charCodeAt(end - 1) === 48) end--;
  if (n - i > 60) return negative ? new Decimal(digits).negated() : new Decimal(digits);
  if (end - i === 1 && digits.charCodeAt(i) === 48) return new Decimal(0);
  const x = Object.create(Decimal.prototype) as Decimal & { d: number[]; e: number; s: number; constructor: unknown };
  x.constructor = Decimal;
  const e = n - i - 1;
  const words: number[] = [];
  // First word holds (e + 1) % 7 digits (or 7), the rest 7 each, the last padded with zeros.
  let first = (e + 1) % LOG_BASE || LOG_BASE;
  let pos = i;
  while (pos < end) {
    const take = Math.min(first, end - pos);
    let w = 0;
    for (let k = 0; k < take; k++) w = w * 10 + (digits.charCodeAt(pos + k) - 48);
    for (let k = take; k < first; k++) w *= 10;
    words.push(w);
    pos += take;
    first = LOG_BASE;
  }
  x.d = words;
  x.e = e;
  x.s = negative ? -1 : 1;
  return x;
}
