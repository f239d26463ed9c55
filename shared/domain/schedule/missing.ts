/**
 * Missing filings, decided from the effective filings of a window of days. Pure.
 *
 * At an instant `at` (the scheduled check runs at 12:30 New York time each business day):
 * - the **window** is the last WATCH_FILING_DAYS days on which any statement was required and
 *   whose deadline (noon New York time of the due day) has passed at `at`;
 * - a **watched** firm is one with an effective filing on a day of the window;
 * - a watched firm's filing is **missing** for a window day after its first filing in the window
 *   when it has no effective filing for that day and one of its statements (those it filed in the
 *   window) was required that day. One per firm and day (a deterministic id); critical when the
 *   firm's previous required day was missing too.
 * So a holiday on which nothing was required is never missing, a firm that stopped filing more
 * than WATCH_FILING_DAYS filing days ago is no longer watched, and a new firm is not missing for
 * the days before its first filing.
 */
import { alertId, type AlertRecord, type AlertSeverity } from '../alerts';
import { CALENDAR, CalendarError, type FilingCalendar } from '../calendar';
import { FORMS, STATEMENT_KEYS, type StatementKey } from '../forms';
import type { Decimal } from '../money';
import type { StatementStatus } from '../reconcile';
import { DEADLINE_TIME, deadlineOf, newYorkTime } from './time';
import { SCHEDULE_ALERT_SEVERITY } from './alerts';

/** How many filing days back a firm counts as watched (and missing days are looked for). */
export const WATCH_FILING_DAYS = 10;

/** What the check needs of an effective filing (the store's HEAD item has it). */
export interface HeadLike {
  firmId: string;
  firmName: string;
  endDate: string;
  filingType: 'INITIAL' | 'AMENDMENT';
  submitDate: string;
  statements: Partial<
    Record<
      StatementKey,
      {
        excess: Decimal | null;
        target: Decimal | null;
        status: StatementStatus;
        /** A statement that does not reconcile: its excess line as filed (null: unreadable or missing; read/model.ts). */
        filedExcess?: Decimal | null;
      }
    >
  >;
}

export interface CheckWindow {
  /** The instant checked (ISO, UTC). */
  at: string;
  /** Its date in New York. */
  businessDay: string;
  /** Why nothing is checked (not a business day), or null. */
  skipped: string | null;
  /** The window's days, oldest first (empty when skipped). */
  days: string[];
  /** A day the calendar cannot answer for (its year is not covered), or null. */
  calendarProblem: string | null;
}

export function checkWindow(at: string, cal: FilingCalendar = CALENDAR, size = WATCH_FILING_DAYS): CheckWindow {
  const today = newYorkTime(at).date;
  if (!cal.isBusinessDay(today)) {
    const why =
      cal.fedHoliday(today) ??
      ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][
        new Date(`${today}T00:00:00Z`).getUTCDay()
      ] ??
      '';
    return {
      at,
      businessDay: today,
      skipped: `${today} is not a business day (${why}): nothing is checked and no digest is sent`,
      days: [],
      calendarProblem: null,
    };
  }
  const calendarProblem = cal.covers(today)
    ? null
    : `the filing calendar covers ${cal.firstYear}-${cal.lastYear}, not ${today.slice(0, 4)}: days after ${cal.lastYear}-12-31 are not checked (extend coverage.to in shared/domain/calendar/nfa-filing-days.json to ${today.slice(0, 4)}, with that year's NFA schedule)`;
  const ny = newYorkTime(at);
  const afterNoon = ny.minutes >= DEADLINE_TIME.hour * 60 + DEADLINE_TIME.minute;
  const passed = (d: string) => {
    const due = cal.dueDay('segregation', d);
    return due < ny.date || (due === ny.date && afterNoon);
  };
  const days: string[] = [];
  let n = Date.parse(`${today}T00:00:00Z`);
  while (days.length < size) {
    const d = new Date(n).toISOString().slice(0, 10);
    n -= 86_400_000;
    if (!cal.covers(d)) {
      if (d.slice(0, 4) < String(cal.firstYear)) break;
      continue;
    }
    if (cal.isAnyFilingDay(d) && passed(d)) days.push(d);
  }
  return { at, businessDay: today, skipped: null, days: days.reverse(), calendarProblem };
}

export interface MissingFiling {
  id: string;
  firmId: string;
  firmName: string;
  endDate: string;
  /** The firm's statements required that day (those it filed in the window). */
  statements: StatementKey[];
  /** The due business day, and the deadline (noon New York time) as an instant. */
  due: string;
  deadline: string;
  /** How many of the firm's required days in a row, up to this one, have no filing. */
  inARow: number;
  severity: AlertSeverity;
  /** The firm's last effective filing before this day (in the window). */
  lastFiled: { endDate: string; filingType: 'INITIAL' | 'AMENDMENT'; submitDate: string } | null;
}

/** The firms watched in a window: firm id -> its effective filings there, by day. */
export function watchedFirms(
  window: CheckWindow,
  headsByDay: ReadonlyMap<string, readonly HeadLike[]>,
): Map<string, Map<string, HeadLike>> {
  const firms = new Map<string, Map<string, HeadLike>>();
  for (const d of window.days)
    for (const h of headsByDay.get(d) ?? []) {
      if (h.endDate !== d) continue;
      let byDay = firms.get(h.firmId);
      if (!byDay) firms.set(h.firmId, (byDay = new Map()));
      byDay.set(d, h);
    }
  return firms;
}

/** The statements a firm files: those of its filings in the window (all three if none is known). */
export function firmStatements(byDay: ReadonlyMap<string, HeadLike>): StatementKey[] {
  const seen = new Set<StatementKey>();
  for (const h of byDay.values()) for (const k of STATEMENT_KEYS) if (h.statements[k]) seen.add(k);
  return seen.size ? STATEMENT_KEYS.filter((k) => seen.has(k)) : [...STATEMENT_KEYS];
}

export const missingFilingId = (firmId: string, endDate: string) => alertId('missing-filing', firmId, endDate);

/** Every missing filing in the window, by firm id then day. */
export function findMissing(
  window: CheckWindow,
  headsByDay: ReadonlyMap<string, readonly HeadLike[]>,
  cal: FilingCalendar = CALENDAR,
): MissingFiling[] {
  const out: MissingFiling[] = [];
  const firms = watchedFirms(window, headsByDay);
  for (const firmId of [...firms.keys()].sort()) {
    const byDay = firms.get(firmId)!;
    const statements = firmStatements(byDay);
    const filedDays = [...byDay.keys()].sort();
    const first = filedDays[0]!;
    const latest = byDay.get(filedDays[filedDays.length - 1]!)!;
    let run = 0;
    let last: HeadLike | undefined;
    for (const d of window.days) {
      if (d < first) continue;
      const head = byDay.get(d);
      if (head) {
        run = 0;
        last = head;
        continue;
      }
      const required = statements.filter((s) => cal.isFilingDay(s, d));
      if (required.length === 0) continue; // nothing of this firm's was required: neither filed nor missing
      run++;
      out.push({
        id: missingFilingId(firmId, d),
        firmId,
        firmName: latest.firmName,
        endDate: d,
        statements: required,
        due: cal.dueDay(required[0]!, d),
        deadline: deadlineOf(d, required[0]!),
        inARow: run,
        severity: run >= 2 ? 'critical' : SCHEDULE_ALERT_SEVERITY['missing-filing'],
        lastFiled: last ? { endDate: last.endDate, filingType: last.filingType, submitDate: last.submitDate } : null,
      });
    }
  }
  return out;
}

const ordinal = (n: number) =>
  `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`;

/** The outbox record of a missing filing (filing-level: no statement, no figures). */
export function missingFilingAlert(m: MissingFiling, checkedAt: string): AlertRecord {
  const checked = newYorkTime(checkedAt);
  const detail = [
    `Statements:  ${m.statements.map((s) => FORMS.statements[s].name).join(', ')} required as of ${m.endDate}`,
    `Due:         ${m.due} 12:00 New York time (deadline ${m.deadline})`,
    `Checked:     ${checked.date} ${checked.time} New York time: no filing received`,
    `In a row:    ${ordinal(m.inARow)} filing day in a row without a filing from this firm`,
    `Last filed:  ${m.lastFiled ? `${m.lastFiled.endDate} (${m.lastFiled.filingType}, submitted ${m.lastFiled.submitDate})` : 'nothing in the last 10 filing days before this one'}`,
  ].join('\n');
  return {
    id: m.id,
    kind: 'missing-filing',
    severity: m.severity,
    targetSource: null,
    firmId: m.firmId,
    firmName: m.firmName,
    endDate: m.endDate,
    submitDate: null,
    filingType: null,
    versionKey: null,
    statement: null,
    excess: null,
    target: null,
    shortfall: null,
    previousExcess: null,
    previousDate: m.lastFiled?.endDate ?? null,
    detail,
    source: { bucket: '', key: '' },
  };
}

/** The filing-day questions the check asks, answered safely: a year outside the calendar is "not known" (null). */
export function safePreviousFilingDay(cal: FilingCalendar, statement: StatementKey, iso: string): string | null {
  try {
    return cal.previousFilingDay(statement, iso);
  } catch (e) {
    if (e instanceof CalendarError) return null;
    throw e;
  }
}
