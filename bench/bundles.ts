/**
 * The bundles section: each function bundled with exactly the CDK stack's esbuild settings
 * (infra/bundling.ts esbuildOptions), its size, and its cold init: the time a fresh `node` process
 * takes to load the bundle and have its handler ready, minus the time of an empty `node` process
 * measured the same way (median of N runs each, interleaved).
 *
 * The processes get the environment the deployed function has (no NODE_OPTIONS, Powertools settings, the table/topic/bucket variables) with every endpoint pointing at nothing:
 * module load creates the SDK clients but sends no request.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_FILE, bundleFunction, esbuildOptions } from '../infra/bundling';
import { ENV, INCOMING_PREFIX } from '../shared/table';
import { MAX_FILING_BYTES } from '../shared/domain/parser';
import { API_ENV } from '../functions/api/config';
import { DEFAULT_COVER_PERCENT, median, round, type ParseBenchResult } from './parse-bench';

export const FUNCTIONS = ['parse', 'reconcile', 'notify', 'api'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

const REPO_ROOT = resolve(__dirname, '..');

/** An endpoint nothing listens on (the discard port on loopback). */
const NOWHERE = 'http://127.0.0.1:9';

/** The environment of each deployed function (infra/stack.ts + infra/function.ts), endpoints pointing at nothing. */
export function functionEnv(name: FunctionName, sourceMaps = false): Record<string, string> {
  const own: Record<FunctionName, Record<string, string>> = {
    parse: {
      [ENV.table]: 'segwatch-bench',
      [ENV.bucket]: 'segwatch-bench',
      [ENV.incomingPrefix]: INCOMING_PREFIX,
      [ENV.maxBytes]: String(MAX_FILING_BYTES),
    },
    reconcile: { [ENV.table]: 'segwatch-bench' },
    notify: { [ENV.table]: 'segwatch-bench', [ENV.topic]: 'arn:aws:sns:us-east-1:000000000000:segwatch-bench' },
    api: {
      [ENV.table]: 'segwatch-bench',
      [ENV.bucket]: 'segwatch-bench',
      [ENV.incomingPrefix]: INCOMING_PREFIX,
      [API_ENV.userPoolId]: 'us-east-1_BenchPool',
      [API_ENV.clientId]: 'benchclient',
      [API_ENV.domain]: 'https://segwatch-bench.auth.us-east-1.amazoncognito.com',
      [API_ENV.callbackUrl]: 'https://abc123.execute-api.us-east-1.amazonaws.com/callback',
      [API_ENV.logoutUrl]: 'https://abc123.execute-api.us-east-1.amazonaws.com/logout',
    },
  };
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // What infra/function.ts gives every function (no NODE_OPTIONS); `sourceMaps` adds
    // --enable-source-maps, for comparison: the functions used to run with it.
    ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
    POWERTOOLS_SERVICE_NAME: `segwatch-${name}`,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // What the Lambda runtime sets.
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: `segwatch-${name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: name === 'api' ? '1024' : '512',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ENDPOINT_URL: NOWHERE,
    AWS_ENDPOINT_URL_DYNAMODB: NOWHERE,
    AWS_ENDPOINT_URL_S3: NOWHERE,
    AWS_ENDPOINT_URL_SNS: NOWHERE,
    ...own[name],
  };
}

/** The api function's deployed environment (infra/api.ts), endpoints pointing at nothing. */
export function apiEnv(): Record<string, string> {
  return functionEnv('api');
}

export interface BundleInfo {
  bytes: number;
  mapBytes: number;
  file: string;
}

/** Bundle the three functions into `dir/<name>/index.js` (and the lazy packages each imports beside it), as the stack does. */
export async function bundleFunctions(dir: string): Promise<Record<FunctionName, BundleInfo>> {
  const out = {} as Record<FunctionName, BundleInfo>;
  for (const name of FUNCTIONS) {
    const outdir = join(dir, name);
    await bundleFunction(join(REPO_ROOT, 'functions', name, 'index.ts'), outdir, { absWorkingDir: REPO_ROOT });
    const file = join(outdir, BUNDLE_FILE);
    out[name] = { file, bytes: statSync(file).size, mapBytes: statSync(`${file}.map`).size };
  }
  return out;
}

/** Wall time of one `node <script>` from spawn to exit, ms; rejects on a non-zero exit. */
export function timeNode(script: string, env: Record<string, string>): Promise<number> {
  return new Promise((res, rej) => {
    const t = process.hrtime.bigint();
    const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.once('error', rej);
    child.once('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      if (code === 0) res(ms);
      else rej(new Error(`node ${script} exited ${code}: ${stderr.trim()}`));
    });
  });
}

export interface ColdInit {
  /** Median wall time of the bundle's process minus the median of the empty process. */
  coldInitMs: number;
  runsMs: number[];
  medianMs: number;
}

export interface BundlesResult {
  functions: Record<
    FunctionName,
    { bytes: number; coldInitMs: number; mapBytes: number; runsMs: number[]; coldInitMsWithSourceMaps: number }
  >;
  emptyNodeMs: { median: number; runsMs: number[] };
  runs: number;
}

/**
 * Bundle, then time `runs` rounds; each round runs an empty process and every function's bundle,
 * in that order, as deployed (without --enable-source-maps) and with it (for comparison).
 */
export async function runBundlesBench(
  opts: { runs?: number; progress?: (l: string) => void; keepDir?: boolean } = {},
): Promise<BundlesResult> {
  const runs = opts.runs ?? 5;
  const log = opts.progress ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'segwatch-bench-bundles-'));
  try {
    log(`bundling ${FUNCTIONS.join(', ')} into ${dir} (infra/bundling.ts settings)`);
    const bundles = await bundleFunctions(dir);
    const empty = join(dir, 'empty.js');
    writeFileSync(empty, '');
    // Load the bundle and check the handler is there: that is "ready to handle an event".
    for (const name of FUNCTIONS)
      writeFileSync(
        join(dir, name, 'ready.js'),
        `'use strict';\nconst m = require('./${BUNDLE_FILE}');\nif (typeof m.handler !== 'function') { process.stderr.write('no handler'); process.exit(3); }\n`,
      );
    const emptyRuns: number[] = [];
    const emptyRunsMaps: number[] = [];
    const fnRuns = Object.fromEntries(FUNCTIONS.map((n) => [n, [] as number[]])) as Record<FunctionName, number[]>;
    const fnRunsMaps = Object.fromEntries(FUNCTIONS.map((n) => [n, [] as number[]])) as Record<FunctionName, number[]>;
    // One unrecorded round first: the file system cache, as on a warm Lambda host.
    for (let r = -1; r < runs; r++) {
      const e = await timeNode(empty, functionEnv('parse'));
      const e2 = await timeNode(empty, functionEnv('parse', true));
      if (r >= 0) {
        emptyRuns.push(e);
        emptyRunsMaps.push(e2);
      }
      for (const name of FUNCTIONS) {
        const ms = await timeNode(join(dir, name, 'ready.js'), functionEnv(name));
        const ms2 = await timeNode(join(dir, name, 'ready.js'), functionEnv(name, true));
        if (r >= 0) {
          fnRuns[name].push(ms);
          fnRunsMaps[name].push(ms2);
        }
      }
      if (r >= 0)
        log(
          `cold init round ${r + 1}/${runs}: empty ${e.toFixed(0)} ms, ${FUNCTIONS.map((n) => `${n} ${fnRuns[n][r].toFixed(0)} ms`).join(', ')}`,
        );
    }
    const emptyMedian = median(emptyRuns);
    const emptyMedianMaps = median(emptyRunsMaps);
    const functions = {} as BundlesResult['functions'];
    for (const name of FUNCTIONS)
      functions[name] = {
        bytes: bundles[name].bytes,
        coldInitMs: round(median(fnRuns[name]) - emptyMedian, 1),
        mapBytes: bundles[name].mapBytes,
        runsMs: fnRuns[name].map((x) => round(x, 1)),
        coldInitMsWithSourceMaps: round(median(fnRunsMaps[name]) - emptyMedianMaps, 1),
      };
    return {
      functions,
      emptyNodeMs: { median: round(emptyMedian, 1), runsMs: emptyRuns.map((x) => round(x, 1)) },
      runs,
    };
  } finally {
    if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Run the parse section in its own node process from a bundle of parse-worker.ts made with the
 * functions' esbuild settings; its progress goes to `err`.
 */
export async function runParseWorker(
  filings: number,
  rounds: number,
  err: NodeJS.WritableStream,
  coverPercent = DEFAULT_COVER_PERCENT,
): Promise<ParseBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'segwatch-bench-parse-'));
  try {
    const outfile = join(dir, 'parse-worker.js');
    await build({
      ...esbuildOptions(join(REPO_ROOT, 'bench', 'parse-worker.ts'), { outfile }),
      absWorkingDir: REPO_ROOT,
    });
    const out = await new Promise<string>((res, rej) => {
      const child = spawn(process.execPath, [outfile, String(filings), String(rounds), String(coverPercent)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => err.write(d));
      child.once('error', rej);
      child.once('exit', (code) => (code === 0 ? res(stdout) : rej(new Error(`the parse worker exited ${code}`))));
    });
    return JSON.parse(out.trim().split('\n').at(-1)!) as ParseBenchResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
