/**
 * `segwatch serve [--port N] [--state DIR]`: the dashboard (functions/api, the same app as on AWS)
 * on 127.0.0.1 only, reading the local state that `segwatch run` builds up. No sign-in: it
 * listens on loopback only, and says so. Ctrl-C stops it.
 *
 * `segwatch start [--port N] [--fresh] [PATH...]` (npm start): `segwatch run` on the sample filings
 * (or PATHs), then `serve`, printing the dashboard's URL, until Ctrl-C.
 *
 * `startDashboard` is the server factory both use: it takes the queries, so the same server runs
 * on the real read side or on a fake; `serveLocalPipeline` is what serve starts on its local stack
 * (the browser tests start it on theirs).
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { createAdaptorServer } from '@hono/node-server';
import type { S3Client } from '@aws-sdk/client-s3';
import { createApp, type AppDeps } from '../../functions/api/app';
import { readQueries } from '../../shared/read/queries';
import { StoreSource } from '../../shared/read/store-source';
import { presignedLinks, type ObjectLinks } from '../../functions/api/objects';
import type { ReadQueries } from '../../shared/read/types';
import { INCOMING_PREFIX } from '../../shared/table';
import { LocalPipeline, LocalPipelineError } from './stack';

type Out = NodeJS.WritableStream;

export const DEFAULT_PORT = 4280;
const SEGWATCH_BIN = resolvePath(__dirname, '../../bin/segwatch.js');
/** Set by `segwatch start` for the serve process it starts: stop when the parent's pipe closes. */
const SERVE_CHILD_ENV = 'SEGWATCH_SERVE_FOR_START';
export const LOOPBACK = '127.0.0.1';

export interface DashboardOptions {
  queries: ReadQueries;
  /** 0 (the default): any free port. */
  port?: number;
  objects?: ObjectLinks | null;
  today?: AppDeps['today'];
  log?: AppDeps['log'];
}

export interface Dashboard {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serve the dashboard app on 127.0.0.1 (never another interface), without sign-in. */
export function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const app = createApp({ queries: o.queries, auth: null, objects: o.objects ?? null, today: o.today, log: o.log });
  const server = createAdaptorServer({ fetch: app.fetch });
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(
        new LocalPipelineError(
          e.code === 'EADDRINUSE'
            ? `port ${o.port} on ${LOOPBACK} is taken: stop what uses it, or pick another with --port N`
            : `cannot listen on ${LOOPBACK}:${o.port}: ${e.message}`,
        ),
      );
    };
    server.once('error', onError);
    server.listen(o.port ?? 0, LOOPBACK, () => {
      server.off('error', onError);
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${LOOPBACK}:${port}/`,
        port,
        close: () =>
          new Promise<void>((res) => {
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
            server.close(() => res());
          }),
      });
    });
  });
}

/** The read queries (shared/read) over the local stack's table, as the api function reads the real one. */
export function localQueries(stack: LocalPipeline): ReadQueries {
  return readQueries(new StoreSource(stack.store.doc, stack.tableName));
}

/** Links to the original filings in the local bucket (s3rver on loopback, presigned as on AWS). */
export function localObjects(s3: S3Client, bucket: string): ObjectLinks {
  return presignedLinks(s3, { bucket, prefix: INCOMING_PREFIX });
}

/**
 * The dashboard on a running local stack, as `segwatch serve` serves it: the read queries over its
 * table, presigned links into its bucket, the real clock. (The browser tests serve their stack
 * through this.)
 */
export function serveLocalPipeline(
  stack: LocalPipeline,
  o: { port?: number; log?: AppDeps['log'] } = {},
): Promise<Dashboard> {
  return startDashboard({
    queries: localQueries(stack),
    port: o.port ?? 0,
    objects: localObjects(stack.s3, stack.bucket),
    log: o.log,
  });
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PORT;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new ServeUsageError(`--port must be a port number (0-65535), not ${JSON.stringify(raw)}`);
  return port;
}

class ServeUsageError extends Error {}

const SERVE_USAGE = 'usage: segwatch serve [--port N] [--state DIR]';
const START_USAGE = 'usage: segwatch start [--port N] [--fresh] [PATH...]';

/** Serve until SIGINT/SIGTERM; resolves with the exit code. */
async function serveUntilStopped(opts: { port: number; state: string }, out: Out, err: Out): Promise<number> {
  if (!process.env.SEGWATCH_DEBUG) process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const log = (line: string) => void err.write(`segwatch: ${line}\n`);
  let stack: LocalPipeline | undefined;
  let dashboard: Dashboard | undefined;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (stop = r));
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) {
      log(`${sig} again: exiting now`);
      process.exit(130);
    }
    log(`${sig}: stopping...`);
    stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const orphaned = () => {
    log('the segwatch start that ran this dashboard is gone: stopping...');
    stop();
  };
  if (process.env[SERVE_CHILD_ENV]) {
    process.stdin.on('end', orphaned).on('close', orphaned).resume();
  }
  try {
    stack = await LocalPipeline.start({ stateDir: opts.state, detachJava: true, log });
    if (signals) return 130;
    dashboard = await serveLocalPipeline(stack, {
      port: opts.port,
      log: (level, message, details) => log(`${level}: ${message}${details ? ` ${JSON.stringify(details)}` : ''}`),
    });
    out.write(`segwatch dashboard: ${dashboard.url}\n`);
    out.write(
      `  local state in ${stack.paths?.root ?? opts.state}; no sign-in: listening on ${LOOPBACK} only (this machine). Ctrl-C to stop.\n`,
    );
    await stopped;
    return 0;
  } catch (e) {
    if (e instanceof LocalPipelineError) {
      err.write(`segwatch: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    await dashboard?.close();
    await stack?.stop().catch((e) => log(`while stopping: ${(e as Error).message}`));
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (process.env[SERVE_CHILD_ENV]) process.stdin.off('end', orphaned).off('close', orphaned).pause();
    if (signals) log('stopped');
  }
}

export async function serveCommand(args: string[], out: Out, err: Out): Promise<number> {
  let port: number;
  let state: string;
  try {
    const { values } = parseArgs({
      args,
      allowPositionals: false,
      options: { port: { type: 'string' }, state: { type: 'string' } },
    });
    port = parsePort(values.port);
    state = values.state ?? '.segwatch';
  } catch (e) {
    err.write(`segwatch serve: ${(e as Error).message}\n${SERVE_USAGE}\n`);
    return 2;
  }
  return serveUntilStopped({ port, state }, out, err);
}

export async function startCommand(args: string[], out: Out, err: Out): Promise<number> {
  let port: number;
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { port: { type: 'string' }, fresh: { type: 'boolean', default: false }, state: { type: 'string' } },
    });
    port = parsePort(parsed.values.port);
  } catch (e) {
    err.write(`segwatch start: ${(e as Error).message}\n${START_USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const state = values.state ?? '.segwatch';
  const { runCommand } = require('./run') as typeof import('./run');
  const runArgs = [...(values.fresh ? ['--fresh'] : []), '--state', state, ...positionals];
  const code = await runCommand(runArgs, out, err);
  // 1: some file could not be processed (the run says which); the dashboard still shows the rest.
  if (code !== 0 && code !== 1) return code;
  // The dashboard in a process of its own: the pipeline's handlers keep the SDK clients they were
  // loaded with (one local stack per process), and serve's local stack is a new one. It runs in
  // its own process group, so Ctrl-C reaches it once, from here; it stops by itself if this
  // process dies (its stdin closes).
  return new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [SEGWATCH_BIN, 'serve', '--port', String(port), '--state', state], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, [SERVE_CHILD_ENV]: '1' },
    });
    child.stdout.pipe(out as NodeJS.WritableStream, { end: false });
    child.stderr.pipe(err as NodeJS.WritableStream, { end: false });
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.once('exit', (c, sig) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(c ?? (sig ? 130 : 1));
    });
  });
}
