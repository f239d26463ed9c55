/**
 * The exact fast paths the benchmark work added to money.ts, held to decimal.js: amounts built
 * from a text range (separators skipped) and sums decided in base-1e7 limbs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cmp, Decimal, decimalFromDigits, decimalFromText, sumEquals } from '../../shared/domain/money';

const digitString = fc.oneof(
  fc.stringMatching(/^[0-9]{1,14}$/),
  fc.stringMatching(/^[0-9]{15,40}$/),
  fc.stringMatching(/^0{0,5}[1-9]0{0,20}$/),
  fc.stringMatching(/^[0-9]{61,70}$/),
);

describe('decimalFromText', () => {
  it('equals new Decimal(digits), separators and surrounding text skipped', () => {
    fc.assert(
      fc.property(digitString, fc.boolean(), fc.constantFrom('', ',', ', ', ' '), (digits, negative, sep) => {
        const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
        const text = `label ${grouped} [7010]`;
        const d = decimalFromText(text, 6, 6 + grouped.length, negative);
        const want = negative ? new Decimal(digits).negated() : new Decimal(digits);
        expect(d.eq(want)).toBe(true);
        expect(d.toFixed()).toBe(want.isZero() ? '0' : want.toFixed());
        expect(decimalFromDigits(digits, negative).toFixed()).toBe(d.toFixed());
        // Arithmetic on it agrees with decimal.js's own values.
        expect(d.plus(1).toFixed()).toBe(want.plus(1).toFixed());
      }),
      { numRuns: 400 },
    );
  });
});

describe('sumEquals', () => {
  const amount = fc.oneof(
    digitString.map((s) => new Decimal(s)),
    fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((b) => new Decimal(b.toString())),
    fc.constantFrom(
      new Decimal(0),
      new Decimal('-0'),
      new Decimal('9999999'),
      new Decimal('10000000'),
      new Decimal('-10000000'),
    ),
  );

  it('agrees with decimal.js on every sum, equal or not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(amount, fc.boolean()), { maxLength: 14 }),
        fc.boolean(),
        amount,
        (terms, makeEqual, other) => {
          const values = terms.map((t) => t[0]);
          const negate = terms.map((t) => t[1]);
          const sum = terms.reduce((a, [x, neg]) => (neg ? a.minus(x) : a.plus(x)), new Decimal(0));
          const actual = makeEqual ? sum : other;
          const fast = sumEquals(values, negate, values.length, actual);
          if (fast !== null) expect(fast).toBe(sum.eq(actual));
          if (makeEqual && values.every((v) => v.abs().lt('1e100'))) expect(fast).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('off by one in any limb is not equal', () => {
    const a = new Decimal('123456789012345678901');
    const b = new Decimal('98765432109876543210');
    for (const delta of ['1', '10000000', '100000000000000', '-1']) {
      const sum = a.plus(b).plus(delta);
      expect(sumEquals([a, b], [false, false], 2, sum)).toBe(false);
    }
    expect(sumEquals([a, b], [false, true], 2, a.minus(b))).toBe(true);
  });

  it('gives up (null) on fractions and huge values', () => {
    expect(sumEquals([new Decimal('1.5')], [false], 1, new Decimal('1.5'))).toBeNull();
    expect(sumEquals([new Decimal('1e200')], [false], 1, new Decimal('1e200'))).toBeNull();
    expect(sumEquals([], [], 0, new Decimal(0))).toBe(true);
  });
});

describe('cmp', () => {
  const value = fc.oneof(
    digitString.map((d) => d),
    fc.stringMatching(/^[0-9]{1,20}\.[0-9]{1,20}$/),
    fc.constantFrom('0', '1e-30', '1e40', 'NaN', 'Infinity', '0.1', '10000000', '9999999'),
  );
  const dec = fc.tuple(value, fc.boolean()).map(([v, neg]) => new Decimal(neg && v !== 'NaN' ? `-${v}` : v));
  it('equals decimal.js comparedTo, on every kind of value', () => {
    fc.assert(
      fc.property(dec, dec, (x, y) => {
        expect(cmp(x, y)).toBe(x.comparedTo(y));
        expect(cmp(x, x)).toBe(x.comparedTo(x));
      }),
      { numRuns: 5000 },
    );
  });
});
