/**
 * `npm run bench [-- --json]` (bench/main.js): parse throughput, bundle sizes and cold init, local
 * end-to-end latency and burst throughput, DynamoDB capacity and dollars per million filings, PDF
 * filings per second and the parse function's cold init with a PDF and without.
 * Progress goes to stderr; stdout gets the table, or with --json only one JSON object.
 *
 * Options: --filings N (parse corpus, default 10000), --rounds N (default 7), --runs N (cold init
 * runs, default 5), --parse-in-process (time the parser in this tsx process instead of a bundled
 * worker), --latency N (default 50), --burst N (default 1000), --warmup N (filings pushed
 * through the local stack before e2e measures anything, default 100), --covers PERCENT (filings of
 * the parse corpus with a Cover Page, default DEFAULT_COVER_PERCENT), --firms N (schedule section,
 * default 60), --pdf-filings N (generated
 * PDFs in the pdf section's corpus, default 100), --only parse,bundles,e2e,web,schedule,pdf,read;
 * read: --read-firms N (60), --read-years N (10), --read-runs N (50), --read-fresh (load the kept database again).
 * web: the dashboard's server time and page sizes on the read section's table (its --read-firms,
 * --read-years), and the api function's cold init (bench/web.ts).
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBundlesBench, FUNCTIONS, type BundlesResult } from './bundles';
import { estimateCost, PRICES, priceTableMarkdown, type Cost } from './cost';
import { runE2eBench, type E2eResult } from './e2e';
import { DEFAULT_COVER_PERCENT, makeCorpus, round, runParseBench, type ParseBenchResult } from './parse-bench';
import { runScheduleBench, type ScheduleBenchResult } from './schedule';
import { runParseWorker } from './bundles';
import { PAGES as WEB_PAGES, runWebBench, type WebBenchResult } from './web';
import { runPdfBench, type PdfBenchResult } from './pdf-bench';
import { READ_TARGETS, renderRead, runReadBench, type ReadBenchResult } from './read-bench';

type Out = NodeJS.WritableStream;

export const SECTIONS = ['parse', 'bundles', 'e2e', 'web', 'schedule', 'pdf', 'read'] as const;
export type Section = (typeof SECTIONS)[number];

/** What the bench aims for (the tests time nothing; the bench reports pass or fail). */
export const TARGETS = {
  parseFilingsPerSec: 20_000,
  ratioToScan: 4,
  coldInitMs: 150,
  p95AlertMs: 1000,
  burstFilingsPerSec: 50,
  writeUnitsPerFiling: 10,
  webServerP95Ms: 100,
  webPageBytes: 200_000,
  scheduleCheckMs: 2000,
  pdfFilingsPerSec: 100,
} as const;

export interface BenchResults {
  parse?: ParseBenchResult & { runIn?: string };
  bundles?: BundlesResult;
  e2e?: E2eResult;
  web?: WebBenchResult;
  schedule?: ScheduleBenchResult;
  pdf?: PdfBenchResult;
  read?: ReadBenchResult;
  machine: Machine;
}

export interface Machine {
  node: string;
  cpus: number;
  cpuModel: string;
  /** os.loadavg() (1, 5, 15 minutes) when each section started and when the bench ended. */
  load: Record<string, number[]>;
}

export interface TargetCheck {
  name: string;
  target: string;
  value: number | null;
  pass: boolean | null;
}

export function targetChecks(r: BenchResults): TargetCheck[] {
  const t = TARGETS;
  const check = (
    name: string,
    target: string,
    value: number | null | undefined,
    ok: (v: number) => boolean,
  ): TargetCheck => ({
    name,
    target,
    value: value ?? null,
    pass: value === undefined || value === null ? null : ok(value),
  });
  return [
    check(
      'parse.filingsPerSec',
      `>= ${t.parseFilingsPerSec}`,
      r.parse?.filingsPerSec,
      (v) => v >= t.parseFilingsPerSec,
    ),
    check('parse.ratioToScan', `<= ${t.ratioToScan}`, r.parse?.ratioToScan, (v) => v <= t.ratioToScan),
    ...FUNCTIONS.map((f) =>
      check(
        `bundles.${f}.coldInitMs`,
        `< ${t.coldInitMs}`,
        r.bundles?.functions[f].coldInitMs,
        (v) => v < t.coldInitMs,
      ),
    ),
    check('e2e.p95AlertMs', `< ${t.p95AlertMs}`, r.e2e?.p95AlertMs, (v) => v < t.p95AlertMs),
    check(
      'e2e.burst.filingsPerSec',
      `>= ${t.burstFilingsPerSec}`,
      r.e2e?.burst.filingsPerSec,
      (v) => v >= t.burstFilingsPerSec,
    ),
    check(
      'cost.writeUnitsPerFiling',
      `<= ${t.writeUnitsPerFiling}`,
      r.e2e ? estimateCost(r.e2e.usage).writeUnitsPerFiling : undefined,
      (v) => v <= t.writeUnitsPerFiling,
    ),
    ...WEB_PAGES.flatMap((k) => [
      check(`web.${k}.p95Ms`, `< ${t.webServerP95Ms}`, r.web?.pages[k].p95Ms, (v) => v < t.webServerP95Ms),
      check(`web.${k}.maxBytes`, `< ${t.webPageBytes}`, r.web?.pages[k].maxBytes, (v) => v < t.webPageBytes),
    ]),
    check('web.api.coldInitMs', `< ${t.coldInitMs}`, r.web?.coldInit.ms, (v) => v < t.coldInitMs),
    check('schedule.maxHandlerMs', `< ${t.scheduleCheckMs}`, r.schedule?.maxHandlerMs, (v) => v < t.scheduleCheckMs),
    check('pdf.filingsPerSec', `>= ${t.pdfFilingsPerSec}`, r.pdf?.filingsPerSec, (v) => v >= t.pdfFilingsPerSec),
    check('pdf.coldInitMs', `< ${t.coldInitMs}`, r.pdf?.coldInit.withoutPdfMs, (v) => v < t.coldInitMs),
    check(
      'read.history.p95Ms',
      `< ${READ_TARGETS.historyP95Ms}`,
      r.read?.history.p95Ms,
      (v) => v < READ_TARGETS.historyP95Ms,
    ),
    check('read.board.p95Ms', `< ${READ_TARGETS.boardP95Ms}`, r.read?.board.p95Ms, (v) => v < READ_TARGETS.boardP95Ms),
    check(
      'read.alerts.p95Ms',
      `< ${READ_TARGETS.alertsP95Ms}`,
      r.read?.alerts.p95Ms,
      (v) => v < READ_TARGETS.alertsP95Ms,
    ),
    check('read.show.p95Ms', `< ${READ_TARGETS.showP95Ms}`, r.read?.show.p95Ms, (v) => v < READ_TARGETS.showP95Ms),
  ];
}

/**
 * The --json object: exactly the agreed keys under parse, bundles, e2e and cost (null where a
 * section did not run), plus targets, machine and details beside them.
 */
export function benchJson(r: BenchResults) {
  const cost: Cost | undefined = r.e2e ? estimateCost(r.e2e.usage) : undefined;
  const p = r.parse;
  const e = r.e2e;
  return {
    parse: {
      filings: p?.filings ?? null,
      filingsPerSec: p?.filingsPerSec ?? null,
      mbPerSec: p?.mbPerSec ?? null,
      ratioToScan: p?.ratioToScan ?? null,
    },
    bundles: Object.fromEntries(
      FUNCTIONS.map((f) => [
        f,
        { bytes: r.bundles?.functions[f].bytes ?? null, coldInitMs: r.bundles?.functions[f].coldInitMs ?? null },
      ]),
    ) as Record<(typeof FUNCTIONS)[number], { bytes: number | null; coldInitMs: number | null }>,
    e2e: {
      p50ResultMs: e?.p50ResultMs ?? null,
      p95ResultMs: e?.p95ResultMs ?? null,
      p50AlertMs: e?.p50AlertMs ?? null,
      p95AlertMs: e?.p95AlertMs ?? null,
      burst: {
        filings: e?.burst.filings ?? null,
        wallMs: e?.burst.wallMs ?? null,
        filingsPerSec: e?.burst.filingsPerSec ?? null,
      },
    },
    cost: {
      writeUnitsPerFiling: cost?.writeUnitsPerFiling ?? null,
      dollarsPerMillionFilings: cost?.dollarsPerMillionFilings ?? null,
    },
    schedule: {
      firms: r.schedule?.firms ?? null,
      medianHandlerMs: r.schedule?.medianHandlerMs ?? null,
      maxHandlerMs: r.schedule?.maxHandlerMs ?? null,
      maxUntilPublishedMs: r.schedule?.maxUntilPublishedMs ?? null,
    },
    pdf: {
      filings: r.pdf?.filings ?? null,
      filingsPerSec: r.pdf?.filingsPerSec ?? null,
      coldInitMs: r.pdf?.coldInit.withoutPdfMs ?? null,
      coldInitWithPdfMs: r.pdf?.coldInit.withPdfMs ?? null,
    },
    read: r.read
      ? {
          history: { p50Ms: r.read.history.p50Ms, p95Ms: r.read.history.p95Ms },
          board: { p50Ms: r.read.board.p50Ms, p95Ms: r.read.board.p95Ms },
          alerts: { p50Ms: r.read.alerts.p50Ms, p95Ms: r.read.alerts.p95Ms },
          show: { p50Ms: r.read.show.p50Ms, p95Ms: r.read.show.p95Ms },
          tableItems: r.read.table.items,
          tableBytes: r.read.table.bytes,
          loadMs: r.read.load.ms,
        }
      : null,
    targets: targetChecks(r),
    machine: r.machine,
    details: {
      parse: p ?? null,
      bundles: r.bundles ?? null,
      e2e: e ? { ...e, usage: e.usage } : null,
      web: r.web ?? null,
      cost: cost ?? null,
      schedule: r.schedule ?? null,
      pdf: r.pdf ?? null,
      read: r.read ?? null,
      prices: PRICES,
    },
  };
}

// ---- the table -------------------------------------------------------------------------------

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const pad = (s: string, w: number) => s.padEnd(w);
const lpad = (s: string, w: number) => s.padStart(w);
const verdict = (c: TargetCheck | undefined) => (!c || c.pass === null ? '' : c.pass ? 'PASS' : 'MISS');

export function renderTable(r: BenchResults): string {
  const checks = new Map(targetChecks(r).map((c) => [c.name, c]));
  const row = (label: string, value: string, target: string, name?: string) =>
    `  ${pad(label, 26)}${pad(value, 48)}${pad(target, 16)}${verdict(name ? checks.get(name) : undefined)}`;
  const load = (k: string) => (r.machine.load[k] ? r.machine.load[k].map((x) => x.toFixed(2)).join(' ') : '-');
  const out: string[] = [];
  out.push(`bench: node ${r.machine.node}, ${r.machine.cpus} cpus (${r.machine.cpuModel})`);
  out.push(
    `load average (1/5/15 min): ${Object.keys(r.machine.load)
      .map((k) => `${k} ${load(k)}`)
      .join('; ')}`,
  );
  out.push('');
  const p = r.parse;
  if (p) {
    out.push(
      `parse + reconcile: one core, one thread, in ${p.runIn ?? 'process'}; ${n0(p.filings)} generated filings (${(p.bytes / 1e6).toFixed(1)} MB; ${Object.keys(p.renderings).length} renderings, ${Object.keys(p.variants).length} variants, ${n0(p.covers ?? 0)} with a cover page), median of ${p.roundsMs.parse.length} rounds`,
    );
    out.push(
      row(
        'throughput',
        `${n0(p.filingsPerSec)} filings/s, ${p.mbPerSec} MB/s`,
        `>= ${n0(TARGETS.parseFilingsPerSec)}/s`,
        'parse.filingsPerSec',
      ),
    );
    out.push(row('per filing', `${p.usPerFiling} us (bare scan ${p.scanUsPerFiling} us)`, ''));
    out.push(
      row('by CPU time (load-proof)', `${n0(p.cpuTime.filingsPerSec)} filings/s, ratio ${p.cpuTime.ratioToScan}`, ''),
    );
    out.push(
      row(
        'ratio to bare [dddd] scan',
        `${p.ratioToScan} (rounds ${p.roundRatios.min}-${p.roundRatios.max})`,
        `<= ${TARGETS.ratioToScan}`,
        'parse.ratioToScan',
      ),
    );
    out.push(row('bare scan', `${p.scanMbPerSec} MB/s, ${n0(p.codesFound)} codes`, ''));
    out.push(row('check', `${p.withErrors} filings with errors, ${n0(p.alerts)} alerts`, ''));
    out.push('');
  }
  const b = r.bundles;
  if (b) {
    out.push(
      `bundles: infra/bundling.ts esbuild settings; cold init = median of ${b.runs} fresh node processes loading the bundle - empty node (${b.emptyNodeMs.median} ms)`,
    );
    for (const f of FUNCTIONS) {
      const x = b.functions[f];
      out.push(
        row(
          f,
          `${lpad(n0(x.bytes), 9)} bytes, init ${x.coldInitMs} ms (with --enable-source-maps ${x.coldInitMsWithSourceMaps})`,
          `< ${TARGETS.coldInitMs} ms`,
          `bundles.${f}.coldInitMs`,
        ),
      );
    }
    out.push('');
  }
  const e = r.e2e;
  if (e) {
    out.push(
      `e2e on the local stack (segwatch run's machinery, real handlers); ${e.latency.filings} alerting filings one at a time, then a burst`,
    );
    out.push(row('upload -> stored result', `p50 ${e.p50ResultMs} ms, p95 ${e.p95ResultMs} ms`, ''));
    out.push(
      row(
        'upload -> published alert',
        `p50 ${e.p50AlertMs} ms, p95 ${e.p95AlertMs} ms`,
        `p95 < ${TARGETS.p95AlertMs} ms`,
        'e2e.p95AlertMs',
      ),
    );
    out.push(
      row(
        `burst of ${n0(e.burst.filings)}`,
        `${n0(e.burst.wallMs)} ms, ${e.burst.filingsPerSec} filings/s`,
        `>= ${TARGETS.burstFilingsPerSec}/s`,
        'e2e.burst.filingsPerSec',
      ),
    );
    out.push(
      row('burst check', `${e.burst.stored} stored, ${e.burst.failed} not, ${e.burst.alertsSent} alerts sent`, ''),
    );
    const cost = estimateCost(e.usage);
    out.push('');
    out.push(`cost per filing (burst mix: 1 in 10 filings alerts), AWS us-east-1 list prices, free tiers left out`);
    out.push(
      row(
        'DynamoDB write units',
        `${cost.writeUnitsPerFiling} per filing (${e.writeUnitsPerAlertingFiling} when alerting)`,
        `<= ${TARGETS.writeUnitsPerFiling}`,
        'cost.writeUnitsPerFiling',
      ),
    );
    const by = e.usage.writeUnitsPerFilingByItem;
    if (by)
      out.push(
        row(
          '  write units by item',
          Object.entries(by)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
          '',
        ),
      );
    out.push(row('dollars per million', `$${cost.dollarsPerMillionFilings.toFixed(2)}`, ''));
    for (const l of cost.breakdown)
      out.push(
        `    ${pad(l.item, 64)}${lpad(String(l.perFiling), 10)} x $${l.unitUsd.toPrecision(4)}/${l.unit}  = $${l.dollarsPerMillionFilings.toFixed(2)} per million`,
      );
    out.push('');
    out.push('prices used:');
    out.push(priceTableMarkdown());
  }
  const w = r.web;
  if (w) {
    out.push('');
    out.push(
      `web: the dashboard app (functions/api) on ${w.data.firms} firms x ${w.data.years} years (${w.data.from} to ${w.data.to}; ${w.data.source}); request to last byte, gzip`,
    );
    for (const k of WEB_PAGES) {
      const x = w.pages[k];
      out.push(
        row(
          `${k} (${x.requests} requests)`,
          `p50 ${x.p50Ms} ms, p95 ${x.p95Ms} ms (queries p95 ${x.queryP95Ms})`,
          `p95 < ${TARGETS.webServerP95Ms} ms`,
          `web.${k}.p95Ms`,
        ),
      );
      out.push(row(`  CPU per request`, `p50 ${x.cpuP50Ms} ms, p95 ${x.cpuP95Ms} ms`, ''));
      out.push(
        row(
          `  largest ${k} page`,
          `${n0(x.maxBytes)} bytes raw, ${n0(x.maxGzipBytes)} gzipped`,
          `< ${n0(TARGETS.webPageBytes)}`,
          `web.${k}.maxBytes`,
        ),
      );
    }
    for (const [name, x] of Object.entries(w.others))
      out.push(row(`  ${name}`, `${n0(x.bytes)} bytes raw, ${n0(x.gzipBytes)} gzipped`, ''));
    const c = w.coldInit;
    out.push(
      row(
        'api cold init',
        `${c.ms} ms (bundle ${n0(c.bundleBytes)} bytes, median of ${c.runs}; empty node ${c.emptyMs} ms)`,
        `< ${TARGETS.coldInitMs} ms`,
        'web.api.coldInitMs',
      ),
    );
  }
  const sc = r.schedule;
  if (sc) {
    out.push('');
    out.push(
      `scheduled check + digest on the local stack (real schedule handler and notify): ${sc.firms} firms, ${sc.historyDays} filing days of history, ${sc.runs.length} business days`,
    );
    out.push(
      row(
        'check + digest (handler)',
        `median ${sc.medianHandlerMs} ms, max ${sc.maxHandlerMs} ms (repeat ${sc.repeatHandlerMs} ms)`,
        `< ${n0(TARGETS.scheduleCheckMs)} ms`,
        'schedule.maxHandlerMs',
      ),
    );
    out.push(
      row(
        'until notify published',
        `max ${sc.maxUntilPublishedMs} ms; ${sc.runs.map((x) => x.published).join('+')} messages`,
        '',
      ),
    );
    out.push(
      row(
        'digest, bundle',
        `${n0(sc.digestBytes)} bytes of text; bundle ${n0(sc.bundle.bytes)} bytes, cold init ${sc.bundle.coldInitMs} ms`,
        '',
      ),
    );
  }
  const d = r.pdf;
  if (d) {
    out.push('');
    out.push(
      `pdf: pdfToText + parse + reconcile, one core, in a node process of its own from a function-style bundle (unpdf lazy); ${n0(d.filings)} PDFs (${(d.bytes / 1e6).toFixed(1)} MB), median of ${d.roundsMs.length} rounds`,
    );
    out.push(
      row(
        'throughput',
        `${d.filingsPerSec} filings/s (${n0(d.usPerFiling)} us each)`,
        `>= ${TARGETS.pdfFilingsPerSec}/s`,
        'pdf.filingsPerSec',
      ),
    );
    out.push(row('by CPU time (load-proof)', `${d.cpuTime.filingsPerSec} filings/s`, ''));
    out.push(
      row(
        'ms per PDF by kind',
        Object.entries(d.msByKind)
          .map(([k, v]) => `${k.replace(/^(generated|fixture) /, (m) => (m.startsWith('g') ? 'gen ' : 'fix '))} ${v}`)
          .join(', '),
        '',
      ),
    );
    out.push(
      row(
        'check',
        `${d.withErrors} with errors, ${d.refused} refused, ${d.alerts} alerts; first PDF in the process ${n0(d.firstPdfMs)} ms`,
        '',
      ),
    );
    const c = d.coldInit;
    out.push(
      row(
        'parse cold init, no PDF',
        `${c.withoutPdfMs} ms (index.js ${n0(c.bundleBytes)} bytes)`,
        `< ${TARGETS.coldInitMs} ms`,
        'pdf.coldInitMs',
      ),
    );
    out.push(
      row(
        'parse cold init + 1st PDF',
        `${c.withPdfMs} ms (the PDF adds ${c.firstPdfMs} ms; ${Object.entries(c.lazyBytes)
          .map(([k, v]) => `${k} ${n0(v)} bytes`)
          .join(', ')})`,
        '',
      ),
    );
  }
  if (r.read) {
    if (out[out.length - 1] !== '') out.push('');
    out.push(...renderRead(r.read, row));
  }
  return out.join('\n');
}

// ---- the command -----------------------------------------------------------------------------

function positiveInt(name: string, raw: string | undefined, dflt: number): number {
  if (raw === undefined) return dflt;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`--${name} must be a positive integer, not ${JSON.stringify(raw)}`);
  return v;
}

export async function benchCommand(args: string[], out: Out, err: Out): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        json: { type: 'boolean', default: false },
        filings: { type: 'string' },
        rounds: { type: 'string' },
        runs: { type: 'string' },
        latency: { type: 'string' },
        burst: { type: 'string' },
        warmup: { type: 'string' },
        covers: { type: 'string' },
        only: { type: 'string' },
        firms: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        'parse-in-process': { type: 'boolean', default: false },
        'pdf-filings': { type: 'string' },
        'read-firms': { type: 'string' },
        'read-years': { type: 'string' },
        'read-runs': { type: 'string' },
        'read-fresh': { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    err.write(
      `bench: ${(e as Error).message}\nusage: npm run bench -- [--json] [--filings N] [--rounds N] [--runs N] [--latency N] [--burst N] [--warmup N] [--covers PERCENT] [--firms N] [--pdf-filings N] [--read-firms N] [--read-years N] [--read-runs N] [--read-fresh] [--only parse,bundles,e2e,web,schedule,pdf,read]\n`,
    );
    return 2;
  }
  let filings: number,
    rounds: number,
    runs: number,
    latency: number,
    burst: number,
    warmup: number,
    covers: number,
    firms: number,
    pdfFilings: number,
    only: Set<Section>,
    readFirms: number,
    readYears: number,
    readRuns: number;
  try {
    filings = positiveInt('filings', values.filings, 10_000);
    rounds = positiveInt('rounds', values.rounds, 7);
    runs = positiveInt('runs', values.runs, 5);
    latency = positiveInt('latency', values.latency, 50);
    burst = positiveInt('burst', values.burst, 1000);
    warmup = values.warmup === '0' ? 0 : positiveInt('warmup', values.warmup, 100);
    firms = positiveInt('firms', values.firms, 60);
    pdfFilings = positiveInt('pdf-filings', values['pdf-filings'], 100);
    readFirms = positiveInt('read-firms', values['read-firms'], 60);
    readYears = positiveInt('read-years', values['read-years'], 10);
    readRuns = positiveInt('read-runs', values['read-runs'], 50);
    covers = values.covers === '0' ? 0 : Math.min(100, positiveInt('covers', values.covers, DEFAULT_COVER_PERCENT));
    const names = values.only ? values.only.split(',').map((s) => s.trim()) : [...SECTIONS];
    for (const s of names)
      if (!(SECTIONS as readonly string[]).includes(s))
        throw new Error(`--only: unknown section ${JSON.stringify(s)} (${SECTIONS.join(', ')})`);
    only = new Set(names as Section[]);
  } catch (e) {
    err.write(`bench: ${(e as Error).message}\n`);
    return 2;
  }

  const progress = (line: string) => void err.write(`bench: ${line}\n`);
  const load = () => loadavg().map((x) => round(x, 2));
  const machine: Machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    load: {},
  };
  const results: BenchResults = { machine };

  if (only.has('parse')) {
    machine.load.parse = load();
    progress(`generating ${filings} filings (every variant combination x every rendering)...`);
    if (values['parse-in-process']) {
      const t = Date.now();
      const corpus = makeCorpus(filings, undefined, covers);
      progress(
        `corpus: ${(corpus.bytes / 1e6).toFixed(1)} MB in ${Date.now() - t} ms; timing ${rounds} rounds (+2 warm-up) of bare scan vs parse+reconcile in this process`,
      );
      results.parse = { ...runParseBench(corpus, { rounds, progress }), runIn: 'the CLI process (tsx)' };
    } else {
      results.parse = {
        ...(await runParseWorker(filings, rounds, err, covers)),
        runIn: 'a node process of its own, from an infra/bundling.ts bundle',
      };
    }
  }
  if (only.has('bundles')) {
    machine.load.bundles = load();
    results.bundles = await runBundlesBench({ runs, progress });
  }
  if (only.has('e2e')) {
    machine.load.e2e = load();
    results.e2e = await runE2eBench({ latency, burst, warmup, progress, verbose: values.verbose });
  }
  if (only.has('web')) {
    machine.load.web = load();
    results.web = await runWebBench({
      firms: readFirms,
      years: readYears,
      fresh: values['read-fresh'] === true && !only.has('read'),
      runs,
      progress,
    });
  }
  if (only.has('schedule')) {
    machine.load.schedule = load();
    // The handlers create their SDK clients once per module: after e2e's local stack has loaded
    // them (pointing at its own endpoints), the schedule section runs in a process of its own.
    results.schedule = only.has('e2e')
      ? await sectionInChild<ScheduleBenchResult>('schedule', ['--firms', String(firms)], progress)
      : await runScheduleBench({ firms, progress });
  }
  if (only.has('pdf')) {
    machine.load.pdf = load();
    progress(`pdf: ${pdfFilings} generated filings drawn as PDFs, plus the committed sample PDFs`);
    results.pdf = await runPdfBench({ generated: pdfFilings, rounds, runs, err, progress });
  }
  if (only.has('read')) {
    machine.load.read = load();
    // After other sections, in a process of its own: their garbage (the pdf corpus, the web
    // bench's pages) would otherwise be in every garbage collection the read queries' timings meet.
    results.read =
      only.size > 1
        ? await sectionInChild<ReadBenchResult>(
            'read',
            [
              '--read-firms',
              String(readFirms),
              '--read-years',
              String(readYears),
              '--read-runs',
              String(readRuns),
              ...(values['read-fresh'] === true ? ['--read-fresh'] : []),
            ],
            progress,
          )
        : await runReadBench({
            firms: readFirms,
            years: readYears,
            runs: readRuns,
            warmup: 5,
            fresh: values['read-fresh'] === true,
            progress,
          });
  }
  machine.load.end = load();

  if (values.json) out.write(`${JSON.stringify(benchJson(results), null, 2)}\n`);
  else out.write(`${renderTable(results)}\n`);
  return 0;
}

/** One section in a fresh `node bench/main.js --only <section> --json` (its progress passed on). */
async function sectionInChild<T>(
  section: 'schedule' | 'read',
  args: string[],
  progress: (l: string) => void,
): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'main.js'), '--only', section, ...args, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
    });
    let errBuf = '';
    child.stderr.on('data', (b: Buffer) => {
      errBuf += b.toString('utf8');
      const lines = errBuf.split('\n');
      errBuf = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('bench: ')) progress(l.slice('bench: '.length));
    });
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        const j = JSON.parse(out) as { details: Record<string, T | null> };
        const r = j.details[section];
        if (code === 0 && r) resolvePromise(r);
        else reject(new Error(`the ${section} section's process ended with ${code}`));
      } catch {
        reject(new Error(`the ${section} section's process ended with ${code} and no JSON`));
      }
    });
  });
}
