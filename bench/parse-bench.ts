/**
 * The parse section of the benchmark: parse + reconcile throughput on one core, in this process,
 * over a corpus generated from the form definitions (every variant combination meets every
 * rendering), against a bare pass over the same text that only finds every `[dddd]` code with one
 * regular expression. Both are warmed up, then timed in alternating rounds; medians are reported
 * with the spread of the rounds, so machine noise shows.
 *
 * Pure CPU work, no I/O: bench.test.ts runs it on a tiny corpus.
 */
import { generateRendered, type RenderedCase } from '../test/support/generate';
import { parseFilingText } from '../shared/domain/parser';
import { reconcile } from '../shared/domain/reconcile';
import { STATEMENT_KEYS } from '../shared/domain/forms';
import { TEXT_RENDERINGS } from '../test/support/render';

/** The bare scan's expression, exactly as the brief fixes it. */
export const BARE_CODE_RE = /\[(\d{4})\]/g;

export interface Corpus {
  texts: string[];
  /** UTF-8 bytes of all texts. */
  bytes: number;
  /** How many filings of each rendering and each variant the corpus holds. */
  renderings: Record<string, number>;
  variants: Record<string, number>;
  /** How many filings have a Cover Page. */
  covers: number;
}

/**
 * The share of the parse corpus (percent) with a Cover Page (`npm run bench -- --covers N`). Real
 * filings since 11/30/2012 open with one; the samples have none. The default, 0, is the corpus the
 * figures before the cover page was read were measured on; `--covers 100` measures every filing
 * with one.
 */
export const DEFAULT_COVER_PERCENT = 0;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text renderings (markup, PDF-to-text, CRLF/parentheses: the text parse the targets are set
 * for; HTML goes through htmlToText first), a Cover Page on `coverPercent` of them.
 */
export function makeCorpus(n: number, seed = 20260101, coverPercent = DEFAULT_COVER_PERCENT): Corpus {
  const cases: RenderedCase[] = generateRendered(n, seed, { renderings: TEXT_RENDERINGS, coverPercent });
  const renderings: Record<string, number> = Object.fromEntries(TEXT_RENDERINGS.map((r) => [r, 0]));
  const variants: Record<string, number> = {};
  let bytes = 0;
  let covers = 0;
  const texts: string[] = [];
  for (const c of cases) {
    if (c.filing.coverPage) covers++;
    // Through bytes and back, as the parse function gets a filing (S3 bytes, TextDecoder): a flat
    // string, where the renderer's template concatenations would leave a rope.
    const raw = Buffer.from(c.text, 'utf8');
    texts.push(utf8.decode(raw));
    bytes += raw.length;
    renderings[c.rendering]++;
    for (const key of STATEMENT_KEYS) {
      const v = c.filing.statements[key]?.variant;
      if (v) variants[v] = (variants[v] ?? 0) + 1;
    }
  }
  return { texts, bytes, renderings, variants, covers };
}

/** The bare pass: every `[dddd]` in every text, one regular expression, nothing else. Returns the count. */
export function bareScan(texts: readonly string[]): number {
  const re = BARE_CODE_RE;
  let n = 0;
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i];
    re.lastIndex = 0;
    while (re.exec(t) !== null) n++;
  }
  return n;
}

export interface ParseTally {
  filings: number;
  /** Filings with an error finding (a generated filing is consistent: should be 0). */
  withErrors: number;
  alerts: number;
}

/** What the pipeline does per filing between the bytes and the stored result: parse, then reconcile. */
export function parseAndReconcile(texts: readonly string[]): ParseTally {
  const tally: ParseTally = { filings: 0, withErrors: 0, alerts: 0 };
  for (let i = 0; i < texts.length; i++) {
    const { filing, unreadable } = parseFilingText(texts[i]);
    const rec = reconcile(filing, { unreadable });
    tally.filings++;
    tally.alerts += rec.alerts.length;
    for (const f of rec.findings)
      if (f.severity === 'error') {
        tally.withErrors++;
        break;
      }
  }
  return tally;
}

export interface ParseBenchOptions {
  /** Timed rounds of each (default 7); warm-up rounds come first (default 2). */
  rounds?: number;
  warmup?: number;
  progress?: (line: string) => void;
}

export interface ParseBenchResult {
  filings: number;
  bytes: number;
  filingsPerSec: number;
  mbPerSec: number;
  /** median(parse + reconcile round) / median(bare scan round). */
  ratioToScan: number;
  usPerFiling: number;
  scanUsPerFiling: number;
  scanMbPerSec: number;
  /** Every round, ms, in the order run (scan and parse alternate). */
  roundsMs: { scan: number[]; parse: number[] };
  /** The ratio of each round pair: its min, median and max (noise). */
  roundRatios: { min: number; median: number; max: number };
  /**
   * The same figures from this process's CPU time (process.cpuUsage, GC threads included) instead
   * of wall time: on a machine other work keeps busy, the wall clock also counts time the process
   * waited for a core.
   */
  cpuTime: { filingsPerSec: number; ratioToScan: number; usPerFiling: number; scanUsPerFiling: number };
  codesFound: number;
  withErrors: number;
  alerts: number;
  renderings: Record<string, number>;
  variants: Record<string, number>;
  covers: number;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Wall time, and CPU time of this process (which a loaded machine inflates less), of one call. */
function timed<T>(f: () => T): { ms: number; cpuMs: number; value: T } {
  const c = process.cpuUsage();
  const t = process.hrtime.bigint();
  const value = f();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const cu = process.cpuUsage(c);
  return { ms, cpuMs: (cu.user + cu.system) / 1000, value };
}

/** Run the parse section on a corpus. */
export function runParseBench(corpus: Corpus, opts: ParseBenchOptions = {}): ParseBenchResult {
  const rounds = opts.rounds ?? 7;
  const warmup = opts.warmup ?? 2;
  const log = opts.progress ?? (() => undefined);
  const { texts } = corpus;
  let codesFound = 0;
  let tally: ParseTally | undefined;
  for (let i = 0; i < warmup; i++) {
    codesFound = bareScan(texts);
    tally = parseAndReconcile(texts);
  }
  const scan: number[] = [];
  const parse: number[] = [];
  const scanCpu: number[] = [];
  const parseCpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so a slow moment of the machine does not always hit one side.
    const order = r % 2 === 0 ? (['scan', 'parse'] as const) : (['parse', 'scan'] as const);
    for (const which of order) {
      if (which === 'scan') {
        const t = timed(() => bareScan(texts));
        codesFound = t.value;
        scan.push(t.ms);
        scanCpu.push(t.cpuMs);
      } else {
        const t = timed(() => parseAndReconcile(texts));
        tally = t.value;
        parse.push(t.ms);
        parseCpu.push(t.cpuMs);
      }
    }
    log(`parse round ${r + 1}/${rounds}: scan ${scan[r].toFixed(1)} ms, parse+reconcile ${parse[r].toFixed(1)} ms`);
  }
  tally ??= parseAndReconcile(texts);
  const scanMs = median(scan);
  const parseMs = median(parse);
  const ratios = parse.map((p, i) => p / scan[i]);
  const n = texts.length;
  return {
    filings: n,
    bytes: corpus.bytes,
    filingsPerSec: round(n / (parseMs / 1000), 0),
    mbPerSec: round(corpus.bytes / 1e6 / (parseMs / 1000), 1),
    ratioToScan: round(parseMs / scanMs, 2),
    usPerFiling: round((parseMs * 1000) / n, 2),
    scanUsPerFiling: round((scanMs * 1000) / n, 2),
    scanMbPerSec: round(corpus.bytes / 1e6 / (scanMs / 1000), 1),
    roundsMs: { scan: scan.map((x) => round(x, 1)), parse: parse.map((x) => round(x, 1)) },
    roundRatios: {
      min: round(Math.min(...ratios), 2),
      median: round(median(ratios), 2),
      max: round(Math.max(...ratios), 2),
    },
    cpuTime: {
      filingsPerSec: round(n / (median(parseCpu) / 1000), 0),
      ratioToScan: round(median(parseCpu) / median(scanCpu), 2),
      usPerFiling: round((median(parseCpu) * 1000) / n, 2),
      scanUsPerFiling: round((median(scanCpu) * 1000) / n, 2),
    },
    codesFound,
    withErrors: tally.withErrors,
    alerts: tally.alerts,
    renderings: corpus.renderings,
    variants: corpus.variants,
    covers: corpus.covers,
  };
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
