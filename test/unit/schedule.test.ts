/**
 * The scheduled check's pure parts: New York time and deadlines, the window of filing days, the
 * missing filings (examples and a property test over random firms and filing histories across
 * holidays), and the digest.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SUBJECT_MAX } from '../../shared/domain/alerts';
import { CALENDAR, dueDay, isBusinessDay, isFilingDay } from '../../shared/domain/calendar';
import { STATEMENT_KEYS, type StatementKey } from '../../shared/domain/forms';
import { dec } from '../../shared/domain/money';
import type { StatementStatus } from '../../shared/domain/reconcile';
import { buildDigest, DIGEST_MAX_BYTES, renderDigest } from '../../shared/domain/schedule/digest';
import {
  checkWindow,
  findMissing,
  missingFilingId,
  WATCH_FILING_DAYS,
  type HeadLike,
  type MissingFiling,
} from '../../shared/domain/schedule/missing';
import { deadlineOf, deadlinePassed, newYorkInstant, newYorkTime, parseAt } from '../../shared/domain/schedule/time';

const DAY = 86_400_000;
const addDays = (iso: string, n: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const at1230 = (date: string) => newYorkInstant(date, 12, 30);

function head(
  firmId: string,
  endDate: string,
  opts: {
    statements?: StatementKey[];
    excess?: string;
    target?: string;
    status?: StatementStatus;
    name?: string;
    submitDate?: string;
  } = {},
): HeadLike {
  const statements: HeadLike['statements'] = {};
  for (const k of opts.statements ?? STATEMENT_KEYS)
    statements[k] = {
      excess: dec(opts.excess ?? '250000000'),
      target: opts.target === undefined ? dec('100000000') : opts.target === '' ? null : dec(opts.target),
      status: opts.status ?? 'ok',
    };
  return {
    firmId,
    firmName: opts.name ?? `${firmId} LLC`,
    endDate,
    filingType: 'INITIAL',
    submitDate: opts.submitDate ?? dueDay('segregation', endDate),
    statements,
  };
}

function byDay(heads: HeadLike[]): Map<string, HeadLike[]> {
  const m = new Map<string, HeadLike[]>();
  for (const h of heads) m.set(h.endDate, [...(m.get(h.endDate) ?? []), h]);
  return m;
}

/** Every weekday filing day (of any statement) from `from` to `to`, for each firm. */
function daily(firms: string[], from: string, to: string, opts: Parameters<typeof head>[2] = {}): HeadLike[] {
  const out: HeadLike[] = [];
  for (let d = from; d <= to; d = addDays(d, 1))
    if (CALENDAR.isAnyFilingDay(d)) for (const f of firms) out.push(head(f, d, opts));
  return out;
}

describe('New York time and deadlines', () => {
  it('converts across daylight saving time', () => {
    expect(newYorkInstant('2025-11-28', 12, 30)).toBe('2025-11-28T17:30:00.000Z'); // EST
    expect(newYorkInstant('2025-07-01', 12, 30)).toBe('2025-07-01T16:30:00.000Z'); // EDT
    expect(newYorkInstant('2025-03-10', 12, 0)).toBe('2025-03-10T16:00:00.000Z'); // the day after the change
    expect(newYorkTime('2025-11-03T04:59:00Z')).toMatchObject({ date: '2025-11-02', time: '23:59' });
    expect(newYorkTime('2026-01-01T04:30:00Z').date).toBe('2025-12-31');
  });

  it('a statement is late only after noon New York time of its due day', () => {
    expect(deadlineOf('2025-11-26')).toBe('2025-11-28T17:00:00.000Z');
    expect(deadlinePassed('2025-11-26', '2025-11-28T16:59:59Z')).toBe(false);
    expect(deadlinePassed('2025-11-26', '2025-11-28T17:00:00Z')).toBe(true);
    expect(deadlinePassed('2025-11-26', '2025-11-27T23:00:00Z')).toBe(false);
  });

  it('--at accepts an instant, a New York wall-clock time or a date (12:30 New York), and nothing else', () => {
    expect(parseAt('2025-11-28T17:30:00Z')).toBe('2025-11-28T17:30:00.000Z');
    expect(parseAt('2025-11-28T12:30:00-05:00')).toBe('2025-11-28T17:30:00.000Z');
    expect(parseAt('2025-11-28T12:30')).toBe('2025-11-28T17:30:00.000Z');
    expect(parseAt('2025-07-01')).toBe('2025-07-01T16:30:00.000Z');
    for (const bad of ['tomorrow', '2025-02-30', '2025-11-28T25:00', '11/28/2025', ''])
      expect(() => parseAt(bad), bad).toThrow(/not/);
  });
});

describe('the window of filing days', () => {
  it('at 12:30 the Friday after Thanksgiving: ten filing days up to Wednesday, Thanksgiving not among them', () => {
    const w = checkWindow(at1230('2025-11-28'));
    expect(w.skipped).toBeNull();
    expect(w.days).toHaveLength(WATCH_FILING_DAYS);
    expect(w.days.at(-1)).toBe('2025-11-26');
    expect(w.days).not.toContain('2025-11-27');
    expect(w.days[0]).toBe('2025-11-13');
  });

  it('before noon the statements due that day are not yet missing', () => {
    expect(checkWindow(newYorkInstant('2025-11-28', 11, 59)).days.at(-1)).toBe('2025-11-25');
    expect(checkWindow(newYorkInstant('2025-11-28', 12, 0)).days.at(-1)).toBe('2025-11-26');
  });

  it('on the Tuesday after MLK Day both Friday and Monday (a filing day) come due', () => {
    expect(checkWindow(at1230('2025-01-21')).days.slice(-3)).toEqual(['2025-01-16', '2025-01-17', '2025-01-20']);
  });

  it('is skipped on a day that is not a business day; Good Friday is one', () => {
    expect(checkWindow(at1230('2025-11-27')).skipped).toMatch(/not a business day \(Thanksgiving Day\)/);
    expect(checkWindow(at1230('2025-11-29')).skipped).toMatch(/\(Saturday\)/);
    const gf = checkWindow(at1230('2025-04-18'));
    expect(gf.skipped).toBeNull();
    expect(gf.days.at(-1)).toBe('2025-04-17');
    expect(checkWindow(at1230('2025-04-21')).days.at(-1)).toBe('2025-04-17'); // Good Friday: no statement
  });

  it('says so when the calendar does not cover the day, and stops at its first year', () => {
    const w = checkWindow(at1230('2028-01-04'));
    expect(w.calendarProblem).toMatch(/covers 2012-2027, not 2028/);
    expect(w.days.at(-1)).toBe('2027-12-31');
    expect(checkWindow(at1230('2012-01-05')).days).toEqual(['2012-01-03', '2012-01-04']);
  });
});

describe('missing filings, examples', () => {
  const w = checkWindow(at1230('2025-11-28'));

  it('a firm that filed every day until Tuesday is missing for Wednesday; one that stopped weeks ago is not watched', () => {
    const heads = [
      ...daily(['acme', 'beta'], '2025-11-10', '2025-11-26'),
      ...daily(['gamma'], '2025-11-10', '2025-11-25'),
      ...daily(['old'], '2025-10-01', '2025-10-10'),
    ];
    const m = findMissing(w, byDay(heads));
    expect(m.map((x) => [x.firmId, x.endDate, x.severity, x.inARow, x.due])).toEqual([
      ['gamma', '2025-11-26', 'warning', 1, '2025-11-28'],
    ]);
    expect(m[0]!.id).toBe(missingFilingId('gamma', '2025-11-26'));
    expect(m[0]!.statements).toEqual([...STATEMENT_KEYS]);
    expect(m[0]!.lastFiled).toMatchObject({ endDate: '2025-11-25' });
  });

  it('critical from the second missing day in a row; a filed day in between starts over', () => {
    const heads = daily(['acme'], '2025-11-10', '2025-11-19').concat(
      head('acme', '2025-11-21'),
      head('acme', '2025-11-25'),
    );
    const m = findMissing(w, byDay(heads));
    expect(m.map((x) => [x.endDate, x.severity, x.inARow])).toEqual([
      ['2025-11-20', 'warning', 1],
      ['2025-11-24', 'warning', 1],
      ['2025-11-26', 'warning', 1],
    ]);
    const stopped = findMissing(w, byDay(daily(['acme'], '2025-11-10', '2025-11-21')));
    expect(stopped.map((x) => [x.endDate, x.severity])).toEqual([
      ['2025-11-24', 'warning'],
      ['2025-11-25', 'critical'],
      ['2025-11-26', 'critical'],
    ]);
  });

  it('a new firm is not missing for the days before its first filing', () => {
    expect(findMissing(w, byDay(daily(['new'], '2025-11-24', '2025-11-26')))).toEqual([]);
  });

  it("only the firm's own statements count: on Memorial Day 2013 (Secured Amounts only) a segregation-only firm is not missing", () => {
    const w13 = checkWindow(at1230('2013-05-29'));
    expect(w13.days.slice(-3)).toEqual(['2013-05-24', '2013-05-27', '2013-05-28']);
    const seg = daily(['seg'], '2013-05-13', '2013-05-28', { statements: ['segregation'] }).filter(
      (h) => h.endDate !== '2013-05-27',
    );
    const both = daily(['both'], '2013-05-13', '2013-05-28', { statements: ['segregation', 'secured'] }).filter(
      (h) => h.endDate !== '2013-05-27',
    );
    const m = findMissing(w13, byDay([...seg, ...both]));
    expect(m.map((x) => [x.firmId, x.endDate, x.statements])).toEqual([['both', '2013-05-27', ['secured']]]);
  });
});

// ---- the property ---------------------------------------------------------------------------

/** How a firm's filing for a day goes: on time, never, or arriving `n` business days after its due day (a late filing). */
type Fate = { kind: 'on-time' } | { kind: 'never' } | { kind: 'late'; days: number };

const STARTS = [
  '2025-11-03',
  '2025-12-08',
  '2025-01-06',
  '2013-05-06',
  '2021-03-15',
  '2022-06-01',
  '2021-12-06',
  '2015-06-22',
];

const historyArb = fc.record({
  start: fc.constantFrom(...STARTS),
  /** Order the store returns effective filings in, and which it returns twice (a query page repeated). */
  shuffle: fc.integer(),
  firms: fc.array(
    fc.record({
      statements: fc.subarray([...STATEMENT_KEYS], { minLength: 1 }),
      /** Filing days before the first filing, and after which it stops for good (maybe never). */
      begin: fc.nat({ max: 12 }),
      stop: fc.option(fc.nat({ max: 35 }), { nil: undefined }),
      fates: fc.array(
        fc.oneof(
          { weight: 6, arbitrary: fc.constant<Fate>({ kind: 'on-time' }) },
          { weight: 2, arbitrary: fc.constant<Fate>({ kind: 'never' }) },
          { weight: 2, arbitrary: fc.nat({ max: 4 }).map<Fate>((days) => ({ kind: 'late', days })) },
        ),
        { minLength: 40, maxLength: 40 },
      ),
    }),
    { minLength: 1, maxLength: 5 },
  ),
});

/** A seeded permutation of `xs` with every seventh item repeated. */
function scramble<T>(xs: T[], seed: number): T[] {
  let x = seed | 0 || 1;
  const rnd = () => ((x = (x * 1103515245 + 12345) | 0), (x >>> 8) / 2 ** 24);
  const out = [...xs, ...xs.filter((_, i) => i % 7 === 3)];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Arrival {
  head: HeadLike;
  at: string;
}

type History = typeof historyArb extends fc.Arbitrary<infer T> ? T : never;

function simulate(h: History) {
  const end = addDays(h.start, 50);
  const days: string[] = [];
  for (let d = h.start; d <= end; d = addDays(d, 1)) if (CALENDAR.isAnyFilingDay(d)) days.push(d);
  const arrivals: Arrival[] = [];
  h.firms.forEach((f, i) => {
    const id = `firm-${i}`;
    days.forEach((d, k) => {
      if (k < f.begin || (f.stop !== undefined && k > f.begin + f.stop)) return;
      const required = f.statements.filter((s) => isFilingDay(s, d));
      if (required.length === 0) return; // nothing of this firm's was required that day
      const fate = f.fates[k % f.fates.length]!;
      // The first filing always arrives (a firm exists from its first filing on).
      const kind = k === f.begin && fate.kind === 'never' ? 'on-time' : fate.kind;
      if (kind === 'never') return;
      let arrive = dueDay('segregation', d);
      const lateBy = fate.kind === 'late' ? fate.days : 0;
      for (let n = 0; n < lateBy; n++) arrive = CALENDAR.nextBusinessDay(arrive);
      const time = kind === 'late' ? newYorkInstant(arrive, 14, 0) : newYorkInstant(arrive, 9, 0);
      arrivals.push({ head: head(id, d, { statements: required }), at: time });
    });
  });
  const ticks: string[] = [];
  for (let d = addDays(h.start, 1); d <= addDays(end, 20); d = addDays(d, 1))
    if (isBusinessDay(d)) ticks.push(at1230(d));
  return { days, arrivals, ticks };
}

/** The rule, stated plainly over the same inputs (no window object, no maps). */
function expectedAt(tick: string, visible: HeadLike[]): { key: string; critical: boolean }[] {
  const today = newYorkTime(tick).date;
  const window: string[] = [];
  for (let d = addDays(today, -1); window.length < WATCH_FILING_DAYS && d >= '2012-01-01'; d = addDays(d, -1)) {
    if (!STATEMENT_KEYS.some((s) => isFilingDay(s, d))) continue;
    if (dueDay('segregation', d) <= today) window.unshift(d); // the tick is at 12:30, after the noon deadline
  }
  const out: { key: string; critical: boolean }[] = [];
  const firms = [...new Set(visible.filter((v) => window.includes(v.endDate)).map((v) => v.firmId))];
  for (const firm of firms) {
    const mine = visible.filter((v) => v.firmId === firm && window.includes(v.endDate));
    const first = mine.map((v) => v.endDate).sort()[0]!;
    const statements = STATEMENT_KEYS.filter((s) => mine.some((v) => v.statements[s]));
    const isMissing = (d: string) =>
      d > first && !mine.some((v) => v.endDate === d) && statements.some((s) => isFilingDay(s, d));
    const required = (d: string) => statements.some((s) => isFilingDay(s, d));
    for (const d of window) {
      if (!isMissing(d)) continue;
      const before = window.filter((x) => x < d && x >= first && required(x)).at(-1);
      out.push({ key: `${firm}|${d}`, critical: before !== undefined && isMissing(before) });
    }
  }
  return out;
}

describe('missing filings, property: random firms and histories across holidays', () => {
  it('a missing alert exactly for each watched firm and required day with no filing past its deadline, never twice; severity as first raised', () => {
    const seen = { warning: 0, critical: 0 };
    fc.assert(
      fc.property(historyArb, (h) => {
        const { arrivals, ticks } = simulate(h);
        const outbox = new Map<string, MissingFiling>();
        const expected = new Map<string, boolean>();
        for (const t of ticks) {
          const visible = arrivals.filter((a) => a.at <= t).map((a) => a.head);
          const raised = findMissing(checkWindow(t), byDay(scramble(visible, h.shuffle)));
          const ids = raised.map((m) => m.id);
          expect(new Set(ids).size).toBe(ids.length); // never twice in one run
          for (const m of raised) {
            expect(m.id).toBe(missingFilingId(m.firmId, m.endDate)); // so never twice across runs either
            expect(STATEMENT_KEYS.some((s) => isFilingDay(s, m.endDate))).toBe(true); // never on a day nothing was required
            expect(Date.parse(m.deadline)).toBeLessThanOrEqual(Date.parse(t));
            if (!outbox.has(m.id)) outbox.set(m.id, m);
          }
          for (const e of expectedAt(t, visible)) if (!expected.has(e.key)) expected.set(e.key, e.critical);
        }
        const got = new Map([...outbox.values()].map((m) => [`${m.firmId}|${m.endDate}`, m.severity === 'critical']));
        expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
        expect(got).toEqual(expected);
        for (const c of got.values()) seen[c ? 'critical' : 'warning']++;
      }),
      { numRuns: 100 },
    );
    // Not vacuous: the histories did produce both kinds, many times.
    expect(seen.warning).toBeGreaterThan(100);
    expect(seen.critical).toBeGreaterThan(20);
  });

  it('a filing that arrives late is missing until it arrives, and not after', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const { arrivals, ticks } = simulate(h);
        for (const t of ticks) {
          const w = checkWindow(t);
          const visible = arrivals.filter((x) => x.at <= t);
          const missing = new Set(
            findMissing(w, byDay(visible.map((x) => x.head))).map((m) => `${m.firmId}|${m.endDate}`),
          );
          for (const a of arrivals) {
            if (!w.days.includes(a.head.endDate)) continue;
            const key = `${a.head.firmId}|${a.head.endDate}`;
            if (a.at <= t) expect(missing.has(key)).toBe(false);
            // Not yet arrived, past its deadline, and the firm watched from an earlier day: missing.
            else if (
              visible.some(
                (x) =>
                  x.head.firmId === a.head.firmId && x.head.endDate < a.head.endDate && w.days.includes(x.head.endDate),
              )
            )
              expect(missing.has(key)).toBe(true);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

// ---- the digest -------------------------------------------------------------------------------

describe('the daily digest', () => {
  const w = checkWindow(at1230('2025-12-01')); // statements as of Fri 11/28; Thanksgiving between

  it('an all-clear day: every watched firm with exact figures and the change from the previous filing day', () => {
    const heads = [
      ...daily(['acme', 'beta'], '2025-11-14', '2025-11-26'),
      head('acme', '2025-11-28', { excess: '249876543.21' }),
      head('beta', '2025-11-28'),
    ];
    const d = buildDigest(w, byDay(heads));
    expect(d).toMatchObject({
      businessDay: '2025-12-01',
      day: '2025-11-28',
      allClear: true,
      watchedFirms: 2,
      filedFirms: 2,
      missing: [],
      openAlerts: [],
    });
    expect(d.firms[0]!.statements.segregation).toEqual({
      excess: '249876543.21',
      excessRecomputed: false,
      target: '100000000',
      overTarget: '149876543.21',
      changeFromPrevious: '-123456.79',
      previousDate: '2025-11-26',
      status: 'ok',
    });
    expect(d.subject).toBe('[DIGEST] as of 2025-11-28: all clear, 2 firms');
    const { text } = renderDigest(d, at1230('2025-12-01'));
    expect(text.split('\n')[0]).toBe('as of 2025-11-28: all clear, 2 firms');
    expect(text).toContain('ALL CLEAR');
    expect(text).toMatch(
      /segregation +\$249,876,543\.21 +\$100,000,000 +\$149,876,543\.21 +-\$123,456\.79 \(2025-11-26\) +ok/,
    );
    expect(text).toMatch(/Thu 2025-11-27 Thanksgiving Day: no statement required/);
    expect(text).not.toMatch(/\d\.\d+e[+-]?\d/); // never a float rendering
  });

  it('missing filings and open alerts; not all clear', () => {
    const heads = [
      ...daily(['acme', 'beta', 'gamma'], '2025-11-14', '2025-11-26'),
      head('acme', '2025-11-28', { excess: '-62191464', target: '208075000', status: 'deficiency' }),
      head('beta', '2025-11-28', {
        excess: '90000000',
        target: '100000000',
        status: 'below-target',
        statements: ['segregation'],
      }),
    ];
    const d = buildDigest(w, byDay(heads));
    expect(d.allClear).toBe(false);
    expect(d.missing.map((m) => [m.firmId, m.endDate])).toEqual([['gamma', '2025-11-28']]);
    expect(d.openAlerts.map((o) => [o.firmId, o.statement, o.kind, o.shortfall])).toEqual([
      ['acme', 'segregation', 'deficiency', '270266464'],
      ['acme', 'secured', 'deficiency', '270266464'],
      ['acme', 'clearedSwaps', 'deficiency', '270266464'],
      ['beta', 'segregation', 'below-target', '10000000'],
    ]);
    expect(d.headline).toBe(
      'as of 2025-11-28: 1 missing filing, 1 firm deficient, 1 firm below target (3 firms watched)',
    );
    const { text } = renderDigest(d, at1230('2025-12-01'));
    expect(text).toMatch(/gamma LLC \(gamma\): NO FILING as of 2025-11-28 \(missing\)/);
    expect(text).toMatch(
      /deficiency +acme LLC \(acme\) +segregation +2025-11-28 +-\$62,191,464 +\$208,075,000 +\$270,266,464/,
    );
  });

  it('statements that do not add up: not all clear, their excess marked when it is not the line as filed, nothing derived from them', () => {
    const heads = [
      ...daily(['acme', 'beta'], '2025-11-14', '2025-11-26'),
      head('acme', '2025-11-28'),
      head('beta', '2025-11-28', { excess: '237808536', target: '208075000' }),
    ];
    // beta's cleared swaps excess line unreadable: the excess is funds - required; its secured
    // amounts' line filed (and the lower): shown as filed, unmarked.
    const beta = heads.at(-1)!;
    beta.statements.clearedSwaps = { ...beta.statements.clearedSwaps!, status: 'unreconciled', filedExcess: null };
    beta.statements.secured = { ...beta.statements.secured!, status: 'unreconciled', filedExcess: dec('237808536') };
    const d = buildDigest(w, byDay(heads));
    expect(d.allClear).toBe(false);
    expect(d.headline).toBe('as of 2025-11-28: 1 firm not adding up (2 firms watched)');
    expect(d.openAlerts).toEqual([]); // never a deficiency or target alert from them
    const b = d.firms.find((f) => f.firmId === 'beta')!;
    expect(b.statements.clearedSwaps).toMatchObject({
      excess: '237808536',
      excessRecomputed: true,
      overTarget: null,
      changeFromPrevious: null,
      status: 'unreconciled',
    });
    expect(b.statements.secured).toMatchObject({ excessRecomputed: false, overTarget: null, changeFromPrevious: null });
    expect(b.statements.segregation).toMatchObject({ excessRecomputed: false, overTarget: '29733536' });
    const { text } = renderDigest(d, at1230('2025-12-01'));
    expect(text).not.toContain('ALL CLEAR');
    expect(text).toMatch(/Not adding up \(2\): statements of 2025-11-28 whose lines do not reconcile/);
    expect(text).toMatch(/beta LLC \(beta\) +cleared swaps +\$237,808,536 \(recomputed\) +\$208,075,000/);
    expect(text).toMatch(/cleared swaps +\$237,808,536 \(recomputed\) +\$208,075,000 +- +- +UNRECONCILED/);
    expect(text).toMatch(/secured amounts +\$237,808,536 {14,}\$208,075,000 +- +- +UNRECONCILED/);
    expect(text).toContain('(recomputed): from the lines (funds - required): not the excess line as filed');
    expect(text).toContain('exact, as filed (but those marked recomputed)');
    expect(text).toMatch(/^[\x20-\x7e\n]*$/); // plain ASCII, as before
    // Without any: no mark, no legend.
    const clean = renderDigest(buildDigest(w, byDay(heads.slice(0, -1))), at1230('2025-12-01')).text;
    expect(clean).not.toContain('recomputed from the lines');
  });

  it('no firm at all is said plainly (a silent pipeline), not all clear', () => {
    const d = buildDigest(w, new Map());
    expect(d).toMatchObject({ allClear: false, watchedFirms: 0 });
    expect(d.subject).toBe('[DIGEST] as of 2025-11-28: no filing from any firm in the last 10 filing days');
    expect(renderDigest(d, at1230('2025-12-01')).text).toMatch(/NO FILINGS/);
  });

  it('stays within the message size with thousands of firms, saying how many are not shown; subject is printable ASCII', () => {
    const firms = Array.from({ length: 3000 }, (_, i) => `f${i}`);
    const heads = daily(firms, '2025-11-26', '2025-11-28', {
      name: 'Société Générale Très Longue Dénomination Sociale Internationale de Compensation Holdings S.A.',
    });
    const d = buildDigest(w, byDay(heads));
    const { text, firmsNotShown } = renderDigest(d, at1230('2025-12-01'));
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(DIGEST_MAX_BYTES);
    expect(firmsNotShown).toBeGreaterThan(0);
    expect(text).toContain(`${firmsNotShown} more firm(s) not shown`);
    expect(text).toMatch(/Societe Generale/);
    expect(d.subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
    expect(d.subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('property: one digest per business day, its missing filings those of the check, all clear exactly when nothing is wrong', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const { arrivals, ticks } = simulate(h);
        const ids = new Set<string>();
        for (const t of ticks.slice(0, 25)) {
          const visible = arrivals.filter((a) => a.at <= t).map((a) => a.head);
          const window = checkWindow(t);
          const heads = byDay(visible);
          const d = buildDigest(window, heads);
          expect(ids.has(d.id)).toBe(false);
          ids.add(d.id);
          expect(d.missing.map((m) => m.id)).toEqual(findMissing(window, heads).map((m) => m.id));
          expect(d.allClear).toBe(d.watchedFirms > 0 && d.missing.length === 0 && d.openAlerts.length === 0);
          expect(d.subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
        }
      }),
      { numRuns: 30 },
    );
  });
});
