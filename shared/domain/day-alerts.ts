/**
 * The two alert kinds decided from a firm's recent filing days rather than from one filing:
 *
 * - `target-changed` (info): a statement's management target differs from the one on the firm's
 *   previous filing of that statement (the latest earlier day, within the last
 *   TARGET_LOOKBACK_FILING_DAYS filing days, on which the statement was filed, reconciled, with a
 *   target). A target appearing where there was none, or disappearing, is not a change of target.
 * - `trend-to-target` (warning): today's excess is at or above the target, and the Theil–Sen line
 *   through the excess of the last (up to) TREND_WINDOW_FILING_DAYS filing days of the statement
 *   (at least TREND_MIN_POINTS points; x = the calendar's filingDayIndex) has a negative slope and
 *   falls below today's target within the next TREND_HORIZON_FILING_DAYS filing days. Raised on
 *   the first day that holds: not when it held on the statement's previous point day too (the
 *   latest earlier day in the window with a point, evaluated with that day's own window and target).
 *
 * Only reconciled statements count: a statement whose lines do not add up (status `error` or
 * `unreconciled`) gives no point, no target and no alert (a doubt is never turned into an alert).
 * Exact arithmetic throughout (shared/domain/trend.ts). Pure: no AWS, no clock; the calendar's
 * functions only. The pipeline calls `dayAlerts` for the effective version of a day, with the
 * firm's effective days from `recentDaysFrom(endDate)` up to that day.
 */
import { createHash } from 'node:crypto';
import { STATEMENT_KEYS, type StatementKey } from './forms';
import { Decimal, str, usd, type Decimal as D } from './money';
import { CalendarError, filingDayIndex, isFilingDay, nextFilingDay, previousFilingDay } from './calendar';
import { ALERT_SEVERITY, alertId, type AlertRecord, type VersionRef } from './alerts';
import type { TargetSource } from './reconcile';
import { compareRatio, isNegative, lineAt, ratioOf, ratioToString, theilSen, type Ratio, type TheilSen } from './trend';

export const TREND_WINDOW_FILING_DAYS = 10;
export const TREND_MIN_POINTS = 5;
export const TREND_HORIZON_FILING_DAYS = 5;
export const TARGET_LOOKBACK_FILING_DAYS = 10;

/** One statement of one effective filing day, as the head item holds it. */
export interface StatementFigures {
  excess: D | null;
  target: D | null;
  /** The reconciler's status (`ok`, `below-target`, `deficiency`, `error`) or the read model's (`unreconciled`). */
  status: string;
}

/** A firm's effective filing on one day (a head item fits). */
export interface DayFigures {
  endDate: string;
  statements: Partial<Record<StatementKey, StatementFigures | undefined>>;
}

const reconciled = (s: StatementFigures | undefined): s is StatementFigures =>
  !!s && s.status !== 'error' && s.status !== 'unreconciled';

/** `n` filing days of `statement` before `iso` (the earliest of them), or undefined outside the calendar. */
function filingDaysBack(statement: StatementKey, iso: string, n: number): string | undefined {
  try {
    let d = iso;
    for (let i = 0; i < n; i++) d = previousFilingDay(statement, d);
    return d;
  } catch (e) {
    if (e instanceof CalendarError) return undefined;
    throw e;
  }
}

/**
 * The earliest end date whose effective filing `dayAlerts` may read for a day `endDate`: the
 * trend of the previous point day looks back up to 2 x (window - 1) filing days.
 */
export function recentDaysFrom(endDate: string): string {
  const back = Math.max(2 * (TREND_WINDOW_FILING_DAYS - 1), TARGET_LOOKBACK_FILING_DAYS);
  let from = endDate;
  for (const s of STATEMENT_KEYS) {
    const d = filingDaysBack(s, endDate, back);
    if (d !== undefined && d < from) from = d;
  }
  return from;
}

/** The filing days (of any statement) from `from` to `to`, inclusive, sorted; the calendar's years only. */
function anyFilingDays(from: string, to: string, out = new Set<string>()): Set<string> {
  for (const s of STATEMENT_KEYS) {
    let d = from;
    try {
      if (!isFilingDay(s, d)) d = nextFilingDay(s, d);
      while (d <= to) {
        out.add(d);
        d = nextFilingDay(s, d);
      }
    } catch (e) {
      if (!(e instanceof CalendarError)) throw e;
    }
  }
  return out;
}

const dayBefore = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/**
 * The earlier days whose effective figures `dayAlerts` reads for `endDate`: every filing day (of
 * any statement) from recentDaysFrom(endDate) to the day before, oldest first. The pipeline reads
 * these heads (and only these) for the day, so a day's alerts depend on exactly these days.
 */
export function windowDays(endDate: string): string[] {
  return remember(windows, endDate, () => [...anyFilingDays(recentDaysFrom(endDate), dayBefore(endDate))].sort());
}

const windows = new Map<string, string[]>();
const readers = new Map<string, string[]>();
function remember(m: Map<string, string[]>, k: string, f: () => string[]): string[] {
  let v = m.get(k);
  if (!v) {
    if (m.size >= 5_000) m.clear();
    v = f();
    m.set(k, v);
  }
  return v;
}

/**
 * The later days that read `endDate` (endDate is in their windowDays): the filing days after it,
 * of any statement, up to where the window stops reaching back to it; oldest first.
 */
export function daysReading(endDate: string): string[] {
  return remember(readers, endDate, () => readingDays(endDate));
}

function readingDays(endDate: string): string[] {
  // endDate is in a later day L's window iff it is a filing day of some statement and
  // recentDaysFrom(L) <= endDate (windowDays: every filing day from there to the day before L).
  if (!STATEMENT_KEYS.some((s) => indexOf(s, endDate) !== undefined)) return [];
  const back = Math.max(2 * (TREND_WINDOW_FILING_DAYS - 1), TARGET_LOOKBACK_FILING_DAYS);
  const out = new Set<string>();
  for (const s of STATEMENT_KEYS) {
    let d = endDate;
    try {
      for (let i = 0; i < back; i++) {
        d = nextFilingDay(s, d);
        out.add(d);
      }
    } catch (e) {
      if (!(e instanceof CalendarError)) throw e;
    }
  }
  return [...out].filter((l) => recentDaysFrom(l) <= endDate).sort();
}

/**
 * What a day's window held, as one hash: each earlier day of windowDays(endDate) that has an
 * effective filing, with its basis (shared/domain/episodes.ts basisOf: excess, target, status).
 * A day's head keeps the hash of the window it was evaluated with; an earlier day whose figures
 * change compares it with the window as it is now and asks for the day to be evaluated again.
 */
export function windowBasisOf(endDate: string, basisByDay: ReadonlyMap<string, string>): string {
  const parts = windowDays(endDate)
    .filter((d) => basisByDay.has(d))
    .map((d) => `${d}=${basisByDay.get(d)}`);
  return createHash('sha256')
    .update(`${endDate};${parts.join(';')}`)
    .digest('hex')
    .slice(0, 16);
}

/** filingDayIndex of filing days (undefined on other days and outside the calendar), remembered: a day's alerts ask for the same days ~20 times. */
const indexes = new Map<string, number | undefined>();
function indexOf(statement: StatementKey, iso: string): number | undefined {
  const key = `${statement}|${iso}`;
  if (indexes.has(key)) return indexes.get(key);
  let i: number | undefined;
  try {
    i = isFilingDay(statement, iso) ? filingDayIndex(statement, iso) : undefined;
  } catch (e) {
    if (!(e instanceof CalendarError)) throw e;
    i = undefined;
  }
  if (indexes.size >= 20_000) indexes.clear();
  indexes.set(key, i);
  return i;
}

/** Days before `today`, one per end date (the last given wins), newest first. */
function earlierDays(today: DayFigures, recent: readonly DayFigures[]): DayFigures[] {
  const byDate = new Map<string, DayFigures>();
  for (const d of recent) if (d.endDate < today.endDate) byDate.set(d.endDate, d);
  return [...byDate.values()].sort((a, b) => (a.endDate < b.endDate ? 1 : -1));
}

// ---- target-changed ---------------------------------------------------------------------------

export interface TargetChange {
  statement: StatementKey;
  endDate: string;
  target: D;
  previousDate: string;
  previousTarget: D;
  targetSource?: TargetSource | null;
}

/** The change of `statement`'s target on `today`, or null. `recent`: the firm's earlier effective days (any order). */
export function targetChange(
  statement: StatementKey,
  today: DayFigures,
  recent: readonly DayFigures[],
): TargetChange | null {
  const now = today.statements[statement];
  if (!reconciled(now) || now.target === null) return null;
  const oldest = filingDaysBack(statement, today.endDate, TARGET_LOOKBACK_FILING_DAYS);
  if (oldest === undefined) return null;
  for (const d of earlierDays(today, recent)) {
    if (d.endDate < oldest) break;
    const s = d.statements[statement];
    if (!reconciled(s) || s.target === null) continue;
    return s.target.eq(now.target)
      ? null
      : { statement, endDate: today.endDate, target: now.target, previousDate: d.endDate, previousTarget: s.target };
  }
  return null;
}

// ---- trend-to-target --------------------------------------------------------------------------

export interface TrendProjection {
  statement: StatementKey;
  endDate: string;
  /** Points the line went through, and the first and last of their days. */
  points: number;
  from: string;
  line: TheilSen;
  /** filingDayIndex of endDate. */
  x0: number;
  excess: D;
  target: D;
  targetSource?: TargetSource | null;
  /** The first of the next filing days (1..horizon) on which the line is below the target. */
  filingDaysToTarget: number;
  /** That day, when the calendar reaches it. */
  projectedDate: string | null;
  /** The line's value on that day. */
  projected: Ratio;
}

/**
 * Whether `day`'s projection is in the window (see the module comment), from the points of
 * `days` (which include `day`); null when not, or when it cannot be evaluated.
 */
function projection(statement: StatementKey, day: DayFigures, days: readonly DayFigures[]): TrendProjection | null {
  const now = day.statements[statement];
  if (!reconciled(now) || now.excess === null || now.target === null) return null;
  if (now.excess.lt(now.target)) return null;
  const x0 = indexOf(statement, day.endDate);
  if (x0 === undefined) return null;
  const points: { x: number; y: D; date: string }[] = [];
  for (const d of days) {
    if (d.endDate > day.endDate) continue;
    const s = d.statements[statement];
    if (!reconciled(s) || s.excess === null) continue;
    const x = indexOf(statement, d.endDate);
    if (x === undefined || x > x0 || x <= x0 - TREND_WINDOW_FILING_DAYS) continue;
    points.push({ x, y: s.excess, date: d.endDate });
  }
  if (points.length < TREND_MIN_POINTS) return null;
  const line = theilSen(points);
  if (!isNegative(line.slope)) return null;
  const target = ratioOf(now.target);
  for (let k = 1; k <= TREND_HORIZON_FILING_DAYS; k++) {
    const y = lineAt(line, x0 + k);
    if (compareRatio(y, target) < 0) {
      let projectedDate: string | null = day.endDate;
      try {
        for (let i = 0; i < k; i++) projectedDate = nextFilingDay(statement, projectedDate);
      } catch (e) {
        if (!(e instanceof CalendarError)) throw e;
        projectedDate = null;
      }
      const from = points.reduce((a, p) => (p.date < a ? p.date : a), day.endDate);
      return {
        statement,
        endDate: day.endDate,
        points: points.length,
        from,
        line,
        x0,
        excess: now.excess,
        target: now.target,
        filingDaysToTarget: k,
        projectedDate,
        projected: y,
      };
    }
  }
  return null;
}

/** Today's projection of `statement` when it is in the window (whether or not it fires). */
export function trendProjection(
  statement: StatementKey,
  today: DayFigures,
  recent: readonly DayFigures[],
): TrendProjection | null {
  return projection(statement, today, [today, ...earlierDays(today, recent)]);
}

/**
 * The `trend-to-target` decision for `statement` on `today`: the projection when it enters the
 * window today (it was not in the window on the previous point day), else null.
 */
export function trendToTarget(
  statement: StatementKey,
  today: DayFigures,
  recent: readonly DayFigures[],
): TrendProjection | null {
  const earlier = earlierDays(today, recent);
  const now = projection(statement, today, [today, ...earlier]);
  if (!now) return null;
  const x0 = now.x0;
  // The previous point day: the latest earlier day in the window with a point of this statement.
  for (let i = 0; i < earlier.length; i++) {
    const d = earlier[i];
    const x = indexOf(statement, d.endDate);
    if (x === undefined) continue;
    if (x <= x0 - TREND_WINDOW_FILING_DAYS) break;
    const s = d.statements[statement];
    if (!reconciled(s) || s.excess === null) continue;
    return projection(statement, d, earlier.slice(i)) ? null : now;
  }
  return now;
}

// ---- the alert records ------------------------------------------------------------------------

const base = (v: VersionRef) => ({
  firmId: v.firmId,
  firmName: v.firmName,
  endDate: v.endDate,
  submitDate: v.submitDate,
  filingType: v.filingType,
  versionKey: v.versionKey,
  source: v.source,
});

/** A slope or projected amount for people: whole cents. */
const cents = (r: Ratio) => usd(new Decimal(ratioToString(r, 2)));

export function targetChangedAlert(v: VersionRef, c: TargetChange): AlertRecord {
  return {
    ...base(v),
    id: alertId('target-changed', v.firmId, c.endDate, c.statement, str(c.previousTarget), str(c.target)),
    kind: 'target-changed',
    severity: ALERT_SEVERITY['target-changed'],
    statement: c.statement,
    excess: null,
    target: c.target,
    targetSource: c.targetSource ?? null,
    shortfall: null,
    previousExcess: null,
    previousDate: c.previousDate,
    previousTarget: c.previousTarget,
    detail: `The management target changed from ${usd(c.previousTarget)} (filing of ${c.previousDate}) to ${usd(c.target)}.`,
  };
}

export function trendToTargetAlert(v: VersionRef, p: TrendProjection): AlertRecord {
  const when = p.projectedDate ? `on ${p.projectedDate}, ` : '';
  return {
    ...base(v),
    // One per firm, statement and the day the projection entered the window.
    id: alertId('trend-to-target', v.firmId, p.endDate, p.statement),
    kind: 'trend-to-target',
    severity: ALERT_SEVERITY['trend-to-target'],
    statement: p.statement,
    excess: p.excess,
    target: p.target,
    targetSource: p.targetSource ?? null,
    shortfall: null,
    previousExcess: null,
    previousDate: null,
    slope: new Decimal(ratioToString(p.line.slope, 2)),
    projectedExcess: new Decimal(ratioToString(p.projected, 2)),
    projectedDate: p.projectedDate,
    filingDaysToTarget: p.filingDaysToTarget,
    detail:
      `Theil-Sen line through the excess of ${p.points} filing days (${p.from} to ${p.endDate}): ` +
      `${cents(p.line.slope)} per filing day; projected excess ${cents(p.projected)} ${when}` +
      `${p.filingDaysToTarget} filing day${p.filingDaysToTarget === 1 ? '' : 's'} ahead, below the target of ${usd(p.target)}.`,
  };
}

/**
 * The target-changed and trend-to-target alerts of `v`'s day (`today`: its figures), given the
 * firm's effective days from recentDaysFrom(today.endDate) on (any order; days on or after today
 * are ignored). Deterministic ids: re-running it for the same days gives the same alerts.
 */
export function dayAlerts(v: VersionRef, today: DayFigures, recent: readonly DayFigures[]): AlertRecord[] {
  const out: AlertRecord[] = [];
  for (const s of STATEMENT_KEYS) {
    const c = targetChange(s, today, recent);
    if (c) out.push(targetChangedAlert(v, c));
  }
  for (const s of STATEMENT_KEYS) {
    const p = trendToTarget(s, today, recent);
    if (p) out.push(trendToTargetAlert(v, p));
  }
  return out;
}
