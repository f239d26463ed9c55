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
  if (!/^\d+$/.test(s)) return null;
  const d = new Decimal(s);
  return negative && !d.isZero() ? d.negated() : d;
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
