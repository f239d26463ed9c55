/**
 * The filing calendar: on which days each statement is required, and on which business day it is
 * due (FORMS.md "Days"). Pure: no clock, no AWS; ISO dates (YYYY-MM-DD) in and out.
 *
 * STUB (weekdays only, no holidays) with the final API: the real calendar (federal holidays from
 * a maintained library plus NFA's published exceptions as data) replaces the bodies, not the
 * signatures.
 */
import type { StatementKey } from '../forms';

/** Years the calendar covers (outside them a year is refused, never guessed). */
export const CALENDAR_FIRST_YEAR = 2012;
export const CALENDAR_LAST_YEAR = 2027;

export class CalendarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalendarError';
  }
}

const dayOfWeek = (iso: string) => new Date(`${iso}T00:00:00Z`).getUTCDay();
function addDays(iso: string, n: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** A weekday that is not a Federal Reserve holiday. */
export function isBusinessDay(iso: string): boolean {
  const w = dayOfWeek(iso);
  return w !== 0 && w !== 6;
}

/** The first business day after `iso`. */
export function nextBusinessDay(iso: string): string {
  let d = addDays(iso, 1);
  while (!isBusinessDay(d)) d = addDays(d, 1);
  return d;
}

/** Whether `statement` is required as of `iso` (the markets of its account class were open). */
export function isFilingDay(statement: StatementKey, iso: string): boolean {
  void statement;
  return isBusinessDay(iso);
}

/** The business day by whose noon (New York) the statement as of `endDate` is due. */
export function dueDay(statement: StatementKey, endDate: string): string {
  void statement;
  return nextBusinessDay(endDate);
}

/** The last day before `iso` on which `statement` was required. */
export function previousFilingDay(statement: StatementKey, iso: string): string {
  let d = addDays(iso, -1);
  while (!isFilingDay(statement, d)) d = addDays(d, -1);
  return d;
}

/** The first day after `iso` on which `statement` is required. */
export function nextFilingDay(statement: StatementKey, iso: string): string {
  let d = addDays(iso, 1);
  while (!isFilingDay(statement, d)) d = addDays(d, 1);
  return d;
}

/** The days from `from` to `to` (inclusive) on which `statement` is required, ascending. */
export function filingDays(statement: StatementKey, from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) if (isFilingDay(statement, d)) out.push(d);
  return out;
}

/**
 * A filing day's position in the statement's calendar: consecutive filing days have consecutive
 * indexes (a holiday in between does not count). For trend lines (x axis).
 */
export function filingDayIndex(statement: StatementKey, iso: string): number {
  const start = `${CALENDAR_FIRST_YEAR}-01-01`;
  return filingDays(statement, start, iso).length - 1;
}
