/**
 * The filing calendar of one year (shared/domain/calendar): per statement the days a statement is
 * required and the business day it is due; holidays (weekdays that are not business days) marked.
 */
import { MONTHS } from '../../../shared/domain/calendar/print';
import {
  CALENDAR_FIRST_YEAR,
  CALENDAR_LAST_YEAR,
  dueDay,
  filingDays,
  isBusinessDay,
} from '../../../shared/domain/calendar';
import { STATEMENT_KEYS, type StatementKey } from '../../../shared/domain/forms';
import { h, page, statementName, type Html, type PageOptions } from './html';

/** `/api/calendar/YYYY`. */
export interface CalendarJson {
  year: number;
  /** Weekdays that are not business days (Federal Reserve holidays). */
  holidays: string[];
  /** Per statement, every day it is required and the business day it is due (by noon, New York). */
  statements: Record<StatementKey, { endDate: string; due: string }[]>;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const ABBR: Record<StatementKey, string> = { segregation: 'Seg', secured: 'Sec', clearedSwaps: 'Swp' };

const pad = (n: number) => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
const utc = (s: string) => new Date(`${s}T00:00:00Z`);
/** 0 = Monday. */
const weekday = (s: string) => (utc(s).getUTCDay() + 6) % 7;
function nextWeekday(s: string): string {
  const d = utc(s);
  do d.setUTCDate(d.getUTCDate() + 1);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6);
  return d.toISOString().slice(0, 10);
}

export function calendarJson(year: number): CalendarJson {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const statements = {} as CalendarJson['statements'];
  for (const k of STATEMENT_KEYS)
    statements[k] = filingDays(k, from, to).map((d) => ({ endDate: d, due: dueDay(k, d) }));
  const holidays: string[] = [];
  for (let m = 1; m <= 12; m++)
    for (let d = 1; d <= 31; d++) {
      const s = iso(year, m, d);
      if (utc(s).getUTCMonth() !== m - 1) break;
      if (weekday(s) < 5 && !isBusinessDay(s)) holidays.push(s);
    }
  return { year, holidays, statements };
}

export const CALENDAR_YEARS = { first: CALENDAR_FIRST_YEAR, last: CALENDAR_LAST_YEAR };

export function calendarPage(cal: CalendarJson, o: Omit<PageOptions, 'title' | 'nav'>): Html {
  const required = new Map<string, StatementKey[]>();
  const due = new Map<string, string>();
  for (const k of STATEMENT_KEYS)
    for (const f of cal.statements[k]) {
      required.set(f.endDate, [...(required.get(f.endDate) ?? []), k]);
      // Worth saying only when it is not simply the next weekday (a holiday in between).
      if (f.due !== nextWeekday(f.endDate)) due.set(f.endDate, f.due);
    }
  const holidays = new Set(cal.holidays);
  const months = MONTHS.map((name, mi) => {
    const first = iso(cal.year, mi + 1, 1);
    const cells: Html[] = [];
    for (let i = 0; i < weekday(first); i++) cells.push(h`<td></td>`);
    for (let d = 1; d <= 31; d++) {
      const s = iso(cal.year, mi + 1, d);
      if (utc(s).getUTCMonth() !== mi) break;
      const we = weekday(s) >= 5;
      const req = required.get(s) ?? [];
      const cls = we ? 'we' : holidays.has(s) ? 'hol' : '';
      cells.push(
        h`<td class="${cls}" data-date="${s}"><b>${d}</b>${holidays.has(s) ? h`<span>holiday</span>` : ''}${
          req.length ? h`<span>${req.map((k) => ABBR[k]).join(' ')}</span>` : ''
        }${due.has(s) ? h`<span class="due">due ${due.get(s)!.slice(5)}</span>` : ''}</td>`,
      );
    }
    const rows: Html[] = [];
    for (let i = 0; i < cells.length; i += 7) rows.push(h`<tr>${cells.slice(i, i + 7)}</tr>`);
    return h`<table class="month"><caption>${name} ${cal.year}</caption><thead><tr>${WEEKDAYS.map((w) => h`<th scope="col">${w}</th>`)}</tr></thead><tbody>${rows}</tbody></table>`;
  });
  // Days worth a line of their own: holidays, and days only some statements are required.
  const exceptions = [
    ...new Set([
      ...cal.holidays,
      ...[...required].filter(([, ks]) => ks.length < STATEMENT_KEYS.length).map(([d]) => d),
    ]),
  ].sort();
  const counts = STATEMENT_KEYS.map((k) => `${statementName(k)}: ${cal.statements[k].length} days`).join(' · ');
  const body = h`<h1>Filing calendar ${cal.year}</h1>
<p class="lede">${counts}. A statement as of a day is due by noon (New York) of the next business day.</p>
<nav class="pager" aria-label="Years">
${cal.year > CALENDAR_YEARS.first ? h`<a rel="prev" href="/calendar/${cal.year - 1}">\u2190 ${cal.year - 1}</a>` : ''}
${cal.year < CALENDAR_YEARS.last ? h`<a rel="next" href="/calendar/${cal.year + 1}">${cal.year + 1} \u2192</a>` : ''}
<a class="noprint" href="/api/calendar/${cal.year}">JSON</a>
</nav>
<p class="muted">In each day: the statements required as of that day (Seg: segregation, Sec: secured amounts, Swp: cleared swaps); "due" when the due day is not the next weekday; holidays shaded.</p>
<div class="months">${months}</div>
<h2>Holidays and partial days</h2>
${
  exceptions.length
    ? h`<table><caption>Days that are holidays or on which only some statements are required, ${cal.year}</caption>
<thead><tr><th scope="col">Day</th><th scope="col">Weekday</th><th scope="col">Business day</th>${STATEMENT_KEYS.map((k) => h`<th scope="col">${statementName(k)}</th>`)}</tr></thead>
<tbody>${exceptions.map((d) => {
        const req = required.get(d) ?? [];
        return h`<tr><th scope="row">${d}</th><td>${WEEKDAYS[weekday(d)]}</td><td>${holidays.has(d) ? 'no (holiday)' : 'yes'}</td>${STATEMENT_KEYS.map(
          (k) =>
            h`<td>${req.includes(k) ? `required, due ${cal.statements[k].find((f) => f.endDate === d)!.due}` : 'not required'}</td>`,
        )}</tr>`;
      })}</tbody></table>`
    : h`<p>None.</p>`
}`;
  return page({ ...o, title: `Calendar ${cal.year}`, nav: 'calendar' }, body);
}
