/**
 * Theil–Sen lines in exact arithmetic. A slope between two filing days is a difference of amounts
 * over a whole number of filing days, which a decimal cannot always hold ((y2 - y1) / 3); so every
 * value here is a fraction of two Decimals (`Ratio`), compared by cross-multiplication, and
 * medians of an even count are the exact mean of the two middle values. Nothing is rounded until
 * a value is shown (`ratioToString`). Pure: no AWS, no clock.
 */
import type DecimalBase from 'decimal.js';
import { Decimal, type Decimal as D } from './money';

/** n / d with d > 0, both finite Decimals. */
export interface Ratio {
  readonly n: D;
  readonly d: D;
}

const ONE = new Decimal(1);
const TWO = new Decimal(2);

export function ratio(n: D, d: D = ONE): Ratio {
  if (d.isZero()) throw new RangeError('ratio with a zero denominator');
  return d.isNegative() ? { n: n.negated(), d: d.negated() } : { n, d };
}

/** -1, 0 or 1 as a < b, a = b, a > b (exact). */
export function compareRatio(a: Ratio, b: Ratio): number {
  return a.n.times(b.d).comparedTo(b.n.times(a.d));
}

export function addRatio(a: Ratio, b: Ratio): Ratio {
  if (a.d.eq(b.d)) return { n: a.n.plus(b.n), d: a.d };
  return { n: a.n.times(b.d).plus(b.n.times(a.d)), d: a.d.times(b.d) };
}

export function subRatio(a: Ratio, b: Ratio): Ratio {
  return addRatio(a, { n: b.n.negated(), d: b.d });
}

export function mulRatio(a: Ratio, k: D): Ratio {
  return { n: a.n.times(k), d: a.d };
}

/** The median of a non-empty list: the middle value, or the exact mean of the two middle values. */
export function medianRatio(values: readonly Ratio[]): Ratio {
  if (values.length === 0) throw new RangeError('median of nothing');
  const sorted = [...values].sort(compareRatio);
  const mid = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[mid];
  const s = addRatio(sorted[mid - 1], sorted[mid]);
  return { n: s.n, d: s.d.times(TWO) };
}

/**
 * A ratio as a decimal string rounded to `places` decimal places with `rounding` (a decimal.js
 * rounding mode). The division runs at 200 significant digits and is then rounded once: every
 * ratio here has a denominator of at most a few dozen digits, so the 200-digit quotient is far
 * closer to the true value than any rounding boundary it could be mistaken for.
 */
export function ratioToString(
  r: Ratio,
  places: number,
  rounding: DecimalBase.Rounding = Decimal.ROUND_HALF_EVEN,
): string {
  return r.n.div(r.d).toDecimalPlaces(places, rounding).toFixed(places);
}

export interface Point {
  /** Whole numbers (filing-day indexes); distinct. */
  x: number;
  y: D;
}

export interface TheilSen {
  /** The median of the pairwise slopes. */
  slope: Ratio;
  /** The median of y - slope * x. */
  intercept: Ratio;
}

/**
 * The Theil–Sen line through `points` (at least 2, distinct x): slope = the median of the slopes
 * of every pair, intercept = the median of y - slope * x. Exact; independent of the order of the
 * points.
 */
export function theilSen(points: readonly Point[]): TheilSen {
  if (points.length < 2) throw new RangeError('a Theil–Sen line needs at least 2 points');
  const p = [...points].sort((a, b) => a.x - b.x);
  for (let i = 1; i < p.length; i++) if (p[i].x === p[i - 1].x) throw new RangeError(`two points at x = ${p[i].x}`);
  const slopes: Ratio[] = [];
  for (let i = 0; i < p.length; i++)
    for (let j = i + 1; j < p.length; j++) slopes.push({ n: p[j].y.minus(p[i].y), d: new Decimal(p[j].x - p[i].x) });
  const slope = medianRatio(slopes);
  // y - (sn / sd) x = (y sd - sn x) / sd: every term shares the denominator sd.
  const residuals: Ratio[] = p.map((q) => ({ n: q.y.times(slope.d).minus(slope.n.times(q.x)), d: slope.d }));
  return { slope, intercept: medianRatio(residuals) };
}

/** The line's value at x: intercept + slope * x. */
export function lineAt(line: TheilSen, x: number): Ratio {
  return addRatio(line.intercept, mulRatio(line.slope, new Decimal(x)));
}

export const isNegative = (r: Ratio) => r.n.isNegative() && !r.n.isZero();
export const ratioOf = (d: D): Ratio => ({ n: d, d: ONE });
