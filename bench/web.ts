/**
 * The bench's `web` section: the dashboard (the api function's app, functions/api/app.ts) over the
 * real read queries on the read bench's DynamoDB Local table (60 firms x 10 years of daily filings,
 * bench/read-bench.ts: loaded once, kept in `.bench/`, reused), as `segwatch serve` and the
 * api function read it.
 *
 * Per page kind (board: every watched firm on a day; firm: 12 months, all statements; filing: one
 * firm-day): p50/p95 of the server time, from the request to the last byte of the body (gzip, as a
 * browser asks), of which the queries took how much; CPU per request; the largest page's bytes,
 * raw and gzipped. Then the api function's cold init: its bundle (the stack's esbuild settings)
 * loaded by a fresh node process, minus an empty node process (median of N, interleaved).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createApp } from '../functions/api/app';
import { BUNDLE_FILE, bundleFunction } from '../infra/bundling';
import { filingDays } from '../shared/domain/calendar';
import { seededRng } from '../test/support/generate';
import { addDays, readQueries, yearBefore } from '../shared/read/queries';
import { StoreSource } from '../shared/read/store-source';
import type { ReadQueries } from '../shared/read/types';
import { functionEnv, timeNode } from './bundles';
import { median, round } from './parse-bench';
import { openReadBenchTable } from './read-bench';

export const PAGES = ['board', 'firm', 'filing'] as const;
export type PageKind = (typeof PAGES)[number];

export interface PageFigures {
  requests: number;
  p50Ms: number;
  p95Ms: number;
  /** CPU time of the process per request (DynamoDB Local's Java is another process: this is the app and the SDK). */
  cpuP50Ms: number;
  cpuP95Ms: number;
  /** Time inside the read queries, p95. */
  queryP95Ms: number;
  maxBytes: number;
  maxGzipBytes: number;
  /** The path of the largest page. */
  largest: string;
}

export interface WebBenchResult {
  data: { firms: number; years: number; from: string; to: string; table: string; source: string };
  pages: Record<PageKind, PageFigures>;
  /** Sizes of the other pages (one request each). */
  others: Record<string, { bytes: number; gzipBytes: number }>;
  /** The api function's cold init (ms): median of `runs` fresh processes minus an empty one's. */
  coldInit: { ms: number; runs: number; bundleBytes: number; runsMs: number[]; emptyMs: number };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** A queries wrapper that adds up the time spent inside them. */
function timed(q: ReadQueries): { queries: ReadQueries; take(): number } {
  let spent = 0;
  const wrap =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const t = performance.now();
      try {
        return await f(...a);
      } finally {
        spent += performance.now() - t;
      }
    };
  return {
    queries: {
      history: wrap(q.history.bind(q)),
      board: wrap(q.board.bind(q)),
      alerts: wrap(q.alerts.bind(q)),
      show: wrap(q.show.bind(q)),
    },
    take() {
      const s = spent;
      spent = 0;
      return s;
    },
  };
}

export interface WebBenchOptions {
  /** Timed requests per page kind (after `warmup`). */
  requests?: number;
  warmup?: number;
  /** The read bench's table: firms x years (kept in .bench/read-<firms>x<years>/). */
  firms?: number;
  years?: number;
  fresh?: boolean;
  /** Cold init runs. */
  runs?: number;
  progress?: (l: string) => void;
}

export async function runWebBench(o: WebBenchOptions = {}): Promise<WebBenchResult> {
  const n = o.requests ?? 40;
  const warmup = o.warmup ?? 5;
  const log = o.progress ?? (() => undefined);
  const firmsN = o.firms ?? 60;
  const years = o.years ?? 10;
  const opened = await openReadBenchTable({ firms: firmsN, years, fresh: o.fresh ?? false, progress: log });
  try {
    const { from, to } = opened;
    const source = new StoreSource(opened.doc, opened.table);
    const t = timed(readQueries(source, { now: () => new Date(`${to}T12:00:00Z`) }));
    const app = createApp({ queries: t.queries, auth: null, today: () => to });
    const firms = (await source.listFirms()).map((f) => f.firmId);
    // Days with a full 12 months of history before them (all days when the data span one year).
    const later = filingDays('segregation', addDays(from, 366), to);
    const days = later.length ? later : filingDays('segregation', from, to);
    const rng = seededRng(11);
    const pick = <T>(xs: T[]) => xs[rng.int(0, xs.length - 1)];
    const paths: Record<PageKind, string[]> = { board: [], firm: [], filing: [] };
    for (let i = 0; i < warmup + n; i++) {
      paths.board.push(`/days/${pick(days)}`);
      const day = pick(days);
      // The firm page as the board links to it, on the 12 months up to a day.
      paths.firm.push(`/firms/${pick(firms)}/?from=${yearBefore(day)}&to=${day}`);
      paths.filing.push(`/firms/${pick(firms)}/days/${pick(days)}`);
    }
    const get = async (path: string, gzip: boolean) => {
      const r = await app.request(path, { headers: gzip ? { 'accept-encoding': 'gzip' } : {} });
      return { status: r.status, body: new Uint8Array(await r.arrayBuffer()) };
    };
    log(
      `web: the dashboard on ${firms.length} firms x ${years} years (${from} to ${to}, DynamoDB Local ${opened.dir}); ${warmup} warm-up + ${n} requests per page kind`,
    );

    const pages = {} as WebBenchResult['pages'];
    for (const k of PAGES) {
      const ms: number[] = [];
      const cpu: number[] = [];
      const qms: number[] = [];
      let maxBytes = 0;
      let maxGzipBytes = 0;
      let largest = '';
      let i = 0;
      for (const p of paths[k]) {
        t.take();
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        let r = await get(p, true);
        const wall = performance.now() - t0;
        const c = process.cpuUsage(c0);
        const q = t.take();
        if (r.status === 404 && k === 'filing') {
          // a day the firm did not file (about 1 in 1,000): the next firm-day instead
          paths.filing.push(`/firms/${pick(firms)}/days/${pick(days)}`);
          continue;
        }
        if (r.status !== 200) throw new Error(`${p}: ${r.status}`);
        if (i++ < warmup) continue;
        ms.push(wall);
        cpu.push((c.user + c.system) / 1000);
        qms.push(q);
        maxGzipBytes = Math.max(maxGzipBytes, r.body.byteLength);
        r = await get(p, false);
        if (r.body.byteLength > maxBytes) {
          maxBytes = r.body.byteLength;
          largest = p;
        }
        t.take();
      }
      pages[k] = {
        requests: ms.length,
        p50Ms: round(percentile(ms, 50), 1),
        p95Ms: round(percentile(ms, 95), 1),
        cpuP50Ms: round(percentile(cpu, 50), 1),
        cpuP95Ms: round(percentile(cpu, 95), 1),
        queryP95Ms: round(percentile(qms, 95), 1),
        maxBytes,
        maxGzipBytes,
        largest,
      };
      log(
        `web: ${k}: p50 ${pages[k].p50Ms} ms, p95 ${pages[k].p95Ms} ms (queries p95 ${pages[k].queryP95Ms} ms), CPU p95 ${pages[k].cpuP95Ms} ms; largest ${maxBytes} bytes raw (${maxGzipBytes} gzipped): ${largest}`,
      );
    }
    const others: WebBenchResult['others'] = {};
    const last = days.at(-1)!;
    for (const [name, path] of [
      ['firm, required and funds', `/firms/${firms[0]}/?from=${yearBefore(last)}&to=${last}&view=funds`],
      ['alerts (one month)', `/alerts?from=${addDays(last, -30)}&to=${last}`],
      ['calendar', `/calendar/${last.slice(0, 4)}`],
      ['firm, 12 months, CSV', `/firms/${firms[0]}/history.csv?from=${yearBefore(last)}&to=${last}`],
      ['board, CSV', `/board.csv?date=${last}`],
    ] as const) {
      const r = await get(path, false);
      if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
      others[name] = { bytes: r.body.byteLength, gzipBytes: gzipSync(r.body).byteLength };
    }
    const coldInit = await apiColdInit(o.runs ?? 5, log);
    return {
      data: {
        firms: firms.length,
        years,
        from,
        to,
        table: opened.dir,
        source: 'the read queries (shared/read) over DynamoDB Local',
      },
      pages,
      others,
      coldInit,
    };
  } finally {
    await opened.close();
  }
}

/** The api function's bundle loaded by fresh node processes (its deployed environment), less an empty process. */
async function apiColdInit(runs: number, log: (l: string) => void): Promise<WebBenchResult['coldInit']> {
  const dir = mkdtempSync(join(tmpdir(), 'segwatch-bench-api-'));
  try {
    const root = resolve(__dirname, '..');
    await bundleFunction(join(root, 'functions', 'api', 'index.ts'), dir, { absWorkingDir: root });
    const file = join(dir, BUNDLE_FILE);
    const ready = join(dir, 'ready.js');
    writeFileSync(
      ready,
      `'use strict';\nconst m = require('./${BUNDLE_FILE}');\nif (typeof m.handler !== 'function') { process.stderr.write('no handler'); process.exit(3); }\n`,
    );
    const empty = join(dir, 'empty.js');
    writeFileSync(empty, '');
    const env = functionEnv('api');
    const fn: number[] = [];
    const none: number[] = [];
    for (let r = -1; r < runs; r++) {
      const e = await timeNode(empty, env);
      const a = await timeNode(ready, env);
      if (r >= 0) {
        none.push(e);
        fn.push(a);
      }
    }
    const ms = round(median(fn) - median(none), 1);
    const bytes = statSync(file).size;
    log(
      `web: api cold init ${ms} ms (bundle ${bytes} bytes; median of ${runs}: ${round(median(fn), 1)} ms, empty node ${round(median(none), 1)} ms)`,
    );
    return { ms, runs, bundleBytes: bytes, runsMs: fn.map((x) => round(x, 1)), emptyMs: round(median(none), 1) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
