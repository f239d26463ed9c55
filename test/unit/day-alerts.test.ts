/**
 * target-changed and trend-to-target decided for a day from the firm's recent days, against
 * hand-computed days. The calendar is pinned (test/support/fake-calendar.ts: weekdays, with
 * Thanksgiving 2014-11-27 not a filing day) so the hand computation holds whatever the real
 * calendar's data say; x is the filing day's position in that calendar.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../shared/domain/calendar', async () =>
  (await import('../support/fake-calendar')).fakeCalendar(['2014-11-27', '2014-12-25']),
);

import { filingDays } from '../../shared/domain/calendar';
import { alertBody, alertSubject, type VersionRef } from '../../shared/domain/alerts';
import {
  dayAlerts,
  recentDaysFrom,
  targetChange,
  trendProjection,
  trendToTarget,
  type DayFigures,
} from '../../shared/domain/day-alerts';
import { Decimal } from '../../shared/domain/money';
import { compareRatio, ratio } from '../../shared/domain/trend';

const M = (n: number) => new Decimal(n).times(1_000_000);
const day = (endDate: string, excess: Decimal | null, target: Decimal | null, status = 'ok'): DayFigures => ({
  endDate,
  statements: { segregation: { excess, target, status } },
});
const ref = (endDate: string): VersionRef => ({
  firmId: 'acme',
  firmName: 'Acme Futures LLC',
  endDate,
  submitDate: endDate,
  filingType: 'INITIAL',
  versionKey: `0#${endDate}#h`,
  source: { bucket: 'b', key: `incoming/${endDate}.txt` },
});

/** The days on which trend-to-target fires when the days arrive one by one. */
function fireDays(days: DayFigures[]): string[] {
  const out: string[] = [];
  days.forEach((d, i) => {
    if (trendToTarget('segregation', d, days.slice(0, i))) out.push(d.endDate);
  });
  return out;
}

describe('trend-to-target', () => {
  // Filing days from Thu 2014-11-13: 11/13 (0), 11/14 (1), 11/17 (2), 11/18 (3), 11/19 (4), 11/20 (5),
  // 11/21 (6), 11/24 (7), 11/25 (8), 11/26 (9), [Thanksgiving], 11/28 (10), 12/1 (11), ...
  const days = filingDays('segregation', '2014-11-13', '2014-12-12');

  it('a linear decline fires on exactly the day computed by hand, once', () => {
    // excess = 200M - 10M i, target 100M. With 5+ points the line is exact: y(i + 5) = 150M - 10M i,
    // below 100M first for i = 6 (90M): 2014-11-21. The excess stays >= target until i = 10
    // (100M, 11/28) and is below it from i = 11; in between the projection stays in the window.
    const series = days.map((d, i) => day(d, M(200 - 10 * i), M(100)));
    expect(fireDays(series)).toEqual(['2014-11-21']);
    const p = trendToTarget('segregation', series[6], series.slice(0, 6))!;
    expect(p).toMatchObject({ endDate: '2014-11-21', points: 7, from: '2014-11-13', filingDaysToTarget: 5 });
    // 5 filing days after Fri 11/21, Thanksgiving not counted: 11/24, 11/25, 11/26, 11/28, 12/1.
    expect(p.projectedDate).toBe('2014-12-01');
    expect(compareRatio(p.projected, ratio(M(90)))).toBe(0);
    expect(compareRatio(p.line.slope, ratio(M(-10)))).toBe(0);
  });

  it('x is the position among filing days: a line across Thanksgiving has the exact per-filing-day slope', () => {
    // 11/21 .. 12/3 spans the holiday; y drops 10M per filing day, so the slope is exactly -10M (counting 11/27 would bend it).
    const span = filingDays('segregation', '2014-11-21', '2014-12-03');
    const series = span.map((d, i) => day(d, M(500 - 10 * i), M(100)));
    const last = series.length - 1;
    expect(span).not.toContain('2014-11-27');
    const line = trendProjection(
      'segregation',
      {
        ...series[last],
        statements: { segregation: { excess: M(500 - 10 * last), target: M(460 - 10 * last), status: 'ok' } },
      },
      series.slice(0, last),
    )!.line;
    expect(compareRatio(line.slope, ratio(M(-10)))).toBe(0);
  });

  it('needs 5 points: four days of a steep fall say nothing', () => {
    const series = days.slice(0, 4).map((d, i) => day(d, M(200 - 30 * i), M(100)));
    expect(fireDays(series)).toEqual([]);
    expect(trendProjection('segregation', series[3], series.slice(0, 3))).toBeNull();
  });

  it('fires again only after the projection has left the window (here: below target, then a new decline)', () => {
    // i = 0..9: 200M - 10M i (fires at i = 6); i = 10, 11: 90M, 80M (below target: out of the window);
    // no filing for i = 12..21 (the window empties); i = 22..40: 300M - 10M (i - 22), which is the first
    // decline shifted: its projection enters the window when the excess is 140M, at i = 38.
    const L = filingDays('segregation', '2014-11-13', '2015-03-31');
    const series: DayFigures[] = [];
    for (let i = 0; i <= 40; i++) {
      if (i >= 12 && i <= 21) continue;
      const y = i <= 9 ? 200 - 10 * i : i === 10 ? 90 : i === 11 ? 80 : 300 - 10 * (i - 22);
      series.push(day(L[i], M(y), M(100)));
    }
    expect(fireDays(series)).toEqual([L[6], L[38]]);
  });

  it('a day without a filing in between does not raise it again', () => {
    const series = days.map((d, i) => day(d, M(200 - 10 * i), M(100))).filter((x) => x.endDate !== '2014-11-24');
    expect(fireDays(series)).toEqual(['2014-11-21']);
  });

  it('a flat or a rising series never fires', () => {
    expect(fireDays(days.map((d) => day(d, M(101), M(100))))).toEqual([]);
    expect(fireDays(days.map((d, i) => day(d, M(101 + i), M(100))))).toEqual([]);
  });

  it('property: a non-decreasing excess never fires, whatever the target', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 5, maxLength: days.length }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 400 }),
        (steps, start, target) => {
          let y = start;
          const series = steps.map((s, i) => day(days[i], M((y += s)), M(target)));
          expect(fireDays(series)).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('outliers do not fire it (an ordinary least-squares line through the same points would)', () => {
    // 10 days at 200M, two of them dipping to 20M (below target those days); today back at 200M.
    const ys = [200, 200, 200, 200, 200, 200, 200, 20, 20, 200];
    const series = ys.map((y, i) => day(days[i], M(y), M(100)));
    expect(fireDays(series)).toEqual([]);
    expect(trendProjection('segregation', series[9], series.slice(0, 9))).toBeNull();
    // Least squares, exactly: slope = sum (x - 4.5)(y - mean) / sum (x - 4.5)^2, projected 5 filing days ahead (x = 14).
    const n = ys.length;
    const mean = ys.reduce((a, y) => a.plus(y), new Decimal(0)).div(n);
    const sxy = ys.reduce(
      (a, y, x) => a.plus(new Decimal(x).minus('4.5').times(new Decimal(y).minus(mean))),
      new Decimal(0),
    );
    const sxx = ys.reduce((a, _y, x) => a.plus(new Decimal(x).minus('4.5').pow(2)), new Decimal(0));
    const ols = mean.plus(sxy.div(sxx).times('9.5'));
    expect(ols.lt(100)).toBe(true);
  });

  it('a statement that does not reconcile gives no point and no alert', () => {
    const series = days.slice(0, 10).map((d, i) => day(d, M(200 - 10 * i), M(100)));
    series[9] = day(days[9], M(200), M(100), 'error');
    expect(trendToTarget('segregation', series[9], series.slice(0, 9))).toBeNull();
    // an unreconciled wild figure in the past is not a point
    const wild = days.slice(0, 10).map((d) => day(d, M(150), M(100)));
    wild[5] = day(days[5], M(-900), M(100), 'error');
    expect(fireDays(wild)).toEqual([]);
  });
});

describe('target-changed', () => {
  const d = ['2014-11-17', '2014-11-18', '2014-11-19', '2014-11-20', '2014-11-21', '2014-11-24', '2014-11-25'];

  it('once per change, giving both targets, across a day with no filing', () => {
    const series = [
      day(d[0], M(300), M(100)),
      day(d[1], M(300), M(100)),
      day(d[2], M(300), M(120)),
      day(d[3], M(300), M(120)),
      /* 11/21: no filing */ day(d[5], M(300), M(150)),
      day(d[6], M(300), M(150)),
    ];
    const changes = series.map((x, i) => targetChange('segregation', x, series.slice(0, i)));
    expect(
      changes.map((c) => (c ? [c.endDate, c.previousDate, c.previousTarget.toFixed(), c.target.toFixed()] : null)),
    ).toEqual([
      null,
      null,
      ['2014-11-19', '2014-11-18', '100000000', '120000000'],
      null,
      ['2014-11-24', '2014-11-20', '120000000', '150000000'],
      null,
    ]);
  });

  it('a target appearing or disappearing, or an unreconciled day, is not a change', () => {
    expect(targetChange('segregation', day(d[1], M(300), M(100)), [day(d[0], M(300), null)])).toBeNull();
    expect(targetChange('segregation', day(d[1], M(300), null), [day(d[0], M(300), M(100))])).toBeNull();
    expect(targetChange('segregation', day(d[1], M(300), M(120), 'error'), [day(d[0], M(300), M(100))])).toBeNull();
    // the unreconciled day is skipped: compared with the reconciled one before it
    expect(
      targetChange('segregation', day(d[2], M(300), M(100)), [
        day(d[0], M(300), M(100)),
        day(d[1], M(300), M(999), 'error'),
      ]),
    ).toBeNull();
  });

  it('alert records: deterministic ids, both targets in subject and body, severities', () => {
    const today = day(d[2], M(300), M(120));
    const recent = [day(d[0], M(300), M(100)), day(d[1], M(300), M(100))];
    const a = dayAlerts(ref(d[2]), today, recent);
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({
      kind: 'target-changed',
      severity: 'info',
      statement: 'segregation',
      previousDate: d[1],
    });
    expect(dayAlerts(ref(d[2]), today, [...recent].reverse())[0].id).toBe(a[0].id);
    expect(alertSubject(a[0])).toBe(
      '[TARGET CHANGED] Acme Futures LLC segregation 2014-11-19 target $100,000,000 -> $120,000,000',
    );
    expect(alertBody(a[0])).toContain('Previous:    $100,000,000 on 2014-11-18');
    // read back from a store that does not keep previousTarget: the subject says less, the detail keeps both
    const stored = { ...a[0], previousTarget: undefined };
    expect(alertSubject(stored)).toBe(
      '[TARGET CHANGED] Acme Futures LLC segregation 2014-11-19 target now $120,000,000',
    );
    expect(alertBody(stored)).toContain(
      'The management target changed from $100,000,000 (filing of 2014-11-18) to $120,000,000.',
    );
  });

  it('the trend alert record reads as a warning with the projection', () => {
    const days = filingDays('segregation', '2014-11-13', '2014-11-21');
    const series = days.map((x, i) => day(x, M(200 - 10 * i), M(100)));
    const a = dayAlerts(ref(days[6]), series[6], series.slice(0, 6));
    expect(a.map((x) => [x.kind, x.severity])).toEqual([['trend-to-target', 'warning']]);
    expect(a[0].excess?.toFixed()).toBe('140000000');
    expect(alertSubject(a[0])).toBe(
      '[TREND TO TARGET] Acme Futures LLC segregation 2014-11-21 $40,000,000 over target, falling',
    );
    expect(a[0].detail).toBe(
      'Theil-Sen line through the excess of 7 filing days (2014-11-13 to 2014-11-21): -$10,000,000 per filing day; projected excess $90,000,000 on 2014-12-01, 5 filing days ahead, below the target of $100,000,000.',
    );
  });

  it("recentDaysFrom reaches back far enough for the previous point day's own window", () => {
    // 18 filing days before 2014-12-12 (Thanksgiving not counted)
    const back = filingDays('segregation', '2014-11-01', '2014-12-11');
    expect(recentDaysFrom('2014-12-12')).toBe(back[back.length - 18]);
  });
});
