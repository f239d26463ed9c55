/**
 * Keeps the pdf section of the benchmark from rotting: its corpus and its per-filing work on a
 * tiny corpus (no timing assertions), its place in the --json object, the targets and the table.
 * The throughput part also runs as the bench runs it, from its bundle in a process of its own
 * (runPdfWorker); the parse function's bundles and cold init run in test/infra/lazy-bundle.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { benchJson, renderTable, targetChecks, type BenchResults } from '../../bench/bench';
import { PassThrough } from 'node:stream';
import { LAYOUTS, makePdfCorpus, runPdfThroughput, runPdfWorker, type PdfBenchResult } from '../../bench/pdf-bench';

const machine = { node: process.version, cpus: 2, cpuModel: 'test', load: { pdf: [1, 1, 1], end: [1, 1, 1] } };

describe('bench: pdf section', () => {
  it('the corpus: generated filings in every layout, and the committed PDFs with a text layer (not the scan)', async () => {
    const corpus = await makePdfCorpus(8, 3);
    const layouts = Object.keys(LAYOUTS);
    for (const l of layouts) expect(corpus.kinds[`generated ${l}`]).toBe(2);
    expect(corpus.kinds['fixture chromium']).toBe(2);
    expect(Object.keys(corpus.kinds).some((k) => k.includes('scan'))).toBe(false);
    expect(corpus.bytes).toBe(corpus.cases.reduce((a, c) => a + c.bytes.length, 0));
  });

  it('every PDF of the corpus is taken to a clean reconciliation', async () => {
    const corpus = await makePdfCorpus(4, 5);
    const r = await runPdfThroughput(corpus, { rounds: 1, warmup: 0 });
    // One alert in the whole corpus: the 2013 amendment printed with its Cover Page, whose
    // cleared-swaps target is above the statement's excess (below target, as test/unit/pdf.test.ts
    // expects); every generated PDF and every other rendering reconciles without one.
    expect(r).toMatchObject({ filings: corpus.cases.length, withErrors: 0, refused: 0, alerts: 1 });
    expect(r.filingsPerSec).toBeGreaterThan(0);
    expect(Object.keys(r.msByKind).sort()).toEqual(Object.keys(corpus.kinds).sort());
  });

  it('the worker, bundled as the bench bundles it, runs in its own process and reports every PDF reconciled', async () => {
    // A bundle takes in every module its entry reaches (pdf-bench.ts reaches infra/bundling.ts and
    // infra/pdfjs-patches.ts): one that ran work of its own when loaded broke this once.
    const err = new PassThrough();
    let log = '';
    err.on('data', (d: Buffer) => (log += d.toString()));
    const r = await runPdfWorker(2, 1, err);
    const committed = (await makePdfCorpus(0)).cases.length;
    expect(r, log).toMatchObject({ filings: 2 + committed, withErrors: 0, refused: 0 });
    expect(r.roundsMs).toHaveLength(1);
    expect(log).toMatch(/pdf corpus: \d+ PDFs \(2 generated/);
    expect(log).not.toMatch(/ENOENT|Error/);
  }, 120_000);

  it('--json, targets and table', () => {
    const pdf: PdfBenchResult = {
      filings: 10,
      bytes: 1000,
      filingsPerSec: 120,
      usPerFiling: 8000,
      cpuTime: { filingsPerSec: 130, usPerFiling: 7000 },
      roundsMs: [80],
      msByKind: { 'fixture chromium': 20 },
      kinds: { 'fixture chromium': 10 },
      firstPdfMs: 300,
      withErrors: 0,
      alerts: 0,
      refused: 0,
      coldInit: {
        withoutPdfMs: 95,
        withPdfMs: 400,
        firstPdfMs: 305,
        emptyNodeMs: 40,
        runs: 5,
        pdf: 'x.pdf',
        bundleBytes: 750_000,
        lazyBytes: { unpdf: 1_650_000 },
        runsMs: { empty: [40], withoutPdf: [135], withPdf: [440] },
      },
    };
    const r: BenchResults = { machine, pdf };
    const j = benchJson(r);
    expect(j.pdf).toEqual({ filings: 10, filingsPerSec: 120, coldInitMs: 95, coldInitWithPdfMs: 400 });
    expect(benchJson({ machine }).pdf).toEqual({
      filings: null,
      filingsPerSec: null,
      coldInitMs: null,
      coldInitWithPdfMs: null,
    });
    const checks = new Map(targetChecks(r).map((c) => [c.name, c.pass]));
    expect(checks.get('pdf.filingsPerSec')).toBe(true);
    expect(checks.get('pdf.coldInitMs')).toBe(true);
    expect(
      new Map(targetChecks({ machine, pdf: { ...pdf, filingsPerSec: 50 } }).map((c) => [c.name, c.pass])).get(
        'pdf.filingsPerSec',
      ),
    ).toBe(false);
    const table = renderTable(r);
    expect(table).toMatch(/pdf: pdfToText \+ parse \+ reconcile/);
    expect(table).toMatch(/parse cold init \+ 1st PDF/);
  });
});
