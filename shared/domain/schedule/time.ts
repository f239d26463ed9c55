/**
 * New York time for the schedule: deadlines are noon New York time of the due day, the check runs
 * at 12:30 New York time. Pure (Intl with the IANA zone; no clock: instants are passed in).
 */
import { dueDay } from '../calendar';
import type { StatementKey } from '../forms';

export const NEW_YORK = 'America/New_York';
/** When the scheduled check runs, New York time (EventBridge Scheduler: cron(30 12 ? * MON-FRI *) in America/New_York). */
export const CHECK_TIME = { hour: 12, minute: 30 } as const;
/** Statements are due by noon New York time of the due day. */
export const DEADLINE_TIME = { hour: 12, minute: 0 } as const;

const fmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: NEW_YORK,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

export interface NewYorkTime {
  /** YYYY-MM-DD in New York. */
  date: string;
  /** HH:MM in New York. */
  time: string;
  /** Minutes since New York midnight. */
  minutes: number;
}

export class TimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeError';
  }
}

function instantMs(iso: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new TimeError(`not an ISO-8601 time: ${JSON.stringify(iso)}`);
  return ms;
}

/** The New York date and time of an instant. */
export function newYorkTime(instant: string): NewYorkTime {
  const parts = Object.fromEntries(fmt.formatToParts(new Date(instantMs(instant))).map((p) => [p.type, p.value]));
  const hour = Number.parseInt(parts.hour!, 10);
  const minute = Number.parseInt(parts.minute!, 10);
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
    minutes: hour * 60 + minute,
  };
}

/** The instant (ISO, UTC) of a New York wall-clock time on a date. */
export function newYorkInstant(date: string, hour: number, minute: number): string {
  const wall = Date.UTC(
    Number(date.slice(0, 4)),
    Number(date.slice(5, 7)) - 1,
    Number(date.slice(8, 10)),
    hour,
    minute,
  );
  // New York is UTC-5 or UTC-4: start from -5 and correct by what that instant reads in New York.
  let guess = wall + 5 * 3_600_000;
  for (let i = 0; i < 3; i++) {
    const ny = newYorkTime(new Date(guess).toISOString());
    const read = Date.UTC(
      Number(ny.date.slice(0, 4)),
      Number(ny.date.slice(5, 7)) - 1,
      Number(ny.date.slice(8, 10)),
      Math.floor(ny.minutes / 60),
      ny.minutes % 60,
    );
    if (read === wall) break;
    guess += wall - read;
  }
  return new Date(guess).toISOString();
}

const deadlines = new Map<string, string>();
/** The instant a statement as of `endDate` is due: noon New York time of its due day. */
export function deadlineOf(endDate: string, statement: StatementKey = 'segregation'): string {
  const due = dueDay(statement, endDate);
  let at = deadlines.get(due);
  if (at === undefined) {
    if (deadlines.size > 4096) deadlines.clear();
    at = newYorkInstant(due, DEADLINE_TIME.hour, DEADLINE_TIME.minute);
    deadlines.set(due, at);
  }
  return at;
}

/** Whether the deadline of a statement as of `endDate` has passed at `at` (an instant). */
export function deadlinePassed(endDate: string, at: string, statement: StatementKey = 'segregation'): boolean {
  const due = dueDay(statement, endDate);
  const ny = newYorkTime(at);
  return ny.date > due || (ny.date === due && ny.minutes >= DEADLINE_TIME.hour * 60 + DEADLINE_TIME.minute);
}

/**
 * `--at` as people write it: an instant with a zone (`2025-11-28T17:30:00Z`,
 * `2025-11-28T12:30:00-05:00`), a New York wall-clock time (`2025-11-28T12:30`), or a date
 * (`2025-11-28`: the check's own time, 12:30 New York). Returns the instant (ISO, UTC).
 */
export function parseAt(raw: string): string {
  const s = raw.trim();
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const local = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  const valid = (d: string) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === d;
  };
  if (date) {
    if (!valid(s)) throw new TimeError(`not a calendar date: ${s}`);
    return newYorkInstant(s, CHECK_TIME.hour, CHECK_TIME.minute);
  }
  if (local) {
    const [, d, hh, mm, ss] = local;
    if (!valid(d!) || Number(hh) > 23 || Number(mm) > 59 || Number(ss ?? 0) > 59)
      throw new TimeError(`not a time: ${s}`);
    return new Date(Date.parse(newYorkInstant(d!, Number(hh), Number(mm))) + Number(ss ?? 0) * 1000).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s)) {
    const ms = Date.parse(s);
    if (!Number.isFinite(ms) || !valid(s.slice(0, 10))) throw new TimeError(`not an ISO-8601 time: ${s}`);
    return new Date(ms).toISOString();
  }
  throw new TimeError(
    `not an ISO-8601 time or date: ${JSON.stringify(raw)} (e.g. 2025-11-28T12:30:00-05:00, 2025-11-28T12:30 for New York time, or 2025-11-28)`,
  );
}
