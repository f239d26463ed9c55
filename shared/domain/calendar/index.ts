/**
 * The filing calendar: on which days each statement is required, and on which business day it is
 * due (README "The filing calendar"). Pure: no clock, no AWS; ISO dates (YYYY-MM-DD) in and out.
 *
 * - A **business day** is a weekday that is not a Federal Reserve holiday: the federal holidays of
 *   @18f/us-federal-holidays with Saturday holidays not moved and Sunday ones on the Monday,
 *   Juneteenth from 2022. Business days follow federal law, so they are known for any year the
 *   parser accepts (1990-2100).
 * - A statement is **required** (a filing day) as of every business day, and as of a weekday
 *   holiday or Good Friday as that holiday's rule says, unless a dated entry says otherwise: the
 *   rules and entries are NFA's published schedule as far as we know it, kept as data a user can
 *   correct (nfa-filing-days.json, validated when loaded). Filing days are known only for the
 *   years the data covers: outside them a year is refused (CalendarError), never guessed.
 * - A statement as of a day is **due** by noon (New York) of the next business day.
 */
import { allForYear } from '@18f/us-federal-holidays';
import type { StatementKey } from '../forms';
import DATA from './nfa-filing-days.json';
import {
  CalendarDataError,
  dayNumber,
  GOOD_FRIDAY,
  MAX_YEAR,
  MIN_YEAR,
  STATEMENT_KEYS,
  validateCalendarData,
  type CalendarData,
  type Confidence,
  type DayEntry,
  type HolidayRule,
} from './schema';

export { CalendarDataError, validateCalendarData, type CalendarData, type Confidence };

export class CalendarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalendarError';
  }
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Juneteenth is a Federal Reserve holiday from 2022 (the law came two days before June 19, 2021, a Saturday). */
const JUNETEENTH = 'Juneteenth National Independence Day';
const JUNETEENTH_FIRST_FED_YEAR = 2022;

function toDay(iso: string): number {
  const n = typeof iso === 'string' ? dayNumber(iso) : undefined;
  if (n === undefined) throw new CalendarError(`not an ISO date (YYYY-MM-DD): ${JSON.stringify(iso)}`);
  return n;
}
/** Day numbers' ISO dates, remembered (bounded): the read model turns the same days over and over. */
const ISO_DAYS = new Map<number, string>();
function toIso(n: number): string {
  let iso = ISO_DAYS.get(n);
  if (iso === undefined) {
    iso = new Date(n * DAY_MS).toISOString().slice(0, 10);
    if (ISO_DAYS.size >= 100_000) ISO_DAYS.clear();
    ISO_DAYS.set(n, iso);
  }
  return iso;
}
const weekdayOf = (n: number) => (((n + 4) % 7) + 7) % 7;
const yearOf = (iso: string) => Number.parseInt(iso.slice(0, 4), 10);

/** Easter Sunday (anonymous Gregorian algorithm), as a day number. */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** A Federal Reserve holiday on a weekday (the day the Fed is closed). */
export interface FedHoliday {
  date: string;
  name: string;
}

interface YearFacts {
  /** Federal Reserve holidays on weekdays, by ISO date. */
  fed: Map<string, string>;
  /** Federal holidays that fall on a Saturday (not moved: the Friday before is a business day), for display. */
  saturday: Map<string, string>;
  goodFriday: string;
}

/** What the calendar says about one date, with the data behind it. */
export interface DayInfo {
  date: string;
  weekday: Weekday;
  businessDay: boolean;
  /** The Federal Reserve holiday observed on this date (a weekday), if any. */
  holiday: string | null;
  /** A federal holiday falling on this Saturday (not observed on another day), if any. */
  saturdayHoliday: string | null;
  goodFriday: boolean;
  /** Per statement: required as of this date. */
  required: Record<StatementKey, boolean>;
  /** Per statement: the business day by whose noon (New York) a statement as of this date is due (null when not required). */
  due: Record<StatementKey, string | null>;
  /** Where the answer comes from: `business day`, a holiday rule or a dated entry. */
  basis: 'weekend' | 'business day' | 'holiday rule' | 'dated entry';
  /** The rule's or entry's name, source note and confidence (null for plain business days and weekends). */
  name: string | null;
  source: string | null;
  confidence: Confidence | null;
}

export class FilingCalendar {
  readonly firstYear: number;
  readonly lastYear: number;
  readonly data: CalendarData;
  private readonly rules: Map<string, HolidayRule>;
  private readonly entries: Map<string, DayEntry>;
  private readonly years = new Map<number, YearFacts>();
  /** Per statement, every filing day of the coverage in order (built on first use). */
  private readonly allFilingDays = new Map<StatementKey, number[]>();

  /** `data` is validated here (CalendarDataError on a bad file). */
  constructor(data: unknown, origin?: string) {
    this.data = validateCalendarData(data, origin);
    this.firstYear = this.data.coverage.from;
    this.lastYear = this.data.coverage.to;
    this.rules = new Map(this.data.holidayRules.map((r) => [r.holiday, r]));
    this.entries = new Map(this.data.days.map((d) => [d.date, d]));
  }

  private facts(year: number): YearFacts {
    let f = this.years.get(year);
    if (!f) {
      if (year < MIN_YEAR || year > MAX_YEAR)
        throw new CalendarError(`business days are known for ${MIN_YEAR}-${MAX_YEAR}, not ${year}`);
      const fed = new Map<string, string>();
      const saturday = new Map<string, string>();
      // The library's `date` is a local-midnight Date (it shifts with TZ): use dateString.
      for (const h of allForYear(year, { shiftSaturdayHolidays: false, shiftSundayHolidays: true })) {
        if (h.name === JUNETEENTH && year < JUNETEENTH_FIRST_FED_YEAR) continue;
        const dow = weekdayOf(toDay(h.dateString));
        if (dow === 6) saturday.set(h.dateString, h.name);
        else if (dow !== 0) fed.set(h.dateString, h.name);
      }
      f = { fed, saturday, goodFriday: toIso(easterSunday(year) - 2) };
      this.years.set(year, f);
    }
    return f;
  }

  /** Whether the data covers the year of `iso` (filing days are known there). */
  covers(iso: string): boolean {
    toDay(iso);
    const y = yearOf(iso);
    return y >= this.firstYear && y <= this.lastYear;
  }

  private requireCovered(iso: string): void {
    if (!this.covers(iso))
      throw new CalendarError(
        `the filing calendar covers ${this.firstYear}-${this.lastYear}, not ${iso.slice(0, 4)} (add the year to shared/domain/calendar/nfa-filing-days.json)`,
      );
  }

  /** The Federal Reserve holiday observed on `iso` (a weekday), or null. */
  fedHoliday(iso: string): string | null {
    toDay(iso);
    return this.facts(yearOf(iso)).fed.get(iso) ?? null;
  }

  /** Federal Reserve holidays (on weekdays) of a year. */
  fedHolidays(year: number): FedHoliday[] {
    return [...this.facts(year).fed].map(([date, name]) => ({ date, name }));
  }

  isBusinessDay(iso: string): boolean {
    const n = toDay(iso);
    const w = weekdayOf(n);
    if (w === 0 || w === 6) return false;
    return !this.facts(yearOf(iso)).fed.has(iso);
  }

  nextBusinessDay(iso: string): string {
    let n = toDay(iso) + 1;
    while (!this.isBusinessDay(toIso(n))) n++;
    return toIso(n);
  }

  previousBusinessDay(iso: string): string {
    let n = toDay(iso) - 1;
    while (!this.isBusinessDay(toIso(n))) n--;
    return toIso(n);
  }

  /** Which rule or entry decides `iso` (a weekday in a covered year). */
  private decide(iso: string): {
    required: Record<StatementKey, boolean>;
    basis: DayInfo['basis'];
    name: string | null;
    source: string | null;
    confidence: Confidence | null;
  } {
    const entry = this.entries.get(iso);
    if (entry)
      return {
        required: entry.required,
        basis: 'dated entry',
        name: entry.name,
        source: entry.source,
        confidence: entry.confidence,
      };
    const f = this.facts(yearOf(iso));
    const holiday = f.fed.get(iso) ?? (f.goodFriday === iso ? GOOD_FRIDAY : undefined);
    if (holiday) {
      const r = this.rules.get(holiday);
      if (!r) throw new CalendarError(`no rule for ${holiday}`); // validateCalendarData requires one per holiday
      return { required: r.required, basis: 'holiday rule', name: holiday, source: r.source, confidence: r.confidence };
    }
    return { required: ALL_REQUIRED, basis: 'business day', name: null, source: null, confidence: null };
  }

  isFilingDay(statement: StatementKey, iso: string): boolean {
    const n = toDay(iso);
    this.requireCovered(iso);
    const w = weekdayOf(n);
    if (w === 0 || w === 6) return false;
    return this.decide(iso).required[statement];
  }

  /** Whether any statement is required as of `iso`. */
  isAnyFilingDay(iso: string): boolean {
    return STATEMENT_KEYS.some((s) => this.isFilingDay(s, iso));
  }

  /**
   * The business day by whose noon (New York) the statement as of `endDate` is due: the next
   * business day (the same for every statement; the parameter keeps room for a schedule that
   * differs). Known for any year business days are (1990-2100).
   */
  dueDay(statement: StatementKey, endDate: string): string {
    void statement;
    return this.nextBusinessDay(endDate);
  }

  previousFilingDay(statement: StatementKey, iso: string): string {
    this.requireCovered(iso);
    let n = toDay(iso) - 1;
    for (;;) {
      const d = toIso(n);
      if (!this.covers(d))
        throw new CalendarError(
          `no filing day of ${statement} before ${iso} within the calendar (${this.firstYear}-${this.lastYear})`,
        );
      if (this.isFilingDay(statement, d)) return d;
      n--;
    }
  }

  nextFilingDay(statement: StatementKey, iso: string): string {
    this.requireCovered(iso);
    let n = toDay(iso) + 1;
    for (;;) {
      const d = toIso(n);
      if (!this.covers(d))
        throw new CalendarError(
          `no filing day of ${statement} after ${iso} within the calendar (${this.firstYear}-${this.lastYear})`,
        );
      if (this.isFilingDay(statement, d)) return d;
      n++;
    }
  }

  filingDays(statement: StatementKey, from: string, to: string): string[] {
    const a = toDay(from);
    const b = toDay(to);
    const out: string[] = [];
    if (a > b) return out;
    this.requireCovered(from);
    this.requireCovered(to);
    for (let n = a; n <= b; n++) {
      const d = toIso(n);
      if (this.isFilingDay(statement, d)) out.push(d);
    }
    return out;
  }

  private filingDayList(statement: StatementKey): number[] {
    let list = this.allFilingDays.get(statement);
    if (!list) {
      list = this.filingDays(statement, `${this.firstYear}-01-01`, `${this.lastYear}-12-31`).map(toDay);
      this.allFilingDays.set(statement, list);
    }
    return list;
  }

  /**
   * A filing day's position in the statement's calendar: consecutive filing days have consecutive
   * indexes (a holiday in between does not count); a day that is not a filing day gets the index
   * of the last filing day before it (-1 before the first). For trend lines (x axis).
   */
  filingDayIndex(statement: StatementKey, iso: string): number {
    const n = toDay(iso);
    this.requireCovered(iso);
    const list = this.filingDayList(statement);
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]! <= n) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Everything the calendar says about one date (a covered year). */
  day(iso: string): DayInfo {
    const n = toDay(iso);
    this.requireCovered(iso);
    const w = weekdayOf(n);
    const f = this.facts(yearOf(iso));
    const weekend = w === 0 || w === 6;
    const decided = weekend
      ? { required: NONE_REQUIRED, basis: 'weekend' as const, name: null, source: null, confidence: null }
      : this.decide(iso);
    const due = {} as Record<StatementKey, string | null>;
    for (const s of STATEMENT_KEYS) due[s] = decided.required[s] ? this.dueDay(s, iso) : null;
    return {
      date: iso,
      weekday: WEEKDAYS[w]!,
      businessDay: this.isBusinessDay(iso),
      holiday: f.fed.get(iso) ?? null,
      saturdayHoliday: f.saturday.get(iso) ?? null,
      goodFriday: f.goodFriday === iso,
      required: { ...decided.required },
      due,
      basis: decided.basis,
      name: decided.name,
      source: decided.source,
      confidence: decided.confidence,
    };
  }

  /** Every date of a covered year. */
  yearDays(year: number): DayInfo[] {
    if (!Number.isInteger(year)) throw new CalendarError(`not a year: ${year}`);
    if (year < this.firstYear || year > this.lastYear)
      throw new CalendarError(`the filing calendar covers ${this.firstYear}-${this.lastYear}, not ${year}`);
    const out: DayInfo[] = [];
    for (let n = Date.UTC(year, 0, 1) / DAY_MS; toIso(n).startsWith(`${year}-`); n++) out.push(this.day(toIso(n)));
    return out;
  }
}

const ALL_REQUIRED: Record<StatementKey, boolean> = { segregation: true, secured: true, clearedSwaps: true };
const NONE_REQUIRED: Record<StatementKey, boolean> = { segregation: false, secured: false, clearedSwaps: false };

/** The calendar from the shipped data (shared/domain/calendar/nfa-filing-days.json), validated at load. */
export const CALENDAR = new FilingCalendar(DATA, 'shared/domain/calendar/nfa-filing-days.json');

/** Years the calendar covers (outside them a year is refused, never guessed). */
export const CALENDAR_FIRST_YEAR = CALENDAR.firstYear;
export const CALENDAR_LAST_YEAR = CALENDAR.lastYear;

/** A weekday that is not a Federal Reserve holiday. */
export function isBusinessDay(iso: string): boolean {
  return CALENDAR.isBusinessDay(iso);
}

/** The first business day after `iso`. */
export function nextBusinessDay(iso: string): string {
  return CALENDAR.nextBusinessDay(iso);
}

/** Whether `statement` is required as of `iso` (the markets of its account class were open). */
export function isFilingDay(statement: StatementKey, iso: string): boolean {
  return CALENDAR.isFilingDay(statement, iso);
}

/** The business day by whose noon (New York) the statement as of `endDate` is due. */
export function dueDay(statement: StatementKey, endDate: string): string {
  return CALENDAR.dueDay(statement, endDate);
}

/** The last day before `iso` on which `statement` was required. */
export function previousFilingDay(statement: StatementKey, iso: string): string {
  return CALENDAR.previousFilingDay(statement, iso);
}

/** The first day after `iso` on which `statement` is required. */
export function nextFilingDay(statement: StatementKey, iso: string): string {
  return CALENDAR.nextFilingDay(statement, iso);
}

/** The days from `from` to `to` (inclusive) on which `statement` is required, ascending. */
export function filingDays(statement: StatementKey, from: string, to: string): string[] {
  return CALENDAR.filingDays(statement, from, to);
}

/**
 * A filing day's position in the statement's calendar: consecutive filing days have consecutive
 * indexes (a holiday in between does not count). For trend lines (x axis).
 */
export function filingDayIndex(statement: StatementKey, iso: string): number {
  return CALENDAR.filingDayIndex(statement, iso);
}

/** Whether the calendar's data covers the year of `iso` (so filing-day questions about it have an answer). */
export function calendarCovers(iso: string): boolean {
  return CALENDAR.covers(iso);
}
