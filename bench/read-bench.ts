/**
 * Bench section `read`: DynamoDB Local loaded with `firms` x `years` of daily filings (every
 * segregation filing day, plus amendments, late and missing days, alerts including target-changed
 * and trend-to-target), written through the store (Store's own methods, as reconcile writes them:
 * version, result, superseded versions, head, firm registry, alerts; not the whole pipeline);
 * then p50/p95 of the read queries the CLI and the dashboard make: history (one firm, 12 months,
 * all statements), board (every firm on one day), alerts (one month), show (one firm-day).
 *
 * The loaded database is kept on disk (`.bench/read-<firms>x<years>/`, with a manifest of what was
 * loaded and how long it took) and reused by the next run with the same parameters; `--read-fresh`
 * loads it again.
 */
import { documentClient, SDK_LOGGER } from '../shared/adapters/clients';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { filingDays } from '../shared/domain/calendar';
import { seededRng } from '../test/support/generate';
import { Store } from '../shared/adapters/store';
import { addDays, readQueries, yearBefore } from '../shared/read/queries';
import { StoreSource } from '../shared/read/store-source';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local';
import { ensureTable } from '../infra/local/table';
import { generateHistory, HistoryWriter, type GeneratedFiling } from '../test/support/read-load';

/** Rounds of all four queries before any is timed (runReadBench): a warm process. */
export const READ_WARM_ROUNDS = 10;

export const READ_TARGETS = { historyP95Ms: 50, showP95Ms: 50, boardP95Ms: 100, alertsP95Ms: 100 } as const;

export interface ReadBenchOptions {
  firms: number;
  years: number;
  /** Timed runs per query (after `warmup`). */
  runs: number;
  warmup: number;
  fresh: boolean;
  dir?: string;
  progress: (line: string) => void;
}

export interface Timing {
  runs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Queries (DynamoDB requests) per call, and items returned per call, medians. */
  queriesPerCall: number;
  pagesPerCall: number;
}

export interface ReadBenchResult {
  firms: number;
  years: number;
  from: string;
  to: string;
  load: {
    reused: boolean;
    filings: number;
    effectiveDays: number;
    amendments: number;
    alerts: number;
    writes: number;
    ms: number;
    filingsPerSec: number;
    loadedAt: string;
  };
  table: { items: number | null; bytes: number | null; diskBytes: number };
  /** Whether the heads carry `versions` and `late` (the store of issue 10), or the bench added them. */
  headFacts: 'store' | 'added by the bench';
  /** Whether the heads hold their statements as a day row (shared/read/day-rows.ts) as the store writes them, or the bench wrote the heads of a table loaded before rows again through the store, and how long that took. */
  headRows: { how: 'store' | 'heads written again by the bench'; ms?: number };
  history: Timing;
  board: Timing;
  alerts: Timing;
  show: Timing;
}

const TABLE = 'segwatch-read-bench';

/**
 * A client of the bench's DynamoDB Local (retrying: a long load meets its pauses), with the SDK
 * logger every segwatch client has (shared/adapters/clients.ts SDK_LOGGER): the SDK's default
 * would have it build a redacted copy of every response, work the functions never do.
 */
const localClient = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 8,
    logger: SDK_LOGGER,
  });

function dirSize(p: string): number {
  let n = 0;
  for (const e of readdirSync(p, { withFileTypes: true }))
    n += e.isDirectory() ? dirSize(join(p, e.name)) : statSync(join(p, e.name)).size;
  return n;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const round1 = (x: number) => Math.round(x * 10) / 10;
const median = (xs: number[]) => pct(xs, 50);

interface Manifest {
  firms: number;
  years: number;
  from: string;
  to: string;
  load: ReadBenchResult['load'];
  headFacts: ReadBenchResult['headFacts'];
  headRows?: ReadBenchResult['headRows'];
}

async function load(
  store: Store,
  o: ReadBenchOptions,
  from: string,
  to: string,
): Promise<Omit<Manifest, 'firms' | 'years' | 'from' | 'to'>> {
  const writer = new HistoryWriter(store, {
    dayAlerts: true,
    headFacts: true,
    parallel: true,
    bucket: 'segwatch-filings-bench',
  });
  const started = Date.now();
  let filings = 0;
  let amendments = 0;
  let alerts = 0;
  let batch: GeneratedFiling[] = [];
  let batchKey = '';
  let lastReport = Date.now();
  const days = filingDays('segregation', from, to).length;
  const flush = async () => {
    // One firm at most once per batch (a day's initials, or the amendments of a day): firms in parallel.
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const g = batch[next++];
        const r = await writer.write(g.filing, g.arrivedAt);
        alerts += r.alerts.length;
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    batch = [];
  };
  for (const g of generateHistory({ firms: o.firms, from, to, seed: 12 })) {
    const k = `${g.filing.endDate}|${g.filing.filingType}`;
    if (k !== batchKey && batch.length) await flush();
    batchKey = k;
    batch.push(g);
    filings++;
    if (g.filing.filingType === 'AMENDMENT') amendments++;
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      const s = (Date.now() - started) / 1000;
      o.progress(
        `read: loaded ${filings.toLocaleString('en-US')} filings up to ${g.filing.endDate} (${Math.round(filings / s)}/s; about ${(o.firms * days).toLocaleString('en-US')} in all)`,
      );
    }
  }
  await flush();
  const ms = Date.now() - started;
  return {
    load: {
      reused: false,
      filings,
      effectiveDays: filings - amendments,
      amendments,
      alerts,
      writes: writer.writes,
      ms,
      filingsPerSec: Math.round((filings / ms) * 1000),
      loadedAt: new Date().toISOString(),
    },
    // The store's head records the day's versions and lateness itself (putHead), and its row.
    headFacts: 'store',
    headRows: { how: 'store' },
  };
}

async function time(
  runs: number,
  warmup: number,
  counter: { queries: number; pages: number },
  call: (i: number) => Promise<unknown>,
): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await call(-1 - i);
  const ms: number[] = [];
  const queries: number[] = [];
  const pages: number[] = [];
  for (let i = 0; i < runs; i++) {
    const q0 = counter.queries;
    const p0 = counter.pages;
    const t = process.hrtime.bigint();
    await call(i);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    queries.push(counter.queries - q0);
    pages.push(counter.pages - p0);
  }
  return {
    runs,
    p50Ms: round1(pct(ms, 50)),
    p95Ms: round1(pct(ms, 95)),
    maxMs: round1(Math.max(...ms)),
    queriesPerCall: median(queries),
    pagesPerCall: median(pages),
  };
}

export interface LoadedTable {
  dir: string;
  from: string;
  to: string;
  manifest: Manifest;
  ddb: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  table: string;
  /** Stop DynamoDB Local. */
  close(): Promise<void>;
}

/**
 * Run `work` on DynamoDB Local over the kept database (`<dir>/db`; `fresh`: an empty one), on a
 * copy in tmpfs when there is one (SQLite's syncs on disk make a long run of writes take an hour),
 * then keep what it wrote in `<dir>/db`. Nothing is kept when `work` fails.
 */
async function writeOnTmpfs<T>(
  dir: string,
  tag: string,
  fresh: boolean,
  work: (ddb: DynamoDBClient) => Promise<T>,
): Promise<T> {
  const disk = join(dir, 'db');
  const shm = existsSync('/dev/shm') ? join('/dev/shm', `segwatch-read-${tag}-${process.pid}`) : undefined;
  if (shm && fresh) mkdirSync(shm, { recursive: true });
  else if (shm) cpSync(disk, shm, { recursive: true });
  const java = await startDynamoDbLocal({ dbPath: shm ?? disk, sharedDb: true });
  const ddb = localClient(java.endpoint);
  let out: T;
  try {
    out = await work(ddb);
  } catch (e) {
    if (shm) rmSync(shm, { recursive: true, force: true });
    throw e;
  } finally {
    ddb.destroy();
    await java.stop();
  }
  if (shm) {
    rmSync(disk, { recursive: true, force: true });
    cpSync(shm, disk, { recursive: true });
    rmSync(shm, { recursive: true, force: true });
  }
  return out;
}

/**
 * The bench's table of `firms` x `years`, loaded once (kept in `.bench/read-<firms>x<years>/` and
 * reused) and opened: DynamoDB Local running on it. The read and web sections both measure on it.
 */
export async function openReadBenchTable(
  o: Pick<ReadBenchOptions, 'firms' | 'years' | 'fresh' | 'dir' | 'progress'>,
): Promise<LoadedTable> {
  const to = `${2015 + o.years}-12-31`;
  const from = `${2016}-01-01`;
  if (2015 + o.years > 2027) throw new Error(`--read-years ${o.years}: the filing calendar ends in 2027`);
  const dir = resolve(o.dir ?? `.bench/read-${o.firms}x${o.years}`);
  const manifestPath = join(dir, 'manifest.json');
  let manifest: Manifest | undefined;
  if (!o.fresh && existsSync(manifestPath)) {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    if (manifest.firms !== o.firms || manifest.years !== o.years) manifest = undefined;
  }
  if (!manifest) rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'db'), { recursive: true });
  o.progress(
    `read: ${manifest ? `reusing the database in ${dir} (loaded ${manifest.load.loadedAt})` : `loading ${o.firms} firms x ${o.years} years (${from} to ${to}) into ${dir}; this takes a while once`}`,
  );
  if (!manifest) {
    const loaded = await writeOnTmpfs(dir, 'load', true, async (ddb) => {
      await ensureTable(ddb, TABLE);
      return load(new Store(documentClient(ddb), TABLE), { ...o, runs: 0, warmup: 0, fresh: true }, from, to);
    });
    manifest = { firms: o.firms, years: o.years, from, to, ...loaded };
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  } else manifest.load.reused = true;
  if (!manifest.headRows) {
    // Loaded before heads held a row: write every head again through the store, once.
    o.progress('read: writing the heads again with their rows (once for this database)');
    const t0 = Date.now();
    await writeOnTmpfs(dir, 'rows', false, async (ddb) => {
      const store = new Store(documentClient(ddb), TABLE);
      const firms = await store.listFirms();
      let next = 0;
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          while (next < firms.length) {
            const heads = await store.firmHistory(firms[next++].firmId, from, to);
            for (const h of heads) await store.putHead(h);
          }
        }),
      );
    });
    manifest.headRows = { how: 'heads written again by the bench', ms: Date.now() - t0 };
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  const java = await startDynamoDbLocal({ dbPath: join(dir, 'db'), sharedDb: true });
  const ddb = localClient(java.endpoint);
  const doc = documentClient(ddb);
  return {
    dir,
    from,
    to,
    manifest,
    ddb,
    doc,
    table: TABLE,
    close: async () => {
      ddb.destroy();
      await java.stop();
    },
  };
}

export async function runReadBench(o: ReadBenchOptions): Promise<ReadBenchResult> {
  const opened = await openReadBenchTable(o);
  const { dir, from, to, manifest, ddb, doc } = opened;
  try {
    const described = (await ddb.send(new DescribeTableCommand({ TableName: TABLE }))).Table;

    const source = new StoreSource(doc, TABLE);
    const q = readQueries(source, { now: () => new Date(`${to}T12:00:00Z`) });
    const firms = (await source.listFirms()).map((f) => f.firmId);
    // Days with a full 12 months of history before them (all days when the data span one year).
    const later = filingDays('segregation', addDays(from, 366), to);
    const days = later.length ? later : filingDays('segregation', from, to);
    type Pick = <T>(xs: T[]) => T;
    const picker = (seed: number): Pick => {
      const rng = seededRng(seed);
      return (xs) => xs[rng.int(0, xs.length - 1)];
    };
    const callsPicking = (pick: Pick) => ({
      history: async () => {
        const day = pick(days);
        const h = await q.history(pick(firms), { from: yearBefore(day), to: day });
        if (h.days.length < (later.length ? 200 : 1)) throw new Error(`history returned ${h.days.length} days`);
      },
      board: async () => {
        const b = await q.board(pick(days));
        if (b.firms.length < o.firms * 0.9) throw new Error(`board returned ${b.firms.length} firms`);
      },
      alerts: async () => {
        const day = pick(days);
        await q.alerts({ from: addDays(day, -30), to: day });
      },
      show: async () => {
        for (;;) {
          try {
            await q.show(pick(firms), pick(days));
            return;
          } catch (e) {
            // a missing day (about 1 in 1,000): pick another
            if ((e as { code?: string }).code !== 'no-filing') throw e;
          }
        }
      },
    });
    const calls = callsPicking(picker(7));
    // A warm process first, as a warm api function is: rounds of all four queries (their own picks),
    // so the first query timed does not pay for the SDK's and DynamoDB Local's first few hundred
    // requests (JIT), which the queries timed after it would not.
    const warm = callsPicking(picker(11));
    o.progress(
      `read: warming up (${READ_WARM_ROUNDS} rounds of the four queries), then timing history, board, alerts, show (${o.warmup} warm-up + ${o.runs} runs each)`,
    );
    for (let r = 0; r < READ_WARM_ROUNDS; r++) for (const call of Object.values(warm)) await call();
    const history = await time(o.runs, o.warmup, source.counter, calls.history);
    const board = await time(o.runs, o.warmup, source.counter, calls.board);
    const alerts = await time(o.runs, o.warmup, source.counter, calls.alerts);
    const show = await time(o.runs, o.warmup, source.counter, calls.show);
    return {
      firms: o.firms,
      years: o.years,
      from,
      to,
      load: manifest.load,
      headFacts: manifest.headFacts,
      headRows: manifest.headRows ?? { how: 'store' },
      table: {
        items: described?.ItemCount ?? null,
        bytes: described?.TableSizeBytes ?? null,
        diskBytes: dirSize(join(dir, 'db')),
      },
      history,
      board,
      alerts,
      show,
    };
  } finally {
    await opened.close();
  }
}

export function renderRead(
  r: ReadBenchResult,
  row: (label: string, value: string, target: string, name?: string) => string,
): string[] {
  const out: string[] = [];
  const mb = (b: number | null) => (b === null ? '-' : `${(b / 1e6).toFixed(1)} MB`);
  out.push(
    `read: DynamoDB Local, ${r.firms} firms x ${r.years} years (${r.from} to ${r.to}); ${r.load.effectiveDays.toLocaleString('en-US')} effective days + ${r.load.amendments.toLocaleString('en-US')} amendments, ${r.load.alerts.toLocaleString('en-US')} alerts; heads' versions/late: ${r.headFacts}; head rows: ${r.headRows.how}${r.headRows.ms !== undefined ? ` (${Math.round(r.headRows.ms / 1000)} s)` : ''}`,
  );
  out.push(
    row(
      'table',
      `${(r.table.items ?? 0).toLocaleString('en-US')} items, ${mb(r.table.bytes)} (on disk ${mb(r.table.diskBytes)})`,
      '',
    ),
  );
  out.push(
    row(
      'load (through the store)',
      `${Math.round(r.load.ms / 1000).toLocaleString('en-US')} s, ${r.load.filingsPerSec} filings/s, ${r.load.writes.toLocaleString('en-US')} writes${r.load.reused ? ' (kept from an earlier run)' : ''}`,
      '',
    ),
  );
  const t = (name: string, x: Timing, target: number, key: string) =>
    out.push(
      row(
        name,
        `p50 ${x.p50Ms} ms, p95 ${x.p95Ms} ms (max ${x.maxMs}); ${x.queriesPerCall} queries, ${x.pagesPerCall} pages`,
        `p95 < ${target} ms`,
        key,
      ),
    );
  t('history (1 firm, 12 months)', r.history, READ_TARGETS.historyP95Ms, 'read.history.p95Ms');
  t(`board (${r.firms} firms)`, r.board, READ_TARGETS.boardP95Ms, 'read.board.p95Ms');
  t('alerts (one month)', r.alerts, READ_TARGETS.alertsP95Ms, 'read.alerts.p95Ms');
  t('show (one firm-day)', r.show, READ_TARGETS.showP95Ms, 'read.show.p95Ms');
  return out;
}
