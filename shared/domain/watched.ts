/**
 * Which firms segwatch watches on a day: the one definition the board (shared/read), the
 * missing-filing check and the daily digest (issue 10) share. Pure: the calendar's functions only.
 *
 * A firm is **watched** on `date` when it filed (has an effective filing) on at least one of the
 * WATCH_FILING_DAYS filing days before `date`. A filing day here is a day on which at least one
 * statement is required (the calendar's `isFilingDay` for any statement). A firm that stopped
 * filing more than that long ago is no longer watched, so it is not reported missing for ever.
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
 * The filing days whose filers are watched on `date`: the WATCH_FILING_DAYS days before `date`
 * (not `date` itself) on which any statement is required, ascending. A calendar error (a year the
 * calendar does not cover) propagates: it is never guessed.
 */
export function watchDays(date: string, n = WATCH_FILING_DAYS): string[] {
  const out: string[] = [];
  // A filing day comes at least every few days; 366 steps back is a generous bound.
  for (let d = addDays(date, -1), steps = 0; out.length < n && steps < 366; d = addDays(d, -1), steps++) if (isAnyFilingDay(d)) out.push(d);
  return out.reverse();
}

/** Whether a firm whose effective filings are on `filedDays` is watched on `date`. */
export function isWatched(filedDays: Iterable<string>, date: string): boolean {
  const window = new Set(watchDays(date));
  for (const d of filedDays) if (window.has(d)) return true;
  return false;
}
