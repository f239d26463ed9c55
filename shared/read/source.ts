/**
 * The port the read queries run on: the handful of reads they make, each one a key or index
 * lookup of the table (shared/read/store-source.ts implements them on DynamoDB, with Query only,
 * never Scan), and an in-memory implementation of the same port (MemorySource) for tests and
 * tools. Pure: no AWS imports.
 */
import type { StatementKey } from '../domain/forms';
import { filingToJson, type Filing, type FilingJson } from '../domain/model';
import type { Finding } from '../domain/reconcile';
import type { AlertRecord, AlertSeverity, SourceRef } from '../domain/alerts';
import type { DayRecord, StatementRecord, VersionSummary } from './model';

export interface FirmRef {
  firmId: string;
  firmName: string;
}

/** An alert as the table holds it. */
export interface AlertView extends AlertRecord {
  state: 'pending' | 'sent';
  raisedAt: string;
  sentAt?: string;
}

/** A filing version as the table holds it. */
export interface VersionView {
  versionKey: string;
  filingType: 'INITIAL' | 'AMENDMENT';
  submitDate: string;
  /** When its object first arrived (`arrivedAt` where the store records it, else `receivedAt`). */
  arrivedAt: string;
  source: SourceRef;
  superseded: boolean;
  supersededBy?: string;
  filing: FilingJson;
}

export interface ResultView {
  versionKey: string;
  findings: Finding[];
  errorCount: number;
  reconciledAt: string;
}

/** Everything the table holds for one firm and day. */
export interface FirmDayView {
  head?: DayRecord;
  /** In effective order (the store's version keys sort so). */
  versions: VersionView[];
  results: Map<string, ResultView>;
  alerts: AlertView[];
}

export interface AlertFilter {
  severity?: AlertSeverity;
  firmId?: string;
  kind?: string;
}

export interface ReadSource {
  /** The firm registry. */
  listFirms(): Promise<FirmRef[]>;
  /** A firm's effective days from `from` to `to` (inclusive), oldest first. */
  firmDays(firmId: string, from: string, to: string): Promise<DayRecord[]>;
  /** A firm's latest effective day (on or before `onOrBefore` when given). */
  latestFirmDay(firmId: string, onOrBefore?: string): Promise<DayRecord | undefined>;
  /** Every firm's effective day on `date`. */
  daysOn(date: string): Promise<DayRecord[]>;
  /** The firms with an effective filing on `date` (ids and names only: cheaper than daysOn). */
  firmsFiledOn(date: string): Promise<FirmRef[]>;
  /** Alerts filed under `date` (a firm's end date; a rejected file's day received). */
  alertsOn(date: string, filter?: AlertFilter): Promise<AlertView[]>;
  /** Everything of one firm-day. */
  firmDay(firmId: string, date: string): Promise<FirmDayView>;
  /** The type and submit date of each version of a firm-day (for heads that do not record `versions` and `late`). */
  versionSummaries(firmId: string, date: string): Promise<VersionSummary[]>;
}

// ---- in memory --------------------------------------------------------------------------------

/** What the memory source is written with: the shapes of the store's writes (shared/adapters/store.ts). */
export interface HeadWrite {
  firmId: string;
  firmName: string;
  endDate: string;
  effective: string;
  filingType: 'INITIAL' | 'AMENDMENT';
  submitDate: string;
  status: string;
  statements: Partial<Record<StatementKey, StatementRecord & { title?: string; variant?: string }>>;
  versions?: number;
  late?: boolean;
}

export interface VersionWrite {
  firmId: string;
  endDate: string;
  versionKey: string;
  filingType: 'INITIAL' | 'AMENDMENT';
  submitDate: string;
  receivedAt: string;
  arrivedAt?: string;
  source: SourceRef;
  filing: Filing;
}

export interface ResultWrite {
  firmId: string;
  endDate: string;
  versionKey: string;
  findings: Finding[];
  errorCount: number;
  reconciledAt: string;
}

const dayKey = (firmId: string, date: string) => `${firmId}\u0000${date}`;
/** Reads hand out copies, as a table does: a caller that fills in a record changes nothing stored. */
const copy = (d: DayRecord): DayRecord => ({ ...d, statements: { ...d.statements } });

function matches(a: AlertView, f: AlertFilter): boolean {
  return (
    (!f.severity || a.severity === f.severity) && (!f.firmId || a.firmId === f.firmId) && (!f.kind || a.kind === f.kind)
  );
}

/**
 * The port over plain maps. Written like the store (putFirm, putVersion, putResult, advanceHead,
 * markSuperseded, putAlert, markAlertSent), with the same rules where reads depend on them: the
 * head only moves forward (to a version key that sorts later), puts of an existing key do nothing.
 */
export class MemorySource implements ReadSource {
  private firms = new Map<string, FirmRef>();
  private heads = new Map<string, DayRecord>();
  private byFirm = new Map<string, Map<string, DayRecord>>();
  private byDay = new Map<string, Map<string, DayRecord>>();
  private versions = new Map<string, Map<string, VersionView>>();
  private results = new Map<string, Map<string, ResultView>>();
  private alerts = new Map<string, AlertView & { day: string }>();

  async putFirm(f: FirmRef): Promise<boolean> {
    if (this.firms.has(f.firmId)) return false;
    this.firms.set(f.firmId, { firmId: f.firmId, firmName: f.firmName });
    return true;
  }

  async putVersion(v: VersionWrite): Promise<boolean> {
    const k = dayKey(v.firmId, v.endDate);
    const m = this.versions.get(k) ?? new Map<string, VersionView>();
    this.versions.set(k, m);
    if (m.has(v.versionKey)) return false;
    m.set(v.versionKey, {
      versionKey: v.versionKey,
      filingType: v.filingType,
      submitDate: v.submitDate,
      arrivedAt: v.arrivedAt ?? v.receivedAt,
      source: { bucket: v.source.bucket, key: v.source.key },
      superseded: false,
      filing: filingToJson(v.filing),
    });
    return true;
  }

  async markSuperseded(firmId: string, endDate: string, versionKey: string, by: string): Promise<boolean> {
    const v = this.versions.get(dayKey(firmId, endDate))?.get(versionKey);
    if (!v || (v.superseded && (v.supersededBy ?? '') >= by)) return false;
    v.superseded = true;
    v.supersededBy = by;
    return true;
  }

  async putResult(r: ResultWrite): Promise<boolean> {
    const k = dayKey(r.firmId, r.endDate);
    const m = this.results.get(k) ?? new Map<string, ResultView>();
    this.results.set(k, m);
    if (m.has(r.versionKey)) return false;
    m.set(r.versionKey, {
      versionKey: r.versionKey,
      findings: r.findings,
      errorCount: r.errorCount,
      reconciledAt: r.reconciledAt,
    });
    return true;
  }

  async advanceHead(h: HeadWrite): Promise<{ moved: boolean }> {
    const k = dayKey(h.firmId, h.endDate);
    const old = this.heads.get(k);
    if (old && old.effective > h.effective) return { moved: false };
    const day: DayRecord = {
      firmId: h.firmId,
      firmName: h.firmName,
      endDate: h.endDate,
      effective: h.effective,
      filingType: h.filingType,
      submitDate: h.submitDate,
      status: h.status,
      versions: h.versions,
      late: h.late,
      statements: Object.fromEntries(
        Object.entries(h.statements).map(([key, st]) => [
          key,
          {
            required: st!.required,
            funds: st!.funds,
            excess: st!.excess,
            target: st!.target,
            status: st!.status,
            ...(st!.targetSource !== undefined ? { targetSource: st!.targetSource } : {}),
          },
        ]),
      ),
    };
    this.heads.set(k, day);
    const f = this.byFirm.get(h.firmId) ?? new Map<string, DayRecord>();
    this.byFirm.set(h.firmId, f);
    f.set(h.endDate, day);
    const d = this.byDay.get(h.endDate) ?? new Map<string, DayRecord>();
    this.byDay.set(h.endDate, d);
    d.set(h.firmId, day);
    return { moved: true };
  }

  async putAlert(a: AlertRecord, raisedAt: string, day: string): Promise<boolean> {
    const k = `${a.firmId && a.endDate ? dayKey(a.firmId, a.endDate) : `OBJ${a.source.bucket}/${a.source.key}`}\u0000${a.id}`;
    if (this.alerts.has(k)) return false;
    this.alerts.set(k, { ...a, state: 'pending', raisedAt, day });
    return true;
  }

  async markAlertSent(id: string, sentAt: string): Promise<boolean> {
    let done = false;
    for (const a of this.alerts.values())
      if (a.id === id && a.state === 'pending') {
        a.state = 'sent';
        a.sentAt = sentAt;
        done = true;
      }
    return done;
  }

  // ---- the port ----

  async listFirms(): Promise<FirmRef[]> {
    return [...this.firms.values()].sort((a, b) => (a.firmId < b.firmId ? -1 : 1));
  }

  async firmDays(firmId: string, from: string, to: string): Promise<DayRecord[]> {
    return [...(this.byFirm.get(firmId)?.values() ?? [])]
      .filter((d) => d.endDate >= from && d.endDate <= to)
      .sort((a, b) => (a.endDate < b.endDate ? -1 : 1))
      .map(copy);
  }

  async latestFirmDay(firmId: string, onOrBefore?: string): Promise<DayRecord | undefined> {
    let best: DayRecord | undefined;
    for (const d of this.byFirm.get(firmId)?.values() ?? [])
      if ((!onOrBefore || d.endDate <= onOrBefore) && (!best || d.endDate > best.endDate)) best = d;
    return best && copy(best);
  }

  async daysOn(date: string): Promise<DayRecord[]> {
    return [...(this.byDay.get(date)?.values() ?? [])].sort((a, b) => (a.firmId < b.firmId ? -1 : 1)).map(copy);
  }

  async firmsFiledOn(date: string): Promise<FirmRef[]> {
    return (await this.daysOn(date)).map((d) => ({ firmId: d.firmId, firmName: d.firmName }));
  }

  async alertsOn(date: string, filter: AlertFilter = {}): Promise<AlertView[]> {
    return [...this.alerts.values()]
      .filter((a) => a.day === date && matches(a, filter))
      .map(({ day: _day, ...a }) => a);
  }

  async firmDay(firmId: string, date: string): Promise<FirmDayView> {
    const k = dayKey(firmId, date);
    const head = this.heads.get(k);
    return {
      head: head && copy(head),
      versions: [...(this.versions.get(k)?.values() ?? [])].sort((a, b) => (a.versionKey < b.versionKey ? -1 : 1)),
      results: new Map(this.results.get(k) ?? []),
      alerts: [...this.alerts.values()]
        .filter((a) => a.firmId === firmId && a.endDate === date)
        .map(({ day: _day, ...a }) => a),
    };
  }

  async versionSummaries(
    firmId: string,
    date: string,
  ): Promise<{ filingType: 'INITIAL' | 'AMENDMENT'; submitDate: string }[]> {
    return [...(this.versions.get(dayKey(firmId, date))?.values() ?? [])].map((v) => ({
      filingType: v.filingType,
      submitDate: v.submitDate,
    }));
  }
}
