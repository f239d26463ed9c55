/**
 * The shape of the NFA filing-day data (nfa-filing-days.json), checked with zod and then for
 * meaning (known holiday names, real weekdays inside the covered years, nothing listed twice)
 * when the calendar is loaded. A bad file is refused with one line naming the entry and why.
 */
import * as z from '../../zod';
import { STATEMENT_KEYS } from '../forms/schema';

/** Holiday names as @18f/us-federal-holidays gives them, plus Good Friday (not a federal holiday). */
export const FEDERAL_HOLIDAY_NAMES = [
  "New Year's Day",
  'Birthday of Martin Luther King, Jr.',
  "Washington's Birthday",
  'Memorial Day',
  'Juneteenth National Independence Day',
  'Independence Day',
  'Labor Day',
  'Columbus Day',
  'Veterans Day',
  'Thanksgiving Day',
  'Christmas Day',
] as const;
export const GOOD_FRIDAY = 'Good Friday';
export const RULE_NAMES = [...FEDERAL_HOLIDAY_NAMES, GOOD_FRIDAY] as const;
export type RuleName = (typeof RULE_NAMES)[number];

/** Years any date may have (the parser's range); coverage must lie inside. */
export const MIN_YEAR = 1990;
export const MAX_YEAR = 2100;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD');
const note = z.string().trim().min(1, 'say where this comes from');
const confidence = z.enum(['high', 'medium', 'low']);
const required = z.object({ segregation: z.boolean(), secured: z.boolean(), clearedSwaps: z.boolean() }).strict();

export const HolidayRuleSchema = z.object({ holiday: z.enum(RULE_NAMES), required, source: note, confidence }).strict();

export const DayEntrySchema = z
  .object({ date: isoDate, name: z.string().trim().min(1), required, source: note, confidence })
  .strict();

export const CalendarDataSchema = z
  .object({
    description: z.string().optional(),
    coverage: z
      .object({ from: z.number().int().min(MIN_YEAR).max(MAX_YEAR), to: z.number().int().min(MIN_YEAR).max(MAX_YEAR) })
      .strict(),
    holidayRules: z.array(HolidayRuleSchema),
    days: z.array(DayEntrySchema),
  })
  .strict();

export type Confidence = z.infer<typeof confidence>;
export type HolidayRule = z.infer<typeof HolidayRuleSchema>;
export type DayEntry = z.infer<typeof DayEntrySchema>;
export type CalendarData = z.infer<typeof CalendarDataSchema>;

export class CalendarDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalendarDataError';
  }
}

/** A real calendar date (not 2025-02-30), as a UTC day number; undefined if not. */
const DAY_NUMBERS = new Map<string, number>();
export function dayNumber(iso: string): number | undefined {
  const known = DAY_NUMBERS.get(iso);
  if (known !== undefined) return known;
  const n = computeDayNumber(iso);
  // Remembered (the read model asks for the same few thousand days over and over); bounded.
  if (n !== undefined) {
    if (DAY_NUMBERS.size >= 100_000) DAY_NUMBERS.clear();
    DAY_NUMBERS.set(iso, n);
  }
  return n;
}

function computeDayNumber(iso: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return undefined;
  const y = Number.parseInt(iso.slice(0, 4), 10);
  const m = Number.parseInt(iso.slice(5, 7), 10);
  const d = Number.parseInt(iso.slice(8, 10), 10);
  const t = Date.UTC(y, m - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return undefined;
  return t / 86_400_000;
}

const WEEKDAY = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * Check the data (shape, then meaning); returns it typed. `origin` names the file in messages.
 * Every holiday has exactly one rule (the defaults are data, not code); a dated entry is a
 * weekday inside the coverage, listed once.
 */
export function validateCalendarData(input: unknown, origin = 'nfa-filing-days.json'): CalendarData {
  const parsed = CalendarDataSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length
      ? issue.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '')
      : '(top level)';
    throw new CalendarDataError(`${origin}: ${where}: ${issue.message}`);
  }
  const data = parsed.data;
  const { from, to } = data.coverage;
  if (from > to) throw new CalendarDataError(`${origin}: coverage: from ${from} is after to ${to}`);

  const seenRules = new Set<string>();
  data.holidayRules.forEach((r, i) => {
    if (seenRules.has(r.holiday))
      throw new CalendarDataError(`${origin}: holidayRules[${i}]: "${r.holiday}" has a rule already`);
    seenRules.add(r.holiday);
  });
  const missing = RULE_NAMES.filter((n) => !seenRules.has(n));
  if (missing.length)
    throw new CalendarDataError(
      `${origin}: holidayRules: no rule for ${missing.map((n) => `"${n}"`).join(', ')} (every holiday needs one)`,
    );

  const seenDays = new Set<string>();
  data.days.forEach((d, i) => {
    const n = dayNumber(d.date);
    if (n === undefined) throw new CalendarDataError(`${origin}: days[${i}].date: ${d.date} is not a calendar date`);
    const year = Number.parseInt(d.date.slice(0, 4), 10);
    if (year < from || year > to)
      throw new CalendarDataError(`${origin}: days[${i}].date: ${d.date} is outside the coverage ${from}-${to}`);
    const dow = (((n + 4) % 7) + 7) % 7;
    if (dow === 0 || dow === 6)
      throw new CalendarDataError(
        `${origin}: days[${i}].date: ${d.date} is a ${WEEKDAY[dow]}: only weekdays can be filing days`,
      );
    if (seenDays.has(d.date)) throw new CalendarDataError(`${origin}: days[${i}].date: ${d.date} is listed twice`);
    seenDays.add(d.date);
  });
  return data;
}

export { STATEMENT_KEYS };
