/**
 * The filing calendar against dates checked by hand (a 2025 desk calendar, the Federal Reserve's
 * holiday rules: Saturday holidays not moved, Sunday ones on Monday, Juneteenth from 2022), for
 * each statement; due days across holidays; the late-filing rule that uses them; the data file's
 * validation; `segwatch calendar`.
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { calendarCommand } from '../../bin/calendar';
import { run } from '../support/cli';
import {
  CALENDAR,
  CALENDAR_FIRST_YEAR,
  CALENDAR_LAST_YEAR,
  CalendarDataError,
  CalendarError,
  calendarCovers,
  dueDay,
  easterSunday,
  filingDayIndex,
  filingDays,
  FilingCalendar,
  isBusinessDay,
  isFilingDay,
  nextBusinessDay,
  nextFilingDay,
  previousFilingDay,
} from '../../shared/domain/calendar';
import { calendarYearJson } from '../../shared/domain/calendar/print';
import { STATEMENT_KEYS, type StatementKey } from '../../shared/domain/forms';
import { parseFilingText } from '../../shared/domain/parser';
import { reconcile } from '../../shared/domain/reconcile';
import { SAMPLE_2014, sampleText } from './samples';

const DATA = JSON.parse(readFileSync('shared/domain/calendar/nfa-filing-days.json', 'utf8'));
const ALL = STATEMENT_KEYS;
const required = (d: string) => Object.fromEntries(ALL.map((s) => [s, isFilingDay(s, d)]));
const every = (v: boolean) => Object.fromEntries(ALL.map((s) => [s, v]));

describe('business days (Federal Reserve)', () => {
  it.each([
    ['2025-11-27', false, 'Thanksgiving (Thu)'],
    ['2024-11-28', false, 'Thanksgiving 2024'],
    ['2025-11-28', true, 'the Friday after Thanksgiving'],
    ['2025-12-25', false, 'Christmas (Thu)'],
    ['2025-12-24', true, 'Christmas Eve'],
    ['2025-12-26', true, 'the day after Christmas'],
    ['2025-01-01', false, "New Year's Day (Wed)"],
    ['2025-12-31', true, "New Year's Eve"],
    ['2026-01-02', true, 'Friday 1/2/2026'],
    ['2022-06-20', false, 'Juneteenth 2022 (Sunday, observed Monday)'],
    ['2023-06-19', false, 'Juneteenth 2023 (Mon)'],
    ['2025-06-19', false, 'Juneteenth 2025 (Thu)'],
    ['2021-06-18', true, 'Friday before Juneteenth 2021: not yet a Federal Reserve holiday'],
    ['2020-06-19', true, 'June 19, 2020: not a holiday'],
    ['2021-12-24', true, 'Friday before Christmas 2021 (a Saturday): not moved'],
    ['2020-07-03', true, 'Friday before Independence Day 2020 (a Saturday): not moved'],
    ['2023-11-10', true, 'Friday before Veterans Day 2023 (a Saturday): not moved'],
    ['2021-12-31', true, "Friday before New Year's Day 2022 (a Saturday): not moved"],
    ['2023-01-02', false, "New Year's Day 2023 (a Sunday) observed Monday"],
    ['2022-12-26', false, 'Christmas 2022 (a Sunday) observed Monday'],
    ['2021-07-05', false, 'Independence Day 2021 (a Sunday) observed Monday'],
    ['2025-04-18', true, 'Good Friday 2025: not a Federal Reserve holiday'],
    ['2025-01-20', false, 'MLK Day 2025'],
    ['2025-10-13', false, 'Columbus Day 2025'],
    ['2025-11-11', false, 'Veterans Day 2025'],
    ['2025-11-29', false, 'a Saturday'],
    ['2025-11-30', false, 'a Sunday'],
  ])('%s is a business day: %s (%s)', (date, expected) => {
    expect(isBusinessDay(date)).toBe(expected);
  });

  it('does not depend on the time zone the process runs in (the library is used by dateString)', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'UTC']) {
        process.env.TZ = tz;
        const cal = new FilingCalendar(DATA);
        expect(
          cal.fedHolidays(2025).map((h) => h.date),
          tz,
        ).toEqual([
          '2025-01-01',
          '2025-01-20',
          '2025-02-17',
          '2025-05-26',
          '2025-06-19',
          '2025-07-04',
          '2025-09-01',
          '2025-10-13',
          '2025-11-11',
          '2025-11-27',
          '2025-12-25',
        ]);
        expect(cal.isBusinessDay('2021-12-24'), tz).toBe(true);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('Easter by the Gregorian computus, so Good Friday, on dates from the almanac', () => {
    const iso = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);
    expect([2012, 2013, 2015, 2019, 2021, 2024, 2025, 2026, 2027].map((y) => iso(easterSunday(y)))).toEqual([
      '2012-04-08',
      '2013-03-31',
      '2015-04-05',
      '2019-04-21',
      '2021-04-04',
      '2024-03-31',
      '2025-04-20',
      '2026-04-05',
      '2027-03-28',
    ]);
    expect(CALENDAR.day('2024-03-29').goodFriday).toBe(true);
  });
});

describe('filing days, per statement', () => {
  it.each<[string, Record<string, boolean>, string]>([
    ['2025-11-27', every(false), 'Thanksgiving: no statement (NFA 2025)'],
    ['2012-11-22', every(false), 'Thanksgiving 2012 (rule)'],
    ['2025-12-25', every(false), 'Christmas: no statement (NFA 2025)'],
    ['2022-12-26', every(false), 'Christmas 2022 observed on Monday: the rule follows the holiday'],
    ['2025-01-01', every(false), "New Year's Day: no statement (NFA 2025)"],
    ['2023-01-02', every(false), "New Year's Day 2023 observed on Monday"],
    ['2025-01-20', every(true), 'MLK Day: every statement (NFA 2025)'],
    ['2025-02-17', every(true), "Presidents' Day (NFA 2025)"],
    ['2025-05-26', every(true), 'Memorial Day (NFA 2025)'],
    [
      '2013-05-27',
      { segregation: false, secured: true, clearedSwaps: false },
      'Memorial Day 2013: Secured Amounts only',
    ],
    ['2025-06-19', every(true), 'Juneteenth 2025 (NFA 2025)'],
    ['2022-06-20', every(true), 'Juneteenth 2022, observed Monday (rule, from 2022)'],
    ['2021-06-18', every(true), 'June 18, 2021: a plain business day'],
    ['2021-12-24', every(false), 'Friday before a Saturday Christmas: exchanges closed (dated entry)'],
    ['2023-11-10', every(true), 'Friday before a Saturday Veterans Day: a plain business day'],
    ['2021-12-31', every(true), "Friday before a Saturday New Year's Day: exchanges open"],
    ['2025-04-18', every(false), 'Good Friday 2025 (rule: no statement)'],
    ['2024-03-29', every(false), 'Good Friday 2024'],
    ['2021-04-02', every(true), 'Good Friday 2021 (dated entry: a jobs-report session)'],
    ['2025-07-04', every(false), 'Independence Day (chosen rule)'],
    ['2025-10-13', every(true), 'Columbus Day (chosen rule)'],
    ['2025-11-29', every(false), 'a Saturday'],
    ['2025-11-26', every(true), 'a plain Wednesday'],
  ])('%s', (date, expected) => {
    expect(required(date)).toEqual(expected);
  });

  it('previous and next filing days step over holidays, per statement', () => {
    for (const s of ALL) {
      expect(previousFilingDay(s, '2025-11-28')).toBe('2025-11-26');
      expect(nextFilingDay(s, '2025-11-26')).toBe('2025-11-28');
      expect(previousFilingDay(s, '2026-01-02')).toBe('2025-12-31');
      expect(previousFilingDay(s, '2025-04-21')).toBe('2025-04-17'); // over Good Friday
      expect(previousFilingDay(s, '2025-01-21')).toBe('2025-01-20'); // MLK Day is a filing day
    }
    expect(previousFilingDay('segregation', '2013-05-28')).toBe('2013-05-24');
    expect(previousFilingDay('secured', '2013-05-28')).toBe('2013-05-27');
    expect(nextFilingDay('clearedSwaps', '2013-05-24')).toBe('2013-05-28');
  });

  it('filingDays and filingDayIndex agree: consecutive filing days, consecutive indexes', () => {
    const days = filingDays('segregation', '2025-11-20', '2025-12-05');
    expect(days).toEqual([
      '2025-11-20',
      '2025-11-21',
      '2025-11-24',
      '2025-11-25',
      '2025-11-26',
      '2025-11-28',
      '2025-12-01',
      '2025-12-02',
      '2025-12-03',
      '2025-12-04',
      '2025-12-05',
    ]);
    const idx = days.map((d) => filingDayIndex('segregation', d));
    for (let i = 1; i < idx.length; i++) expect(idx[i]).toBe(idx[i - 1]! + 1);
    expect(filingDayIndex('segregation', '2025-11-27')).toBe(filingDayIndex('segregation', '2025-11-26'));
    // New Year's Day 2012 was a Sunday, observed Monday the 2nd: the 3rd is the first filing day.
    expect(filingDayIndex('segregation', '2012-01-02')).toBe(-1);
    expect(filingDayIndex('segregation', `${CALENDAR_FIRST_YEAR}-01-03`)).toBe(0);
    expect(filingDays('secured', '2013-05-24', '2013-05-28')).toEqual(['2013-05-24', '2013-05-27', '2013-05-28']);
  });

  it('covers 2012 through 2027 at least, and refuses other years rather than guess', () => {
    expect(CALENDAR_FIRST_YEAR).toBeLessThanOrEqual(2012);
    expect(CALENDAR_LAST_YEAR).toBeGreaterThanOrEqual(2027);
    expect(calendarCovers('2027-12-31')).toBe(true);
    expect(calendarCovers('2028-01-03')).toBe(false);
    expect(() => isFilingDay('segregation', '2028-01-03')).toThrow(CalendarError);
    expect(() => isFilingDay('segregation', '2011-12-30')).toThrow(/covers 2012-2027, not 2011/);
    expect(() => previousFilingDay('segregation', '2012-01-02')).toThrow(CalendarError);
    expect(() => isFilingDay('segregation', '2025-02-30')).toThrow(/not an ISO date/);
    // Business days are federal law: known beyond the NFA data (the late-filing rule needs them for any filing).
    expect(nextBusinessDay('2028-11-22')).toBe('2028-11-24');
  });
});

describe('due days (noon New York time of the next business day)', () => {
  it.each<[string, string, string]>([
    ['2025-11-26', '2025-11-28', 'Wed before Thanksgiving: due Friday'],
    ['2025-11-28', '2025-12-01', 'Friday after Thanksgiving: due Monday'],
    ['2025-12-24', '2025-12-26', 'Christmas Eve: due the 26th'],
    ['2025-12-31', '2026-01-02', "New Year's Eve: due January 2"],
    ['2025-01-17', '2025-01-21', 'Friday before MLK Day: due Tuesday'],
    ['2025-01-20', '2025-01-21', 'MLK Day itself: due Tuesday'],
    ['2025-04-17', '2025-04-18', 'Thursday before Good Friday: due Good Friday (a business day)'],
    ['2021-12-23', '2021-12-24', 'before a Saturday Christmas: due the Friday, a business day'],
    ['2022-12-30', '2023-01-03', "before a Sunday New Year's Day: due Tuesday"],
    ['2021-07-02', '2021-07-06', 'before a Sunday Independence Day: due Tuesday'],
    ['2022-06-17', '2022-06-21', 'before Juneteenth 2022 (observed Monday): due Tuesday'],
    ['2021-06-17', '2021-06-18', 'before Juneteenth 2021 (not a Fed holiday yet): due Friday'],
    ['2013-05-24', '2013-05-28', 'before Memorial Day 2013'],
  ])('as of %s, due %s (%s)', (endDate, due) => {
    for (const s of ALL) expect(dueDay(s as StatementKey, endDate)).toBe(due);
  });

  const late = (end: string, submit: string, type = 'INITIAL') => {
    const us = (iso: string) => iso.replace(/^(\d{4})-0?(\d+)-0?(\d+)$/, '$2/$3/$1');
    const text = sampleText(SAMPLE_2014)
      .replaceAll('End Date:11/6/2014', `End Date:${us(end)}`)
      .replaceAll('Submit Date:11/7/2014', `Submit Date:${us(submit)}`)
      .replaceAll('**INITIAL**', `**${type}**`);
    return reconcile(parseFilingText(text).filing).findings.some((f) => f.ruleId === 'SW130');
  };

  it('the late-filing rule uses them: on time across Thanksgiving, Christmas and New Year; late after the due day', () => {
    expect(late('2025-11-26', '2025-11-28')).toBe(false);
    expect(late('2025-11-26', '2025-12-01')).toBe(true);
    expect(late('2025-11-28', '2025-12-01')).toBe(false);
    expect(late('2025-11-28', '2025-12-02')).toBe(true);
    expect(late('2025-12-24', '2025-12-26')).toBe(false);
    expect(late('2025-12-31', '2026-01-02')).toBe(false);
    expect(late('2025-12-31', '2026-01-05')).toBe(true);
    expect(late('2025-01-17', '2025-01-21')).toBe(false);
    expect(late('2025-12-31', '2026-01-05', 'AMENDMENT')).toBe(false);
  });
});

describe('the data file is checked when loaded', () => {
  const clone = () => JSON.parse(JSON.stringify(DATA));
  const refused = (edit: (d: any) => void) => {
    const d = clone();
    edit(d);
    try {
      new FilingCalendar(d, 'edited.json');
    } catch (e) {
      expect(e).toBeInstanceOf(CalendarDataError);
      return (e as Error).message;
    }
    throw new Error('accepted');
  };

  it('the shipped file is valid, every entry says where it comes from, and covers 2012-2027', () => {
    const cal = new FilingCalendar(DATA);
    expect([cal.firstYear, cal.lastYear]).toEqual([2012, 2027]);
    for (const e of [...DATA.holidayRules, ...DATA.days]) {
      expect(e.source.length).toBeGreaterThan(20);
      expect(['high', 'medium', 'low']).toContain(e.confidence);
    }
    // A dated entry on a federal holiday is on that holiday (not a day off).
    for (const e of DATA.days) {
      const info = cal.day(e.date);
      if (info.holiday)
        expect(e.name.toLowerCase(), e.date).toContain(
          info.holiday === 'Birthday of Martin Luther King, Jr.'
            ? 'martin luther king'
            : info.holiday === "Washington's Birthday"
              ? 'presidents'
              : info.holiday.split(' ')[0]!.toLowerCase(),
        );
    }
  });

  it.each<[string, (d: any) => void, RegExp]>([
    [
      'a Saturday',
      (d) => d.days.push({ ...d.days[0], date: '2025-11-29' }),
      /days\[\d+\]\.date: 2025-11-29 is a Saturday/,
    ],
    ['a day listed twice', (d) => d.days.push({ ...d.days[1] }), /is listed twice/],
    ['not a calendar date', (d) => (d.days[0].date = '2025-02-30'), /2025-02-30 is not a calendar date/],
    ['a date outside the coverage', (d) => (d.days[0].date = '2030-01-02'), /outside the coverage 2012-2027/],
    ['no source', (d) => (d.days[0].source = ' '), /days\[0\]\.source: say where this comes from/],
    ['a statement left out', (d) => delete d.days[0].required.clearedSwaps, /days\[0\]\.required\.clearedSwaps/],
    ['an unknown confidence', (d) => (d.holidayRules[0].confidence = 'sure'), /holidayRules\[0\]\.confidence/],
    ['an unknown holiday', (d) => (d.holidayRules[0].holiday = 'Boxing Day'), /holidayRules\[0\]\.holiday/],
    ['a holiday without a rule', (d) => d.holidayRules.splice(5, 1), /no rule for "Independence Day"/],
    [
      'a holiday ruled twice',
      (d) => d.holidayRules.push({ ...d.holidayRules[0] }),
      /"New Year's Day" has a rule already/,
    ],
    ['an unknown key', (d) => (d.days[0].requried = {}), /days\[0\]/],
    ['coverage backwards', (d) => (d.coverage = { from: 2027, to: 2012 }), /coverage: from 2027 is after to 2012/],
    ['a bad date format', (d) => (d.days[0].date = '4/6/2012'), /days\[0\]\.date: a date is YYYY-MM-DD/],
  ])('refuses %s, naming the entry', (_, edit, message) => {
    const m = refused(edit);
    expect(m).toMatch(/^edited\.json: /);
    expect(m).toMatch(message);
    expect(m.split('\n')).toHaveLength(1);
  });

  it('a correction is data: marking a day changes the calendar, no code', () => {
    const d = clone();
    d.days.push({
      date: '2026-04-03',
      name: 'Good Friday',
      required: { segregation: true, secured: true, clearedSwaps: false },
      source: 'NFA notice (test)',
      confidence: 'high',
    });
    const cal = new FilingCalendar(d);
    expect(cal.isFilingDay('segregation', '2026-04-03')).toBe(true);
    expect(cal.isFilingDay('clearedSwaps', '2026-04-03')).toBe(false);
    expect(CALENDAR.isFilingDay('segregation', '2026-04-03')).toBe(false);
    d.coverage.to = 2028;
    expect(new FilingCalendar(d).isFilingDay('segregation', '2028-01-03')).toBe(true);
  });
});

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}
async function cli(command: 'calendar', ...argv: string[]) {
  void command;
  const out = new Sink();
  const err = new Sink();
  const code = await calendarCommand(argv, out, err, () => new Date('2025-06-01T12:00:00Z'));
  return { code, out: out.text, err: err.text };
}

describe('segwatch calendar', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segwatch-cal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints per statement the filing days and due days, holidays marked with their source', async () => {
    const r = await cli('calendar', '2025');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Thu 2025-11-27  Thanksgiving Day\s+Fed holiday\s+no statement required/);
    expect(r.out).toMatch(/Wed 2025-11-26  due Fri 2025-11-28  due Fri 2025-11-28  due Fri 2025-11-28/);
    expect(r.out).toMatch(/Fri 2025-11-28  due Mon 2025-12-01 {2}due Mon 2025-12-01 {2}due Mon 2025-12-01/);
    expect(r.out).toMatch(/Thu 2025-11-27  - +- +- +\* Thanksgiving Day \(Fed holiday, no statement\)/);
    expect(r.out).toMatch(/Fri 2025-04-18  Good Friday\s+business day\s+no statement required/);
    expect(r.out).toMatch(/holiday rule, low confidence: Not a Federal Reserve holiday/);
    const y2013 = await cli('calendar', '2013');
    expect(y2013.out).toMatch(/Mon 2013-05-27  - +due Tue 2013-05-28  - +\* Memorial Day/);
  });

  it('--json: per statement its filing days with due days, and the holidays', async () => {
    const r = await cli('calendar', '2025', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toEqual(calendarYearJson(CALENDAR, 2025));
    expect(j.statements.segregation.filingDays).toContainEqual({ date: '2025-11-26', due: '2025-11-28' });
    expect(j.statements.segregation.filingDays.map((d: { date: string }) => d.date)).not.toContain('2025-11-27');
    expect(j.holidays.find((h: { date: string }) => h.date === '2025-11-27')).toMatchObject({
      name: 'Thanksgiving Day',
      fedHoliday: true,
      businessDay: false,
      required: every(false),
      confidence: 'medium',
    });
    const y2021 = JSON.parse((await cli('calendar', '2021', '--json')).out);
    expect(y2021.holidays.find((h: { date: string }) => h.date === '2021-12-25')).toMatchObject({
      weekday: 'Sat',
      basis: 'saturday holiday',
    });
  });

  it('is a segwatch command (bin/cli.ts), this year by default', async () => {
    const r = await run(['calendar']);
    const year = new Date().getUTCFullYear(); // (near New Year, New York's year may differ by one)
    if (calendarCovers(`${year}-07-01`)) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Filing calendar (${year - 1}|${year}|${year + 1}) `));
    } else expect(r.stderr).toMatch(/the filing calendar covers/);
    expect((await run(['--help'])).stdout).toMatch(/calendar \[YEAR\]/);
  });

  it('a year outside the data, a bad year, a bad --data file: one line, exit 2', async () => {
    const outside = await cli('calendar', '2031');
    expect([outside.code, outside.err.trim()]).toEqual([
      2,
      'segwatch calendar: the filing calendar covers 2012-2027, not 2031',
    ]);
    expect((await cli('calendar', 'next')).code).toBe(2);
    const bad = join(dir, 'bad.json');
    const d = JSON.parse(JSON.stringify(DATA));
    d.days[0].date = '2025-11-29';
    writeFileSync(bad, JSON.stringify(d));
    const r = await cli('calendar', '--data', bad, '2025');
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(`${bad}: days[0].date: 2025-11-29 is a Saturday`);
    const good = join(dir, 'good.json');
    d.days[0].date = '2026-04-03';
    writeFileSync(good, JSON.stringify(d));
    expect((await cli('calendar', '--data', good, '2026')).out).toMatch(
      /Fri 2026-04-03  Good Friday\s+business day\s+every statement required, due Mon 2026-04-06/,
    );
  });
});
