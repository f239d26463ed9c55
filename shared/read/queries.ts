/**
 * The one query module the CLI, the daily digest and the dashboard use (ReadQueries of
 * shared/read/types.ts), over the read port (shared/read/source.ts): DynamoDB (StoreSource) or
 * memory (MemorySource). Every read is a key or index lookup; pages are followed underneath and
 * whole results returned on top. Pure: no AWS imports.
 *
 * Defaults:
 * - history: `to` = the firm's latest filing day, `from` = 12 months before `to` (the day after
 *   the same date a year earlier); a range given in part is completed the same way.
 * - board: the latest filing day on which any registered firm filed.
 * - alerts: without dates, the 31 days up to today and the 31 days up to the latest filing day
 *   (filing days and today can be years apart, as with the demo's 2014 filings); `--from` alone
 *   runs to today or the latest filing day, whichever is later; `--to` alone starts 30 days before it.
 */
import { ALERT_SEVERITY, alertSubject, ascii } from '../domain/alerts';
import { CalendarError } from '../domain/calendar';
import { STATEMENT_KEYS, type StatementKey } from '../domain/forms';
import { str } from '../domain/money';
import { isAnyFilingDay, watchDays } from '../domain/watched';
import {
  historyDays,
  inEffectiveOrder,
  lookbackFrom,
  versionStanding,
  previousDayOf,
  sortBoard,
  statementsDay,
  submittedLate,
  versionFacts,
  type BoardEntry,
  type DayRecord,
} from './model';
import type { AlertView, FirmRef, ReadSource } from './source';
import {
  ReadError,
  type AlertRow,
  type AlertsJson,
  type AlertsQuery,
  type BoardJson,
  type HistoryJson,
  type HistoryQuery,
  type ReadQueries,
  type ShowJson,
  type VersionRow,
} from './types';

/** How many reads run at once (a day range of alerts is one Query per day). */
export const READ_CONCURRENCY = 16;
/** The longest alert range asked in one call (one Query per day). */
export const MAX_ALERT_RANGE_DAYS = 7320;
const SEVERITIES = ['critical', 'warning', 'info'] as const;
/** Up to this many registered firms without a filing on the board's day are checked one by one (else by the window's days). */
export const MISSING_BY_FIRM = 16;

export interface ReadQueryOptions {
  /** The clock (alerts' default range). */
  now?: () => Date;
  concurrency?: number;
  /** See MISSING_BY_FIRM. */
  missingByFirm?: number;
}

// ---- dates ----------------------------------------------------------------------------------

export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function checkDate(s: string | undefined, what: string): void {
  if (s !== undefined && !isIsoDate(s))
    throw new ReadError('bad-date', `${what} ${JSON.stringify(s)} is not a date (YYYY-MM-DD)`);
}

export function addDays(iso: string, n: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The first day of the 12 months ending on `to`: the day after the same date a year earlier (Feb 29 -> Feb 28). */
export function yearBefore(to: string): string {
  const [y, m, d] = to.split('-');
  const prev = `${Number(y) - 1}-${m}-${d}`;
  return addDays(isIsoDate(prev) ? prev : `${Number(y) - 1}-${m}-28`, 1);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function dateRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Map with at most `n` calls in flight, results in input order. */
export async function mapLimit<T, R>(items: readonly T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

// ---- firms ----------------------------------------------------------------------------------

const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * A firm by id, or by an unambiguous, case-insensitive prefix of its name: an exact id wins, then
 * an exact name, then the one name that starts with `query`. Unknown or ambiguous: a ReadError.
 */
export function resolveFirm(firms: readonly FirmRef[], query: string): FirmRef {
  const q = norm(query);
  if (!q) throw new ReadError('unknown-firm', 'no firm given');
  const byId = firms.find((f) => f.firmId.toLowerCase() === q);
  if (byId) return byId;
  const exact = firms.filter((f) => norm(f.firmName) === q);
  if (exact.length === 1) return exact[0];
  const prefixed = exact.length > 1 ? exact : firms.filter((f) => norm(f.firmName).startsWith(q));
  if (prefixed.length === 1) return prefixed[0];
  if (prefixed.length === 0)
    throw new ReadError('unknown-firm', `no firm has the id or a name starting with ${JSON.stringify(query)}`);
  const names = prefixed
    .slice(0, 6)
    .map((f) => `${f.firmName} (${f.firmId})`)
    .join(', ');
  throw new ReadError(
    'ambiguous-firm',
    `${JSON.stringify(query)} matches ${prefixed.length} firms: ${names}${prefixed.length > 6 ? ', ...' : ''}; give more of the name or the firm id`,
  );
}

// ---- alerts ---------------------------------------------------------------------------------

export function alertRow(a: AlertView): AlertRow {
  let subject: string;
  if (a.kind in ALERT_SEVERITY) subject = alertSubject(a);
  else subject = ascii(`[${a.kind.toUpperCase()}] ${a.firmName ?? ''} ${a.endDate ?? ''}`).slice(0, 100);
  return {
    id: a.id,
    kind: a.kind,
    severity: a.severity,
    firmId: a.firmId,
    firmName: a.firmName,
    endDate: a.endDate,
    statement: a.statement,
    excess: a.excess === null ? null : str(a.excess),
    target: a.target === null ? null : str(a.target),
    shortfall: a.shortfall === null ? null : str(a.shortfall),
    subject,
    state: a.state,
    sentAt: a.sentAt ?? null,
  };
}

/** Newest first: by the day the alert is filed under, then when it was raised, then id (stable). */
function byNewest(a: { day: string; v: AlertView }, b: { day: string; v: AlertView }): number {
  if (a.day !== b.day) return a.day < b.day ? 1 : -1;
  if (a.v.raisedAt !== b.v.raisedAt) return a.v.raisedAt < b.v.raisedAt ? 1 : -1;
  return a.v.id < b.v.id ? -1 : a.v.id > b.v.id ? 1 : 0;
}

// ---- the queries ----------------------------------------------------------------------------

export class Queries implements ReadQueries {
  private readonly now: () => Date;
  private readonly concurrency: number;
  private readonly missingByFirm: number;

  constructor(
    readonly source: ReadSource,
    options: ReadQueryOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.concurrency = options.concurrency ?? READ_CONCURRENCY;
    this.missingByFirm = options.missingByFirm ?? MISSING_BY_FIRM;
  }

  async firm(query: string): Promise<FirmRef> {
    return resolveFirm(await this.source.listFirms(), query);
  }

  /**
   * The firm `query` names and `fetch(firmId)`. When `query` looks like a firm id, the fetch starts
   * at once, beside the registry read that resolves it (one round trip instead of two); its answer
   * is used only if the registry confirms the id.
   */
  private async firmAnd<T>(query: string, fetch: (firmId: string) => Promise<T>): Promise<{ firm: FirmRef; data: T }> {
    const guess = query.trim().toLowerCase();
    const early = /^[a-z0-9][a-z0-9-]*$/.test(guess) ? fetch(guess) : undefined;
    early?.catch(() => undefined);
    const firm = await this.firm(query);
    return { firm, data: early && firm.firmId === guess ? await early : await fetch(firm.firmId) };
  }

  /** The latest filing day on which any registered firm filed (undefined: none yet). */
  async latestDay(): Promise<string | undefined> {
    const firms = await this.source.listFirms();
    const days = await mapLimit(firms, this.concurrency, (f) => this.source.latestFirmDay(f.firmId));
    let latest: string | undefined;
    for (const d of days) if (d && (!latest || d.endDate > latest)) latest = d.endDate;
    return latest;
  }

  /** Fill `versions` and `late` of days whose head does not record them, from their versions. */
  private async withFacts(days: DayRecord[], need: { versions: boolean; late: boolean }): Promise<void> {
    const todo = days.filter((d) => (need.versions && d.versions === undefined) || (need.late && d.late === undefined));
    // An initial with no versions needed: late from its own submit date, no read.
    const reads = todo.filter((d) => need.versions || d.filingType !== 'INITIAL');
    for (const d of todo)
      if (!reads.includes(d))
        d.late = submittedLate(d.endDate, d.submitDate, Object.keys(d.statements) as StatementKey[]);
    await mapLimit(reads, this.concurrency, async (d) => {
      const facts = versionFacts(d, await this.source.versionSummaries(d.firmId, d.endDate));
      if (d.versions === undefined) d.versions = facts.versions || 1;
      if (d.late === undefined) d.late = facts.late;
    });
  }

  async history(firm: string, q: HistoryQuery = {}): Promise<HistoryJson> {
    checkDate(q.from, 'from');
    checkDate(q.to, 'to');
    if (q.statement !== undefined && !(STATEMENT_KEYS as readonly string[]).includes(q.statement))
      throw new ReadError(
        'bad-query',
        `unknown statement ${JSON.stringify(q.statement)} (${STATEMENT_KEYS.join(', ')})`,
      );
    if (q.from && q.to && q.from > q.to) throw new ReadError('bad-query', `from ${q.from} is after to ${q.to}`);
    let f: FirmRef;
    let days: DayRecord[];
    let latest: DayRecord | undefined;
    let from: string;
    let to: string;
    if (q.to !== undefined) {
      to = q.to;
      from = q.from ?? yearBefore(to);
      const range = { from, to };
      ({ firm: f, data: days } = await this.firmAnd(firm, (id) =>
        this.source.firmDays(id, lookbackFrom(range.from), range.to),
      ));
    } else {
      ({ firm: f, data: latest } = await this.firmAnd(firm, (id) => this.source.latestFirmDay(id)));
      to = latest?.endDate ?? q.from ?? this.now().toISOString().slice(0, 10);
      if (q.from && to < q.from) to = q.from;
      from = q.from ?? yearBefore(to);
      days = await this.source.firmDays(f.firmId, lookbackFrom(from), to);
    }
    const inRange = days.filter((d) => d.endDate >= from && (!q.statement || d.statements[q.statement]));
    await this.withFacts(inRange, { versions: true, late: true });
    const last = inRange[inRange.length - 1] ?? latest;
    return { firmId: f.firmId, firmName: last?.firmName ?? f.firmName, days: historyDays(days, from, to, q.statement) };
  }

  async board(date?: string): Promise<BoardJson> {
    checkDate(date, 'date');
    const d = date ?? (await this.latestDay());
    if (!d) throw new ReadError('no-filing', 'no firm has filed anything yet');
    let window: string[];
    try {
      window = watchDays(d);
    } catch (e) {
      if (e instanceof CalendarError) throw new ReadError('bad-date', e.message);
      throw e;
    }
    const previous = new Set<string>();
    for (const k of STATEMENT_KEYS) {
      const p = previousDayOf(k, d);
      if (p) previous.add(p);
    }
    const full = [d, ...[...previous].filter((p) => p !== d)];
    const [fullDays, registry, alerts] = await Promise.all([
      mapLimit(full, this.concurrency, (x) => this.source.daysOn(x)),
      this.source.listFirms(),
      this.source.alertsOn(d),
    ]);
    const today = fullDays[0];
    await this.withFacts(today, { versions: false, late: true });
    const prevByFirm = new Map<string, Map<string, DayRecord>>();
    for (const list of fullDays.slice(1))
      for (const r of list) {
        const m = prevByFirm.get(r.firmId) ?? new Map<string, DayRecord>();
        prevByFirm.set(r.firmId, m);
        m.set(r.endDate, r);
      }
    const alertsByFirm = new Map<string, AlertView[]>();
    for (const a of alerts.sort((x, y) => byNewest({ day: d, v: x }, { day: d, v: y })))
      if (a.firmId) alertsByFirm.set(a.firmId, [...(alertsByFirm.get(a.firmId) ?? []), a]);
    const entries: BoardEntry[] = [];
    const filed = new Set<string>();
    for (const r of today) {
      filed.add(r.firmId);
      entries.push({
        day: r,
        firm: {
          firmId: r.firmId,
          firmName: r.firmName,
          filed: true,
          late: r.late ?? false,
          statements: statementsDay(r, prevByFirm.get(r.firmId) ?? new Map()),
          alerts: (alertsByFirm.get(r.firmId) ?? []).map(alertRow),
        },
      });
    }
    if (isAnyFilingDay(d)) {
      // Watched and not filed: missing.
      for (const w of await this.missingOn(d, window, filed, registry, full, fullDays))
        entries.push({
          firm: {
            firmId: w.firmId,
            firmName: w.firmName,
            filed: false,
            late: false,
            statements: {},
            alerts: (alertsByFirm.get(w.firmId) ?? []).map(alertRow),
          },
        });
    }
    return { date: d, firms: sortBoard(entries).map((e) => e.firm) };
  }

  /**
   * The watched firms with no filing on `d` (shared/domain/watched.ts): of the registered firms
   * that did not file on `d` (usually a handful), those whose latest filing before `d` is in the
   * window, one small query each; when there are many such firms (a registry of firms long gone),
   * the firms that filed on each day of the window instead (names only). Days already read are
   * not read again.
   */
  private async missingOn(
    d: string,
    window: string[],
    filed: Set<string>,
    registry: FirmRef[],
    readDays: string[],
    read: DayRecord[][],
  ): Promise<FirmRef[]> {
    const candidates = registry.filter((f) => !filed.has(f.firmId));
    if (candidates.length === 0 || window.length === 0) return [];
    const first = window[0];
    if (candidates.length <= this.missingByFirm) {
      const latest = await mapLimit(candidates, this.concurrency, (f) => this.source.latestFirmDay(f.firmId, d));
      return latest
        .filter((x): x is DayRecord => !!x && x.endDate >= first && x.endDate < d)
        .map((x) => ({ firmId: x.firmId, firmName: x.firmName }));
    }
    const others = window.filter((w) => !readDays.includes(w));
    const names = await mapLimit(others, this.concurrency, (w) => this.source.firmsFiledOn(w));
    const seen = new Map<string, { firm: FirmRef; day: string }>();
    const note = (day: string, refs: FirmRef[]) => {
      for (const r of refs)
        if (!filed.has(r.firmId) && (seen.get(r.firmId)?.day ?? '') < day)
          seen.set(r.firmId, { firm: { firmId: r.firmId, firmName: r.firmName }, day });
    };
    others.forEach((w, i) => note(w, names[i]));
    readDays.forEach((w, i) => window.includes(w) && note(w, read[i]));
    return [...seen.values()].map((x) => x.firm);
  }

  async alerts(q: AlertsQuery = {}): Promise<AlertsJson> {
    checkDate(q.from, 'from');
    checkDate(q.to, 'to');
    if (q.severity !== undefined && !(SEVERITIES as readonly string[]).includes(q.severity))
      throw new ReadError('bad-query', `unknown severity ${JSON.stringify(q.severity)} (${SEVERITIES.join(', ')})`);
    if (q.kind !== undefined && !/^[a-z][a-z-]*$/.test(q.kind))
      throw new ReadError(
        'bad-query',
        `${JSON.stringify(q.kind)} is not an alert kind (e.g. ${Object.keys(ALERT_SEVERITY).slice(0, 3).join(', ')})`,
      );
    const firm = q.firm !== undefined ? await this.firm(q.firm) : undefined;
    const today = this.now().toISOString().slice(0, 10);
    let days: string[];
    if (q.from === undefined && q.to === undefined) {
      const latest = await this.latestDay();
      const set = new Set(dateRange(addDays(today, -30), today));
      if (latest) for (const x of dateRange(addDays(latest, -30), latest)) set.add(x);
      days = [...set];
    } else {
      let to = q.to;
      if (to === undefined) {
        const latest = await this.latestDay();
        to = latest && latest > today ? latest : today;
        if (to < q.from!) to = q.from!;
      }
      const from = q.from ?? addDays(to, -30);
      if (from > to) throw new ReadError('bad-query', `from ${from} is after to ${to}`);
      if (daysBetween(from, to) + 1 > MAX_ALERT_RANGE_DAYS)
        throw new ReadError('bad-query', `${from} to ${to} is over ${MAX_ALERT_RANGE_DAYS} days; give a shorter range`);
      days = dateRange(from, to);
    }
    const filter = { severity: q.severity, firmId: firm?.firmId, kind: q.kind };
    const perDay = await mapLimit(days, this.concurrency, (d) => this.source.alertsOn(d, filter));
    const all = perDay.flatMap((list, i) => list.map((v) => ({ day: days[i], v })));
    all.sort(byNewest);
    return { alerts: all.map((x) => alertRow(x.v)) };
  }

  async show(firm: string, date: string): Promise<ShowJson> {
    if (!date) throw new ReadError('bad-date', 'no date given');
    checkDate(date, 'date');
    const { firm: f, data: view } = await this.firmAnd(firm, (id) => this.source.firmDay(id, date));
    if (view.versions.length === 0)
      throw new ReadError('no-filing', `${f.firmName} (${f.firmId}) has no filing for ${date}`);
    const head = view.head;
    const ordered = inEffectiveOrder(view.versions);
    // The head names the effective version; before the first version is reconciled, the latest in order.
    const effective = (head && ordered.find((v) => v.versionKey === head.effective)) || ordered[ordered.length - 1];
    const rows: VersionRow[] = ordered.map((v) => ({
      versionKey: v.versionKey,
      filingType: v.filingType,
      submitDate: v.submitDate,
      arrivedAt: v.arrivedAt,
      source: v.source,
      effective: !!head && v.versionKey === head.effective,
      status: versionStanding(v, ordered, head?.effective, view.results.has(v.versionKey)),
    }));
    const alerts = [...view.alerts].sort((a, b) => byNewest({ day: date, v: a }, { day: date, v: b })).map(alertRow);
    return {
      firmId: f.firmId,
      firmName: head?.firmName ?? effective.filing.firmName ?? f.firmName,
      endDate: date,
      effective: effective.versionKey,
      versions: rows,
      filing: effective.filing,
      findings: view.results.get(effective.versionKey)?.findings ?? [],
      alerts,
    };
  }
}

export function readQueries(source: ReadSource, options: ReadQueryOptions = {}): Queries {
  return new Queries(source, options);
}
