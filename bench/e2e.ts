/**
 * The e2e section: the whole pipeline on the local stack `segwatch run` uses (infra/local
 * LocalPipeline: DynamoDB Local, s3rver, the local queue and stream driver, the SNS stand-in), with
 * the real handlers, each wrapped only to note when it finished what (and how long it ran).
 *
 *  latency: N alerting filings uploaded one at a time; from the upload call to the stored result
 *           (the reconcile invocation that stored it returned) and to the published alert (the
 *           SNS stand-in received the Publish).
 *  burst:   M filings uploaded at once; wall time from the first upload until the last one is fully
 *           processed (its result stored and each of its alerts sent), then checked against the
 *           table with LocalPipeline.waitUntilProcessed (not timed).
 *
 * Capacity comes from the SDK middleware the bench installs in the handlers' DynamoDB clients
 * (bench/cost.ts capacityMeterPlugin, through shared/adapters/clients.ts useDynamoPlugin):
 * the ConsumedCapacity DynamoDB Local reports for each of their requests.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { generateFilings, type GenerateOptions } from '../test/support/generate';
import type { Filing } from '../shared/domain/model';
import { firmIdOf } from '../shared/domain/parser';
import { RENDERINGS, render } from '../test/support/render';
import { nextBusinessDay } from '../shared/domain/reconcile';
import { useDynamoPlugin } from '../shared/adapters/clients';
import { INCOMING_PREFIX } from '../shared/table';
import type { Handlers, LocalPipeline as LocalPipelineType } from '../infra/local/stack';
import { capacityMeterPlugin, FUNCTION_MEMORY_MB, newCapacityMeter, type FunctionUsage, type Usage } from './cost';
import { median, round } from './parse-bench';

export interface E2eOptions {
  latency?: number;
  burst?: number;
  /** Filings pushed through before anything is measured (default 100). */
  warmup?: number;
  /** Uploads in flight at once during the burst (default 50). */
  uploadConcurrency?: number;
  seed?: number;
  progress?: (line: string) => void;
  /** Local stack progress lines too. */
  verbose?: boolean;
}

export interface E2eResult {
  p50ResultMs: number;
  p95ResultMs: number;
  p50AlertMs: number;
  p95AlertMs: number;
  burst: {
    filings: number;
    wallMs: number;
    filingsPerSec: number;
    uploadMs: number;
    stored: number;
    failed: number;
    alertsSent: number;
  };
  latency: { filings: number; resultMs: number[]; alertMs: number[]; maxAlertMs: number };
  /** Usage of the burst, for the cost estimate. */
  usage: Usage;
  /** Write units per filing when every filing raises one alert (the latency set). */
  writeUnitsPerAlertingFiling: number;
  stackStartMs: number;
}

function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  // Nearest rank.
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const now = () => performance.now();

/** A place to wait for "something happened"; every hook pokes it. */
class Signal {
  private waiters: (() => void)[] = [];
  poke(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  async until(cond: () => boolean, timeoutMs: number, what: string, pollMs = 50): Promise<void> {
    const deadline = now() + timeoutMs;
    while (!cond()) {
      if (now() > deadline) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, pollMs);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}

/** Import a TypeScript module of this repo (tsx's require hook under the CLI, import() elsewhere), as infra/local/stack.ts does. */
async function loadTs<T>(specifier: string): Promise<T> {
  if (typeof require === 'function' && require.extensions && '.ts' in require.extensions)
    return require(specifier) as T;
  return (await import(specifier)) as T;
}

interface Recorder {
  resultAt: Map<string, number>;
  alertSentAt: Map<string, number>;
  publishedAtByFirm: Map<string, number>;
  published: number;
  functions: Record<'parse' | 'reconcile' | 'notify', FunctionUsage & { records: number }>;
  parseBatches: number;
  signal: Signal;
}

function newRecorder(): Recorder {
  const f = () => ({ invocations: 0, billedMs: 0, memoryMb: FUNCTION_MEMORY_MB, records: 0 });
  return {
    resultAt: new Map(),
    alertSentAt: new Map(),
    publishedAtByFirm: new Map(),
    published: 0,
    functions: { parse: f(), reconcile: f(), notify: f() },
    parseBatches: 0,
    signal: new Signal(),
  };
}

type StreamImage = Record<string, { S?: string; M?: Record<string, { S?: string }> }>;

/** The real handlers, each wrapped to record when it finished what. */
function wrappedHandlers(rec: () => Recorder): Handlers {
  let real: Promise<Handlers> | undefined;
  // Loaded on first use: by then LocalPipeline has set the environment their SDK clients read.
  const load = () =>
    (real ??= (async () => ({
      parse: (await loadTs<typeof import('../functions/parse/index')>('../functions/parse/index')).handler,
      reconcile: (await loadTs<typeof import('../functions/reconcile/index')>('../functions/reconcile/index')).handler,
      notify: (await loadTs<typeof import('../functions/notify/index')>('../functions/notify/index')).handler,
    }))());
  const bill = (name: 'parse' | 'reconcile' | 'notify', ms: number, records: number) => {
    const f = rec().functions[name];
    f.invocations++;
    f.billedMs += Math.ceil(ms);
    f.records += records;
  };
  const failedIds = (r: unknown) =>
    new Set(
      ((r as { batchItemFailures?: { itemIdentifier: string }[] } | undefined)?.batchItemFailures ?? []).map(
        (x) => x.itemIdentifier,
      ),
    );
  return {
    parse: async (event: SQSEvent, context: Context) => {
      const h = (await load()).parse;
      const t = now();
      const out = (await h(event, context)) as SQSBatchResponse | void;
      bill('parse', now() - t, event.Records.length);
      rec().parseBatches++;
      return out;
    },
    reconcile: async (event: DynamoDBStreamEvent, context: Context) => {
      const h = (await load()).reconcile;
      const t = now();
      const out = (await h(event, context)) as DynamoDBBatchResponse | void;
      const done = now();
      bill('reconcile', done - t, event.Records.length);
      const failed = failedIds(out);
      const r = rec();
      for (const record of event.Records) {
        if (failed.has(record.dynamodb?.SequenceNumber ?? '')) continue;
        const img = record.dynamodb?.NewImage as StreamImage | undefined;
        const key = img?.source?.M?.key?.S;
        if (img?.type?.S === 'filing' && key && !r.resultAt.has(key)) r.resultAt.set(key, done);
      }
      r.signal.poke();
      return out;
    },
    notify: async (event: DynamoDBStreamEvent, context: Context) => {
      const h = (await load()).notify;
      const t = now();
      const out = (await h(event, context)) as DynamoDBBatchResponse | void;
      const done = now();
      bill('notify', done - t, event.Records.length);
      const failed = failedIds(out);
      const r = rec();
      for (const record of event.Records) {
        if (failed.has(record.dynamodb?.SequenceNumber ?? '')) continue;
        const img = record.dynamodb?.NewImage as StreamImage | undefined;
        const id = img?.id?.S;
        if (img?.type?.S === 'alert' && id && !r.alertSentAt.has(id)) r.alertSentAt.set(id, done);
      }
      r.signal.poke();
      return out;
    },
  };
}

/**
 * Filings rendered in turn in every rendering, with unique firms when asked (so alerts map back to
 * their filing). Otherwise the generator's dozen firms, with each firm's days made distinct (a
 * firm files one statement a day; a second one for the same day would be an amendment).
 */
function renderedSet(
  n: number,
  seed: number,
  opts: GenerateOptions,
  uniqueFirms: string | null,
  days = new Set<string>(),
): { filing: Filing; text: string }[] {
  return generateFilings(n, seed, opts).map((filing, i) => {
    if (uniqueFirms) {
      filing.firmName = `${uniqueFirms} ${String(i).padStart(4, '0')} LLC`;
      filing.firmId = firmIdOf(filing.firmName);
    } else {
      // Move a repeated firm-day to the firm's next free business day (submit date with it).
      while (days.has(`${filing.firmId} ${filing.endDate}`)) {
        const late = filing.submitDate > nextBusinessDay(filing.endDate);
        filing.endDate = nextBusinessDay(filing.endDate);
        filing.submitDate = late ? nextBusinessDay(nextBusinessDay(filing.endDate)) : nextBusinessDay(filing.endDate);
      }
      days.add(`${filing.firmId} ${filing.endDate}`);
    }
    return { filing, text: render(filing, RENDERINGS[i % RENDERINGS.length], { seed: seed + i }) };
  });
}

async function pool<T>(items: readonly T[], concurrency: number, f: (x: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await f(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Start a local stack with the real (wrapped) handlers, run the latency set then the burst, stop.
 * Handler logs (Powertools JSON lines on stdout) are counted for the cost and kept off stdout.
 */
export async function runE2eBench(opts: E2eOptions = {}): Promise<E2eResult> {
  const latencyN = opts.latency ?? 50;
  const burstN = opts.burst ?? 1000;
  const seed = opts.seed ?? 7;
  const log = opts.progress ?? (() => undefined);

  // The meter goes into every DynamoDB client the handlers create when they load; the
  // environment they read then: the deployed log level.
  const processMeter = newCapacityMeter();
  const removeMeter = useDynamoPlugin(capacityMeterPlugin(processMeter));
  const savedEnv = { level: process.env.POWERTOOLS_LOG_LEVEL };
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  // Handler log lines go to stdout: count their bytes, show none of them.
  let logBytes = 0;
  const stdoutWrite = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;

  let recorder = newRecorder();
  let stack: LocalPipelineType | undefined;
  try {
    const { LocalPipeline } = await loadTs<typeof import('../infra/local/stack')>('../infra/local/stack');
    const t0 = now();
    log('starting the local stack (DynamoDB Local, s3rver, queue, streams, SNS stand-in)...');
    stack = await LocalPipeline.start({
      handlers: wrappedHandlers(() => recorder),
      log: opts.verbose ? (l) => log(`  ${l}`) : undefined,
    });
    const stackStartMs = round(now() - t0, 0);
    stack.sns.onPublish((m) => {
      recorder.published++;
      const firm = m.messageAttributes.firmId?.value;
      if (firm && !recorder.publishedAtByFirm.has(firm)) recorder.publishedAtByFirm.set(firm, now());
      recorder.signal.poke();
    });
    log(`local stack up in ${stackStartMs} ms`);

    // ---- warm-up ------------------------------------------------------------------------------
    // DynamoDB Local is a JVM: its first few thousand requests run several times slower than later
    // ones (the real DynamoDB is always warm), and the handlers' code gets compiled too.
    const warmN = opts.warmup ?? 100;
    if (warmN > 0) {
      const tw = now();
      const warmSet = renderedSet(warmN, seed + 9000, {}, null);
      const warmKeys = warmSet.map((_, i) => `${INCOMING_PREFIX}bench-warmup-${String(i).padStart(4, '0')}.txt`);
      await pool(warmKeys, 10, async (key, i) => {
        await stack!.upload(Buffer.from(warmSet[i].text), key);
      });
      await recorder.signal.until(
        () => warmKeys.every((k) => recorder.resultAt.has(k)) && stack!.isIdle(),
        300_000,
        'the warm-up filings',
      );
      log(`warm-up: ${warmN} filings through the pipeline in ${(now() - tw).toFixed(0)} ms (not measured)`);
    }

    // ---- latency ------------------------------------------------------------------------------
    // Every filing has a deficiency in its segregation statement: exactly one alert each (own firm, so no excess-drop).
    const warm = 3;
    const set = renderedSet(latencyN + warm, seed, { alerts: { segregation: 'deficiency' } }, 'Bench Latency');
    const resultMs: number[] = [];
    const alertMs: number[] = [];
    const meterBefore = { ...processMeter };
    for (let i = 0; i < set.length; i++) {
      const { filing, text } = set[i];
      const key = `${INCOMING_PREFIX}bench-latency-${String(i).padStart(4, '0')}.txt`;
      const t = now();
      await stack.upload(Buffer.from(text), key);
      await recorder.signal.until(
        () => recorder.resultAt.has(key) && recorder.publishedAtByFirm.has(filing.firmId),
        60_000,
        `${key} to be reconciled and alerted`,
      );
      if (i >= warm) {
        resultMs.push(recorder.resultAt.get(key)! - t);
        alertMs.push(recorder.publishedAtByFirm.get(filing.firmId)! - t);
      }
      if ((i + 1) % 10 === 0 || i === set.length - 1)
        log(
          `latency ${i + 1}/${set.length}: last upload->result ${(recorder.resultAt.get(key)! - t).toFixed(0)} ms, ->alert ${(recorder.publishedAtByFirm.get(filing.firmId)! - t).toFixed(0)} ms`,
        );
    }
    await recorder.signal.until(() => stack!.isIdle(), 60_000, 'the pipeline to settle after the latency set');
    const writeUnitsPerAlertingFiling = round((processMeter.writeUnits - meterBefore.writeUnits) / set.length, 2);

    // ---- burst --------------------------------------------------------------------------------
    // One in ten filings alerts (a deficiency); the rest are clean. Firms and days repeat as generated.
    const alerting = Math.round(burstN / 10);
    const burstDays = new Set<string>();
    const clean = renderedSet(burstN - alerting, seed + 1000, {}, null, burstDays);
    const bad = renderedSet(alerting, seed + 5000, { alerts: { segregation: 'deficiency' } }, null, burstDays);
    const burst = [...clean];
    bad.forEach((b, i) => burst.splice(Math.min(burst.length, i * 10 + 5), 0, b));
    const keys = burst.map((_, i) => `${INCOMING_PREFIX}bench-burst-${String(i).padStart(5, '0')}.txt`);
    const bodies = burst.map((b) => Buffer.from(b.text));
    recorder = newRecorder();
    const m0 = { ...processMeter, writeUnitsByItem: { ...processMeter.writeUnitsByItem } };
    const logBytes0 = logBytes;
    log(`burst: uploading ${burstN} filings at once (${opts.uploadConcurrency ?? 50} uploads in flight)...`);
    const start = now();
    await pool(keys, opts.uploadConcurrency ?? 50, async (key, i) => {
      await stack!.upload(bodies[i], key);
    });
    const uploadMs = now() - start;
    log(`burst: uploaded in ${uploadMs.toFixed(0)} ms; waiting for the pipeline...`);
    let lastReport = now();
    await recorder.signal.until(
      () => {
        if (now() - lastReport > 5000) {
          lastReport = now();
          log(`burst: ${recorder.resultAt.size}/${burstN} reconciled, ${recorder.published} alerts published`);
        }
        return recorder.resultAt.size >= burstN && stack!.isIdle();
      },
      600_000,
      `the burst of ${burstN} to be processed`,
    );
    const usageMeter = {
      writeUnits: processMeter.writeUnits - m0.writeUnits,
      readUnits: processMeter.readUnits - m0.readUnits,
      conditionFailures: processMeter.conditionFailures - m0.conditionFailures,
    };
    const writeUnitsByItem: Record<string, number> = {};
    for (const [k, v] of Object.entries(processMeter.writeUnitsByItem)) {
      const d = v - (m0.writeUnitsByItem[k] ?? 0);
      if (d > 0) writeUnitsByItem[k] = round(d / burstN, 3);
    }
    const burstLogBytes = logBytes - logBytes0;
    const published = recorder.published;

    // Check against the table (not timed): every key stored, every alert sent; the last moment any of it happened.
    log('burst: checking every outcome in the table...');
    const outcomes = await stack.waitUntilProcessed(keys, 120_000);
    let end = start;
    let stored = 0;
    let alertsSent = 0;
    for (const o of outcomes) {
      if (o.status !== 'stored') continue;
      stored++;
      const r = recorder.resultAt.get(o.key);
      if (r !== undefined) end = Math.max(end, r);
      for (const a of o.alerts) {
        const at = recorder.alertSentAt.get(a.id);
        if (at !== undefined) end = Math.max(end, at);
        if (a.state === 'sent') alertsSent++;
      }
    }
    const wallMs = end - start;
    log(`burst: ${stored}/${burstN} stored in ${wallMs.toFixed(0)} ms, ${alertsSent} alerts sent`);

    const { records: _p, ...parseUsage } = recorder.functions.parse;
    const { records: _r, ...reconcileUsage } = recorder.functions.reconcile;
    const { records: _n, ...notifyUsage } = recorder.functions.notify;
    return {
      p50ResultMs: round(median(resultMs), 1),
      p95ResultMs: round(percentile(resultMs, 95), 1),
      p50AlertMs: round(median(alertMs), 1),
      p95AlertMs: round(percentile(alertMs, 95), 1),
      burst: {
        filings: burstN,
        wallMs: round(wallMs, 0),
        filingsPerSec: round(burstN / (wallMs / 1000), 1),
        uploadMs: round(uploadMs, 0),
        stored,
        failed: burstN - stored,
        alertsSent,
      },
      latency: {
        filings: latencyN,
        resultMs: resultMs.map((x) => round(x, 1)),
        alertMs: alertMs.map((x) => round(x, 1)),
        maxAlertMs: round(Math.max(...alertMs), 1),
      },
      usage: {
        filings: burstN,
        functions: { parse: parseUsage, reconcile: reconcileUsage, notify: notifyUsage },
        writeUnits: round(usageMeter.writeUnits, 2),
        readUnits: round(usageMeter.readUnits, 2),
        conditionFailures: usageMeter.conditionFailures,
        writeUnitsPerFilingByItem: writeUnitsByItem,
        parseBatches: recorder.parseBatches,
        alertsPublished: published,
        emailSubscribers: 1,
        logBytes: burstLogBytes,
      },
      writeUnitsPerAlertingFiling,
      stackStartMs,
    };
  } finally {
    await stack?.stop().catch((e) => log(`while stopping the local stack: ${(e as Error).message}`));
    process.stdout.write = stdoutWrite;
    removeMeter();
    if (savedEnv.level === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = savedEnv.level;
  }
}
