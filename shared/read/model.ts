/**
 * The read model: for each firm, filing day and statement of the effective version, the figures
 * people read (shared/read/types.ts StatementDay). Pure: no AWS, no clock; the calendar's
 * functions only. Every amount is exact; ratios and percentages are rounded once, as documented:
 *
 * | value | how | why |
 * | --- | --- | --- |
 * | required, funds, excess, target, overTarget, changeFromPrevious | exact (as filed; differences exact) | amounts |
 * | headroom | exact, then rounded **down** to whole cents (`HEADROOM_PLACES`) | the most that may be moved, never more; with whole-dollar amounts 25% gives at most cents, so nothing is lost unless a percentage target has fractions of a cent |
 * | cushion | excess / target (excess / required without a target), **floored** to 4 decimal places (`CUSHION_PLACES`), always 4 places | never reads higher than it is: a cushion of 1.0000 or more means excess >= target |
 * | changePct | change / abs(previous excess) x 100, rounded **away from zero** to 2 places (`CHANGE_PCT_PLACES`), always 2 places | a change never reads smaller than it is, and reads 0.00 only when there is none |
 *
 * A statement that does not reconcile (`unreconciled`) keeps its filed figures, but nothing is
 * derived from them: overTarget, change, changePct, cushion and headroom are null (a doubt is never
 * turned into a number someone acts on). A change also needs a reconciled previous day. Its excess
 * may not be the line as filed (unreadable, missing, or higher than funds - required: then it is
 * funds - required): `excessRecomputed` says so, and every view marks it.
 */
import { Decimal, str, type Decimal as D } from '../domain/money';
import { STATEMENT_KEYS, type StatementKey } from '../domain/forms';
import { CalendarError, dueDay, previousFilingDay } from '../domain/calendar';
import { excessRecomputed } from '../domain/report';
import { compareRatio, ratio, type Ratio } from '../domain/trend';
import type { BoardFirm, HistoryDay, ReadStatus, StatementDay, StatementsDay, TargetSource } from './types';

export const HEADROOM_PLACES = 2;
export const CUSHION_PLACES = 4;
export const CHANGE_PCT_PLACES = 2;

/** One statement of an effective filing day, as the table's head item holds it. */
export interface StatementRecord {
  required: D | null;
  funds: D | null;
  excess: D | null;
  target: D | null;
  /** The reconciler's status: ok, below-target, deficiency, error. */
  status: string;
  /** Where the target came from; absent on heads written before the store recorded it. */
  targetSource?: TargetSource | null;
  /**
   * A statement that does not reconcile: its excess line as filed (null when it was unreadable or
   * missing). `excess` is then the lower of it and funds - required, or funds - required alone.
   * Absent on a reconciled statement (its excess is the line as filed) and on heads written
   * before the store recorded it.
   */
  filedExcess?: D | null;
}

/** A firm's effective filing on one day: the head item. */
export interface DayRecord {
  firmId: string;
  firmName: string;
  endDate: string;
  /** The effective version's key. */
  effective: string;
  filingType: 'INITIAL' | 'AMENDMENT';
  submitDate: string;
  /** The head's overall status (ok, below-target, deficiency, error). */
  status?: string;
  /** How many versions of the day exist; absent on heads written before the store recorded it. */
  versions?: number;
  /** Whether the day's initial filing was late; absent on heads written before the store recorded it. */
  late?: boolean;
  statements: Partial<Record<StatementKey, StatementRecord>>;
}

export function readStatus(status: string): ReadStatus {
  if (status === 'ok' || status === 'below-target' || status === 'deficiency') return status;
  return 'unreconciled';
}

const QUARTER = new Decimal('0.25');

/**
 * What may be withdrawn the next business day without the 25% pre-approval process and without
 * going below target (the 25% rule: README "Reading the history", headroom): min(25% of excess, excess - target),
 * never below 0; 25% of excess with no target. Rounded down to whole cents.
 */
export function headroom(excess: D, target: D | null): D {
  if (!excess.isPositive() || excess.isZero()) return new Decimal(0);
  const quarter = excess.times(QUARTER);
  let h = quarter;
  if (target !== null) {
    const over = excess.minus(target);
    if (over.lt(h)) h = over;
  }
  if (h.isNegative()) return new Decimal(0);
  return h.decimalPlaces() <= HEADROOM_PLACES ? h : h.toDecimalPlaces(HEADROOM_PLACES, Decimal.ROUND_DOWN);
}

/** The exact cushion: excess / target, or excess / required without a target; null when the divisor is 0 or missing. */
export function cushionRatio(excess: D | null, target: D | null, required: D | null): Ratio | null {
  if (excess === null) return null;
  const divisor = target !== null ? target : required;
  if (divisor === null || divisor.isZero()) return null;
  return ratio(excess, divisor);
}

const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000].map((x) => new Decimal(x));

/** An integer's digits as a decimal string with `places` decimal places ("-1250", 2 -> "-12.50"). */
function shiftPoint(q: D, places: number): string {
  const t = q.toFixed();
  const neg = t.charCodeAt(0) === 45; /* - (toFixed never writes -0) */
  const digits = (neg ? t.slice(1) : t).padStart(places + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, digits.length - places)}.${digits.slice(digits.length - places)}`;
}

/**
 * n x 10^shift / d (d > 0) to `places` decimal places (places + shift at most 6), rounded `floor`
 * (toward minus infinity) or `away` from zero, exactly: the integer quotient of n x 10^(places +
 * shift) by d, moved one step when the remainder is not zero. (A 200-digit division and a rounding
 * gives the same digits at several times the cost; the read model makes two of these per statement
 * and day, and a year's history about 1,600: each Decimal operation saved here counts.)
 */
function divideTo(n: D, d: D, places: number, mode: 'floor' | 'away', shift = 0): string {
  const scaled = n.times(POW10[places + shift]);
  let q = scaled.dividedToIntegerBy(d); // truncated toward zero
  if (!q.times(d).eq(scaled)) {
    if (mode === 'away') q = scaled.isNegative() ? q.minus(1) : q.plus(1);
    else if (scaled.isNegative()) q = q.minus(1);
  }
  return shiftPoint(q, places);
}

export function cushionString(r: Ratio): string {
  return divideTo(r.n, r.d, CUSHION_PLACES, 'floor');
}

/** change / abs(previous) x 100, away from zero to 2 places; null when previous is 0. */
export function changePct(change: D, previous: D): string | null {
  if (previous.isZero()) return null;
  return divideTo(change, previous.isNegative() ? previous.negated() : previous, CHANGE_PCT_PLACES, 'away', 2);
}

const s = (d: D | null) => (d === null ? null : str(d));

/** One statement's read-model figures, against the previous filing day's (undefined: none). */
export function statementDay(now: StatementRecord, previous: StatementRecord | undefined): StatementDay {
  const status = readStatus(now.status);
  const ok = status !== 'unreconciled';
  const { excess, target, required } = now;
  const targetSource: TargetSource | null =
    now.targetSource !== undefined ? now.targetSource : target !== null ? 'statement' : null;
  let change: D | null = null;
  let pct: string | null = null;
  if (ok && excess !== null && previous && readStatus(previous.status) !== 'unreconciled' && previous.excess !== null) {
    change = excess.minus(previous.excess);
    pct = changePct(change, previous.excess);
  }
  const cushion = ok ? cushionRatio(excess, target, required) : null;
  return {
    required: s(required),
    funds: s(now.funds),
    excess: s(excess),
    excessRecomputed: excessRecomputed(now),
    target: s(target),
    targetSource,
    overTarget: ok && excess !== null && target !== null ? str(excess.minus(target)) : null,
    status,
    changeFromPrevious: s(change),
    changePct: pct,
    cushion: cushion ? cushionString(cushion) : null,
    headroom: ok && excess !== null ? str(headroom(excess, target)) : null,
  };
}

/** The calendar's previous filing day of `statement` before `endDate`; undefined outside the calendar's years. */
export function previousDayOf(statement: StatementKey, endDate: string): string | undefined {
  try {
    return previousFilingDay(statement, endDate);
  } catch (e) {
    if (e instanceof CalendarError) return undefined;
    throw e;
  }
}

/** The earliest day whose filing the previous-day figures of days from `from` on can need. */
export function lookbackFrom(from: string): string {
  let out = from;
  for (const k of STATEMENT_KEYS) {
    const p = previousDayOf(k, from);
    if (p !== undefined && p < out) out = p;
  }
  return out;
}

/** Every statement of `day`, each against the firm's previous filing day of that statement (looked up in `byDate`). */
export function statementsDay(
  day: DayRecord,
  byDate: ReadonlyMap<string, DayRecord>,
  only?: StatementKey,
): StatementsDay {
  const out: StatementsDay = {};
  for (const k of STATEMENT_KEYS) {
    if (only && k !== only) continue;
    const now = day.statements[k];
    if (!now) continue;
    const p = previousDayOf(k, day.endDate);
    out[k] = statementDay(now, p === undefined ? undefined : byDate.get(p)?.statements[k]);
  }
  return out;
}

/**
 * Whether an initial filing submitted on `submitDate` for `endDate` is late: after the due
 * business day of any statement it holds (the calendar's dueDay). False outside the calendar.
 */
export function submittedLate(
  endDate: string,
  submitDate: string,
  statements: Iterable<StatementKey> = STATEMENT_KEYS,
): boolean {
  try {
    for (const k of statements) if (submitDate > dueDay(k, endDate)) return true;
    return false;
  } catch (e) {
    if (e instanceof CalendarError) return false;
    throw e;
  }
}

/** What the read side needs of a day's versions when the head does not say (heads written before it recorded `versions` and `late`). */
export interface VersionSummary {
  filingType: 'INITIAL' | 'AMENDMENT';
  submitDate: string;
}

/** `versions` and `late` of a day from its versions: late when any initial filing of it was submitted late. */
export function versionFacts(day: DayRecord, versions: readonly VersionSummary[]): { versions: number; late: boolean } {
  const keys = Object.keys(day.statements) as StatementKey[];
  return {
    versions: versions.length,
    late: versions.some(
      (v) =>
        v.filingType === 'INITIAL' && submittedLate(day.endDate, v.submitDate, keys.length ? keys : STATEMENT_KEYS),
    ),
  };
}

/** Days of `days` from `from` to `to`, oldest first, as history rows (only `statement` when given; then days without it are left out). */
export function historyDays(
  days: readonly DayRecord[],
  from: string,
  to: string,
  statement?: StatementKey,
): HistoryDay[] {
  const byDate = new Map(days.map((d) => [d.endDate, d]));
  const out: HistoryDay[] = [];
  for (const d of [...byDate.values()].sort((a, b) => (a.endDate < b.endDate ? -1 : 1))) {
    if (d.endDate < from || d.endDate > to) continue;
    if (statement && !d.statements[statement]) continue;
    out.push({
      endDate: d.endDate,
      filingType: d.filingType,
      submitDate: d.submitDate,
      versions: d.versions ?? 1,
      late:
        d.late ??
        (d.filingType === 'INITIAL' &&
          submittedLate(d.endDate, d.submitDate, Object.keys(d.statements) as StatementKey[])),
      statements: statementsDay(d, byDate, statement),
    });
  }
  return out;
}

// ---- the board's order ----------------------------------------------------------------------

/**
 * Worst first: a deficiency, then a missing filing (a watched firm that did not file: the worst
 * silence), then a statement that does not reconcile, then below target, then every other firm by
 * its smallest cushion (exact, not the rounded string); a firm with no cushion at all last among
 * its kind; ties by firm name, then id. A firm's standing is its worst statement's; a head whose
 * overall status is `error` (a statement missing from the filing) counts as unreconciled.
 */
const RANK: Record<ReadStatus | 'missing', number> = {
  deficiency: 0,
  missing: 1,
  unreconciled: 2,
  'below-target': 3,
  ok: 4,
};

export interface BoardEntry {
  firm: BoardFirm;
  /** The day's head (undefined: missing). */
  day?: DayRecord;
}

function standing(e: BoardEntry): { rank: number; cushion: Ratio | null } {
  if (!e.firm.filed || !e.day) return { rank: RANK.missing, cushion: null };
  let rank = e.day.status === 'error' ? RANK.unreconciled : RANK.ok;
  let cushion: Ratio | null = null;
  for (const k of STATEMENT_KEYS) {
    const st = e.day.statements[k];
    if (!st) continue;
    const status = readStatus(st.status);
    rank = Math.min(rank, RANK[status]);
    if (status === 'unreconciled') continue;
    const c = cushionRatio(st.excess, st.target, st.required);
    if (c && (cushion === null || compareRatio(c, cushion) < 0)) cushion = c;
  }
  return { rank, cushion };
}

export function sortBoard(entries: BoardEntry[]): BoardEntry[] {
  const keyed = entries.map((e) => ({ e, s: standing(e) }));
  keyed.sort((a, b) => {
    if (a.s.rank !== b.s.rank) return a.s.rank - b.s.rank;
    if (a.s.cushion && b.s.cushion) {
      const c = compareRatio(a.s.cushion, b.s.cushion);
      if (c !== 0) return c;
    } else if (a.s.cushion || b.s.cushion) return a.s.cushion ? -1 : 1;
    const n = a.e.firm.firmName.localeCompare(b.e.firm.firmName, 'en');
    if (n !== 0) return n;
    return a.e.firm.firmId < b.e.firm.firmId ? -1 : a.e.firm.firmId > b.e.firm.firmId ? 1 : 0;
  });
  return keyed.map((k) => k.e);
}

// ---- versions -------------------------------------------------------------------------------

export interface VersionOrderLike {
  versionKey: string;
  filingType: 'INITIAL' | 'AMENDMENT';
  submitDate: string;
  arrivedAt: string;
}

const rank = (t: 'INITIAL' | 'AMENDMENT') => (t === 'AMENDMENT' ? '1' : '0');
const orderKey = (v: VersionOrderLike) => `${rank(v.filingType)}#${v.submitDate}#${v.arrivedAt}#${v.versionKey}`;

/** A day's versions in the order of submission: initial before amendment, then submit date, then arrival. */
export function inEffectiveOrder<T extends VersionOrderLike>(versions: readonly T[]): T[] {
  return [...versions].sort((a, b) => (orderKey(a) < orderKey(b) ? -1 : orderKey(a) > orderKey(b) ? 1 : 0));
}

/**
 * Why a version is or is not the effective one, in words. The effective one is the one the day's
 * head names (the pipeline decided it); a version after it that the head does not name yet is
 * still being reconciled.
 */
export function versionStanding(
  v: VersionOrderLike,
  versions: readonly VersionOrderLike[],
  effectiveKey: string | undefined,
  reconciled: boolean,
): string {
  const eff = effectiveKey === undefined ? undefined : versions.find((x) => x.versionKey === effectiveKey);
  if (!eff) return reconciled ? 'reconciled; no version of the day is effective yet' : 'received, not reconciled yet';
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
  if (!reconciled && orderKey(v) > orderKey(eff)) return 'received, not reconciled yet';
  const why =
    eff.filingType !== v.filingType
      ? eff.filingType === 'AMENDMENT'
        ? 'an amendment replaces the initial filing'
        : 'the effective filing is an initial filing'
      : eff.submitDate !== v.submitDate
        ? `submitted later (${eff.submitDate})`
        : 'submitted the same day and arrived later';
  return `superseded by ${eff.versionKey} (${why})`;
}
