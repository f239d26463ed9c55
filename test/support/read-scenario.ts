/**
 * One small history, written as the pipeline would, and the hand-computed answers every read
 * query must give on it; run on each source (memory, the DynamoDB adapter on the fake table, on
 * DynamoDB Local) by `queryScenarioTests`.
 *
 * Three firms, Fri 2014-10-31, Mon 11-03, Tue 11-04 (amounts in $M):
 * - Example Clearing LLC: segregation excess 400 / 380 (amended to 360 after 11-04 was filed) / 342,
 *   target 300; cleared swaps 300 / 300 / -10 (initial, a deficiency) amended to 250, target 200;
 *   secured 200 every day, target 100.
 * - Example Capital Markets LLC: files 10-31 and 11-03 (cushion at least 1.25), nothing on 11-04 (missing).
 * - Northgate Futures Inc.: 11-04 below target (segregation 90 against 100) and late (submitted 11-06).
 * - Zephyr Clearing LLC: filed 10-01 and 10-02 only (no longer watched in November).
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../shared/domain/money';
import type { StatementKey } from '../../shared/domain/forms';
import { dayFiling, firmBase, HistoryWriter, requiredOf, type FirmBase, type ReadSink } from './read-load';
import { readQueries, type ReadQueryOptions } from '../../shared/read/queries';
import type { ReadSource } from '../../shared/read/source';
import { ReadError } from '../../shared/read/types';

const M = (n: number) => new Decimal(n).times(1_000_000);

export const FIRMS = {
  clearing: firmBase('Example Clearing LLC'),
  capital: firmBase('Example Capital Markets LLC', 150),
  northgate: firmBase('Northgate Futures Inc.', 50),
  gone: firmBase('Zephyr Clearing LLC', 80),
};

type Fig = Partial<Record<StatementKey, [number, number]>>;
const spec = (f: Fig) => ({
  excess: Object.fromEntries(Object.entries(f).map(([k, [e]]) => [k, M(e)])),
  target: Object.fromEntries(Object.entries(f).map(([k, [, t]]) => [k, M(t)])),
});

/** Write the scenario through `sink` (a Store or a MemorySource); returns the writer. */
export async function writeScenario(sink: ReadSink, options: { headFacts?: boolean } = {}): Promise<HistoryWriter> {
  const w = new HistoryWriter(sink, { headFacts: options.headFacts, bucket: 'filings' });
  const write = (
    base: FirmBase,
    endDate: string,
    f: Fig,
    extra: { submitDate?: string; filingType?: 'INITIAL' | 'AMENDMENT' } = {},
    at = `${extra.submitDate ?? endDate}T10:00:00.000Z`,
  ) => w.write(dayFiling(base, { endDate, ...spec(f), ...extra }), at);
  const { clearing, capital, northgate, gone } = FIRMS;
  await write(
    gone,
    '2014-10-01',
    { segregation: [300, 100], secured: [300, 100], clearedSwaps: [300, 100] },
    { submitDate: '2014-10-02' },
  );
  await write(
    gone,
    '2014-10-02',
    { segregation: [300, 100], secured: [300, 100], clearedSwaps: [300, 100] },
    { submitDate: '2014-10-03' },
  );
  await write(
    clearing,
    '2014-10-31',
    { segregation: [400, 300], secured: [200, 100], clearedSwaps: [300, 200] },
    { submitDate: '2014-11-03' },
  );
  await write(
    clearing,
    '2014-11-03',
    { segregation: [380, 300], secured: [200, 100], clearedSwaps: [300, 200] },
    { submitDate: '2014-11-04' },
  );
  await write(
    clearing,
    '2014-11-04',
    { segregation: [342, 300], secured: [200, 100], clearedSwaps: [-10, 200] },
    { submitDate: '2014-11-05' },
  );
  await write(
    clearing,
    '2014-11-04',
    { segregation: [342, 300], secured: [200, 100], clearedSwaps: [250, 200] },
    { submitDate: '2014-11-06', filingType: 'AMENDMENT' },
  );
  await write(
    clearing,
    '2014-11-03',
    { segregation: [360, 300], secured: [200, 100], clearedSwaps: [300, 200] },
    { submitDate: '2014-11-07', filingType: 'AMENDMENT' },
  );
  await write(
    capital,
    '2014-10-31',
    { segregation: [500, 400], secured: [150, 100], clearedSwaps: [320, 250] },
    { submitDate: '2014-11-03' },
  );
  await write(
    capital,
    '2014-11-03',
    { segregation: [500, 400], secured: [150, 100], clearedSwaps: [320, 250] },
    { submitDate: '2014-11-04' },
  );
  await write(
    northgate,
    '2014-10-31',
    { segregation: [120, 100], secured: [80, 50], clearedSwaps: [60, 40] },
    { submitDate: '2014-11-03' },
  );
  await write(
    northgate,
    '2014-11-03',
    { segregation: [110, 100], secured: [80, 50], clearedSwaps: [60, 40] },
    { submitDate: '2014-11-04' },
  );
  await write(
    northgate,
    '2014-11-04',
    { segregation: [90, 100], secured: [80, 50], clearedSwaps: [60, 40] },
    { submitDate: '2014-11-06' },
  );
  return w;
}

const NOW = () => new Date('2014-11-20T12:00:00Z');
const m = (n: number) => M(n).toFixed();

/** The queries' answers on the scenario, hand-computed; `source` is created once per file after `setup`. */
export function queryScenarioTests(
  name: string,
  setup: () => Promise<ReadSource>,
  options: Omit<ReadQueryOptions, 'now'> = {},
): void {
  describe(`read queries on ${name}`, () => {
    let source: ReadSource;
    const q = () => readQueries(source, { ...options, now: NOW });
    it('loads the scenario', async () => {
      source = await setup();
      expect((await source.listFirms()).map((f) => f.firmId).sort()).toEqual([
        'example-capital-markets-llc',
        'example-clearing-llc',
        'northgate-futures-inc',
        'zephyr-clearing-llc',
      ]);
    });

    it('history: every statement per day, oldest first, change against the previous filing day (Monday against Friday)', async () => {
      const h = await q().history('example-clearing-llc', { from: '2014-10-01', to: '2014-11-30' });
      expect(h.firmName).toBe('Example Clearing LLC');
      expect(h.days.map((d) => [d.endDate, d.filingType, d.submitDate, d.versions, d.late])).toEqual([
        ['2014-10-31', 'INITIAL', '2014-11-03', 1, false],
        ['2014-11-03', 'AMENDMENT', '2014-11-07', 2, false],
        ['2014-11-04', 'AMENDMENT', '2014-11-06', 2, false],
      ]);
      const [fri, mon, tue] = h.days;
      expect(fri.statements.segregation).toMatchObject({ excess: m(400), changeFromPrevious: null, changePct: null });
      // Monday (amended to 360) against Friday (400): -40 (-10.00%)
      expect(mon.statements.segregation).toMatchObject({
        excess: m(360),
        target: m(300),
        changeFromPrevious: m(-40),
        changePct: '-10.00',
      });
      // Tuesday 342 against Monday's amendment (360, not the initial's 380): -18 (-5.00%)
      expect(tue.statements.segregation).toEqual({
        required: requiredOf(FIRMS.clearing, 'segregation').toFixed(),
        funds: requiredOf(FIRMS.clearing, 'segregation').plus(M(342)).toFixed(),
        excess: m(342),
        excessRecomputed: false,
        target: m(300),
        targetSource: 'statement',
        overTarget: m(42),
        status: 'ok',
        changeFromPrevious: m(-18),
        changePct: '-5.00',
        cushion: '1.1400',
        headroom: m(42), // min(25% of 342 = 85.5, 342 - 300 = 42)
      });
      // the curing amendment is effective: swaps 250 against 200, headroom min(62.5, 50) = 50; secured 200/100: min(50, 100) = 50
      expect(tue.statements.clearedSwaps).toMatchObject({
        excess: m(250),
        status: 'ok',
        changeFromPrevious: m(-50),
        changePct: '-16.67',
        cushion: '1.2500',
        headroom: m(50),
      });
      expect(tue.statements.secured).toMatchObject({
        headroom: m(50),
        cushion: '2.0000',
        changeFromPrevious: '0',
        changePct: '0.00',
      });
    });

    it('history: a name prefix, --statement, defaults (12 months up to the latest day)', async () => {
      const h = await q().history('northgate', { statement: 'segregation' });
      expect(h.firmId).toBe('northgate-futures-inc');
      expect(h.days.map((d) => [d.endDate, Object.keys(d.statements), d.late])).toEqual([
        ['2014-10-31', ['segregation'], false],
        ['2014-11-03', ['segregation'], false],
        ['2014-11-04', ['segregation'], true],
      ]);
      expect(h.days[2].statements.segregation).toMatchObject({
        status: 'below-target',
        overTarget: m(-10),
        headroom: '0',
        cushion: '0.9000',
        changeFromPrevious: m(-20),
        changePct: '-18.19',
      });
      expect((await q().history('NORTHGATE futures', { from: '2014-11-04' })).days.map((d) => d.endDate)).toEqual([
        '2014-11-04',
      ]);
      expect((await q().history('northgate-futures-inc', { to: '2014-11-03' })).days.map((d) => d.endDate)).toEqual([
        '2014-10-31',
        '2014-11-03',
      ]);
    });

    it('firm lookup: ambiguous and unknown names are one-line errors', async () => {
      await expect(q().history('example')).rejects.toMatchObject({ code: 'ambiguous-firm' });
      await expect(q().history('Example C')).rejects.toThrow(
        /matches 2 firms: .*Example Capital Markets LLC.*Example Clearing LLC/,
      );
      await expect(q().history('example cl')).resolves.toMatchObject({ firmId: 'example-clearing-llc' });
      await expect(q().history('nobody')).rejects.toBeInstanceOf(ReadError);
      await expect(q().history('nobody')).rejects.toMatchObject({ code: 'unknown-firm' });
      await expect(q().history('northgate', { from: '2014-13-01' })).rejects.toMatchObject({ code: 'bad-date' });
      await expect(q().history('northgate', { from: '2014-11-05', to: '2014-11-01' })).rejects.toMatchObject({
        code: 'bad-query',
      });
    });

    it('board: every watched firm on the day, worst first: missing, below target, then by cushion (a firm gone for a month is not watched)', async () => {
      const b = await q().board('2014-11-04');
      expect(b.date).toBe('2014-11-04');
      expect(b.firms.map((f) => [f.firmId, f.filed, f.late])).toEqual([
        ['example-capital-markets-llc', false, false],
        ['northgate-futures-inc', true, true],
        ['example-clearing-llc', true, false],
      ]);
      expect(b.firms[0].statements).toEqual({});
      expect(b.firms[1].statements.segregation).toMatchObject({ status: 'below-target', changeFromPrevious: m(-20) });
      expect(b.firms[2].statements.segregation).toMatchObject({ changeFromPrevious: m(-18), headroom: m(42) });
      // the day's alerts the table holds, every kind
      expect(b.firms[2].alerts!.map((a) => a.kind).sort()).toEqual(['deficiency', 'excess-drop', 'resolved']);
      expect(b.firms[1].alerts!.map((a) => a.kind).sort()).toEqual(['below-target', 'late-filing']);
      // default date: the latest filing day of any firm
      expect((await q().board()).date).toBe('2014-11-04');
      // Monday: everyone filed; ordered by smallest cushion (Northgate 110/100 = 1.1, Clearing min 360/300 = 1.2, Capital 500/400 = 1.25)
      expect((await q().board('2014-11-03')).firms.map((f) => f.firmId)).toEqual([
        'northgate-futures-inc',
        'example-clearing-llc',
        'example-capital-markets-llc',
      ]);
      // a Saturday is no filing day: nobody is missing
      expect((await q().board('2014-11-01')).firms).toEqual([]);
    });

    it('alerts: newest first, by firm, kind and severity, over a date range', async () => {
      const all = await q().alerts({ from: '2014-10-01', to: '2014-11-30' });
      expect(all.alerts.map((a) => [a.endDate, a.firmId, a.kind, a.severity, a.statement])).toEqual(
        expect.arrayContaining([
          ['2014-11-04', 'example-clearing-llc', 'deficiency', 'critical', 'clearedSwaps'],
          ['2014-11-04', 'example-clearing-llc', 'resolved', 'info', 'clearedSwaps'],
          // the deficient initial also fell from 300 to -10: more than 25%
          ['2014-11-04', 'example-clearing-llc', 'excess-drop', 'warning', 'clearedSwaps'],
          ['2014-11-04', 'northgate-futures-inc', 'below-target', 'warning', 'segregation'],
          ['2014-11-04', 'northgate-futures-inc', 'late-filing', 'warning', null],
        ]),
      );
      expect(all.alerts).toHaveLength(5);
      const def = all.alerts.find((a) => a.kind === 'deficiency')!;
      expect(def).toMatchObject({
        excess: m(-10),
        target: m(200),
        shortfall: m(210),
        state: 'pending',
        sentAt: null,
        firmName: 'Example Clearing LLC',
      });
      expect(def.subject).toBe('[DEFICIENCY] Example Clearing LLC cleared swaps 2014-11-04 short $10,000,000');
      // newest first: the resolved notice was raised after the deficiency
      const ids = all.alerts.map((a) => a.kind);
      expect(ids.indexOf('resolved')).toBeLessThan(ids.indexOf('deficiency'));
      expect(
        (await q().alerts({ from: '2014-11-01', to: '2014-11-30', severity: 'critical' })).alerts.map((a) => a.kind),
      ).toEqual(['deficiency']);
      expect(
        (await q().alerts({ from: '2014-11-01', to: '2014-11-30', firm: 'northgate' })).alerts
          .map((a) => a.kind)
          .sort(),
      ).toEqual(['below-target', 'late-filing']);
      expect(
        (
          await q().alerts({
            from: '2014-11-01',
            to: '2014-11-30',
            firm: 'northgate',
            severity: 'warning',
            kind: 'late-filing',
          })
        ).alerts.map((a) => a.kind),
      ).toEqual(['late-filing']);
      expect((await q().alerts({ from: '2014-11-05', to: '2014-11-30' })).alerts).toEqual([]);
      // no dates: the 31 days up to now (2014-11-20) and up to the latest filing day
      expect((await q().alerts()).alerts).toHaveLength(5);
      await expect(q().alerts({ severity: 'loud' as never })).rejects.toMatchObject({ code: 'bad-query' });
    });

    it('show: versions (which is effective and why), the effective filing, findings, alerts', async () => {
      const s = await q().show('example clearing', '2014-11-04');
      expect(s.versions.map((v) => [v.filingType, v.submitDate, v.effective])).toEqual([
        ['INITIAL', '2014-11-05', false],
        ['AMENDMENT', '2014-11-06', true],
      ]);
      expect(s.effective).toBe(s.versions[1].versionKey);
      expect(s.versions[1].status).toBe('effective: the latest submitted amendment');
      expect(s.versions[0].status).toBe(
        `superseded by ${s.versions[1].versionKey} (an amendment replaces the initial filing)`,
      );
      expect(s.versions[0].source).toEqual({
        bucket: 'filings',
        key: 'incoming/example-clearing-llc-2014-11-04-initial-2014-11-05.txt',
      });
      expect(s.versions[0].arrivedAt).toBe('2014-11-05T10:00:00.000Z');
      expect(s.filing.filingType).toBe('AMENDMENT');
      expect(s.filing.statements.clearedSwaps?.lines['8730']).toBe(m(250));
      expect(s.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(s.alerts[0].kind).toBe('resolved');
      expect(s.alerts.map((a) => a.kind).sort()).toEqual(['deficiency', 'excess-drop', 'resolved']);
      await expect(q().show('example clearing', '2014-11-05')).rejects.toMatchObject({ code: 'no-filing' });
      await expect(q().show('example clearing', 'yesterday')).rejects.toMatchObject({ code: 'bad-date' });
    });
  });
}
