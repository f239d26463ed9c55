/**
 * A year of the filing calendar for people (`segwatch calendar YEAR`) and as JSON (`--json`):
 * per statement, its filing days and the business day each is due; the holidays and exceptions
 * marked, with where each answer comes from. Pure.
 */
import { FORMS, STATEMENT_KEYS, type StatementKey } from '../forms';
import type { Confidence, DayInfo, FilingCalendar } from './index';

export const DATA_FILE = 'shared/domain/calendar/nfa-filing-days.json';

export const CALENDAR_RULE =
  'A statement is required as of every business day (a weekday that is not a Federal Reserve holiday) and as of a holiday only where the data says so; it is due by noon New York time of the next business day.';

export interface CalendarDayJson {
  date: string;
  weekday: string;
  businessDay: boolean;
  /** The holiday or exception's name (Federal Reserve holiday, Good Friday, a dated entry, a Saturday holiday). */
  name: string;
  fedHoliday: boolean;
  required: Record<StatementKey, boolean>;
  due: Record<StatementKey, string | null>;
  basis: DayInfo['basis'] | 'saturday holiday';
  source: string | null;
  confidence: Confidence | null;
}

export interface CalendarYearJson {
  year: number;
  coverage: { from: number; to: number };
  data: string;
  rule: string;
  statements: Record<StatementKey, { filingDays: { date: string; due: string }[] }>;
  /** Holidays and exceptions: every day that is not a plain business day or a plain weekend day. */
  holidays: CalendarDayJson[];
}

/** Days worth marking: weekday holidays, Good Friday, dated entries, federal holidays on a Saturday. */
function isMarked(d: DayInfo): boolean {
  return d.basis === 'holiday rule' || d.basis === 'dated entry' || d.saturdayHoliday !== null;
}

function markedJson(d: DayInfo): CalendarDayJson {
  const saturday = d.basis === 'weekend' && d.saturdayHoliday !== null;
  return {
    date: d.date,
    weekday: d.weekday,
    businessDay: d.businessDay,
    name: saturday ? d.saturdayHoliday! : (d.name ?? d.holiday ?? ''),
    fedHoliday: d.holiday !== null || saturday,
    required: d.required,
    due: d.due,
    basis: saturday ? 'saturday holiday' : d.basis,
    source: saturday
      ? 'A federal holiday on a Saturday: the Federal Reserve does not move it, so the Friday before is a business day.'
      : d.source,
    confidence: d.confidence,
  };
}

export function calendarYearJson(cal: FilingCalendar, year: number): CalendarYearJson {
  const days = cal.yearDays(year);
  const statements = {} as CalendarYearJson['statements'];
  for (const s of STATEMENT_KEYS)
    statements[s] = { filingDays: days.filter((d) => d.required[s]).map((d) => ({ date: d.date, due: d.due[s]! })) };
  return {
    year,
    coverage: { from: cal.firstYear, to: cal.lastYear },
    data: DATA_FILE,
    rule: CALENDAR_RULE,
    statements,
    holidays: days.filter(isMarked).map(markedJson),
  };
}

/** Month names, January first (the CLI's calendar and the dashboard's). */
export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const short = (s: StatementKey) => FORMS.statements[s].shortName;

function weekdayOf(iso: string): string {
  return ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(`${iso}T00:00:00Z`).getUTCDay()]!;
}

function requiredText(d: CalendarDayJson): string {
  const yes = STATEMENT_KEYS.filter((s) => d.required[s]);
  if (yes.length === 0) return 'no statement required';
  const dues = [...new Set(yes.map((s) => d.due[s]))];
  const due = dues.length === 1 ? `, due ${weekdayOf(dues[0]!)} ${dues[0]}` : '';
  if (yes.length === STATEMENT_KEYS.length) return `every statement required${due}`;
  const no = STATEMENT_KEYS.filter((s) => !d.required[s]);
  return `required: ${yes.map(short).join(', ')}${due}; not required: ${no.map(short).join(', ')}`;
}

function kindText(d: CalendarDayJson): string {
  if (d.basis === 'saturday holiday') return 'Saturday holiday, not moved';
  if (d.fedHoliday) return 'Fed holiday';
  return d.businessDay ? 'business day' : 'not a business day';
}

/** `segwatch calendar YEAR` as text. */
export function renderCalendarYear(cal: FilingCalendar, year: number): string {
  const j = calendarYearJson(cal, year);
  const days = cal.yearDays(year);
  const out: string[] = [];
  out.push(`Filing calendar ${year}  (data: ${j.data}, covering ${j.coverage.from}-${j.coverage.to})`);
  out.push(j.rule);
  out.push('');
  out.push(`Holidays and exceptions (${j.holidays.length})`);
  const nameWidth = Math.max(...j.holidays.map((h) => h.name.length), 4);
  for (const h of j.holidays) {
    out.push(
      `  ${h.weekday} ${h.date}  ${h.name.padEnd(nameWidth)}  ${kindText(h).padEnd(27)}  ${h.basis === 'saturday holiday' ? 'the Friday before is a business day' : requiredText(h)}`,
    );
    if (h.source && h.basis !== 'saturday holiday')
      out.push(`  ${''.padEnd(14)}  ${h.basis}, ${h.confidence} confidence: ${h.source}`);
  }
  out.push('');
  const counts = STATEMENT_KEYS.map((s) => `${short(s)} ${j.statements[s].filingDays.length}`).join(', ');
  out.push(`Filing days and due days (filing days in ${year}: ${counts})`);
  const cols = STATEMENT_KEYS.map(short);
  const width = Math.max(...cols.map((c) => c.length), 'due Mon 2025-01-01'.length);
  const marks = new Map(j.holidays.map((h) => [h.date, h]));
  let month = -1;
  for (const d of days) {
    if (d.weekday === 'Sat' || d.weekday === 'Sun') continue;
    const m = Number.parseInt(d.date.slice(5, 7), 10) - 1;
    if (m !== month) {
      month = m;
      out.push('');
      out.push(`  ${MONTHS[m]} ${year}`);
      out.push(`  ${'as of'.padEnd(14)}  ${cols.map((c) => c.padEnd(width)).join('  ')}  note`);
    }
    const cells = STATEMENT_KEYS.map((s) =>
      (d.required[s] ? `due ${weekdayOf(d.due[s]!)} ${d.due[s]}` : '-').padEnd(width),
    );
    const mark = marks.get(d.date);
    const note = mark
      ? `* ${mark.name} (${kindText(mark)}${d.required.segregation || d.required.secured || d.required.clearedSwaps ? '' : ', no statement'})`
      : '';
    out.push(`  ${d.weekday} ${d.date}  ${cells.join('  ')}  ${note}`.trimEnd());
  }
  return out.join('\n');
}
