/**
 * Dates for the routes: the read side's (shared/read/queries.ts: a strict ISO day, the first day of
 * the twelve months ending on a day), and today in New York.
 */
export { isIsoDate, yearBefore as twelveMonthsBefore } from '../../shared/read/queries';

const NEW_YORK = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today in New York (filings are due by noon New York time). */
export function todayInNewYork(now: Date = new Date()): string {
  return NEW_YORK.format(now);
}
