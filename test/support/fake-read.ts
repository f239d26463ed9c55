/**
 * An in-memory fake of the read side (shared/read/types.ts ReadQueries) for the dashboard's
 * tests and its benchmark, until the real queries merge. It works from filing versions as the
 * pipeline would store them: each firm-day's versions are reconciled with the real reconciler,
 * the effective one picked as the pipeline picks it (version keys sort in effective order), its
 * alerts raised with the real alert rules, and the read model's figures (change, cushion,
 * headroom) computed in exact decimals as issue 12 defines them. Every amount leaves as a decimal
 * string, in exactly the documented shapes.
 *
 * The data comes from a FakeSource, so a scenario can list its filings while the benchmark
 * generates ten years of sixty firms lazily, one firm-day at a time (memoised).
 */
import {
  alertsForVersion,
  alertSubject,
  resolvedAlerts,
  type AlertRecord,
  type VersionRef,
} from '../../shared/domain/alerts';
import { dueDay, isFilingDay, previousFilingDay } from '../../shared/domain/calendar';
import { STATEMENT_KEYS, type StatementKey } from '../../shared/domain/forms';
import { dec, str, ZERO, Decimal } from '../../shared/domain/money';
import { filingToJson, type Filing, type FilingJson } from '../../shared/domain/model';
import { reconcile, type Finding, type Reconciliation } from '../../shared/domain/reconcile';
import { contentHash, versionKeyOf } from '../../shared/adapters/store';
import {
  ReadError,
  type AlertRow,
  type AlertsJson,
  type AlertsQuery,
  type BoardFirm,
  type BoardJson,
  type HistoryDay,
  type HistoryJson,
  type HistoryQuery,
  type ReadQueries,
  type ReadStatus,
  type ShowJson,
  type StatementDay,
  type StatementsDay,
  type VersionRow,
} from '../../shared/read/types';

export interface FakeVersion {
  filing: Filing;
  /** When its object arrived (ISO time). */
  arrivedAt: string;
  source: { bucket: string; key: string };
}

export interface FakeFirm {
  firmId: string;
  firmName: string;
}

export interface FakeSource {
  /** Every watched firm (the firm registry). */
  firms(): readonly FakeFirm[];
  /** The end dates a firm filed for, ascending. */
  days(firmId: string): readonly string[];
  /** Every version of a firm-day, in any order. */
  versions(firmId: string, endDate: string): readonly FakeVersion[];
}

/** A FakeSource over a fixed list of versions. */
export function listSource(versions: readonly FakeVersion[]): FakeSource {
  const firms = new Map<string, FakeFirm>();
  const byDay = new Map<string, FakeVersion[]>();
  const days = new Map<string, Set<string>>();
  for (const v of versions) {
    const { firmId, firmName, endDate } = v.filing;
    if (!firms.has(firmId)) firms.set(firmId, { firmId, firmName });
    const k = `${firmId}|${endDate}`;
    byDay.set(k, [...(byDay.get(k) ?? []), v]);
    days.set(firmId, (days.get(firmId) ?? new Set()).add(endDate));
  }
  const sortedDays = new Map([...days].map(([f, s]) => [f, [...s].sort()]));
  return {
    firms: () => [...firms.values()],
    days: (firmId) => sortedDays.get(firmId) ?? [],
    versions: (firmId, endDate) => byDay.get(`${firmId}|${endDate}`) ?? [],
  };
}

interface Reconciled {
  version: FakeVersion;
  json: FilingJson;
  versionKey: string;
  rec: Reconciliation;
}

/** One firm-day as the read model sees it (before the figures that need the previous day). */
interface DayRecord {
  firmId: string;
  firmName: string;
  endDate: string;
  versions: Reconciled[];
  effective: Reconciled;
  late: boolean;
  /** Raised on first use (they need the previous day's figures, never its alerts: no recursion). */
  raised?: { alerts: AlertRecord[]; raisedAt: Map<string, string> };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export function isIsoDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
function checkDate(s: string | undefined, what: string): void {
  if (s !== undefined && !isIsoDate(s))
    throw new ReadError('bad-date', `${what} ${JSON.stringify(s)} is not a date (YYYY-MM-DD)`);
}

const STATUS_RANK: Record<ReadStatus, number> = { deficiency: 0, unreconciled: 1, 'below-target': 2, ok: 3 };
const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 } as const;

export class FakeReadQueries implements ReadQueries {
  private readonly dayCache = new Map<string, DayRecord>();
  private readonly statementsCache = new Map<DayRecord, StatementsDay>();
  /** How many times each query ran (tests: the app asks once per page). */
  readonly calls = { history: 0, board: 0, alerts: 0, show: 0 };

  constructor(private readonly source: FakeSource) {}

  // ---- the queries -----------------------------------------------------------------------

  async history(firm: string, q: HistoryQuery = {}): Promise<HistoryJson> {
    this.calls.history++;
    checkDate(q.from, 'from');
    checkDate(q.to, 'to');
    if (q.from && q.to && q.from > q.to) throw new ReadError('bad-query', `from ${q.from} is after to ${q.to}`);
    const f = this.resolveFirm(firm);
    const days: HistoryDay[] = [];
    for (const d of this.source.days(f.firmId)) {
      if ((q.from && d < q.from) || (q.to && d > q.to)) continue;
      const r = this.day(f.firmId, d);
      const statements = this.statementsDay(r);
      if (q.statement) for (const k of STATEMENT_KEYS) if (k !== q.statement) delete statements[k];
      days.push({
        endDate: d,
        filingType: r.effective.json.filingType,
        submitDate: r.effective.json.submitDate,
        versions: r.versions.length,
        late: r.late,
        statements,
      });
    }
    return { firmId: f.firmId, firmName: f.firmName, days };
  }

  async board(date?: string): Promise<BoardJson> {
    this.calls.board++;
    checkDate(date, 'date');
    const day = date ?? this.latestDay();
    if (!day) throw new ReadError('no-filing', 'no filings yet');
    const firms: (BoardFirm & { rank: number; cushion: Decimal | null })[] = [];
    let anyFiled = false;
    for (const f of this.source.firms()) {
      const days = this.source.days(f.firmId);
      if (days.length === 0 || days[0] > day) continue; // not watched yet on that day
      if (days.includes(day)) {
        anyFiled = true;
        const r = this.day(f.firmId, day);
        const statements = this.statementsDay(r);
        const present = STATEMENT_KEYS.map((k) => statements[k]).filter((s): s is StatementDay => !!s);
        const rank = Math.min(...present.map((s) => STATUS_RANK[s.status]));
        const cushions = present
          .map((s) => (s.cushion === null ? null : dec(s.cushion)))
          .filter((c): c is Decimal => c !== null);
        const cushion = cushions.length ? Decimal.min(...cushions) : null;
        firms.push({ firmId: f.firmId, firmName: r.firmName, filed: true, late: r.late, statements, rank, cushion });
      } else {
        // A watched firm with no filing: right after the deficiencies (silence is never "fine").
        firms.push({
          firmId: f.firmId,
          firmName: f.firmName,
          filed: false,
          late: false,
          statements: {},
          rank: 0.5,
          cushion: null,
        });
      }
    }
    if (!anyFiled && !STATEMENT_KEYS.some((k) => isFilingDay(k, day)))
      throw new ReadError('no-filing', `${day} is not a filing day and nobody filed for it`);
    firms.sort((a, b) => {
      if (a.rank !== b.rank) return a.rank - b.rank;
      if (a.cushion && b.cushion && !a.cushion.eq(b.cushion)) return a.cushion.cmp(b.cushion);
      if (a.cushion && !b.cushion) return -1;
      if (!a.cushion && b.cushion) return 1;
      return a.firmName.localeCompare(b.firmName);
    });
    return { date: day, firms: firms.map(({ rank: _r, cushion: _c, ...f }) => f) };
  }

  async alerts(q: AlertsQuery = {}): Promise<AlertsJson> {
    this.calls.alerts++;
    checkDate(q.from, 'from');
    checkDate(q.to, 'to');
    if (q.from && q.to && q.from > q.to) throw new ReadError('bad-query', `from ${q.from} is after to ${q.to}`);
    const firms = q.firm ? [this.resolveFirm(q.firm)] : this.source.firms();
    const rows: (AlertRow & { raisedAt: string })[] = [];
    for (const f of firms) {
      for (const d of this.source.days(f.firmId)) {
        if ((q.from && d < q.from) || (q.to && d > q.to)) continue;
        const r = this.day(f.firmId, d);
        for (const row of this.alertRows(r)) {
          if (q.kind && row.kind !== q.kind) continue;
          if (q.severity && row.severity !== q.severity) continue;
          rows.push(row);
        }
      }
    }
    rows.sort(
      (a, b) =>
        (b.endDate ?? '').localeCompare(a.endDate ?? '') ||
        b.raisedAt.localeCompare(a.raisedAt) ||
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
        a.id.localeCompare(b.id),
    );
    return { alerts: rows.map(({ raisedAt: _r, ...a }) => a) };
  }

  async show(firm: string, date: string): Promise<ShowJson> {
    this.calls.show++;
    checkDate(date, 'date');
    const f = this.resolveFirm(firm);
    if (!this.source.days(f.firmId).includes(date))
      throw new ReadError('no-filing', `${f.firmName} has no filing for ${date}`);
    const r = this.day(f.firmId, date);
    const versions: VersionRow[] = [...r.versions]
      .sort((a, b) => b.versionKey.localeCompare(a.versionKey))
      .map((v) => ({
        versionKey: v.versionKey,
        filingType: v.json.filingType,
        submitDate: v.json.submitDate,
        arrivedAt: v.version.arrivedAt,
        source: v.version.source,
        effective: v === r.effective,
        status:
          v === r.effective
            ? v.json.filingType === 'AMENDMENT'
              ? 'effective: the latest submitted amendment'
              : r.versions.length > 1
                ? 'effective: the latest submitted initial filing, no amendment'
                : 'effective: the only filing for this day'
            : `superseded by ${r.effective.versionKey}`,
      }));
    return {
      firmId: f.firmId,
      firmName: r.firmName,
      endDate: date,
      effective: r.effective.versionKey,
      versions,
      filing: r.effective.json,
      findings: r.effective.rec.findings as Finding[],
      alerts: this.alertRows(r).map(({ raisedAt: _r, ...a }) => a),
    };
  }

  // ---- the model -------------------------------------------------------------------------

  /** An exact firm id, else an unambiguous case-insensitive name prefix. */
  resolveFirm(firm: string): FakeFirm {
    const firms = this.source.firms();
    const exact = firms.find((f) => f.firmId === firm);
    if (exact) return exact;
    const p = firm.toLowerCase();
    const matches = p ? firms.filter((f) => f.firmName.toLowerCase().startsWith(p)) : [];
    if (matches.length === 1) return matches[0];
    if (matches.length > 1)
      throw new ReadError(
        'ambiguous-firm',
        `"${firm}" matches ${matches.length} firms: ${matches
          .slice(0, 5)
          .map((m) => m.firmName)
          .join(', ')}`,
      );
    throw new ReadError('unknown-firm', `no firm "${firm}"`);
  }

  private latestDay(): string | undefined {
    let latest: string | undefined;
    for (const f of this.source.firms()) {
      const d = this.source.days(f.firmId).at(-1);
      if (d && (!latest || d > latest)) latest = d;
    }
    return latest;
  }

  private day(firmId: string, endDate: string): DayRecord {
    const k = `${firmId}|${endDate}`;
    let r = this.dayCache.get(k);
    if (r) return r;
    const versions = this.source.versions(firmId, endDate).map((version): Reconciled => {
      const json = filingToJson(version.filing);
      return { version, json, versionKey: versionKeyOf(json, contentHash(json)), rec: reconcile(version.filing) };
    });
    if (versions.length === 0) throw new Error(`fake: no versions for ${k}`);
    const effective = versions.reduce((a, b) => (b.versionKey > a.versionKey ? b : a));
    const initial = versions.filter((v) => v.json.filingType === 'INITIAL');
    const late = initial.length > 0 && initial.every((v) => v.json.submitDate > dueDay('segregation', endDate));
    r = { firmId, firmName: effective.json.firmName, endDate, versions, effective, late };
    this.dayCache.set(k, r);
    return r;
  }

  /**
   * Alerts as the pipeline raises them: each version, in arrival order, raises its alerts if it is
   * then the effective one, and a "resolved" for what the one it replaced had.
   */
  private raised(r: DayRecord): NonNullable<DayRecord['raised']> {
    if (r.raised) return r.raised;
    const alerts: AlertRecord[] = [];
    const raisedAt = new Map<string, string>();
    const add = (list: AlertRecord[], at: string) => {
      for (const a of list)
        if (!raisedAt.has(a.id)) {
          alerts.push(a);
          raisedAt.set(a.id, at);
        }
    };
    const prev = this.previousRecord(r.firmId, r.endDate);
    const previousDay = prev
      ? {
          endDate: prev.endDate,
          statements: Object.fromEntries(
            STATEMENT_KEYS.map((s) => [s, { excess: prev.effective.rec.statements[s]?.excess ?? null }]),
          ),
        }
      : undefined;
    let current: { v: Reconciled; alerts: AlertRecord[] } | undefined;
    for (const v of [...r.versions].sort((a, b) => a.version.arrivedAt.localeCompare(b.version.arrivedAt))) {
      if (current && v.versionKey < current.v.versionKey) continue; // superseded on arrival: raises nothing
      const ref = this.ref(v);
      const own = alertsForVersion(ref, v.rec, previousDay);
      add(own, v.version.arrivedAt);
      if (current) add(resolvedAlerts(ref, current.alerts, own), v.version.arrivedAt);
      current = { v, alerts: own };
    }
    r.raised = { alerts, raisedAt };
    return r.raised;
  }

  private previousRecord(firmId: string, endDate: string): DayRecord | undefined {
    const days = this.source.days(firmId);
    const i = days.indexOf(endDate);
    return i > 0 ? this.day(firmId, days[i - 1]) : undefined;
  }

  private ref(v: Reconciled): VersionRef {
    const j = v.json;
    return {
      firmId: j.firmId,
      firmName: j.firmName,
      endDate: j.endDate,
      submitDate: j.submitDate,
      filingType: j.filingType,
      versionKey: v.versionKey,
      source: v.version.source,
    };
  }

  /** The figures of one statement of a day's effective version (no change yet). */
  private statementFigures(r: DayRecord, key: StatementKey) {
    const s = r.effective.rec.statements[key];
    if (!s) return undefined;
    return s;
  }

  /** A copy of the day's statements (memoised: the benchmark asks for the same days over and over). */
  private statementsDay(r: DayRecord): StatementsDay {
    let memo = this.statementsCache.get(r);
    if (!memo) this.statementsCache.set(r, (memo = this.computeStatementsDay(r)));
    return { ...memo };
  }

  private computeStatementsDay(r: DayRecord): StatementsDay {
    const out: StatementsDay = {};
    for (const key of STATEMENT_KEYS) {
      const s = this.statementFigures(r, key);
      if (!s) continue;
      // The previous filing day of this statement, if the firm filed it.
      let prevExcess: Decimal | null = null;
      const prevDay = previousFilingDay(key, r.endDate);
      if (this.source.days(r.firmId).includes(prevDay))
        prevExcess = this.statementFigures(this.day(r.firmId, prevDay), key)?.excess ?? null;
      const status: ReadStatus = s.status;
      const { excess, target, required } = s;
      const change = excess && prevExcess ? excess.minus(prevExcess) : null;
      const divisor = target ?? required;
      const headroom =
        excess === null
          ? null
          : maxZero(target ? Decimal.min(excess.times('0.25'), excess.minus(target)) : excess.times('0.25'));
      out[key] = {
        required: s.required && str(s.required),
        funds: s.funds && str(s.funds),
        excess: excess && str(excess),
        // Not the excess line as filed: an unreconciled statement's unreadable or missing line, or one above funds - required.
        excessRecomputed:
          status === 'unreconciled' && excess !== null && (s.filedExcess === null || !excess.eq(s.filedExcess)),
        target: target && str(target),
        targetSource: target ? 'statement' : null,
        overTarget: excess && target ? str(excess.minus(target)) : null,
        status,
        changeFromPrevious: change && str(change),
        changePct:
          change && prevExcess && !prevExcess.isZero()
            ? str(change.div(prevExcess.abs()).times(100).toDecimalPlaces(2))
            : null,
        cushion: excess && divisor && !divisor.isZero() ? str(excess.div(divisor).toDecimalPlaces(4)) : null,
        headroom: headroom && str(headroom),
      };
    }
    return out;
  }

  private alertRows(r: DayRecord): (AlertRow & { raisedAt: string })[] {
    const { alerts, raisedAt } = this.raised(r);
    const rows: (AlertRow & { raisedAt: string })[] = alerts.map((a) => ({
      id: a.id,
      kind: a.kind,
      severity: a.severity,
      firmId: a.firmId,
      firmName: a.firmName,
      endDate: a.endDate,
      statement: a.statement,
      excess: a.excess && str(a.excess),
      target: a.target && str(a.target),
      shortfall: a.shortfall && str(a.shortfall),
      subject: alertSubject(a),
      state: 'sent',
      sentAt: sentAt(raisedAt.get(a.id)!),
      raisedAt: raisedAt.get(a.id)!,
    }));
    // target-changed (issue 12): the effective target differs from the previous filing day's.
    const prev = this.previousRecord(r.firmId, r.endDate);
    if (prev) {
      for (const key of STATEMENT_KEYS) {
        const now = r.effective.rec.statements[key]?.target;
        const before = prev.effective.rec.statements[key]?.target;
        if (!now || !before || now.eq(before)) continue;
        const at = r.effective.version.arrivedAt;
        rows.push({
          id: `tc-${r.firmId}-${r.endDate}-${key}`,
          kind: 'target-changed',
          severity: 'info',
          firmId: r.firmId,
          firmName: r.firmName,
          endDate: r.endDate,
          statement: key,
          excess: r.effective.rec.statements[key]?.excess ? str(r.effective.rec.statements[key]!.excess!) : null,
          target: str(now),
          shortfall: null,
          subject: `[TARGET CHANGED] ${r.firmName} ${key} ${r.endDate} target ${str(before)} -> ${str(now)}`.slice(
            0,
            100,
          ),
          state: 'sent',
          sentAt: sentAt(at),
          raisedAt: at,
        });
      }
    }
    return rows;
  }
}

function maxZero(d: Decimal): Decimal {
  return d.isNegative() ? ZERO : d;
}

function sentAt(raisedAt: string): string {
  return new Date(new Date(raisedAt).getTime() + 1500).toISOString();
}

/** The filing days from `from` to `to` on which any statement is required. */
export function anyFilingDays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) if (STATEMENT_KEYS.some((k) => isFilingDay(k, d))) out.push(d);
  return out;
}

export function addDays(iso: string, n: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
