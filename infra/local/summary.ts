/**
 * What `segwatch run` reports: per uploaded file, the filing as stored (effective or superseded,
 * its statements' excess against target), the alerts it raised, the files rejected and why.
 * Built from the table (the store), never from the handlers' memory.
 */
import { FORMS, STATEMENT_KEYS } from '../../shared/domain/forms';
import { dec, grouped, str, type Decimal } from '../../shared/domain/money';
import { alertSubject } from '../../shared/domain/alerts';
import { excessRecomputed, markRecomputed, RECOMPUTED_LEGEND, table } from '../../shared/domain/report';
import { overallStatus, type StoredAlert } from '../../shared/adapters/store';
import type { KeyOutcome, LocalPipeline } from './stack';

/** A statement's figures in the run summary (not model.ts's StatementJson, a statement's lines). */
export interface SummaryStatement {
  required: string | null;
  funds: string | null;
  excess: string | null;
  /** The excess is funds - required, not the excess line as filed (a statement that does not reconcile: shared/domain/report.ts). */
  excessRecomputed: boolean;
  target: string | null;
  status: string;
}

export interface FilingSummary {
  source: string;
  file?: string;
  firmName: string;
  firmId: string;
  endDate: string;
  submitDate: string;
  filingType: string;
  /** 1-based position among the firm-day's versions, in effective order. */
  version: number;
  versions: number;
  versionKey: string;
  effective: boolean;
  superseded: boolean;
  /** The same filing was already stored from another object. */
  duplicate: boolean;
  status: string;
  statements: Record<string, SummaryStatement>;
}

export interface AlertSummary {
  source: string;
  firmId: string | null;
  firmName: string | null;
  endDate: string | null;
  statement: string | null;
  kind: string;
  severity: string;
  excess: string | null;
  target: string | null;
  shortfall: string | null;
  /** Excess drops: the excess compared with, and its day. */
  previousExcess: string | null;
  previousDate: string | null;
  /** A `resolved` notice: the kind it takes back. */
  resolves: string | null;
  /** The word's number on its channel (firm, day, statement): the highest is the latest. */
  seq: number | null;
  subject: string;
  /** Published during this run (false: sent by an earlier run). */
  sentThisRun: boolean;
}

export interface RunSummary {
  filings: FilingSummary[];
  alerts: AlertSummary[];
  rejected: { source: string; file?: string; reason: string }[];
  /** Files the pipeline could not finish (dead-lettered, or stuck): not part of the spec'd happy path. */
  failed: { source: string; file?: string; reason: string }[];
}

const s = (d: Decimal | null) => (d === null ? null : str(d));

/** `publishedSince`: how many messages the SNS stand-in held before this part of the run (watch: before each file). */
export async function summarize(
  stack: LocalPipeline,
  outcomes: KeyOutcome[],
  files: Map<string, string> = new Map(),
  publishedSince = 0,
): Promise<RunSummary> {
  const summary: RunSummary = { filings: [], alerts: [], rejected: [], failed: [] };
  const publishedIds = new Set(stack.published().map((p) => p.messageId));
  const subjects = new Map(stack.published().map((p) => [p.messageId, p.subject]));
  const seenAlerts = new Set<string>();
  const addAlert = (source: string, a: StoredAlert) => {
    if (seenAlerts.has(a.id)) return;
    seenAlerts.add(a.id);
    summary.alerts.push({
      source,
      firmId: a.firmId,
      firmName: a.firmName,
      endDate: a.endDate,
      statement: a.statement,
      kind: a.kind,
      severity: a.severity,
      excess: s(a.excess),
      target: s(a.target),
      shortfall: s(a.shortfall),
      previousExcess: s(a.previousExcess),
      previousDate: a.previousDate,
      resolves: a.resolves ?? null,
      seq: a.seq ?? null,
      subject: (a.messageId && subjects.get(a.messageId)) || alertSubject(a),
      sentThisRun: !!a.messageId && publishedIds.has(a.messageId),
    });
  };
  for (const o of outcomes) {
    const file = files.get(o.key);
    if (o.status === 'rejected') {
      summary.rejected.push({ source: o.key, ...(file ? { file } : {}), reason: o.object?.reason ?? 'rejected' });
      for (const a of o.alerts) addAlert(o.key, a);
      continue;
    }
    if (o.status !== 'stored' || !o.version || !o.result || !o.object) {
      summary.failed.push({ source: o.key, ...(file ? { file } : {}), reason: o.problem ?? o.status });
      continue;
    }
    const v = o.version;
    const [versionKeys, head, fresh] = await Promise.all([
      stack.store.listVersionKeys(v.firmId, v.endDate),
      stack.store.getHead(v.firmId, v.endDate),
      stack.store.getVersion(v.firmId, v.endDate, v.versionKey),
    ]);
    const statements: Record<string, SummaryStatement> = {};
    for (const key of STATEMENT_KEYS) {
      const st = o.result.statements[key];
      if (!st) continue;
      statements[key] = {
        required: s(st.required),
        funds: s(st.funds),
        excess: s(st.excess),
        excessRecomputed: excessRecomputed(st),
        target: s(st.target),
        status: st.status,
      };
    }
    summary.filings.push({
      source: o.key,
      ...(file ? { file } : {}),
      firmName: v.firmName,
      firmId: v.firmId,
      endDate: v.endDate,
      submitDate: v.submitDate,
      filingType: v.filingType,
      version: versionKeys.indexOf(v.versionKey) + 1,
      versions: versionKeys.length,
      versionKey: v.versionKey,
      effective: head?.effective === v.versionKey,
      superseded: fresh?.superseded ?? v.superseded,
      duplicate: o.object.duplicate === true,
      status: overallStatus({ statements: o.result.statements, errorCount: o.result.errorCount }),
      statements,
    });
    for (const a of o.alerts) addAlert(o.key, a);
  }
  // Alerts this run sent about other days or versions: a later day evaluated again (an earlier
  // day or its amendment arrived), a `resolved` notice naming the version now effective.
  const elsewhere = new Map<string, Set<string>>();
  for (const p of stack.published().slice(publishedSince)) {
    const id = /Alert id: ([0-9a-f]+)/.exec(p.message)?.[1];
    const firmId = p.messageAttributes.firmId?.value;
    const endDate = /^End date:\s+(\d{4}-\d{2}-\d{2})$/m.exec(p.message)?.[1];
    if (!id || !firmId || !endDate || seenAlerts.has(id)) continue;
    const k = `${firmId}\u0000${endDate}`;
    elsewhere.set(k, (elsewhere.get(k) ?? new Set()).add(id));
  }
  for (const [k, ids] of elsewhere) {
    const [firmId, endDate] = k.split('\u0000');
    for (const a of await stack.store.listAlerts(firmId, endDate)) if (ids.has(a.id)) addAlert(a.source.key, a);
  }
  return summary;
}

const amount = (x: string | null) => (x === null ? '-' : grouped(dec(x)));

function statementName(key: string): string {
  return (FORMS.statements as Record<string, { shortName: string }>)[key]?.shortName ?? key;
}

/** excess - target; none from a statement that does not reconcile (nothing is derived from figures that do not add up). */
function overUnder(st: SummaryStatement): string {
  if (st.status === 'unreconciled' || st.excess === null || st.target === null) return '-';
  return grouped(dec(st.excess).minus(dec(st.target)));
}

export function renderSummary(r: RunSummary): string {
  const out: string[] = [];
  out.push(`Filings (${r.filings.length})`);
  if (r.filings.length === 0) out.push('  none');
  for (const f of r.filings) {
    const standing = f.effective ? 'effective' : f.superseded ? 'superseded' : 'not effective';
    out.push(`  ${f.source}${f.duplicate ? '  (same filing as one stored before)' : ''}`);
    out.push(
      `    ${f.firmName} · end date ${f.endDate} · ${f.filingType} submitted ${f.submitDate} · version ${f.version} of ${f.versions} · ${standing} · ${f.status.toUpperCase()}`,
    );
    const rows = [['statement', 'excess', 'target', 'over (under) target', 'status']];
    const recomputed = Object.values(f.statements).some((st) => st.excessRecomputed && st.excess !== null);
    for (const [key, st] of Object.entries(f.statements))
      rows.push([
        statementName(key),
        st.excess === null ? '-' : markRecomputed(amount(st.excess), st.excessRecomputed, recomputed),
        amount(st.target),
        overUnder(st),
        st.status === 'ok' ? 'ok' : st.status.toUpperCase(),
      ]);
    out.push(
      table(rows, [false, true, true, true, false])
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n'),
    );
    if (recomputed) out.push(`    ${RECOMPUTED_LEGEND}`);
  }
  out.push('');
  out.push(`Alerts (${r.alerts.length})`);
  if (r.alerts.length === 0) out.push('  none');
  for (const a of r.alerts)
    out.push(
      `  ${a.severity.padEnd(8)} ${a.kind.padEnd(21)} ${a.subject}${a.sentThisRun ? '' : '  (sent by an earlier run)'}`,
    );
  out.push('');
  out.push(`Rejected files (${r.rejected.length})`);
  if (r.rejected.length === 0) out.push('  none');
  for (const x of r.rejected) out.push(`  ${x.source}: ${x.reason}`);
  if (r.failed.length) {
    out.push('');
    out.push(`Not processed (${r.failed.length}) — see \`segwatch redrive --local\``);
    for (const x of r.failed) out.push(`  ${x.source}: ${x.reason}`);
  }
  return out.join('\n');
}
