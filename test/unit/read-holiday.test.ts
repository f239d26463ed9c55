/**
 * The read model across a holiday, with the calendar pinned (test/support/fake-calendar.ts:
 * Thanksgiving 2014-11-27 is not a filing day): Friday's change is against Wednesday's filing, the
 * board is empty on the holiday (nobody is missing on a day nothing is required), and the watch
 * window does not count it.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../shared/domain/calendar', async () =>
  (await import('../support/fake-calendar')).fakeCalendar(['2014-11-27']),
);

import { Decimal } from '../../shared/domain/money';
import { watchDays } from '../../shared/domain/watched';
import { readQueries } from '../../shared/read/queries';
import { MemorySource } from '../../shared/read/source';
import { dayFiling, firmBase, HistoryWriter } from '../support/read-load';

const M = (n: number) => new Decimal(n).times(1_000_000);

describe('across Thanksgiving 2014', () => {
  it('Friday 11-28 changes against Wednesday 11-26; the holiday is no filing day for the board or the window', async () => {
    const source = new MemorySource();
    const w = new HistoryWriter(source);
    const a = firmBase('Alpha Futures LLC');
    const b = firmBase('Bravo Futures LLC');
    const fig = (e: number) => ({
      excess: { segregation: M(e), secured: M(e), clearedSwaps: M(e) },
      target: { segregation: M(100), secured: M(100), clearedSwaps: M(100) },
    });
    await w.write(
      dayFiling(a, { endDate: '2014-11-26', submitDate: '2014-11-28', ...fig(400) }),
      '2014-11-28T09:00:00.000Z',
    );
    await w.write(
      dayFiling(b, { endDate: '2014-11-26', submitDate: '2014-11-28', ...fig(300) }),
      '2014-11-28T09:00:00.000Z',
    );
    await w.write(
      dayFiling(a, { endDate: '2014-11-28', submitDate: '2014-12-01', ...fig(350) }),
      '2014-12-01T09:00:00.000Z',
    );
    const q = readQueries(source);

    const h = await q.history('alpha', { from: '2014-11-28', to: '2014-11-28' });
    // 350 against Wednesday's 400: -50 (-12.50%); the holiday between has no filing and is not asked for.
    expect(h.days[0].statements.segregation).toMatchObject({
      changeFromPrevious: M(-50).toFixed(),
      changePct: '-12.50',
    });
    // submitted Fri 11-28 for Wed 11-26: due the next business day, which is Friday: on time
    expect((await q.history('alpha', { from: '2014-11-26', to: '2014-11-26' })).days[0].late).toBe(false);

    expect((await q.board('2014-11-27')).firms).toEqual([]);
    const fri = await q.board('2014-11-28');
    expect(fri.firms.map((f) => [f.firmId, f.filed])).toEqual([
      ['bravo-futures-llc', false],
      ['alpha-futures-llc', true],
    ]);
    expect(watchDays('2014-11-28')).not.toContain('2014-11-27');
    expect(watchDays('2014-11-28')).toHaveLength(10);
    expect(watchDays('2014-11-28')[0]).toBe('2014-11-14');
  });
});
