/**
 * reconcile's work: check a new filing version and store its result, then evaluate its day
 * (evaluateDay): which version is effective, what to tell subscribers (shared/domain/episodes.ts
 * decides, from the day's effective version, the previous filing day and the outbox), the head,
 * and whether the next filing day must be evaluated again.
 *
 * Every step is idempotent and every decision is made from the table as it is, so a retry after
 * a failure anywhere, a duplicate record, a redrive or a recheck repeats nothing that was done.
 * The evaluations of one firm-day run one at a time: its versions and its recheck item share the
 * day's partition key, whose stream records are handled in order (one shard; records of one key
 * one after another in a batch).
 *
 * The days after a day: a later day's excess drop compares with this day's effective figures. The
 * later day's evaluation reads this day's head, writes its own head naming what it read
 * (`prevBasis`), then reads this day's head again and starts over if it changed meanwhile. This
 * day's evaluation writes its head, then reads the next filing day's head and, if that names other
 * figures for this day, puts a recheck item in the next day's partition (its stream record
 * evaluates that day again). Whichever order the two run in, the later day ends up evaluated
 * against this day's final figures, and nothing is written for a next day that has no filing.
 */
import { reconcile } from '../domain/reconcile';
import { lateAlert, safePreviousFilingDay, type AlertRecord, type VersionRef } from '../domain/alerts';
import { nextFilingDay } from '../domain/calendar';
import { basisOf, dayFiguresOf, planDay, type PreviousStatement } from '../domain/episodes';
import { daysReading, windowBasisOf, windowDays } from '../domain/day-alerts';
import { STATEMENT_KEYS, type StatementKey } from '../domain/forms';
import { str } from '../domain/money';
import { capFindings } from '../domain/limits';
import { effectiveVersion, errorFindings, isLate, overallStatus, summaryOf } from '../domain/versions';
import type { HeadItem, ResultItem, Store, VersionItem, VersionMeta } from '../adapters/store';

export interface ReconcileDeps {
  store: Store;
  now: () => Date;
}

export interface ReconcileOutcome {
  versionKey: string;
  effective: boolean;
  status: string;
  alerts: AlertRecord[];
  day: DayOutcome;
}

export interface DayOutcome {
  /** evaluated; waiting: the effective version is not reconciled yet (its own record will evaluate the day); empty: no version. */
  status: 'evaluated' | 'waiting' | 'empty';
  effective?: string;
  alerts: AlertRecord[];
  /** Next filing days asked to evaluate again. */
  rechecked: string[];
}

const refOf = (
  v: Pick<VersionItem, 'firmId' | 'firmName' | 'endDate' | 'submitDate' | 'filingType' | 'versionKey' | 'source'>,
): VersionRef => ({
  firmId: v.firmId,
  firmName: v.firmName,
  endDate: v.endDate,
  submitDate: v.submitDate,
  filingType: v.filingType,
  versionKey: v.versionKey,
  source: { bucket: v.source.bucket, key: v.source.key },
});

/**
 * A filing version from the stream: reconcile it, store its result (unless stored before), raise
 * its late-filing alert (a fact about this version, whether or not it stays effective), evaluate
 * its day. `inserted`: the record is the version's INSERT (a MODIFY, an earlier arrival or a
 * redrive, usually finds the result stored already, and reads it instead of re-putting it).
 */
export async function reconcileVersion(
  deps: ReconcileDeps,
  v: VersionItem,
  opts: { inserted?: boolean } = {},
): Promise<ReconcileOutcome> {
  const { store } = deps;
  const at = deps.now().toISOString();
  const rec = reconcile(v.filing, { unreadable: v.unreadable, notes: v.notes });
  const statements = summaryOf(rec);
  const errorCount = errorFindings(rec.findings).length;
  const { kept, omitted } = capFindings(rec.findings);
  const fresh: ResultItem = {
    firmId: v.firmId,
    endDate: v.endDate,
    versionKey: v.versionKey,
    statements,
    findings: kept,
    findingsOmitted: omitted,
    errorCount,
    late: isLate(rec.findings),
    reconciledAt: at,
  };
  let result = opts.inserted === false ? await store.getResult(v.firmId, v.endDate, v.versionKey) : undefined;
  if (!result) {
    result = store.fitResult(fresh);
    await store.putResult(result);
  }
  const alerts: AlertRecord[] = [];
  const late = lateAlert(refOf(v), rec.findings);
  if (late) {
    await store.putAlert(late, at, v.endDate);
    alerts.push(late);
  }
  const day = await evaluateDay(deps, v.firmId, v.endDate, { version: v, result });
  alerts.push(...day.alerts);
  return {
    versionKey: v.versionKey,
    effective: day.effective === v.versionKey,
    status: overallStatus({ statements, errorCount }),
    alerts,
    day,
  };
}

/** A recheck item from the stream: the day's previous filing day changed; evaluate the day again. */
export function recheckDay(deps: ReconcileDeps, firmId: string, endDate: string): Promise<DayOutcome> {
  return evaluateDay(deps, firmId, endDate);
}

interface Previous {
  previous: Partial<Record<StatementKey, PreviousStatement | null>>;
  /** Per previous filing day read: its basis, or 'none'. */
  basis: Record<string, string>;
  /** Whether any previous filing day has a filing. */
  any: boolean;
}

/** The previous filing day of each statement (the calendar; undefined outside the years it covers). */
function previousDays(endDate: string): Map<StatementKey, string | undefined> {
  return new Map<StatementKey, string | undefined>(STATEMENT_KEYS.map((k) => [k, safePreviousFilingDay(k, endDate)]));
}

/** What the previous filing days' heads say (`heads`: by day). */
function previousFrom(dayOf: Map<StatementKey, string | undefined>, heads: Map<string, HeadItem>): Previous {
  const previous: Previous['previous'] = {};
  const basis: Record<string, string> = {};
  for (const d of new Set([...dayOf.values()].filter((x): x is string => x !== undefined))) {
    const h = heads.get(d);
    basis[d] = h ? h.basis || basisOf(d, h.statements) : 'none';
  }
  for (const [k, d] of dayOf) {
    if (d === undefined) continue; // outside the calendar: the 25% rule cannot be applied
    const st = heads.get(d)?.statements[k];
    previous[k] = st ? { endDate: d, excess: st.excess, status: st.status } : null;
  }
  return { previous, basis, any: [...heads.values()].some(Boolean) };
}

const sameBasis = (a: Record<string, string>, b: Record<string, string>) => JSON.stringify(a) === JSON.stringify(b);

/** A head's content without its time, for "did anything change". */
function headSignature(h: HeadItem): string {
  const statements = STATEMENT_KEYS.map((k) => {
    const s = h.statements[k];
    return s
      ? [
          k,
          s.required && str(s.required),
          s.funds && str(s.funds),
          s.excess && str(s.excess),
          s.target && str(s.target),
          s.targetSource,
          s.status,
          // An unreconciled statement's excess line as filed ('-': a reconciled statement, or a head written before it was kept).
          s.filedExcess === undefined ? '-' : s.filedExcess && str(s.filedExcess),
        ]
      : [k];
  });
  return JSON.stringify([
    h.firmName,
    h.effective,
    h.filingType,
    h.submitDate,
    h.status,
    statements,
    h.versions,
    h.late,
    h.basis,
    Object.entries(h.prevBasis).sort(),
    h.windowBasis ?? '',
  ]);
}

/**
 * Evaluate a firm's day: the effective version (shared/domain/versions.ts), the marks of the
 * others, the alerts the day calls for given what was said (episodes.ts planDay), the head, and a
 * recheck of the next filing day when it compared with other figures of this one.
 */
export async function evaluateDay(
  deps: ReconcileDeps,
  firmId: string,
  endDate: string,
  trigger?: { version: VersionItem; result: ResultItem },
): Promise<DayOutcome> {
  const { store } = deps;
  const at = deps.now().toISOString();
  // Everything the decision reads, in two requests at once: the day's partition (its versions,
  // their results, its head, its outbox) and the previous filing days' heads.
  const dayOf = previousDays(endDate);
  // The earlier days read: the previous filing days (the excess drop) and the window of the
  // recent-days alerts (day-alerts.ts windowDays: target-changed, trend-to-target), in one
  // strongly consistent BatchGetItem. (A Query of gsi1 would read them for fewer read units, but
  // an index is eventually consistent, and the handshake with the earlier days' evaluations
  // below needs reads that see every head written before them.)
  const window = windowDays(endDate);
  const prevDays = [...new Set([...[...dayOf.values()].filter((d): d is string => d !== undefined), ...window])];
  const [day, prevHeads] = await Promise.all([store.readDay(firmId, endDate), store.getHeads(firmId, prevDays)]);
  const versions: VersionMeta[] = day.versions;
  const current = day.head;
  const firstPrev = previousFrom(dayOf, prevHeads);
  const firstOutbox = day.alerts;
  if (trigger && !versions.some((x) => x.versionKey === trigger.version.versionKey)) versions.push(trigger.version);
  const eff = effectiveVersion(versions);
  if (!eff) return { status: 'empty', alerts: [], rechecked: [] };
  const effResult =
    trigger && eff.versionKey === trigger.version.versionKey ? trigger.result : day.results.get(eff.versionKey);
  if (!effResult) {
    // The effective version is not reconciled yet: its own record, later in this day's stream
    // order, evaluates the day. Until then the trigger is at least not the effective one.
    if (
      trigger &&
      (!trigger.version.superseded ||
        trigger.version.supersededBy !== eff.versionKey ||
        trigger.version.state !== 'done')
    )
      await store.markSuperseded(firmId, endDate, trigger.version.versionKey, eff.versionKey);
    return { status: 'waiting', effective: eff.versionKey, alerts: [], rechecked: [] };
  }
  const ref = refOf({ ...eff, firmId, endDate });
  const nextDays = [
    ...new Set(STATEMENT_KEYS.map((k) => safeNextFilingDay(k, endDate)).filter((d): d is string => d !== undefined)),
  ];
  // The later days that read this one: the next filing days, and those whose window holds it.
  const laterDays = [...new Set([...nextDays, ...daysReading(endDate)])];
  const alerts: AlertRecord[] = [];
  let prev = firstPrev;
  let windowHeads = prevHeads;
  let outbox = firstOutbox;
  let written = current;
  let head: HeadItem;
  let nextHeads: (HeadItem | undefined)[];
  let after: Map<string, HeadItem>;
  for (let round = 1; ; round++) {
    if (round > 1) {
      let heads: Map<string, HeadItem>;
      [heads, outbox] = await Promise.all([store.getHeads(firmId, prevDays), store.listAlerts(firmId, endDate)]);
      prev = previousFrom(dayOf, heads);
      windowHeads = heads;
    }
    const windowBasis = windowBasisOf(endDate, basesOf(windowHeads));
    const recent = window.flatMap((d) => {
      const h = windowHeads.get(d);
      return h ? [dayFiguresOf(d, h.statements)] : [];
    });
    const plan = planDay({
      effective: {
        ref,
        statements: effResult.statements,
        findings: effResult.findings,
        errorCount: effResult.errorCount,
      },
      previous: prev.previous,
      outbox,
      recent,
    });
    for (const a of plan) {
      await store.putAlert(a, at, endDate);
      alerts.push(a);
    }
    if (round === 1) {
      await Promise.all(
        versions.map((x) =>
          x.versionKey === eff.versionKey
            ? x.superseded && store.markEffective(firmId, endDate, x.versionKey)
            : (!x.superseded || x.supersededBy !== eff.versionKey || x.state !== 'done') &&
              store.markSuperseded(firmId, endDate, x.versionKey, eff.versionKey),
        ),
      );
      // No filing on this day before, none on the previous filing day and none earlier: the
      // firm's first filing, so register it (a conditional put: registered already changes nothing).
      if (!current && !prev.any && !(await store.previousHead(firmId, endDate)))
        await store.putFirm({ firmId, firmName: eff.firmName });
    }
    head = {
      firmId,
      firmName: eff.firmName,
      endDate,
      effective: eff.versionKey,
      filingType: eff.filingType,
      submitDate: eff.submitDate,
      status: overallStatus({ statements: effResult.statements, errorCount: effResult.errorCount }),
      statements: headStatements(effResult.statements),
      versions: versions.length,
      late: effResult.late,
      basis: basisOf(endDate, effResult.statements),
      prevBasis: prev.basis,
      windowBasis,
      updatedAt: at,
    };
    // The head moves last: a retry after a failure before it sees the same head and repeats the
    // same idempotent writes. Unchanged (a duplicate, a redrive): not written again.
    if (!written || headSignature(written) !== headSignature(head)) {
      await store.putHead(head);
      written = head;
    }
    // Read the previous filing days again: if one changed since, its check of this day may have
    // looked before this head was written; evaluate again with its new figures. (With it, the
    // next filing days' heads, for the check below: both after this head was written.)
    const heads = await store.getHeads(firmId, [...prevDays, ...laterDays]);
    after = heads;
    nextHeads = laterDays.map((d) => heads.get(d));
    const again = previousFrom(dayOf, heads);
    if (sameBasis(again.basis, prev.basis) && windowBasisOf(endDate, basesOf(heads)) === windowBasis) break;
    if (round >= 3)
      throw new Error(
        `the previous filing day of ${firmId} ${endDate} kept changing while the day was evaluated; the record is retried`,
      );
  }
  // A later day evaluated with other figures of this day: evaluate it again. The next filing days
  // compare their prevBasis (the excess drop); every later day whose window holds this day, its
  // windowBasis with the window as it is now (every day of it is among the heads just read).
  const rechecked: string[] = [];
  const bases = basesOf(after!);
  bases.set(endDate, head.basis);
  for (const [i, later] of laterDays.entries()) {
    const h = nextHeads[i];
    if (!h) continue;
    const stale =
      (nextDays.includes(later) && h.prevBasis[endDate] !== head.basis) ||
      (windowDays(later).includes(endDate) && h.windowBasis !== windowBasisOf(later, bases));
    if (stale) {
      await store.putRecheck(firmId, later, { from: endDate, basis: head.basis });
      rechecked.push(later);
    }
  }
  return { status: 'evaluated', effective: eff.versionKey, alerts, rechecked };
}

/** Each head's basis (the figures later days read), by day. */
function basesOf(heads: ReadonlyMap<string, HeadItem>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [d, h] of heads) out.set(d, h.basis || basisOf(d, h.statements));
  return out;
}

function headStatements(statements: ResultItem['statements']): HeadItem['statements'] {
  const out: HeadItem['statements'] = {};
  for (const k of STATEMENT_KEYS) {
    const st = statements[k];
    if (st)
      out[k] = {
        required: st.required,
        funds: st.funds,
        excess: st.excess,
        target: st.target,
        targetSource: st.targetSource,
        status: st.status,
        // An unreconciled statement's excess line as filed: the views mark an excess that is not it.
        ...(st.filedExcess !== undefined ? { filedExcess: st.filedExcess } : {}),
      };
  }
  return out;
}

function safeNextFilingDay(statement: StatementKey, endDate: string): string | undefined {
  try {
    return nextFilingDay(statement, endDate);
  } catch {
    return undefined;
  }
}
