/**
 * The pdf section of the benchmark:
 *
 * - throughput: PDF filings per second on one core, each taken from its bytes to a reconciliation
 *   (pdfToText, then the parser, then reconcile), in a node process of its own from a bundle made
 *   with the functions' esbuild settings and lazy packages (pdf-worker.ts; unpdf in its own file,
 *   as in a deployed function). The corpus: generated consistent filings drawn as PDFs by
 *   test/support/pdf.ts in four layouts (plain, wrapped labels, page breaks with a running header,
 *   the letter-spaced banner), plus the committed PDFs of the two samples (Chromium printouts of
 *   the saved web page among them). A warm-up round, then timed rounds; medians, wall and CPU time,
 *   and per kind of PDF.
 * - cold init of the parse function with a PDF and without: fresh node processes load a bundle of
 *   the parse function (functions/parse/index.ts, with its environment) and, in the second case,
 *   also take the first PDF (a Chromium printout) to a reconciliation; minus an empty node.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BUNDLE_FILE, bundleFunction, LAZY_FILE } from '../infra/bundling';
import { generateFilings } from '../test/support/generate';
import { parseFilingText } from '../shared/domain/parser';
import { reconcile } from '../shared/domain/reconcile';
import { render } from '../test/support/render';
import { pdfToText } from '../shared/domain/formats/pdf';
import { renderPdf, type PdfRenderOptions } from '../test/support/pdf';
import { functionEnv, timeNode } from './bundles';
import { median, round } from './parse-bench';

const REPO_ROOT = resolve(__dirname, '..');
export const FIXTURE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'renderings');

/** The generated PDFs' layouts. */
export const LAYOUTS: Record<string, PdfRenderOptions> = {
  plain: { pageSize: [792, 612], fontSize: 7 },
  wrapped: { labelWidth: 210 },
  'page-break': { linesPerPage: 23, runningHeader: 'Example FCM - Daily Seg - FOCUS II (continued)' },
  banner: { banner: 'WINJAMMER FILING' },
};

export interface PdfCase {
  /** `generated <layout>` or `fixture <kind>` (chromium, plain, ...). */
  kind: string;
  bytes: Uint8Array;
}

export interface PdfCorpus {
  cases: PdfCase[];
  bytes: number;
  kinds: Record<string, number>;
}

/** `generated` filings drawn in the layouts in turn, and the committed PDFs with a text layer (not the scan). */
export async function makePdfCorpus(generated: number, seed = 20260101, fixtureDir = FIXTURE_DIR): Promise<PdfCorpus> {
  const cases: PdfCase[] = [];
  const layouts = Object.entries(LAYOUTS);
  const filings = generateFilings(generated, seed);
  for (let i = 0; i < filings.length; i++) {
    const [name, opts] = layouts[i % layouts.length];
    cases.push({
      kind: `generated ${name}`,
      bytes: await renderPdf(render(filings[i], 'markup', { seed: seed + i }), opts),
    });
  }
  for (const f of readdirSync(fixtureDir).sort())
    if (f.endsWith('.pdf') && !f.includes('.scan.'))
      cases.push({ kind: `fixture ${f.split('.').at(-2)}`, bytes: new Uint8Array(readFileSync(join(fixtureDir, f))) });
  const kinds: Record<string, number> = {};
  for (const c of cases) kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
  return { cases, bytes: cases.reduce((a, c) => a + c.bytes.length, 0), kinds };
}

export interface PdfTally {
  filings: number;
  /** Filings whose reconciliation has an error finding (the corpus is consistent: should be 0). */
  withErrors: number;
  alerts: number;
  /** PDFs pdfToText refused (should be 0). */
  refused: number;
}

/** What the parse function does with a PDF, per filing: its text, the parser, then reconcile. */
export async function pdfToReconciliation(bytes: Uint8Array, tally: PdfTally): Promise<void> {
  tally.filings++;
  let text: string;
  try {
    text = await pdfToText(bytes);
  } catch {
    tally.refused++;
    return;
  }
  const { filing, unreadable } = parseFilingText(text);
  const rec = reconcile(filing, { unreadable });
  tally.alerts += rec.alerts.length;
  if (rec.findings.some((f) => f.severity === 'error')) tally.withErrors++;
}

export interface PdfThroughput {
  filings: number;
  bytes: number;
  filingsPerSec: number;
  usPerFiling: number;
  /** The same from this process's CPU time (load-proof). */
  cpuTime: { filingsPerSec: number; usPerFiling: number };
  roundsMs: number[];
  /** Median ms per PDF of each kind (from the timed rounds). */
  msByKind: Record<string, number>;
  kinds: Record<string, number>;
  /** ms of the very first PDF in the process (pdf.js loaded and compiled). */
  firstPdfMs: number;
  withErrors: number;
  alerts: number;
  refused: number;
}

export async function runPdfThroughput(
  corpus: PdfCorpus,
  opts: { rounds?: number; warmup?: number; progress?: (l: string) => void } = {},
): Promise<PdfThroughput> {
  const rounds = opts.rounds ?? 5;
  const warmup = opts.warmup ?? 1;
  const log = opts.progress ?? (() => undefined);
  const { cases } = corpus;
  let tally: PdfTally = { filings: 0, withErrors: 0, alerts: 0, refused: 0 };
  const t0 = process.hrtime.bigint();
  await pdfToReconciliation(cases[0].bytes, { ...tally });
  const firstPdfMs = Number(process.hrtime.bigint() - t0) / 1e6;
  for (let r = 0; r < warmup; r++) for (const c of cases) await pdfToReconciliation(c.bytes, { ...tally });
  const wall: number[] = [];
  const cpu: number[] = [];
  const perKind: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    tally = { filings: 0, withErrors: 0, alerts: 0, refused: 0 };
    const c0 = process.cpuUsage();
    const w0 = process.hrtime.bigint();
    for (const c of cases) {
      const t = process.hrtime.bigint();
      await pdfToReconciliation(c.bytes, tally);
      (perKind[c.kind] ??= []).push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    wall.push(Number(process.hrtime.bigint() - w0) / 1e6);
    const cu = process.cpuUsage(c0);
    cpu.push((cu.user + cu.system) / 1000);
    log(`pdf round ${r + 1}/${rounds}: ${cases.length} PDFs in ${wall[r].toFixed(0)} ms (cpu ${cpu[r].toFixed(0)} ms)`);
  }
  const n = cases.length;
  const ms = median(wall);
  const cpuMs = median(cpu);
  return {
    filings: n,
    bytes: corpus.bytes,
    filingsPerSec: round(n / (ms / 1000), 1),
    usPerFiling: round((ms * 1000) / n, 0),
    cpuTime: { filingsPerSec: round(n / (cpuMs / 1000), 1), usPerFiling: round((cpuMs * 1000) / n, 0) },
    roundsMs: wall.map((x) => round(x, 1)),
    msByKind: Object.fromEntries(Object.entries(perKind).map(([k, v]) => [k, round(median(v), 2)])),
    kinds: corpus.kinds,
    firstPdfMs: round(firstPdfMs, 1),
    withErrors: tally.withErrors,
    alerts: tally.alerts,
    refused: tally.refused,
  };
}

export interface PdfColdInit {
  /** Median of fresh processes loading the parse bundle, minus an empty node. */
  withoutPdfMs: number;
  /** The same, then the first PDF taken to a reconciliation. */
  withPdfMs: number;
  /** What the first PDF adds: withPdfMs - withoutPdfMs. */
  firstPdfMs: number;
  emptyNodeMs: number;
  runs: number;
  pdf: string;
  /** The parse bundle (index.js) and unpdf's file beside it. */
  bundleBytes: number;
  lazyBytes: Record<string, number>;
  runsMs: { empty: number[]; withoutPdf: number[]; withPdf: number[] };
}

export interface PdfBenchResult extends PdfThroughput {
  coldInit: PdfColdInit;
}

/** Build `entry` as a function is built (index.js + lazy packages) into a new temp dir. */
async function bundleInto(
  entry: string,
  dir: string,
): Promise<{ file: string; lazy: Record<string, number>; bytes: number }> {
  const names = await bundleFunction(join(REPO_ROOT, entry), dir, { absWorkingDir: REPO_ROOT, logLevel: 'error' });
  const file = join(dir, BUNDLE_FILE);
  return {
    file,
    bytes: statSync(file).size,
    lazy: Object.fromEntries(names.map((n) => [n, statSync(join(dir, 'node_modules', n, LAZY_FILE)).size])),
  };
}

/** The cold init figures (see PdfColdInit); `pdf` is a path. */
export async function runPdfColdInit(
  opts: { runs?: number; pdf?: string; progress?: (l: string) => void } = {},
): Promise<PdfColdInit> {
  const runs = opts.runs ?? 5;
  const pdf = opts.pdf ?? join(FIXTURE_DIR, 'citigroup-2014-11-06-initial.chromium.pdf');
  const log = opts.progress ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'segwatch-bench-pdf-cold-'));
  try {
    log(`bundling the parse function with a PDF entry (bench/pdf-cold.ts) into ${dir}`);
    const b = await bundleInto('bench/pdf-cold.ts', dir);
    const empty = join(dir, 'empty.js');
    writeFileSync(empty, '');
    const withPdf = join(dir, 'with-pdf.js');
    const withoutPdf = join(dir, 'without-pdf.js');
    writeFileSync(
      withoutPdf,
      `'use strict';\nconst m = require('./${BUNDLE_FILE}');\nif (typeof m.handler !== 'function') { process.stderr.write('no handler'); process.exit(3); }\n`,
    );
    writeFileSync(
      withPdf,
      `'use strict';\nconst m = require('./${BUNDLE_FILE}');\nif (typeof m.handler !== 'function') { process.stderr.write('no handler'); process.exit(3); }\n` +
        `m.firstPdf(require('fs').readFileSync(${JSON.stringify(pdf)})).then((r) => { if (!r.ok) { process.stderr.write(r.error); process.exit(4); } }, (e) => { process.stderr.write(String(e)); process.exit(5); });\n`,
    );
    const env = functionEnv('parse');
    const times = { empty: [] as number[], withoutPdf: [] as number[], withPdf: [] as number[] };
    for (let r = -1; r < runs; r++) {
      const e = await timeNode(empty, env);
      const a = await timeNode(withoutPdf, env);
      const p = await timeNode(withPdf, env);
      if (r < 0) continue;
      times.empty.push(e);
      times.withoutPdf.push(a);
      times.withPdf.push(p);
      log(
        `pdf cold init round ${r + 1}/${runs}: empty ${e.toFixed(0)} ms, parse bundle ${a.toFixed(0)} ms, + first PDF ${p.toFixed(0)} ms`,
      );
    }
    const emptyMs = median(times.empty);
    const withoutPdfMs = round(median(times.withoutPdf) - emptyMs, 1);
    const withPdfMs = round(median(times.withPdf) - emptyMs, 1);
    return {
      withoutPdfMs,
      withPdfMs,
      firstPdfMs: round(withPdfMs - withoutPdfMs, 1),
      emptyNodeMs: round(emptyMs, 1),
      runs,
      pdf: pdf.replace(`${REPO_ROOT}/`, ''),
      bundleBytes: b.bytes,
      lazyBytes: b.lazy,
      runsMs: {
        empty: times.empty.map((x) => round(x, 1)),
        withoutPdf: times.withoutPdf.map((x) => round(x, 1)),
        withPdf: times.withPdf.map((x) => round(x, 1)),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The throughput part in a process of its own, from a bundle of pdf-worker.ts (functions' settings, unpdf lazy); its progress goes to `err`. */
export async function runPdfWorker(
  generated: number,
  rounds: number,
  err: NodeJS.WritableStream,
): Promise<PdfThroughput> {
  const dir = mkdtempSync(join(tmpdir(), 'segwatch-bench-pdf-'));
  try {
    const { file } = await bundleInto('bench/pdf-worker.ts', dir);
    const out = await new Promise<string>((res, rej) => {
      const child = spawn(process.execPath, [file, String(generated), String(rounds), FIXTURE_DIR], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-2000);
        err.write(d);
      });
      child.once('error', rej);
      child.once('exit', (code) => {
        if (code === 0) return res(stdout);
        const last = stderr.trim().split('\n').at(-1) ?? '';
        rej(new Error(`the pdf worker exited ${code}${last ? `: ${last}` : ''}`));
      });
    });
    return JSON.parse(out.trim().split('\n').at(-1)!) as PdfThroughput;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runPdfBench(opts: {
  generated?: number;
  rounds?: number;
  runs?: number;
  err: NodeJS.WritableStream;
  progress?: (l: string) => void;
}): Promise<PdfBenchResult> {
  const throughput = await runPdfWorker(opts.generated ?? 100, opts.rounds ?? 5, opts.err);
  const coldInit = await runPdfColdInit({ runs: opts.runs, progress: opts.progress });
  return { ...throughput, coldInit };
}
