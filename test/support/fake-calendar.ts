/**
 * A filing calendar with the API of shared/domain/calendar and holidays given by the test (for
 * vi.mock): weekdays except `holidays` are business and filing days for every statement. Lets a
 * test of the read side pin a hand-computed answer across a holiday whatever the real calendar's
 * data say (the real calendar has its own tests).
 */
import type { StatementKey } from '../../shared/domain/forms';

export function fakeCalendar(holidays: readonly string[]) {
  const off = new Set(holidays);
  class CalendarError extends Error {
    constructor(message: string) {
      super(message);
      this.name = 'CalendarError';
    }
  }
  const first = 2012;
  const last = 2027;
  const addDays = (iso: string, n: number) => {
    const d = new Date(`${iso}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  };
  const check = (iso: string) => {
    const y = Number(iso.slice(0, 4));
    if (y < first || y > last) throw new CalendarError(`the filing calendar covers ${first}-${last}, not ${y}`);
  };
  const isBusinessDay = (iso: string) => {
    check(iso);
    const w = new Date(`${iso}T00:00:00Z`).getUTCDay();
    return w !== 0 && w !== 6 && !off.has(iso);
  };
  const nextBusinessDay = (iso: string) => {
    let d = addDays(iso, 1);
    while (!isBusinessDay(d)) d = addDays(d, 1);
    return d;
  };
  const isFilingDay = (_s: StatementKey, iso: string) => isBusinessDay(iso);
  const previousFilingDay = (s: StatementKey, iso: string) => {
    let d = addDays(iso, -1);
    while (!isFilingDay(s, d)) d = addDays(d, -1);
    return d;
  };
  const nextFilingDay = (s: StatementKey, iso: string) => {
    let d = addDays(iso, 1);
    while (!isFilingDay(s, d)) d = addDays(d, 1);
    return d;
  };
  const filingDays = (s: StatementKey, from: string, to: string) => {
    const out: string[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) if (isFilingDay(s, d)) out.push(d);
    return out;
  };
  const indexes = new Map<string, number>();
  const filingDayIndex = (s: StatementKey, iso: string) => {
    let i = indexes.get(iso);
    if (i === undefined) indexes.set(iso, (i = filingDays(s, `${first}-01-01`, iso).length - 1));
    return i;
  };
  return {
    CALENDAR_FIRST_YEAR: first,
    CALENDAR_LAST_YEAR: last,
    CalendarError,
    isBusinessDay,
    nextBusinessDay,
    isFilingDay,
    dueDay: (_s: StatementKey, endDate: string) => nextBusinessDay(endDate),
    previousFilingDay,
    nextFilingDay,
    filingDays,
    filingDayIndex,
  };
}
