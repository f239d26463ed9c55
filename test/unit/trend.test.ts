/**
 * Theil–Sen in exact ratios: hand-computed lines (fractional slopes, even-count medians), and the
 * invariances that would catch it lying (order of the points, adding a constant, scaling, moving
 * x, one outlier among 5 or more points leaves an exact line exact, a non-decreasing series never
 * has a negative slope).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../shared/domain/money';
import {
  compareRatio,
  lineAt,
  medianRatio,
  ratio,
  ratioToString,
  theilSen,
  type Ratio,
} from '../../shared/domain/trend';

const d = (x: string | number | bigint) => new Decimal(typeof x === 'bigint' ? x.toString() : x);
const eq = (a: Ratio, b: Ratio) => compareRatio(a, b) === 0;
const r = (n: number | string, den: number | string = 1) => ratio(d(n), d(den));

describe('exact ratios and medians', () => {
  it('compares by cross-multiplication and keeps a negative denominator out', () => {
    expect(compareRatio(r(1, 3), r(2, 6))).toBe(0);
    expect(compareRatio(r(1, 3), r('0.3333333333333333333333333333333'))).toBe(1);
    expect(ratio(d(1), d(-3))).toEqual({ n: d(-1), d: d(3) });
  });
  it('the median of an even count is the exact mean of the two middle values', () => {
    // middle values 1/3 and 1/2: mean 5/12, which no decimal holds
    const m = medianRatio([r(1, 2), r(10), r(1, 3), r(-4)]);
    expect(eq(m, r(5, 12))).toBe(true);
    expect(ratioToString(m, 6)).toBe('0.416667');
    expect(eq(medianRatio([r(3), r(1), r(2)]), r(2))).toBe(true);
  });
});

describe('Theil–Sen', () => {
  it('an exact line with a fractional slope comes back exactly', () => {
    // y = 300 - x/3 at x = 0, 9, 18, 27: slope -1/3, intercept 300
    const line = theilSen([
      { x: 0, y: d(300) },
      { x: 9, y: d(297) },
      { x: 18, y: d(294) },
      { x: 27, y: d(291) },
    ]);
    expect(eq(line.slope, r(-1, 3))).toBe(true);
    expect(eq(line.intercept, r(300))).toBe(true);
    expect(eq(lineAt(line, 30), r(290))).toBe(true);
    expect(eq(lineAt(line, 1), r(899, 3))).toBe(true); // 299 + 2/3: no decimal holds it, the ratio does
  });
  it('hand-computed on a small noisy set', () => {
    // points (0,10) (1,12) (2,11) (3,15): slopes 2, 1/2, 5/3, -1, 3/2, 4 -> sorted -1, 1/2, 3/2, 5/3, 2, 4 -> median (3/2 + 5/3)/2 = 19/12
    const line = theilSen([
      { x: 0, y: d(10) },
      { x: 1, y: d(12) },
      { x: 2, y: d(11) },
      { x: 3, y: d(15) },
    ]);
    expect(eq(line.slope, r(19, 12))).toBe(true);
    // y - 19x/12: 10, 12 - 19/12 = 125/12, 11 - 38/12 = 94/12, 15 - 57/12 = 123/12 -> sorted 94, 120, 123, 125 (/12) -> median (120 + 123)/24 = 243/24
    expect(eq(line.intercept, r(243, 24))).toBe(true);
  });
  it('refuses fewer than 2 points and two points on one x', () => {
    expect(() => theilSen([{ x: 1, y: d(1) }])).toThrow();
    expect(() =>
      theilSen([
        { x: 1, y: d(1) },
        { x: 1, y: d(2) },
      ]),
    ).toThrow();
  });

  const points = fc
    .uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 2, maxLength: 10 })
    .chain((xs) =>
      fc.tuple(
        fc.constant(xs),
        fc.array(fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }), { minLength: xs.length, maxLength: xs.length }),
      ),
    )
    .map(([xs, ys]) => xs.map((x, i) => ({ x, y: d(ys[i]) })));

  it('property: the order of the points does not matter', () => {
    fc.assert(
      fc.property(points, fc.integer(), (pts, seed) => {
        const shuffled = [...pts].sort((a, b) => ((a.x * 7919 + seed) % 97) - ((b.x * 7919 + seed) % 97));
        const a = theilSen(pts);
        const b = theilSen(shuffled);
        expect(eq(a.slope, b.slope) && eq(a.intercept, b.intercept)).toBe(true);
      }),
    );
  });
  it('property: adding c to every y adds c to the intercept; scaling by k > 0 scales both; moving x by h moves the intercept by -slope*h', () => {
    fc.assert(
      fc.property(
        points,
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: -50, max: 50 }),
        (pts, c, k, h) => {
          const base = theilSen(pts);
          const shifted = theilSen(pts.map((p) => ({ x: p.x, y: p.y.plus(d(c)) })));
          expect(eq(shifted.slope, base.slope)).toBe(true);
          expect(
            eq(shifted.intercept, { n: base.intercept.n.plus(base.intercept.d.times(d(c))), d: base.intercept.d }),
          ).toBe(true);
          const scaled = theilSen(pts.map((p) => ({ x: p.x, y: p.y.times(k) })));
          expect(eq(scaled.slope, { n: base.slope.n.times(k), d: base.slope.d })).toBe(true);
          expect(eq(scaled.intercept, { n: base.intercept.n.times(k), d: base.intercept.d })).toBe(true);
          const moved = theilSen(pts.map((p) => ({ x: p.x + h, y: p.y })));
          expect(eq(moved.slope, base.slope)).toBe(true);
          // the line is the same line: its value at x + h equals the old value at x
          expect(eq(lineAt(moved, 7 + h), lineAt(base, 7))).toBe(true);
        },
      ),
    );
  });
  it('property: an exact line with one outlier among 5 or more points is recovered exactly', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 5, maxLength: 10 }),
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }),
        fc.nat(),
        fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }),
        (xs, b, m, which, outlier) => {
          const pts = xs.map((x) => ({ x, y: d(b).plus(d(m).times(x)) }));
          pts[which % pts.length] = { x: pts[which % pts.length].x, y: d(outlier) };
          const line = theilSen(pts);
          expect(eq(line.slope, r(m.toString()))).toBe(true);
          expect(eq(line.intercept, r(b.toString()))).toBe(true);
        },
      ),
    );
  });
  it('property: a non-decreasing series never has a negative slope', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 2, maxLength: 10 }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: 10, maxLength: 10 }),
        (xs, steps) => {
          const sorted = [...xs].sort((a, b) => a - b);
          let y = d(0);
          const pts = sorted.map((x, i) => ((y = y.plus(d(steps[i]))), { x, y }));
          expect(theilSen(pts).slope.n.isNegative() && !theilSen(pts).slope.n.isZero()).toBe(false);
        },
      ),
    );
  });
});
