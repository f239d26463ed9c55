/**
 * Filing versions: which filings are the same version, how the versions of a firm's day are
 * ordered, which one is effective, and the per-statement summary the table keeps of a version.
 * Pure: the store (shared/adapters/store.ts) writes what these functions decide.
 *
 * - **Identity**: a version is a filing's content (its parsed JSON, hashed), not its bytes or its
 *   object name: the same filing uploaded twice, under two names or in two renderings, is one
 *   version. Its key `rank#submitDate#hash16` (rank 0 initial, 1 amendment) never changes.
 * - **Order** (which version is effective): an amendment after an initial filing, then the later
 *   submit date, then, between versions of the same type and submit date (a same-day re-filing),
 *   the one whose object arrived last: the S3 event time of the *first* object that carried it
 *   (`arrivedAt`, the earliest event time seen for it, so the order never depends on the order in
 *   which events are processed). The content hash breaks a tie of equal event times.
 */
import { rule } from './rules';
import { createHash } from 'node:crypto';
import { STATEMENT_KEYS, type StatementKey } from './forms';
import type { Decimal } from './money';
import type { FilingJson, FilingType } from './model';
import type { Reconciliation, StatementResult, StatementStatus } from './reconcile';

// ---- identity ----------------------------------------------------------------------------------

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Hash of the filing's content (not of its bytes): the same filing in any rendering is one filing. */
export function contentHash(f: FilingJson): string {
  return createHash('sha256').update(stable(f)).digest('hex');
}

const RANK: Record<FilingType, string> = { INITIAL: '0', AMENDMENT: '1' };

/** The version's key (its identity): filing type rank, submit date, content hash (16 hex digits). */
export function versionKeyOf(f: { filingType: FilingType; submitDate: string }, hash: string): string {
  return `${RANK[f.filingType]}#${f.submitDate}#${hash.slice(0, 16)}`;
}

// ---- order ---------------------------------------------------------------------------------------

/** What a version's place in the order depends on. */
export interface VersionOrder {
  versionKey: string;
  filingType: FilingType;
  submitDate: string;
  /** ISO-8601 UTC with milliseconds: the S3 event time of the first object that carried it. */
  arrivedAt: string;
}

/** The sort key of the effective order (ascending: the last one is effective). */
export function orderKey(v: VersionOrder): string {
  return `${RANK[v.filingType]}#${v.submitDate}#${v.arrivedAt}#${v.versionKey}`;
}

export function compareVersions(a: VersionOrder, b: VersionOrder): number {
  const x = orderKey(a);
  const y = orderKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The versions in effective order (the last one is effective). */
export function inEffectiveOrder<T extends VersionOrder>(versions: readonly T[]): T[] {
  return [...versions].sort(compareVersions);
}

/** The effective version: the latest submitted amendment; among equals, the one that arrived last. */
export function effectiveVersion<T extends VersionOrder>(versions: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const v of versions) if (!best || compareVersions(v, best) > 0) best = v;
  return best;
}

/** Why a version is, or is not, the effective one, in words (for `segwatch show` and the API). */
export function standing(v: VersionOrder, versions: readonly VersionOrder[]): string {
  const eff = effectiveVersion(versions);
  if (!eff) return '';
  if (eff.versionKey === v.versionKey) {
    const peers = versions.filter(
      (x) => x.versionKey !== v.versionKey && x.filingType === v.filingType && x.submitDate === v.submitDate,
    );
    if (peers.length)
      return `effective: the latest ${v.filingType === 'AMENDMENT' ? 'amendment' : 'initial filing'} submitted ${v.submitDate}, and the last of ${peers.length + 1} submitted that day to arrive`;
    return v.filingType === 'AMENDMENT'
      ? 'effective: the latest submitted amendment'
      : versions.length > 1
        ? 'effective'
        : 'effective: the only version';
  }
  const why =
    eff.filingType !== v.filingType
      ? 'an amendment replaces the initial filing'
      : eff.submitDate !== v.submitDate
        ? `submitted later (${eff.submitDate})`
        : 'submitted the same day and arrived later';
  return `superseded by ${eff.versionKey} (${why})`;
}

/**
 * The arrival time the order uses: the S3 event time, normalized to ISO-8601 UTC with
 * milliseconds (so it sorts as a string). Without a usable event time (never the case for real S3
 * events), `fallback` (the time the object was processed).
 */
export function arrivalTime(eventTime: string | undefined, fallback: string): string {
  if (eventTime) {
    const t = Date.parse(eventTime);
    if (Number.isFinite(t)) return new Date(t).toISOString();
  }
  return fallback;
}

// ---- what the table keeps of a reconciled version -------------------------------------------------

export type { TargetSource } from './reconcile';
import type { TargetSource } from './reconcile';

export interface StatementSummary {
  required: Decimal | null;
  funds: Decimal | null;
  excess: Decimal | null;
  target: Decimal | null;
  /** Where the target comes from: the statement's own target line, or the Cover Page (null: no target). */
  targetSource: TargetSource | null;
  status: StatementStatus;
  title: string;
  variant: string;
  /**
   * An unreconciled statement only (kept in the result item, so the reconciliation alert can give
   * them): the excess as filed, the excess recomputed from the lines, and the failing lines.
   */
  filedExcess?: Decimal | null;
  computedExcess?: Decimal | null;
  failingLines?: string[];
}

export type StatementsSummary = Partial<Record<StatementKey, StatementSummary>>;

/** The per-statement summary of a reconciliation. */
export function summaryOf(rec: Pick<Reconciliation, 'statements'>): StatementsSummary {
  const out: StatementsSummary = {};
  for (const key of STATEMENT_KEYS) {
    const s: StatementResult | undefined = rec.statements[key];
    if (!s) continue;
    out[key] = {
      required: s.required,
      funds: s.funds,
      excess: s.excess,
      target: s.target,
      targetSource: s.targetSource,
      status: s.status,
      title: s.title,
      variant: s.variant,
      ...(s.status === 'unreconciled'
        ? { filedExcess: s.filedExcess, computedExcess: s.computedExcess, failingLines: s.failingLines }
        : {}),
    };
  }
  return out;
}

/** Overall status of a filing version: the worst of its statements, or "error". */
export function overallStatus(rec: {
  statements: Partial<Record<StatementKey, { status: StatementStatus }>>;
  errorCount: number;
}): string {
  const statuses = STATEMENT_KEYS.map((k) => rec.statements[k]?.status);
  if (statuses.includes('deficiency')) return 'deficiency';
  if (statuses.includes('below-target')) return 'below-target';
  if (rec.errorCount > 0 || statuses.includes('unreconciled')) return 'error';
  return 'ok';
}

/** Error findings (that make the filing untrustworthy) of a reconciliation: every error but the deficiency itself. */
export function errorFindings<F extends { severity: string; ruleId: string }>(findings: readonly F[]): F[] {
  return findings.filter((f) => f.severity === 'error' && f.ruleId !== rule('deficiency').id);
}

/** Whether the findings say the filing was submitted late (SW130). */
export function isLate(findings: readonly { ruleId: string }[]): boolean {
  return findings.some((f) => f.ruleId === rule('late-filing').id);
}
