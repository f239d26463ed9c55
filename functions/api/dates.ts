/** ISO dates for the routes: checked strictly (a real calendar day), moved by days or years. */

const ISO = /^\d{4}-\d{2}-\d{2}$/;

/** YYYY-MM-DD and a real day (2014-02-30 is not). */
export function isIsoDate(s: string): boolean {
  if (!ISO.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function addDays(iso: string, n: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The first day of the twelve months that end on `to` (2014-11-06 -> 2013-11-07). */
export function twelveMonthsBefore(to: string): string {
  const d = new Date(`${to}T00:00:00Z`);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  // The same day a year earlier (29 Feb -> 28 Feb), then the day after it.
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return addDays(d.toISOString().slice(0, 10), 1);
}

const NEW_YORK = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today in New York (filings are due by noon New York time). */
export function todayInNewYork(now: Date = new Date()): string {
  return NEW_YORK.format(now);
}
