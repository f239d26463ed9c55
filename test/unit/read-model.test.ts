/**
 * The read model against hand-computed values, and the properties that would catch it lying:
 * headroom never negative and never more than 25% of the excess (nor more than excess - target),
 * whole cents; a cushion of 1 or more exactly when excess >= target; a change's percentage with
 * the change's sign, zero only when there is no change; the board's order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, type Decimal as D } from '../../shared/domain/money';
import {
  changePct,
  cushionRatio,
  cushionString,
  headroom,
  historyDays,
  sortBoard,
  statementDay,
  versionStanding,
  type DayRecord,
  type StatementRecord,
} from '../../shared/read/model';

const d = (s: string | number) => new Decimal(s);
const st = (
  excess: string | null,
  target: string | null,
  required: string | null = '1000000000',
  status = 'ok',
): StatementRecord => ({
  required: required === null ? null : d(required),
  funds: excess === null || required === null ? null : d(required).plus(d(excess)),
  excess: excess === null ? null : d(excess),
  target: target === null ? null : d(target),
  status,
});

describe('headroom (the 25% rule: README "Reading the history", headroom)', () => {
  it('with a target: min(25% of excess, excess - target)', () => {
    expect(headroom(d(1_000_000), d(900_000)).toFixed()).toBe('100000'); // 25% = 250,000 > 100,000 over target
    expect(headroom(d(1_000_000), d(500_000)).toFixed()).toBe('250000'); // 25% = 250,000 < 500,000 over target
    expect(headroom(d(1_000_000), d(750_000)).toFixed()).toBe('250000'); // both 250,000
  });
  it('without a target: 25% of the excess, exact to the cent', () => {
    expect(headroom(d(1_234_567), null).toFixed()).toBe('308641.75');
    expect(headroom(d(1_234_566), null).toFixed()).toBe('308641.5');
    expect(headroom(d(3), null).toFixed()).toBe('0.75');
  });
  it('never below zero: below target, at target, deficient, zero', () => {
    expect(headroom(d(800), d(900)).toFixed()).toBe('0');
    expect(headroom(d(900), d(900)).toFixed()).toBe('0');
    expect(headroom(d(-5), null).toFixed()).toBe('0');
    expect(headroom(d(-5), d(10)).toFixed()).toBe('0');
    expect(headroom(d(0), null).toFixed()).toBe('0');
  });
  it('a target with fractions of a cent (a percentage target): rounded down to the cent, never up', () => {
    // excess - target = 1,234,567 - 1,000,000.005 = 234,566.995 < 25% (308,641.75)
    expect(headroom(d(1_234_567), d('1000000.005')).toFixed()).toBe('234566.99');
  });
  it('property: 0 <= headroom <= 25% of excess, <= excess - target, whole cents, and exactly the lesser when that is cents', () => {
    const amount = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }).map((b) => d(b.toString()));
    fc.assert(
      fc.property(amount, fc.option(amount, { nil: null }), (excess, target) => {
        const h = headroom(excess, target);
        expect(h.isNegative() && !h.isZero()).toBe(false);
        expect(h.lte(excess.isPositive() ? excess.times('0.25') : d(0))).toBe(true);
        if (target !== null) expect(h.lte(excess.minus(target).isPositive() ? excess.minus(target) : d(0))).toBe(true);
        expect(h.decimalPlaces()).toBeLessThanOrEqual(2);
        let want: D = excess.times('0.25');
        if (target !== null && excess.minus(target).lt(want)) want = excess.minus(target);
        if (want.isNegative()) want = d(0);
        expect(h.eq(want)).toBe(true); // whole dollars in: nothing is rounded away
      }),
      { numRuns: 500 },
    );
  });
});

describe('cushion', () => {
  it('excess / target, floored to 4 places', () => {
    expect(cushionString(cushionRatio(d(300), d(200), d(1000))!)).toBe('1.5000');
    expect(cushionString(cushionRatio(d(2), d(3), d(1000))!)).toBe('0.6666');
    expect(cushionString(cushionRatio(d(-1), d(3), d(1000))!)).toBe('-0.3334'); // floor: never reads higher than it is
  });
  it('with no target: excess / required', () => {
    expect(cushionString(cushionRatio(d(300), null, d(1200))!)).toBe('0.2500');
    expect(statementDay(st('300', null, '1200'), undefined)).toMatchObject({
      cushion: '0.2500',
      headroom: '75',
      target: null,
      targetSource: null,
      overTarget: null,
    });
  });
  it('null when the divisor is zero or missing', () => {
    expect(cushionRatio(d(300), d(0), d(1200))).toBeNull();
    expect(cushionRatio(d(300), null, d(0))).toBeNull();
    expect(cushionRatio(d(300), null, null)).toBeNull();
    expect(cushionRatio(null, d(1), d(1))).toBeNull();
  });
  it('property: the cushion reads 1.0000 or more exactly when excess >= target', () => {
    const pos = fc.bigInt({ min: 1n, max: 10n ** 14n }).map((b) => d(b.toString()));
    const any = fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }).map((b) => d(b.toString()));
    fc.assert(
      fc.property(any, pos, (excess, target) => {
        const c = cushionString(cushionRatio(excess, target, d(1))!);
        expect(d(c).gte(1)).toBe(excess.gte(target));
        expect(d(c).lte(excess.div(target))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the exact roundings against a 200-digit division', () => {
  it('property: cushion (floor, 4 places) and change % (away from zero, 2 places) equal the long division rounded once', () => {
    const amount = fc
      .tuple(fc.bigInt({ min: -(10n ** 16n), max: 10n ** 16n }), fc.integer({ min: 0, max: 3 }))
      .map(([b, k]) => d(b.toString()).div(10 ** k));
    const positive = fc
      .tuple(fc.bigInt({ min: 1n, max: 10n ** 16n }), fc.integer({ min: 0, max: 3 }))
      .map(([b, k]) => d(b.toString()).div(10 ** k));
    fc.assert(
      fc.property(amount, positive, (n, m) => {
        expect(cushionString(cushionRatio(n, m, null)!)).toBe(
          n.div(m).toDecimalPlaces(4, Decimal.ROUND_FLOOR).toFixed(4),
        );
        expect(changePct(n, m)).toBe(n.times(100).div(m).toDecimalPlaces(2, Decimal.ROUND_UP).toFixed(2));
        expect(changePct(n, m.negated())).toBe(n.times(100).div(m).toDecimalPlaces(2, Decimal.ROUND_UP).toFixed(2));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('change from the previous filing day', () => {
  it('change and percentage, away from zero to 2 places, against abs(previous)', () => {
    expect(changePct(d(-1), d(3))).toBe('-33.34');
    expect(changePct(d(1), d(-3))).toBe('33.34');
    expect(changePct(d(-25), d(100))).toBe('-25.00');
    expect(changePct(d(5), d(0))).toBeNull();
    expect(statementDay(st('750', '100'), st('1000', '100'))).toMatchObject({
      changeFromPrevious: '-250',
      changePct: '-25.00',
    });
  });
  it('property: the percentage has the sign of the change and is 0.00 only for no change', () => {
    const amount = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }).map((b) => d(b.toString()));
    fc.assert(
      fc.property(amount, amount, (now, before) => {
        fc.pre(!before.isZero());
        const p = d(changePct(now.minus(before), before)!);
        expect(p.isZero()).toBe(now.eq(before));
        if (!p.isZero()) expect(p.isNegative()).toBe(now.lt(before));
      }),
      { numRuns: 500 },
    );
  });
  it('none without a previous day, or when either day is unreconciled', () => {
    expect(statementDay(st('750', '100'), undefined).changeFromPrevious).toBeNull();
    expect(statementDay(st('750', '100'), st('1000', '100', '1', 'error'))).toMatchObject({
      changeFromPrevious: null,
      changePct: null,
    });
  });
});

describe('an unreconciled statement', () => {
  it('keeps its filed figures and derives nothing from them', () => {
    expect(statementDay(st('750', '100', '1000', 'error'), st('1000', '100'))).toEqual({
      required: '1000',
      funds: '1750',
      excess: '750',
      excessRecomputed: false,
      target: '100',
      targetSource: 'statement',
      overTarget: null,
      status: 'unreconciled',
      changeFromPrevious: null,
      changePct: null,
      cushion: null,
      headroom: null,
    });
  });
  it('says when its excess is not the excess line as filed', () => {
    const un = st('750', '100', '1000', 'error');
    // The excess line unreadable or missing: the excess is funds - required.
    expect(statementDay({ ...un, filedExcess: null }, undefined).excessRecomputed).toBe(true);
    // The line higher than funds - required: the lower, recomputed figure is the one shown.
    expect(statementDay({ ...un, filedExcess: d('800') }, undefined).excessRecomputed).toBe(true);
    // The line as filed is the excess shown (it is the lower).
    expect(statementDay({ ...un, filedExcess: d('750') }, undefined).excessRecomputed).toBe(false);
    // No figure at all: nothing to mark.
    expect(statementDay({ ...un, excess: null, filedExcess: null }, undefined).excessRecomputed).toBe(false);
    // A reconciled statement, and a head written before the store kept the line as filed.
    expect(statementDay(st('750', '100'), undefined).excessRecomputed).toBe(false);
    expect(statementDay(un, undefined).excessRecomputed).toBe(false);
  });
});

describe('status and target source', () => {
  it('maps the reconciler status; reads targetSource when the head records it', () => {
    expect(statementDay(st('50', '100', '1000', 'below-target'), undefined)).toMatchObject({
      status: 'below-target',
      overTarget: '-50',
      headroom: '0',
      cushion: '0.5000',
    });
    expect(statementDay(st('-5', '100', '1000', 'deficiency'), undefined)).toMatchObject({
      status: 'deficiency',
      headroom: '0',
    });
    expect(statementDay({ ...st('500', '100'), targetSource: 'cover-page' }, undefined).targetSource).toBe(
      'cover-page',
    );
  });
});

const day = (
  firmId: string,
  endDate: string,
  statements: DayRecord['statements'],
  extra: Partial<DayRecord> = {},
): DayRecord => ({
  firmId,
  firmName: `${firmId} LLC`,
  endDate,
  effective: `0#${endDate}#x`,
  filingType: 'INITIAL',
  submitDate: endDate,
  statements,
  ...extra,
});

describe('history rows', () => {
  it('change across a weekend: Monday against Friday (the calendar previous filing day)', () => {
    const days = [
      day('a', '2014-10-31', { segregation: st('1000', '100') }),
      day('a', '2014-11-03', { segregation: st('1200', '100') }),
    ];
    const rows = historyDays(days, '2014-11-03', '2014-11-03');
    expect(rows).toHaveLength(1);
    expect(rows[0].statements.segregation).toMatchObject({ changeFromPrevious: '200', changePct: '20.00' });
  });
  it('no change when the previous filing day has no filing (not against an older day)', () => {
    const days = [
      day('a', '2014-10-30', { segregation: st('1000', '100') }),
      day('a', '2014-11-03', { segregation: st('1200', '100') }),
    ];
    expect(historyDays(days, '2014-10-01', '2014-11-30')[1].statements.segregation?.changeFromPrevious).toBeNull();
  });
  it('--statement keeps that statement and the days that have it', () => {
    const days = [
      day('a', '2014-10-31', { segregation: st('1000', '100') }),
      day('a', '2014-11-03', { secured: st('1200', '100') }),
    ];
    const rows = historyDays(days, '2014-10-01', '2014-11-30', 'secured');
    expect(rows.map((r) => [r.endDate, Object.keys(r.statements)])).toEqual([['2014-11-03', ['secured']]]);
  });
});

describe('the board order: deficiency, missing, unreconciled, below target, then the smallest cushion', () => {
  it('orders every standing and breaks cushion ties exactly', () => {
    const f = (id: string, statements?: DayRecord['statements'], status?: string) =>
      statements
        ? {
            day: day(id, '2014-11-06', statements, { status }),
            firm: { firmId: id, firmName: `${id} LLC`, filed: true, late: false, statements: {}, alerts: [] },
          }
        : { firm: { firmId: id, firmName: `${id} LLC`, filed: false, late: false, statements: {}, alerts: [] } };
    const entries = [
      f('ok-wide', { segregation: st('500', '100') }),
      f('ok-thin', { segregation: st('500', '100'), secured: st('2000000001', '2000000000') }), // cushion 1.0000000005
      f('ok-thinner', { segregation: st('2000000000', '2000000000') }), // cushion exactly 1
      f('below', { segregation: st('50', '100', '1000', 'below-target') }),
      f('unrec', { segregation: st('500', '100', '1000', 'error') }),
      f('missing-stmt', { segregation: st('500', '100') }, 'error'),
      f('missing'),
      f('deficient', { segregation: st('500', '100'), clearedSwaps: st('-1', '100', '1000', 'deficiency') }),
      f('no-cushion', { segregation: st('500', null, null) }),
    ];
    expect(sortBoard(entries).map((e) => e.firm.firmId)).toEqual([
      'deficient',
      'missing',
      'missing-stmt',
      'unrec',
      'below',
      'ok-thinner',
      'ok-thin',
      'ok-wide',
      'no-cushion',
    ]);
  });
});

describe('version standing', () => {
  const v = (
    versionKey: string,
    filingType: 'INITIAL' | 'AMENDMENT',
    submitDate: string,
    arrivedAt = `${submitDate}T10:00:00.000Z`,
  ) => ({ versionKey, filingType, submitDate, arrivedAt });
  it('says which is effective and why the others are not', () => {
    const i = v('0#2014-11-07#a', 'INITIAL', '2014-11-07');
    const a = v('1#2014-11-10#b', 'AMENDMENT', '2014-11-10');
    expect(versionStanding(a, [i, a], a.versionKey, true)).toBe('effective: the latest submitted amendment');
    expect(versionStanding(i, [i, a], a.versionKey, true)).toBe(
      'superseded by 1#2014-11-10#b (an amendment replaces the initial filing)',
    );
    expect(versionStanding(i, [i], i.versionKey, true)).toBe('effective: the only version');
    expect(versionStanding(a, [i, a], i.versionKey, false)).toBe('received, not reconciled yet');
    expect(versionStanding(i, [i], undefined, false)).toBe('received, not reconciled yet');
  });
});
