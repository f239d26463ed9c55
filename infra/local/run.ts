/**
 * `segwatch run [--json] [--fresh] [--watch DIR] [--dynamodb-port N] [PATH...]` (npm start):
 * the whole pipeline on this machine. Uploads each file to incoming/<basename>, waits until every
 * one is fully processed (stored or rejected, reconciled, every alert sent) and prints what
 * happened. State persists under .segwatch/ so history builds up; --fresh starts from empty.
 * --watch DIR keeps running and pushes every file that appears in DIR through the pipeline.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { INCOMING_PREFIX } from '../../shared/table';
import { deadLetterKeys, LocalPipeline, LocalPipelineError, type KeyOutcome } from './stack';
import { renderSummary, summarize, type RunSummary } from './summary';
import { CompleteFiles, folderDeps, QUIET_MS } from './watch';

type Out = NodeJS.WritableStream;

export const FIXTURES_DIR = resolve(__dirname, '../../test/fixtures');

/** The sample filings shipped in the repo. */
export function sampleFilings(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => /^citigroup-.*\.txt$/.test(f))
    .sort()
    .map((f) => join(FIXTURES_DIR, f));
}

class RunUsageError extends Error {}

/** Files named by PATHs (a folder: its regular files, not hidden, sorted). */
export function collectFiles(paths: string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new RunUsageError(`${p}: no such file or folder`);
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        const full = join(p, name);
        if (!name.startsWith('.') && statSync(full).isFile()) files.push(full);
      }
    } else if (st.isFile()) files.push(p);
    else throw new RunUsageError(`${p}: not a file or folder`);
  }
  return files;
}

function keyFor(file: string): string {
  return `${INCOMING_PREFIX}${basename(file)}`;
}

async function uploadAll(
  stack: LocalPipeline,
  files: string[],
  err: Out,
): Promise<{ keys: string[]; fileOf: Map<string, string> }> {
  const fileOf = new Map<string, string>();
  const keys: string[] = [];
  for (const f of files) {
    const key = keyFor(f);
    if (fileOf.has(key))
      err.write(`segwatch: ${f} and ${fileOf.get(key)} are both ${key}; the later upload replaces the earlier\n`);
    else keys.push(key);
    fileOf.set(key, f);
    await stack.upload(f, key);
  }
  return { keys, fileOf };
}

function outcomeLine(o: KeyOutcome): string {
  switch (o.status) {
    case 'stored':
      return `${o.key}: ${o.version?.firmName} ${o.version?.endDate} ${o.version?.filingType} stored${o.object?.duplicate ? ' (same filing as before)' : ''}, ${o.alerts.length} alert(s)`;
    case 'rejected':
      return `${o.key}: rejected (${o.object?.reason})`;
    default:
      return `${o.key}: ${o.status} (${o.problem})`;
  }
}

/**
 * A stream that swallows its own EPIPE (a reader that went away: `segwatch run | head`) and every
 * write after it, so the run finishes its work quietly instead of dying with a stack trace.
 */
function quietOnClose(stream: Out): Out {
  let closed = false;
  const onError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw e;
  };
  if (typeof (stream as NodeJS.WriteStream).on === 'function') (stream as NodeJS.WriteStream).on('error', onError);
  return new Proxy(stream, {
    get(target, prop, receiver) {
      if (prop === 'write')
        return (chunk: unknown, ...rest: unknown[]) => {
          if (closed || (target as NodeJS.WriteStream).destroyed) {
            closed = true;
            return true;
          }
          return (target.write as (...a: unknown[]) => boolean).call(target, chunk, ...rest);
        };
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

export async function runCommand(args: string[], rawOut: Out, rawErr: Out): Promise<number> {
  const out = quietOnClose(rawOut);
  const err = quietOnClose(rawErr);
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        fresh: { type: 'boolean', default: false },
        watch: { type: 'string' },
        'dynamodb-port': { type: 'string' },
        state: { type: 'string' },
      },
    });
  } catch (e) {
    err.write(
      `segwatch run: ${(e as Error).message}\nusage: segwatch run [--json] [--fresh] [--watch DIR] [--dynamodb-port N] [PATH...]\n`,
    );
    return 2;
  }
  const { values, positionals } = parsed;
  const json = values.json!;
  let port: number | undefined;
  if (values['dynamodb-port'] !== undefined) {
    port = Number(values['dynamodb-port']);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      err.write(
        `segwatch run: --dynamodb-port must be a port number (1-65535), not ${JSON.stringify(values['dynamodb-port'])}\n`,
      );
      return 2;
    }
  }
  let files: string[];
  try {
    files = positionals.length ? collectFiles(positionals) : values.watch ? [] : sampleFilings();
    if (values.watch && !(existsSync(values.watch) && statSync(values.watch).isDirectory()))
      throw new RunUsageError(`--watch ${values.watch}: not a folder`);
  } catch (e) {
    if (e instanceof RunUsageError) {
      err.write(`segwatch run: ${e.message}\n`);
      return 2;
    }
    throw e;
  }

  // The handlers log through Powertools to stdout; stdout is the summary's (and --json's) alone.
  if (!process.env.SEGWATCH_DEBUG) process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  const log = (line: string): void => void err.write(`segwatch: ${line}\n`);
  let stack: LocalPipeline | undefined;
  let interrupted = false;
  const shutdown = async () => {
    try {
      await stack?.stop();
    } catch (e) {
      log(`while stopping: ${(e as Error).message}`);
    }
  };
  let wake: (() => void) | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) {
      log(`${sig} again: exiting now`);
      process.exit(130);
    }
    interrupted = true;
    log(`${sig}: stopping (waiting for work in flight)...`);
    wake?.();
    // Not watching: stop now; the upload/wait in progress gives up (reported as interrupted).
    if (!values.watch) void shutdown();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const started = Date.now();
    stack = await LocalPipeline.start({
      stateDir: values.state ?? '.segwatch',
      fresh: values.fresh,
      dynamodbPort: port,
      detachJava: true,
      log,
    });
    if (interrupted) return 130;
    log(
      `local stack up in ${Date.now() - started} ms (state in ${stack.paths?.root}${values.fresh ? ', started fresh' : ''})`,
    );
    if (stack.deadLetters().length)
      log(`${stack.deadLetters().length} message(s) wait in the local dead-letter queue (segwatch redrive --local)`);
    // Messages left on the local queue by an earlier run or put back by a redrive: processed
    // now, and reported with this run's files.
    const carried = [...new Set(stack.queue.pendingBodies().flatMap((body) => deadLetterKeys({ body })))];
    if (carried.length)
      log(`${carried.length} object(s) from the local queue (an earlier run or a redrive): ${carried.join(', ')}`);

    let code = 0;
    if (files.length || carried.length) {
      const t = Date.now();
      const uploaded = await uploadAll(stack, files, err);
      const fileOf = uploaded.fileOf;
      const keys = [...uploaded.keys, ...carried.filter((k) => !fileOf.has(k))];
      if (uploaded.keys.length)
        log(`uploaded ${uploaded.keys.length} file(s) to s3://${stack.bucket}/${INCOMING_PREFIX}`);
      const outcomes = await stack.waitUntilProcessed(keys, 120_000);
      log(`processed ${keys.length} object(s) in ${Date.now() - t} ms`);
      const summary = await summarize(stack, outcomes, fileOf);
      if (summary.failed.length) code = 1;
      if (json && !values.watch) out.write(`${JSON.stringify(publicJson(summary), null, 2)}\n`);
      else if (json) out.write(`${JSON.stringify(publicJson(summary))}\n`);
      else out.write(`${renderSummary(summary)}\n`);
    }

    if (values.watch && !interrupted) {
      await watch(
        stack,
        values.watch,
        json,
        out,
        log,
        (w) => (wake = w),
        () => interrupted,
      );
    }
    return interrupted && !values.watch ? 130 : code;
  } catch (e) {
    if (interrupted) return 130;
    if (e instanceof LocalPipelineError) {
      err.write(`segwatch: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    await shutdown();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (interrupted) log('stopped');
  }
}

/** The --json shape: the spec'd fields, `failed` only when something could not be processed. */
function publicJson(s: RunSummary) {
  return {
    filings: s.filings,
    alerts: s.alerts,
    rejected: s.rejected,
    ...(s.failed.length ? { failed: s.failed } : {}),
  };
}

/**
 * Poll DIR (fs.watch misses events on some file systems) and push each file once it is complete:
 * no longer growing and closed, and not named like a file in progress (`*.part`, `*.tmp`, a
 * dotfile) until renamed (infra/local/watch.ts); again whenever it changes. Files already there
 * when the watch starts are left alone.
 */
async function watch(
  stack: LocalPipeline,
  dir: string,
  json: boolean,
  out: Out,
  log: (l: string) => void,
  setWake: (w: () => void) => void,
  stopped: () => boolean,
): Promise<void> {
  const files = new CompleteFiles(folderDeps(dir));
  const already = files.baseline();
  log(
    `watching ${resolve(dir)} (${already} file(s) already there are left alone; a file is taken once it is complete: unchanged for ${QUIET_MS / 1000} s and closed); Ctrl-C to stop`,
  );
  while (!stopped()) {
    await new Promise<void>((r) => {
      const t = setTimeout(r, 300);
      setWake(() => {
        clearTimeout(t);
        r();
      });
    });
    if (stopped()) break;
    for (const name of files.scan()) {
      if (stopped()) break;
      const file = join(dir, name);
      const t = Date.now();
      try {
        const since = stack.published().length;
        const key = await stack.upload(file, keyFor(file));
        const [o] = await stack.waitUntilProcessed([key], 120_000);
        const summary = await summarize(stack, [o], new Map([[key, file]]), since);
        if (json) out.write(`${JSON.stringify(publicJson(summary))}\n`);
        else out.write(`${renderSummary(summary)}\n\n`);
        log(`${outcomeLine(o)} (${Date.now() - t} ms)`);
      } catch (e) {
        log(`${file}: ${(e as Error).message}`);
      }
    }
  }
}
