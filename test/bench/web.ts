/**
 * The bench's `web` section: the dashboard's server time and page sizes with 60 firms x 10 years
 * of daily filings behind it. Until the read side's big DynamoDB table exists, the data comes
 * through the fake read side (test/support/fake-read.ts over test/bench/web-data.ts), warmed
 * first, so what is timed is the app (routing, rendering, charts, headers, compression) plus a
 * near-free query; `queryMs` says how much of it the fake took. With the real queries the same
 * code times the whole page: pass them as `queries`.
 *
 * Per page kind (board, firm, filing): p50/p95 of the time from request to the last byte of the
 * body (gzip, as a browser asks), the largest page's bytes raw and gzipped.
 */
import { gzipSync } from 'node:zlib';
import { createApp } from '../../functions/api/app';
import type { ReadQueries } from '../../shared/read/types';
import { FakeReadQueries } from '../support/fake-read';
import { round } from './parse-bench';
import { generatedSource } from './web-data';

export const PAGES = ['board', 'firm', 'filing'] as const;
export type PageKind = (typeof PAGES)[number];

export interface PageFigures {
  requests: number;
  p50Ms: number;
  p95Ms: number;
  /** CPU time of the process per request (load-proof: wall time on a busy machine waits for a core). */
  cpuP50Ms: number;
  cpuP95Ms: number;
  /** Time inside the queries, p95 (near zero on the warmed fake). */
  queryP95Ms: number;
  maxBytes: number;
  maxGzipBytes: number;
  /** The path of the largest page. */
  largest: string;
}

export interface WebBenchResult {
  data: { firms: number; days: number; firmDays: number; source: string };
  pages: Record<PageKind, PageFigures>;
  /** Sizes of the other pages (one request each). */
  others: Record<string, { bytes: number; gzipBytes: number }>;
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
    queries: { history: wrap(q.history.bind(q)), board: wrap(q.board.bind(q)), alerts: wrap(q.alerts.bind(q)), show: wrap(q.show.bind(q)) },
    take() {
      const s = spent;
      spent = 0;
      return s;
    },
  };
}

export async function runWebBench(opts: { requests?: number; firms?: number; progress?: (l: string) => void } = {}): Promise<WebBenchResult> {
  const n = opts.requests ?? 40;
  const log = opts.progress ?? (() => undefined);
  const source = generatedSource({ firms: opts.firms ?? 60 });
  const firms = source.firms();
  const days = source.days(firms[0].firmId);
  const today = days.at(-1)!;
  const fake = new FakeReadQueries(source);
  const t = timed(fake);
  const app = createApp({ queries: t.queries, auth: null, today: () => today });

  // The requests: boards of the last year's days, firms' default pages (12 months), filings.
  let seed = 7;
  const rand = (k: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % k;
  };
  const recent = days.slice(-250);
  const paths: Record<PageKind, string[]> = { board: [], firm: [], filing: [] };
  for (let i = 0; i < n; i++) {
    paths.board.push(`/days/${recent[rand(recent.length)]}`);
    paths.firm.push(`/firms/${firms[rand(firms.length)].firmId}`);
    paths.filing.push(`/firms/${firms[rand(firms.length)].firmId}/days/${recent[rand(recent.length)]}`);
  }
  const get = async (path: string) => {
    const r = await app.request(path, { headers: { 'accept-encoding': 'gzip' } });
    if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  };
  log(`web: 60 firms x ${days.length} filing days (${firms.length * days.length} firm-days, built when first asked for); warming the fake for ${3 * n} pages...`);
  const tw = Date.now();
  for (const k of PAGES) for (const p of paths[k]) await get(p);
  log(`web: warmed in ${Date.now() - tw} ms; timing ${n} requests per page kind, twice`);

  const pages = {} as WebBenchResult['pages'];
  for (const k of PAGES) {
    const ms: number[] = [];
    const cpu: number[] = [];
    const qms: number[] = [];
    let maxBytes = 0;
    let maxGzipBytes = 0;
    let largest = '';
    for (let round2 = 0; round2 < 2; round2++)
      for (const p of paths[k]) {
        t.take();
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const gz = await get(p);
        ms.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
        qms.push(t.take());
        if (round2 === 0) {
          const raw = (await (await app.request(p)).text()).length;
          if (raw > maxBytes) {
            maxBytes = raw;
            largest = p;
          }
          maxGzipBytes = Math.max(maxGzipBytes, gz.byteLength);
        }
      }
    pages[k] = { requests: ms.length, p50Ms: round(percentile(ms, 50), 1), p95Ms: round(percentile(ms, 95), 1), cpuP50Ms: round(percentile(cpu, 50), 1), cpuP95Ms: round(percentile(cpu, 95), 1), queryP95Ms: round(percentile(qms, 95), 2), maxBytes, maxGzipBytes, largest };
    log(`web: ${k}: p50 ${pages[k].p50Ms} ms, p95 ${pages[k].p95Ms} ms, CPU p50 ${pages[k].cpuP50Ms} ms, p95 ${pages[k].cpuP95Ms} ms (queries p95 ${pages[k].queryP95Ms} ms); largest ${maxBytes} bytes (${maxGzipBytes} gzipped): ${largest}`);
  }
  const others: WebBenchResult['others'] = {};
  const month = days.slice(-22);
  for (const [name, path] of [
    ['alerts (one month)', `/alerts?from=${month[0]}&to=${today}`],
    ['calendar', `/calendar/${today.slice(0, 4)}`],
    ['firm, 12 months, CSV', `/firms/${firms[0].firmId}/history.csv`],
  ] as const) {
    const body = Buffer.from(await (await app.request(path)).arrayBuffer());
    others[name] = { bytes: body.byteLength, gzipBytes: gzipSync(body).byteLength };
  }
  return { data: { firms: firms.length, days: days.length, firmDays: firms.length * days.length, source: 'fake read side (test/support/fake-read.ts), warmed' }, pages, others };
}
