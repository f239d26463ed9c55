/**
 * Bench section `schedule`: the scheduled missing-filing check and daily digest over 60 firms,
 * against DynamoDB Local (segwatch run's local stack, the real schedule handler, the real notify).
 * The table holds each firm's effective filing for every filing day of four weeks (HEAD items, as
 * reconcile writes them); on each checked day a few firms have not filed. Timed: the handler's
 * invocation (the check, the digest, the outbox puts: what Lambda runs), and until notify has
 * published what it put. Also the schedule function's bundle and cold init.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_FILE, esbuildOptions } from '../infra/bundling';
import { LocalPipeline } from '../infra/local/stack';
import type { HeadSeed } from '../shared/adapters/store';
import { CALENDAR } from '../shared/domain/calendar';
import { STATEMENT_KEYS } from '../shared/domain/forms';
import { dec } from '../shared/domain/money';
import { newYorkInstant } from '../shared/domain/schedule/time';
import { ENV } from '../shared/table';
import { round } from './parse-bench';
import { timeNode } from './bundles';

export interface ScheduleBenchResult {
  firms: number;
  /** Filing days of history in the table per firm. */
  historyDays: number;
  runs: { businessDay: string; handlerMs: number; untilPublishedMs: number; missing: number; published: number }[];
  /** Median and worst of the handler's time over the runs (the target applies to the worst). */
  medianHandlerMs: number;
  maxHandlerMs: number;
  maxUntilPublishedMs: number;
  /** A second run at the same time (nothing new to put). */
  repeatHandlerMs: number;
  digestBytes: number;
  bundle: { bytes: number; coldInitMs: number };
}

const addDays = (iso: string, n: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function headOf(firmId: string, firmName: string, endDate: string, i: number): HeadSeed {
  const st = (k: number) => ({
    required: dec(`${1_000_000_000 + i * 7_919 + k}`),
    funds: dec(`${1_250_000_000 + i * 104_729 + k * 13}`),
    excess: dec(`${250_000_000 + i * 96_769 - k * 13}`),
    target: dec('100000000'),
    status: 'ok' as const,
    title: 'Statement',
    variant: 'v',
  });
  return {
    firmId,
    firmName,
    endDate,
    effective: `0#${CALENDAR.nextBusinessDay(endDate)}#${'0'.repeat(16)}`,
    filingType: 'INITIAL',
    submitDate: CALENDAR.nextBusinessDay(endDate),
    status: 'ok',
    statements: Object.fromEntries(STATEMENT_KEYS.map((k, j) => [k, st(j)])),
    updatedAt: new Date().toISOString(),
  };
}

async function inBatches<T>(items: T[], limit: number, work: (t: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function bundleColdInit(runs: number): Promise<{ bytes: number; coldInitMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'segwatch-bench-schedule-'));
  try {
    const root = resolve(__dirname, '..');
    await build({
      ...esbuildOptions(join(root, 'functions', 'schedule', 'index.ts'), { outdir: dir }),
      absWorkingDir: root,
    });
    const ready = join(dir, 'ready.js');
    writeFileSync(
      ready,
      `'use strict';\nconst m = require('./${BUNDLE_FILE}');\nif (typeof m.handler !== 'function') process.exit(3);\n`,
    );
    const empty = join(dir, 'empty.js');
    writeFileSync(empty, '');
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      AWS_REGION: 'us-east-1',
      [ENV.table]: 'segwatch-bench',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const e: number[] = [];
    const f: number[] = [];
    for (let r = -1; r < runs; r++) {
      const a = await timeNode(empty, env);
      const b = await timeNode(ready, env);
      if (r >= 0) {
        e.push(a);
        f.push(b);
      }
    }
    return { bytes: statSync(join(dir, BUNDLE_FILE)).size, coldInitMs: round(median(f) - median(e), 1) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runScheduleBench(
  opts: { firms?: number; progress?: (l: string) => void } = {},
): Promise<ScheduleBenchResult> {
  const firms = opts.firms ?? 60;
  const log = opts.progress ?? (() => undefined);
  const checkDays = ['2025-12-01', '2025-12-02', '2025-12-03', '2025-12-04', '2025-12-05'];
  const historyFrom = '2025-11-03';
  const days: string[] = [];
  for (let d = historyFrom; d <= '2025-12-04'; d = addDays(d, 1)) if (CALENDAR.isAnyFilingDay(d)) days.push(d);
  const names = Array.from({ length: firms }, (_, i) => `Bench Futures ${String(i + 1).padStart(2, '0')} LLC`);
  const ids = names.map((n) => n.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
  // Each checked day, a different five firms have not filed the day it reports on.
  const skipped = (firm: number, day: string) => {
    const k = checkDays.findIndex((c) => CALENDAR.previousBusinessDay(c) === day);
    return k >= 0 && firm % 12 === k;
  };

  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const stack = await LocalPipeline.start({ log: undefined });
  try {
    const heads: HeadSeed[] = [];
    days.forEach((d) => ids.forEach((id, i) => !skipped(i, d) && heads.push(headOf(id, names[i]!, d, i))));
    const t0 = Date.now();
    await inBatches(heads, 16, (h) => stack.store.advanceHead(h));
    for (let i = 0; i < firms; i++) await stack.store.putFirm({ firmId: ids[i]!, firmName: names[i]! });
    log(
      `schedule: ${heads.length} effective filings of ${firms} firms over ${days.length} filing days written in ${Date.now() - t0} ms`,
    );
    await stack.waitForIdle(60_000);

    const runs: ScheduleBenchResult['runs'] = [];
    let digestBytes = 0;
    const handler = await loadHandler();
    // Warm the handler (its module and SDK client), as on a warm Lambda: a day that is not a business day (no table access).
    await handler({ scheduledTime: newYorkInstant('2025-11-29', 12, 30) });
    for (const day of checkDays) {
      const r = await timed(stack, handler, newYorkInstant(day, 12, 30));
      digestBytes = Math.max(digestBytes, r.digestBytes);
      runs.push({
        businessDay: day,
        handlerMs: r.handlerMs,
        untilPublishedMs: r.untilPublishedMs,
        missing: r.missing,
        published: r.published,
      });
      log(
        `schedule: ${day} check + digest ${r.handlerMs} ms (until published ${r.untilPublishedMs} ms), ${r.missing} missing, ${r.published} published`,
      );
    }
    const repeat = await timed(stack, handler, newYorkInstant(checkDays.at(-1)!, 12, 30));
    if (repeat.published !== 0) throw new Error(`a repeated check published ${repeat.published} message(s)`);
    const bundle = await bundleColdInit(5);
    log(`schedule: bundle ${bundle.bytes} bytes, cold init ${bundle.coldInitMs} ms`);
    const times = runs.map((r) => r.handlerMs);
    return {
      firms,
      historyDays: days.length,
      runs,
      medianHandlerMs: round(median(times), 1),
      maxHandlerMs: round(Math.max(...times), 1),
      maxUntilPublishedMs: round(Math.max(...runs.map((r) => r.untilPublishedMs)), 1),
      repeatHandlerMs: repeat.handlerMs,
      digestBytes,
      bundle,
    };
  } finally {
    await stack.stop();
  }
}

type Handler = typeof import('../functions/schedule/index')['handler'];

/** The real handler, loaded after the local stack set the environment (as runTick does). */
async function loadHandler(): Promise<Handler> {
  const mod = (
    typeof require === 'function' && require.extensions && '.ts' in require.extensions
      ? require('../functions/schedule/index')
      : await import('../functions/schedule/index')
  ) as typeof import('../functions/schedule/index');
  return mod.handler;
}

/** One invocation timed, then until notify has published every alert it put (missing filings, digest). */
async function timed(stack: LocalPipeline, handler: Handler, at: string) {
  const before = stack.published().length;
  const t = process.hrtime.bigint();
  const outcome = await handler({ scheduledTime: at });
  const handlerMs = round(Number(process.hrtime.bigint() - t) / 1e6, 1);
  stack.streams.noteActivity();
  const want = outcome.alerts.filter((a) => a.created).length;
  const deadline = Date.now() + 60_000;
  while (stack.published().length - before < want) {
    if (Date.now() > deadline)
      throw new Error(`notify published ${stack.published().length - before} of ${want} within 60 s`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const untilPublishedMs = round(Number(process.hrtime.bigint() - t) / 1e6, 1);
  await stack.waitForIdle(60_000);
  return {
    handlerMs,
    untilPublishedMs,
    missing: outcome.missing.length,
    published: stack.published().length - before,
    digestBytes: Buffer.byteLength(outcome.digest?.text ?? ''),
  };
}
