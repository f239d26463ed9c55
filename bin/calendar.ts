/**
 * `segwatch calendar [YEAR] [--json] [--data FILE]`: the filing calendar of a year (default: this
 * year, in New York): per statement its filing days and due days, the holidays and exceptions
 * marked with their source. `--data FILE` reads an edited copy of
 * shared/domain/calendar/nfa-filing-days.json instead (it is validated the same way), so a
 * correction can be checked before it is committed.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CALENDAR, CalendarDataError, CalendarError, FilingCalendar } from '../shared/domain/calendar';
import { calendarYearJson, renderCalendarYear } from '../shared/domain/calendar/print';
import { newYorkTime } from '../shared/domain/schedule/time';

const USAGE = 'usage: segwatch calendar [YEAR] [--json] [--data FILE]';

export async function calendarCommand(
  args: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  now: () => Date = () => new Date(),
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, data: { type: 'string' } },
    });
  } catch (e) {
    err.write(`segwatch calendar: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  // `segwatch calendar | head`: a reader that stops early is not an error (no EPIPE stack trace).
  out.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  if (positionals.length > 1) {
    err.write(`segwatch calendar: one YEAR at most\n${USAGE}\n`);
    return 2;
  }
  let cal = CALENDAR;
  if (values.data !== undefined) {
    let text: string;
    try {
      text = readFileSync(values.data, 'utf8');
    } catch (e) {
      err.write(
        `segwatch calendar: ${values.data}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`,
      );
      return 2;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      err.write(`segwatch calendar: ${values.data}: not JSON (${(e as Error).message})\n`);
      return 2;
    }
    try {
      cal = new FilingCalendar(json, values.data);
    } catch (e) {
      if (e instanceof CalendarDataError) {
        err.write(`segwatch calendar: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  }
  const raw = positionals[0] ?? newYorkTime(now().toISOString()).date.slice(0, 4);
  if (!/^\d{4}$/.test(raw)) {
    err.write(`segwatch calendar: YEAR must be four digits, not ${JSON.stringify(raw)}\n${USAGE}\n`);
    return 2;
  }
  const year = Number.parseInt(raw, 10);
  try {
    if (values.json) out.write(`${JSON.stringify(calendarYearJson(cal, year), null, 2)}\n`);
    else out.write(`${renderCalendarYear(cal, year)}\n`);
  } catch (e) {
    if (e instanceof CalendarError) {
      err.write(`segwatch calendar: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  return 0;
}
