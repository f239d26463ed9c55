/**
 * History against an oracle on generated histories: a firm's days (some missing), each with one to
 * three versions (initials, amendments, submitted on different days), written in a random order;
 * for any range, history gives exactly the days in it, the effective version's figures (the latest
 * submitted amendment), the number of versions, and the change against the effective figures of
 * the previous filing day when the firm filed then (whether or not that day is in the range).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filingDays, previousFilingDay } from '../../shared/domain/calendar';
import { Decimal } from '../../shared/domain/money';
import { readQueries } from '../../shared/read/queries';
import { MemorySource } from '../../shared/read/source';
import { dayFiling, firmBase, HistoryWriter } from '../support/read-load';

const base = firmBase('Oracle Futures LLC');
const DAYS = filingDays('segregation', '2014-10-01', '2014-11-28');

const version = fc.record({
  amendment: fc.boolean(),
  lag: fc.integer({ min: 1, max: 6 }),
  excess: fc.integer({ min: -50, max: 500 }),
});
const history = fc.record({
  days: fc.array(
    fc.tuple(fc.integer({ min: 0, max: DAYS.length - 1 }), fc.array(version, { minLength: 1, maxLength: 3 })),
    { minLength: 1, maxLength: 25 },
  ),
  order: fc.array(fc.nat(), { minLength: 80, maxLength: 80 }),
  range: fc.tuple(fc.integer({ min: 0, max: DAYS.length - 1 }), fc.integer({ min: 0, max: DAYS.length - 1 })),
});

const M = (n: number) => new Decimal(n).times(1_000_000);
const addDays = (iso: string, n: number) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

describe('history against an oracle', () => {
  it('days, effective figures, versions and changes, whatever the arrival order', async () => {
    await fc.assert(
      fc.asyncProperty(history, async (h) => {
        const filings = new Map<string, ReturnType<typeof dayFiling>>();
        for (const [i, versions] of h.days)
          for (const v of versions) {
            const endDate = DAYS[i];
            const f = dayFiling(base, {
              endDate,
              submitDate: addDays(endDate, v.lag),
              filingType: v.amendment ? 'AMENDMENT' : 'INITIAL',
              excess: { segregation: M(v.excess) },
              target: { segregation: M(100) },
            });
            filings.set(`${endDate}|${f.filingType}|${f.submitDate}|${v.excess}`, f);
          }
        const all = [...filings.values()];
        const order = all.map((f, i) => ({ f, k: h.order[i % h.order.length] + i / 1000 })).sort((a, b) => a.k - b.k);
        const source = new MemorySource();
        const w = new HistoryWriter(source);
        for (const { f } of order) await w.write(f, `${f.submitDate}T09:00:00.000Z`);

        // The oracle: per day, the effective version is the latest submitted amendment (then initial), ties by the writer's version key.
        const rank = (f: (typeof all)[number]) => `${f.filingType === 'AMENDMENT' ? 1 : 0}#${f.submitDate}`;
        const byDay = new Map<string, (typeof all)[number][]>();
        for (const f of all) byDay.set(f.endDate, [...(byDay.get(f.endDate) ?? []), f]);
        const excessOf = (day: string) => {
          const vs = byDay.get(day);
          if (!vs) return undefined;
          const best = vs.reduce((a, b) => (rank(b) > rank(a) ? b : a));
          if (vs.some((x) => x !== best && rank(x) === rank(best))) return 'tie';
          return best.statements.segregation!.lines.get('7190')!;
        };
        const [a, b] = h.range[0] <= h.range[1] ? h.range : [h.range[1], h.range[0]];
        const from = DAYS[a];
        const to = DAYS[b];
        const got = await readQueries(source).history('oracle', { from, to });
        const want = [...byDay.keys()].filter((d) => d >= from && d <= to).sort();
        expect(got.days.map((d) => d.endDate)).toEqual(want);
        for (const d of got.days) {
          expect(d.versions).toBe(byDay.get(d.endDate)!.length);
          const now = excessOf(d.endDate);
          const prev = excessOf(previousFilingDay('segregation', d.endDate));
          const s = d.statements.segregation!;
          if (now === 'tie' || prev === 'tie') continue; // same type and submit date: the order among them is the store's to decide
          expect(s.excess).toBe(now!.toFixed());
          expect(s.changeFromPrevious).toBe(prev === undefined ? null : now!.minus(prev).toFixed());
        }
      }),
      { numRuns: 60 },
    );
  });
});
