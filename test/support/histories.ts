/**
 * Random filing histories and an oracle of what must hold once they are processed, for the
 * property tests of time (test/faults/histories.property.test.ts on the in-memory table,
 * test/integration/histories-local.test.ts on DynamoDB Local).
 *
 * A history: firms, a run of consecutive filing days each (from the filing calendar, across
 * Thanksgiving 2025, so holidays count only through the calendar's functions), per day versions
 * (initials, amendments, same-day re-filings of the same type and submit date, cures and
 * relapses: each statement's level is drawn per version), the objects that carry them (a version
 * may come twice, under another name and in another rendering), the S3 event time of each object
 * (the order in which they arrived), and the order in which the events are processed (any order,
 * some delivered more than once).
 *
 * The oracle is written independently of the pipeline's rules: it computes the effective version
 * of each day (latest submitted amendment; among the same type and submit date, the earliest event
 * time of its objects, latest wins), the word each channel calls for (shortfall: the effective
 * statement's deficiency or below-target with its figures, nothing when it is fine, no opinion
 * when it does not reconcile; drop: a fall of more than 25% from the effective excess of the
 * calendar's previous filing day of the statement), and the words a subscriber must hear in order
 * when the events are processed one at a time. Only facts that are not this module's subject (is
 * a version late, its statements' figures) come from the domain's parser and reconciler.
 */
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { filingDays, dueDay, nextBusinessDay, previousFilingDay } from '../../shared/domain/calendar';
import { STATEMENT_KEYS, type StatementKey } from '../../shared/domain/forms';
import { filingToJson } from '../../shared/domain/model';
import { parseFilingText } from '../../shared/domain/parser';
import { reconcile } from '../../shared/domain/reconcile';
import { RENDERINGS, render, type Rendering } from './render';
import { contentHash, versionKeyOf } from '../../shared/domain/versions';
import { SAMPLE_2014 } from './filings';
import { targetChange, trendToTarget, windowDays, type DayFigures } from '../../shared/domain/day-alerts';
import { ratioToString, type Ratio } from '../../shared/domain/trend';

export type Level = 'high' | 'normal' | 'below' | 'deficient' | 'broken';
export const LEVELS: readonly Level[] = ['high', 'normal', 'below', 'deficient', 'broken'];

export interface VersionSpec {
  firm: string;
  endDate: string;
  filingType: 'INITIAL' | 'AMENDMENT';
  submitDate: string;
  levels: Record<StatementKey, Level>;
  /**
   * The Segregation Statement moved further (recent-days histories): its excess by `excessBy`
   * dollars (the cash input and the totals after it) and its management target by `targetBy`
   * (line 15, and line 16 with it), so the statement still adds up.
   */
  seg?: { excessBy?: bigint; targetBy?: bigint };
}

export interface ObjectSpec {
  name: string;
  /** Index into History.versions. */
  version: number;
  rendering: Rendering;
  /** The S3 event time of this object (distinct across objects). */
  eventTime: string;
}

export interface History {
  versions: VersionSpec[];
  objects: ObjectSpec[];
  /** Objects (indexes) in the order their events are processed; an object may appear more than once (a redelivery). */
  deliveries: number[];
}

// ---- filings ---------------------------------------------------------------------------------

/** Per statement: the cash input moved, and the totals that follow it (so the statement still adds up). */
const MOVES: Record<
  StatementKey,
  { input: string; follow: string[]; broken: string; delta: Record<'high' | 'below' | 'deficient', bigint> }
> = {
  segregation: {
    input: '7070',
    follow: ['7180', '7190', '7198'],
    broken: '7040',
    delta: { high: 200_000_000n, below: -50_000_000n, deficient: -300_000_000n },
  },
  secured: {
    input: '7520',
    follow: ['7530', '7770', '7380', '7785'],
    broken: '7345',
    delta: { high: 200_000_000n, below: -150_000_000n, deficient: -300_000_000n },
  },
  clearedSwaps: {
    input: '8600',
    follow: ['8720', '8730', '8770'],
    broken: '8550',
    delta: { high: 200_000_000n, below: -50_000_000n, deficient: -300_000_000n },
  },
};

const group = (n: bigint) => {
  const neg = n < 0n;
  const s = (neg ? -n : n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return neg ? `-${s}` : s;
};
const cell = (code: string) => new RegExp(`(<u>)(-?[\\d,]+)(</u>(?:</b>)?\\s*\\[${code}\\])`);
/** `text` with the amount of [code] moved by `by` dollars. */
export function moveAmount(text: string, code: string, by: bigint): string {
  const m = cell(code).exec(text);
  if (!m) throw new Error(`no amount for [${code}] in the sample`);
  return text.replace(cell(code), `$1${group(BigInt(m[2].replace(/,/g, '')) + by)}$3`);
}
const usDate = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number);
  return `${m}/${d}/${y}`;
};

/** The 2014 sample as `spec`'s filing (markup rendering). */
export function filingText(spec: VersionSpec): string {
  let t = SAMPLE_2014.replaceAll('Firm Name:Citigroup Global Markets Inc.', `Firm Name:${spec.firm}`)
    .replaceAll('End Date:11/6/2014', `End Date:${usDate(spec.endDate)}`)
    .replaceAll('Submit Date:11/7/2014', `Submit Date:${usDate(spec.submitDate)}`);
  if (spec.filingType === 'AMENDMENT') t = t.replaceAll('**INITIAL**', '**AMENDMENT**');
  for (const key of STATEMENT_KEYS) {
    const level = spec.levels[key];
    const move = MOVES[key];
    if (level === 'broken') t = moveAmount(t, move.broken, 1n);
    else if (level !== 'normal')
      for (const code of [move.input, ...move.follow]) t = moveAmount(t, code, move.delta[level]);
  }
  if (spec.seg?.excessBy)
    for (const code of [MOVES.segregation.input, ...MOVES.segregation.follow])
      t = moveAmount(t, code, spec.seg.excessBy);
  if (spec.seg?.targetBy) {
    t = moveAmount(t, '7194', spec.seg.targetBy);
    t = moveAmount(t, '7198', -spec.seg.targetBy);
  }
  return t;
}

/** The object's bytes: the version's filing in the object's rendering. */
export function objectText(h: History, o: ObjectSpec): string {
  const text = filingText(h.versions[o.version]);
  return o.rendering === 'markup' ? text : render(parseFilingText(text).filing, o.rendering, { seed: 5 });
}

/** What the domain says about a version (its key, lateness, statement figures). Not the subject of these tests. */
export interface VersionFacts {
  versionKey: string;
  firmId: string;
  late: boolean;
  statements: Partial<Record<StatementKey, { status: string; excess: string | null; target: string | null }>>;
}

/** A version spec as a string (its bigint shifts written out). */
export const specKey = (spec: VersionSpec) =>
  JSON.stringify(spec, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

const factsCache = new Map<string, VersionFacts>();
export function factsOf(spec: VersionSpec): VersionFacts {
  const k = specKey(spec);
  let f = factsCache.get(k);
  if (!f) {
    const p = parseFilingText(filingText(spec));
    const rec = reconcile(p.filing, { unreadable: p.unreadable });
    const statements: VersionFacts['statements'] = {};
    for (const key of STATEMENT_KEYS) {
      const s = rec.statements[key];
      if (s)
        statements[key] = {
          status: s.status,
          excess: s.excess?.toFixed() ?? null,
          target: s.target?.toFixed() ?? null,
        };
    }
    f = {
      versionKey: versionKeyOf(p.filing, contentHash(filingToJson(p.filing))),
      firmId: p.filing.firmId,
      late: rec.findings.some((x) => x.ruleId === 'SW130'),
      statements,
    };
    if (factsCache.size > 5000) factsCache.clear();
    factsCache.set(k, f);
  }
  return f;
}

// ---- the generator ---------------------------------------------------------------------------------

/** Filing days of the Segregation Statement around Thanksgiving 2025 (from the calendar). */
export const DAYS = filingDays('segregation', '2025-11-18', '2025-12-05');

const FIRMS = ['Tidewater Clearing LLC', 'Kestrel Futures Inc.'];

export interface HistoryOptions {
  maxFirms?: number;
  maxDays?: number;
  maxVersionsPerDay?: number;
  /** Probability (0-1) that a version comes in a second object too. */
  copies?: number;
  /** Extra redeliveries of events, at most. */
  maxRedeliveries?: number;
  /**
   * Recent-days histories (target-changed, trend-to-target): up to 9 consecutive days from the
   * first few, each firm's Segregation excess on a line of its own slope (0 to -35M a filing day)
   * with wobbles, and its target moved up or down on some versions.
   */
  recent?: boolean;
}

const levelArb = fc.constantFrom<Level>('normal', 'normal', 'high', 'below', 'deficient', 'deficient', 'broken');

export function historyArb(o: HistoryOptions = {}): fc.Arbitrary<History> {
  const maxFirms = o.maxFirms ?? 2;
  const maxDays = o.maxDays ?? 4;
  const maxV = o.maxVersionsPerDay ?? 3;
  const recent = o.recent ?? false;
  const segLevel = recent
    ? fc.constantFrom<Level>('normal', 'normal', 'normal', 'normal', 'below', 'broken')
    : levelArb;
  const levels = fc.record({ segregation: segLevel, secured: levelArb, clearedSwaps: levelArb });
  const M = 1_000_000n;
  const version = fc.record({
    wobble: recent ? fc.constantFrom(0n, 0n, 0n, -15n * M, 15n * M) : fc.constant(0n),
    targetBy: recent ? fc.constantFrom(0n, 0n, 0n, 10n * M, -10n * M) : fc.constant(0n),
    amendment: fc.boolean(),
    /** Business days after the due day (0: on time). */
    lateBy: fc.constantFrom(0, 0, 0, 1, 2),
    /** Same type and submit date as the version before it (a same-day re-filing). */
    refile: fc.boolean(),
    levels,
  });
  const day = fc.array(version, { minLength: 1, maxLength: maxV });
  const firm = fc.record({
    start: fc.nat({ max: recent ? 3 : DAYS.length - 1 }),
    slope: recent ? fc.constantFrom(0n, 10n * M, 20n * M, 35n * M) : fc.constant(0n),
    days: fc.array(day, { minLength: recent ? 5 : 1, maxLength: maxDays }),
  });
  return fc
    .record({
      firms: fc.array(firm, { minLength: 1, maxLength: maxFirms }),
      copyRolls: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 40, maxLength: 40 }),
    })
    .chain(({ firms, copyRolls }) => {
      const versions: VersionSpec[] = [];
      const seen = new Set<string>();
      firms.forEach((f, fi) => {
        f.days.forEach((vs, di) => {
          const endDate = DAYS[Math.min(DAYS.length - 1, f.start + di)];
          if (versions.some((v) => v.firm === FIRMS[fi] && v.endDate === endDate)) return;
          let prev: VersionSpec | undefined;
          for (const v of vs) {
            let submitDate = dueDay('segregation', endDate);
            for (let i = 0; i < v.lateBy; i++) submitDate = nextBusinessDay(submitDate);
            const seg = recent
              ? { seg: { excessBy: 100n * M - f.slope * BigInt(di) + v.wobble, targetBy: v.targetBy } }
              : {};
            const spec: VersionSpec =
              v.refile && prev
                ? {
                    firm: FIRMS[fi],
                    endDate,
                    filingType: prev.filingType,
                    submitDate: prev.submitDate,
                    levels: v.levels,
                    ...seg,
                  }
                : {
                    firm: FIRMS[fi],
                    endDate,
                    filingType: v.amendment ? 'AMENDMENT' : 'INITIAL',
                    submitDate,
                    levels: v.levels,
                    ...seg,
                  };
            const k = specKey(spec);
            if (seen.has(k)) continue;
            seen.add(k);
            versions.push(spec);
            prev = spec;
          }
        });
      });
      const objects: Omit<ObjectSpec, 'eventTime'>[] = [];
      versions.forEach((v, i) => {
        objects.push({ name: `${v.firm.split(' ')[0]}/${v.endDate}/v${i}.txt`, version: i, rendering: 'markup' });
        if (copyRolls[i % copyRolls.length] < (o.copies ?? 0.3))
          objects.push({
            name: `copies/${v.firm.split(' ')[0]} ${v.endDate} v${i} (copy).txt`,
            version: i,
            rendering: RENDERINGS[(i % (RENDERINGS.length - 1)) + 1],
          });
      });
      const n = objects.length;
      return fc
        .record({
          arrival: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
          processing: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
          redeliver: fc.array(fc.record({ object: fc.nat({ max: n - 1 }), at: fc.nat({ max: n }) }), {
            maxLength: o.maxRedeliveries ?? 3,
          }),
        })
        .map(({ arrival, processing, redeliver }) => {
          const eventTime = new Map(
            arrival.map((obj, rank) => [obj, new Date(Date.UTC(2025, 10, 18, 14, 0, 0) + 61_000 * rank).toISOString()]),
          );
          const deliveries = [...processing];
          for (const r of redeliver) deliveries.splice(Math.min(deliveries.length, r.at), 0, r.object);
          return { versions, objects: objects.map((x, i) => ({ ...x, eventTime: eventTime.get(i)! })), deliveries };
        });
    });
}

export function describeHistory(h: History): string {
  const m = (n: bigint | undefined) => String((n ?? 0n) / 1_000_000n);
  const v = h.versions.map(
    (x, i) =>
      `v${i} ${x.firm.split(' ')[0]} ${x.endDate} ${x.filingType[0]}${x.submitDate.slice(5)} ${STATEMENT_KEYS.map((k) => x.levels[k][0]).join('')}${x.seg ? ` seg${m(x.seg.excessBy)}M/t${m(x.seg.targetBy)}M` : ''}`,
  );
  const o = h.objects.map(
    (x, i) => `o${i}=v${x.version}@${x.eventTime.slice(11, 16)}${x.rendering === 'markup' ? '' : `/${x.rendering}`}`,
  );
  return `${v.join('; ')} | ${o.join(' ')} | order ${h.deliveries.map((d) => `o${d}`).join(' ')}`;
}

// ---- the oracle ----------------------------------------------------------------------------------

export interface WantedWord {
  kind: string;
  /** Figures compared with the alert's: excess, target, shortfall (shortfall words); excess, previous excess, previous date (drops). */
  figures: Record<string, string | null>;
}

export interface DayTruth {
  firmId: string;
  endDate: string;
  effective: string;
  versions: string[];
  late: boolean;
  /** channel -> the word called for (null: nothing to say; absent: no opinion, the figures are in doubt). */
  wanted: Map<string, WantedWord | null>;
}

const d = (x: string) => new Decimal(x);

/** The state the objects seen so far call for (`delivered`: object indexes processed so far). */
export function truth(h: History, delivered: Iterable<number>): Map<string, DayTruth> {
  // Versions present, each with its earliest event time.
  const arrived = new Map<number, string>();
  for (const oi of delivered) {
    const o = h.objects[oi];
    const t = arrived.get(o.version);
    if (t === undefined || o.eventTime < t) arrived.set(o.version, o.eventTime);
  }
  const byDay = new Map<string, { vi: number; at: string }[]>();
  for (const [vi, at] of arrived) {
    const v = h.versions[vi];
    const k = `${factsOf(v).firmId} ${v.endDate}`;
    byDay.set(k, [...(byDay.get(k) ?? []), { vi, at }]);
  }
  const effectiveOf = new Map<string, number>();
  for (const [k, vs] of byDay) {
    const order = (x: { vi: number; at: string }) => {
      const v = h.versions[x.vi];
      return `${v.filingType === 'AMENDMENT' ? 1 : 0}#${v.submitDate}#${x.at}`;
    };
    effectiveOf.set(k, [...vs].sort((a, b) => (order(a) < order(b) ? -1 : 1)).at(-1)!.vi);
  }
  const out = new Map<string, DayTruth>();
  for (const [k, vi] of effectiveOf) {
    const v = h.versions[vi];
    const f = factsOf(v);
    const wanted = new Map<string, WantedWord | null>();
    for (const key of STATEMENT_KEYS) {
      const now = f.statements[key];
      if (!now || now.status === 'unreconciled') continue;
      // shortfall
      if (now.status === 'deficiency' || now.status === 'below-target') {
        const target = now.target === null ? d('0') : d(now.target);
        wanted.set(`shortfall:${key}`, {
          kind: now.status,
          figures: { excess: now.excess, target: now.target, shortfall: target.minus(d(now.excess!)).toFixed() },
        });
      } else wanted.set(`shortfall:${key}`, null);
      // drop against the previous filing day of the statement
      const pd = previousFilingDay(key, v.endDate);
      const pvi = effectiveOf.get(`${f.firmId} ${pd}`);
      const before = pvi === undefined ? undefined : factsOf(h.versions[pvi]).statements[key];
      if (!before) wanted.set(`drop:${key}`, null);
      else if (before.status === 'unreconciled') continue;
      else if (now.excess === null || before.excess === null) wanted.set(`drop:${key}`, null);
      else {
        const b = d(before.excess);
        const n = d(now.excess);
        const drop = b.gt(0) && n.times(4).lt(b.times(3));
        wanted.set(
          `drop:${key}`,
          drop
            ? { kind: 'excess-drop', figures: { excess: now.excess, previousExcess: before.excess, previousDate: pd } }
            : null,
        );
      }
    }
    recentWanted(f, v.endDate, effectiveOf, h, wanted);
    out.set(k, {
      firmId: f.firmId,
      endDate: v.endDate,
      effective: f.versionKey,
      versions: [...new Set(byDay.get(k)!.map((x) => factsOf(h.versions[x.vi]).versionKey))],
      late: f.late,
      wanted,
    });
  }
  return out;
}

const figuresOf = (endDate: string, f: VersionFacts): DayFigures => {
  const statements: DayFigures['statements'] = {};
  for (const key of STATEMENT_KEYS) {
    const st = f.statements[key];
    if (st)
      statements[key] = {
        excess: st.excess === null ? null : d(st.excess),
        target: st.target === null ? null : d(st.target),
        status: st.status,
      };
  }
  return { endDate, statements };
};
const cents = (r: Ratio) => new Decimal(ratioToString(r, 2)).toFixed();

/**
 * The recent-days channels of a day: target-changed and trend-to-target decided by the domain's
 * pure functions (shared/domain/day-alerts.ts, tested against hand computations in
 * test/unit/day-alerts.test.ts) on the final effective filings of the days of its window. What
 * this oracle adds is the pipeline's part: whatever order the days came in, each day's last word
 * is the one its final window calls for.
 */
function recentWanted(
  f: VersionFacts,
  endDate: string,
  effectiveOf: Map<string, number>,
  h: History,
  wanted: Map<string, WantedWord | null>,
): void {
  const today = figuresOf(endDate, f);
  const recent: DayFigures[] = [];
  for (const w of windowDays(endDate)) {
    const vi = effectiveOf.get(`${f.firmId} ${w}`);
    if (vi !== undefined) recent.push(figuresOf(w, factsOf(h.versions[vi])));
  }
  for (const key of STATEMENT_KEYS) {
    const now = f.statements[key];
    if (!now || now.status === 'unreconciled' || now.status === 'error') continue;
    const c = targetChange(key, today, recent);
    wanted.set(
      `target:${key}`,
      c
        ? {
            kind: 'target-changed',
            figures: {
              previousTarget: c.previousTarget.toFixed(),
              target: c.target.toFixed(),
              previousDate: c.previousDate,
            },
          }
        : null,
    );
    const p = trendToTarget(key, today, recent);
    wanted.set(
      `trend:${key}`,
      p
        ? {
            kind: 'trend-to-target',
            figures: {
              excess: p.excess.toFixed(),
              target: p.target.toFixed(),
              slope: cents(p.line.slope),
              projectedExcess: cents(p.projected),
              filingDaysToTarget: String(p.filingDaysToTarget),
            },
          }
        : null,
    );
  }
}

/** A published word, reduced to what the oracle compares. */
export interface Said {
  id: string;
  kind: string;
  key: string;
}

export function wordKeyOf(w: WantedWord | null): string {
  if (!w) return 'resolved';
  return `${w.kind}|${Object.keys(w.figures)
    .sort()
    .map((k) => `${k}=${w.figures[k] ?? ''}`)
    .join('|')}`;
}

/** The key of a published alert's word, with the same figures the oracle compares. */
export function saidKey(a: {
  kind: string;
  excess: string | null;
  target: string | null;
  shortfall: string | null;
  previousExcess: string | null;
  previousDate: string | null;
  previousTarget?: string | null;
  slope?: string | null;
  projectedExcess?: string | null;
  filingDaysToTarget?: string | null;
}): string {
  if (a.kind === 'resolved') return 'resolved';
  if (a.kind === 'target-changed')
    return wordKeyOf({
      kind: a.kind,
      figures: { previousTarget: a.previousTarget ?? null, target: a.target, previousDate: a.previousDate },
    });
  if (a.kind === 'trend-to-target')
    return wordKeyOf({
      kind: a.kind,
      figures: {
        excess: a.excess,
        target: a.target,
        slope: a.slope ?? null,
        projectedExcess: a.projectedExcess ?? null,
        filingDaysToTarget: a.filingDaysToTarget ?? null,
      },
    });
  if (a.kind === 'excess-drop')
    return wordKeyOf({
      kind: a.kind,
      figures: { excess: a.excess, previousExcess: a.previousExcess, previousDate: a.previousDate },
    });
  return wordKeyOf({ kind: a.kind, figures: { excess: a.excess, target: a.target, shortfall: a.shortfall } });
}

/**
 * What each channel must have said, in order, when the deliveries are processed one at a time
 * (each one fully before the next): after each, a channel whose wanted word differs from its
 * last word says it; a channel with nothing to say after a word says `resolved`; no opinion says
 * nothing.
 */
export function expectedSequence(h: History): Map<string, string[]> {
  const said = new Map<string, string[]>();
  const seen: number[] = [];
  for (const oi of h.deliveries) {
    seen.push(oi);
    for (const [k, day] of truth(h, seen))
      for (const [ch, w] of day.wanted) {
        const id = `${k} ${ch}`;
        const list = said.get(id) ?? [];
        const last = list.at(-1);
        if (w === null) {
          if (last !== undefined && last !== 'resolved') list.push('resolved');
        } else if (last !== wordKeyOf(w)) list.push(wordKeyOf(w));
        if (list.length) said.set(id, list);
      }
  }
  return said;
}

/** Late initial versions: firm id, day, submit date. */
export function expectedLate(h: History): Set<string> {
  const out = new Set<string>();
  for (const v of h.versions) {
    const f = factsOf(v);
    if (f.late) out.add(`${f.firmId} ${v.endDate} ${v.submitDate}`);
  }
  return out;
}
