/**
 * The scheduled check's work for one invocation (EventBridge Scheduler, 12:30 New York time, Mon-Fri):
 * as of the scheduled time, find the missing filings of the watched firms and put one
 * `missing-filing` alert per firm and day into the outbox, then the day's `digest`. notify
 * publishes both from the outbox like every alert. Every put is conditional on a deterministic id
 * (firm + day; business day), so a retry, a second run or a redelivered schedule sends nothing twice.
 * Reads: one gsi2 query per window day (every firm's effective filing on it); no Scan.
 */
import { alertSubject, type AlertRecord } from '../domain/alerts';
import { CALENDAR, type FilingCalendar } from '../domain/calendar';
import {
  buildDigest,
  digestAlert,
  renderDigest,
  missingJson,
  type DigestJson,
  type MissingJson,
} from '../domain/schedule/digest';
import { checkWindow, findMissing, missingFilingAlert, type HeadLike } from '../domain/schedule/missing';
import type { Store } from '../adapters/store';

/** The partition of the daily digests in the outbox (they belong to no firm-day or object). */
export const DIGEST_PK = 'DIGEST';

export interface ScheduleDeps {
  store: Store;
  now: () => Date;
  calendar?: FilingCalendar;
}

/** An alert the check put into the outbox, or found there from an earlier run. */
export interface ScheduledAlert {
  id: string;
  kind: 'missing-filing' | 'digest';
  severity: string;
  firmId: string | null;
  firmName: string | null;
  endDate: string | null;
  statement: null;
  excess: null;
  target: null;
  shortfall: null;
  subject: string;
  /** Where it is in the table (for reading its state back). */
  pk: string;
  sk: string;
  /** Put by this run (false: it was in the outbox already). */
  created: boolean;
}

export interface ScheduleOutcome {
  at: string;
  businessDay: string;
  /** Why nothing was checked (not a business day), or null. */
  skipped: string | null;
  window: string[];
  missing: MissingJson[];
  alerts: ScheduledAlert[];
  digest: (DigestJson & { text: string }) | null;
}

function row(a: AlertRecord, pk: string, created: boolean): ScheduledAlert {
  return {
    id: a.id,
    kind: a.kind as ScheduledAlert['kind'],
    severity: a.severity,
    firmId: a.firmId,
    firmName: a.firmName,
    endDate: a.endDate,
    statement: null,
    excess: null,
    target: null,
    shortfall: null,
    subject: alertSubject(a),
    pk,
    sk: `A#${a.id}`,
    created,
  };
}

/** Run `work` over `items`, `limit` at a time, results in order. */
async function inBatches<T, R>(items: T[], limit: number, work: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!);
      }
    }),
  );
  return out;
}

export async function runScheduledCheck(deps: ScheduleDeps, at: string): Promise<ScheduleOutcome> {
  const cal = deps.calendar ?? CALENDAR;
  const window = checkWindow(at, cal);
  if (window.skipped)
    return {
      at,
      businessDay: window.businessDay,
      skipped: window.skipped,
      window: [],
      missing: [],
      alerts: [],
      digest: null,
    };

  const heads = await inBatches(window.days, 10, (d) => deps.store.firmsOnDay(d));
  const headsByDay = new Map<string, HeadLike[]>(window.days.map((d, i) => [d, heads[i]!]));
  const missing = findMissing(window, headsByDay, cal);

  const raisedAt = deps.now().toISOString();
  const alerts: ScheduledAlert[] = await inBatches(missing, 8, async (m) => {
    const record = missingFilingAlert(m, at);
    const created = await deps.store.putAlert(record, raisedAt, m.endDate);
    return row(record, `FIRM#${m.firmId}#DAY#${m.endDate}`, created);
  });

  // The digest last: its text names the missing filings just put.
  const digest = buildDigest(window, headsByDay, cal, missing);
  const { text, firmsNotShown } = renderDigest(digest, at);
  digest.firmsNotShown = firmsNotShown;
  const record = digestAlert(digest, text);
  const created = await deps.store.putAlertUnder(DIGEST_PK, record, raisedAt, window.businessDay);
  alerts.push(row(record, DIGEST_PK, created));

  return {
    at,
    businessDay: window.businessDay,
    skipped: null,
    window: window.days,
    missing: missing.map(missingJson),
    alerts,
    digest: { ...digest, text },
  };
}
