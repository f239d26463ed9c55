/**
 * Which firms segwatch watches on a day: the one definition the board (shared/read), the
 * missing-filing check and the daily digest (issue 10) share. Pure: the calendar's functions only.
 *
 * A firm is **watched** on `date` when it has an effective filing on at least one day of the
 * window: the last WATCH_FILING_DAYS filing days up to and including `date`, a filing day being a
 * day on which at least one statement is required (the calendar's `isFilingDay` for any
 * statement). A watched firm with no filing on `date` (a filing day) is **missing** there. A firm
 * that stopped filing more than that long ago is no longer watched, so it is not reported missing
 * for ever. This is the window the scheduled missing-filing check uses for the days whose
 * deadline has passed (shared/domain/schedule/missing.ts, issue 10), so the board's "missing"
 * and the missing-filing alerts agree.
 */
import { STATEMENT_KEYS } from './forms';
import { isFilingDay } from './calendar';

export const WATCH_FILING_DAYS = 10;

/** A day on which at least one statement is required. */
export function isAnyFilingDay(iso: string): boolean {
  return STATEMENT_KEYS.some((s) => isFilingDay(s, iso));
}

function addDays(iso: string, n: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * The window of `date`: the last WATCH_FILING_DAYS days up to and including `date` on which any
 * statement is required, ascending. A calendar error (a year the calendar does not cover)
 * propagates: it is never guessed.
 */
export function watchDays(date: string, n = WATCH_FILING_DAYS): string[] {
  const out: string[] = [];
  // A filing day comes at least every few days; 366 steps back is a generous bound.
  for (let d = date, steps = 0; out.length < n && steps < 366; d = addDays(d, -1), steps++)
    if (isAnyFilingDay(d)) out.push(d);
  return out.reverse();
}

/** Whether a firm whose effective filings are on `filedDays` is watched on `date`. */
export function isWatched(filedDays: Iterable<string>, date: string): boolean {
  const window = new Set(watchDays(date));
  for (const d of filedDays) if (window.has(d)) return true;
  return false;
}
