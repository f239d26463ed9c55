/**
 * Keeps the benchmark from rotting: its pure pieces on a tiny corpus (no timing assertions), the
 * --json shape, the table, and the cost arithmetic. The local stack and the bundles are not run here.
 */
import { describe, expect, it } from 'vitest';
import { benchJson, benchCommand, renderTable, targetChecks, type BenchResults } from '../../bench/bench';
import { estimateCost, priceTableMarkdown, PRICES, type Usage } from '../../bench/cost';
import { bareScan, makeCorpus, median, parseAndReconcile, runParseBench } from '../../bench/parse-bench';
import { TEXT_RENDERINGS } from '../support/render';
import { FORMS } from '../../shared/domain/forms';

const machine = { node: process.version, cpus: 2, cpuModel: 'test', load: { parse: [1, 1, 1], end: [1, 1, 1] } };

describe('bench: parse section', () => {
  const corpus = makeCorpus(50, 1);

  it('generates every rendering and every variant', () => {
    expect(corpus.texts).toHaveLength(50);
    expect(Object.keys(corpus.renderings).sort()).toEqual([...TEXT_RENDERINGS].sort());
    for (const r of TEXT_RENDERINGS) expect(corpus.renderings[r]).toBeGreaterThan(0);
    // 24 variant combinations: 50 filings cover every variant of every statement.
    expect(Object.keys(corpus.variants).sort()).toEqual(FORMS.variants.map((v) => v.id).sort());
    expect(corpus.bytes).toBe(corpus.texts.reduce((a, t) => a + Buffer.byteLength(t), 0));
  });

  it('the bare scan counts every [dddd]; parse + reconcile finds consistent filings', () => {
    const codes = corpus.texts.reduce((a, t) => a + (t.match(/\[\d{4}\]/g)?.length ?? 0), 0);
    expect(bareScan(corpus.texts)).toBe(codes);
    const tally = parseAndReconcile(corpus.texts);
    expect(tally).toMatchObject({ filings: 50, withErrors: 0, alerts: 0 });
  });

  it('runParseBench reports what the JSON needs', () => {
    const r = runParseBench(corpus, { rounds: 3, warmup: 1 });
    expect(r.filings).toBe(50);
    expect(r.roundsMs.scan).toHaveLength(3);
    expect(r.roundsMs.parse).toHaveLength(3);
    for (const k of ['filingsPerSec', 'mbPerSec', 'ratioToScan', 'usPerFiling'] as const)
      expect(r[k]).toBeGreaterThan(0);
    expect(r.withErrors).toBe(0);
  });

  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});

describe('bench: JSON and table', () => {
  it('--json has exactly the agreed keys (null for sections not run)', () => {
    const parse = runParseBench(makeCorpus(20, 2), { rounds: 1, warmup: 0 });
    const j = benchJson({ parse, machine });
    expect(Object.keys(j.parse).sort()).toEqual(['filings', 'filingsPerSec', 'mbPerSec', 'ratioToScan']);
    expect(Object.keys(j.bundles).sort()).toEqual(['api', 'notify', 'parse', 'reconcile']);
    for (const f of ['parse', 'reconcile', 'notify', 'api'] as const)
      expect(Object.keys(j.bundles[f]).sort()).toEqual(['bytes', 'coldInitMs']);
    expect(Object.keys(j.e2e).sort()).toEqual(['burst', 'p50AlertMs', 'p50ResultMs', 'p95AlertMs', 'p95ResultMs']);
    expect(Object.keys(j.e2e.burst).sort()).toEqual(['filings', 'filingsPerSec', 'wallMs']);
    expect(Object.keys(j.cost).sort()).toEqual(['dollarsPerMillionFilings', 'writeUnitsPerFiling']);
    expect(j.parse.filings).toBe(20);
    expect(typeof j.parse.filingsPerSec).toBe('number');
    expect(j.bundles.parse.bytes).toBeNull();
    expect(j.e2e.burst.wallMs).toBeNull();
    expect(j.cost.writeUnitsPerFiling).toBeNull();
    // Round-trips through JSON unchanged (no undefined, no NaN).
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
    expect(j.targets.find((t) => t.name === 'parse.ratioToScan')?.pass).not.toBeNull();
    expect(j.targets.find((t) => t.name === 'e2e.p95AlertMs')?.pass).toBeNull();
  });

  it('the table names each section that ran', () => {
    const parse = runParseBench(makeCorpus(20, 3), { rounds: 1, warmup: 0 });
    const text = renderTable({ parse, machine });
    expect(text).toMatch(/parse \+ reconcile/);
    expect(text).toMatch(/ratio to bare/);
    expect(text).not.toMatch(/bundles:/);
  });

  it('full results fill every key', () => {
    const r: BenchResults = {
      machine,
      bundles: {
        runs: 5,
        emptyNodeMs: { median: 40, runsMs: [40] },
        functions: {
          parse: { bytes: 1, coldInitMs: 100, mapBytes: 1, runsMs: [140], coldInitMsWithSourceMaps: 90 },
          reconcile: { bytes: 2, coldInitMs: 90, mapBytes: 1, runsMs: [130], coldInitMsWithSourceMaps: 80 },
          notify: { bytes: 3, coldInitMs: 200, mapBytes: 1, runsMs: [240], coldInitMsWithSourceMaps: 80 },
          api: { bytes: 4, coldInitMs: 110, mapBytes: 1, runsMs: [150], coldInitMsWithSourceMaps: 95 },
        },
      },
      e2e: {
        p50ResultMs: 100,
        p95ResultMs: 200,
        p50AlertMs: 120,
        p95AlertMs: 220,
        burst: { filings: 10, wallMs: 100, filingsPerSec: 100, uploadMs: 10, stored: 10, failed: 0, alertsSent: 1 },
        latency: { filings: 2, resultMs: [100, 200], alertMs: [120, 220], maxAlertMs: 220 },
        usage: usage(),
        writeUnitsPerAlertingFiling: 14,
        stackStartMs: 1000,
      },
    };
    const j = benchJson(r);
    expect(j.bundles.notify).toEqual({ bytes: 3, coldInitMs: 200 });
    expect(j.e2e.burst).toEqual({ filings: 10, wallMs: 100, filingsPerSec: 100 });
    expect(j.cost.writeUnitsPerFiling).toBe(10);
    for (const part of [j.bundles, j.e2e, j.cost]) expect(JSON.stringify(part)).not.toContain('null');
    expect(j.parse.filings).toBeNull();
    const checks = new Map(targetChecks(r).map((c) => [c.name, c.pass]));
    expect(checks.get('bundles.notify.coldInitMs')).toBe(false);
    expect(checks.get('bundles.parse.coldInitMs')).toBe(true);
    expect(checks.get('cost.writeUnitsPerFiling')).toBe(true);
    expect(renderTable(r)).toMatch(/dollars per million/);
  });
});

function usage(): Usage {
  return {
    filings: 10,
    functions: {
      parse: { invocations: 1, billedMs: 1000, memoryMb: 512 },
      reconcile: { invocations: 1, billedMs: 1000, memoryMb: 512 },
      notify: { invocations: 1, billedMs: 0, memoryMb: 512 },
    },
    writeUnits: 100,
    readUnits: 50,
    conditionFailures: 0,
    parseBatches: 1,
    alertsPublished: 1,
    emailSubscribers: 1,
    logBytes: 0,
  };
}

describe('bench: cost', () => {
  it('adds up the breakdown', () => {
    const c = estimateCost(usage());
    const line = (s: string) => c.breakdown.find((l) => l.item.startsWith(s))!;
    // 2 GB-s over 10 filings at 512 MB: 0.1 GB-s each.
    expect(line('Lambda duration').perFiling).toBeCloseTo(0.1, 6);
    expect(line('SQS').perFiling).toBeCloseTo(1.2, 6);
    expect(line('DynamoDB write').dollarsPerMillionFilings).toBeCloseTo(10 * 0.625, 6);
    expect(line('S3 PUT').dollarsPerMillionFilings).toBeCloseTo(5, 6);
    expect(line('SNS email').dollarsPerMillionFilings).toBeCloseTo(0.1 * 20, 6);
    const total = c.breakdown.reduce((a, l) => a + l.dollarsPerMillionFilings, 0);
    expect(c.dollarsPerMillionFilings).toBeCloseTo(total, 1);
    expect(priceTableMarkdown().split('\n')).toHaveLength(2 + Object.keys(PRICES).length);
  });
});

describe('bench: command line', () => {
  it('rejects unknown sections and bad numbers', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const w = (a: string[]) => ({ write: (s: string) => (a.push(s), true) }) as unknown as NodeJS.WritableStream;
    expect(await benchCommand(['--only', 'nope'], w(out), w(err))).toBe(2);
    expect(await benchCommand(['--filings', '0'], w(out), w(err))).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('')).toMatch(/unknown section/);
  });

  it('--json --only parse prints one JSON object and nothing else on stdout', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const w = (a: string[]) => ({ write: (s: string) => (a.push(s), true) }) as unknown as NodeJS.WritableStream;
    expect(await benchCommand(['--json', '--only', 'parse', '--filings', '30', '--rounds', '1'], w(out), w(err))).toBe(
      0,
    );
    const j = JSON.parse(out.join(''));
    expect(j.parse.filings).toBe(30);
    expect(j.bundles.parse.coldInitMs).toBeNull();
    expect(err.join('')).toMatch(/bench: /);
  });
});
