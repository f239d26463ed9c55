/**
 * `segwatch history|board|alerts|show`: the read queries (shared/read/queries.ts) on the local
 * state by default (`.segwatch/`, the same DynamoDB Local database `segwatch run` builds up) or on
 * AWS with `--aws [--stack Segwatch] [--region R]` (the stack's `TableName` output names the
 * table; the user's own credentials, from the SDK's usual chain).
 *
 *   segwatch history FIRM [--from D] [--to D] [--statement S] [--json|--csv]
 *   segwatch board [DATE] [--json|--csv]
 *   segwatch alerts [--from D] [--to D] [--firm F] [--kind K] [--severity S] [--json]
 *   segwatch show FIRM DATE [--json]
 * Source options: --aws [--stack NAME] [--region R] | [--state DIR] [--endpoint URL]
 *
 * Exit 0 with the answer; 1 when the question has no answer (unknown or ambiguous firm, no filing
 * that day); 2 for a usage or setup problem (bad option or date, no local state, no stack). A
 * problem is one line on stderr, never a stack trace.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local';
import { statePaths } from '../infra/local/state';
import { SDK_LOGGER, documentClient } from '../shared/adapters/clients';
import { STATEMENT_KEYS, type StatementKey } from '../shared/domain/forms';
import { TABLE } from '../shared/table';
import { readQueries } from '../shared/read/queries';
import { boardCsv, historyCsv, renderAlerts, renderBoard, renderHistory, renderShow } from '../shared/read/render';
import type { ReadSource } from '../shared/read/source';
import { StoreSource } from '../shared/read/store-source';
import { ReadError } from '../shared/read/types';

type Out = NodeJS.WritableStream;

export const READ_COMMANDS = ['history', 'board', 'alerts', 'show'] as const;
export type ReadCommand = (typeof READ_COMMANDS)[number];

export const READ_USAGE: Record<ReadCommand, string> = {
  history: 'segwatch history FIRM [--from D] [--to D] [--statement S] [--json|--csv] [SOURCE]',
  board: 'segwatch board [DATE] [--json|--csv] [SOURCE]',
  alerts: 'segwatch alerts [--from D] [--to D] [--firm F] [--kind K] [--severity S] [--json] [SOURCE]',
  show: 'segwatch show FIRM DATE [--json] [SOURCE]',
};
const SOURCE_USAGE =
  'SOURCE: --aws [--stack Segwatch] [--region R] (AWS), or the local state: [--state DIR] (default .segwatch) [--endpoint URL] (a DynamoDB Local already running)';

/** A setup problem (exit 2): one line for the user. */
export class ReadSetupError extends Error {}

export interface SourceOptions {
  aws: boolean;
  stack: string;
  region?: string;
  state: string;
  endpoint?: string;
  table?: string;
}

export interface OpenedSource {
  source: ReadSource;
  /** Where the answers come from, for stderr. */
  where: string;
  close(): Promise<void>;
}

export interface ReadDeps {
  /** Open the source (tests give a memory source); default: openSource. */
  open?: (o: SourceOptions, err: Out) => Promise<OpenedSource>;
  now?: () => Date;
}

/** The table named by the stack's `TableName` output (CloudFormation DescribeStacks). */
export async function tableFromStack(cfn: CloudFormationClient, stack: string): Promise<string> {
  let out;
  try {
    out = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
  } catch (e) {
    throw new ReadSetupError(awsProblem(e, `stack ${stack}`));
  }
  const s = out.Stacks?.[0];
  if (!s) throw new ReadSetupError(`no stack named ${stack}`);
  const table = s.Outputs?.find((o) => o.OutputKey === 'TableName')?.OutputValue;
  if (!table)
    throw new ReadSetupError(
      `stack ${stack} has no TableName output (is it a segwatch stack? deploy it with npx cdk deploy)`,
    );
  return table;
}

function awsProblem(e: unknown, what: string): string {
  const err = e as { name?: string; message?: string };
  const name = err?.name ?? '';
  const msg = (err?.message ?? String(e)).split('\n')[0];
  if (/does not exist/i.test(msg)) return `${what} does not exist in this account and region (${msg})`;
  if (name === 'CredentialsProviderError' || /credential/i.test(msg))
    return `no usable AWS credentials for ${what}: ${msg} (set AWS_PROFILE or run aws configure / aws sso login)`;
  if (/region/i.test(msg) && /missing/i.test(msg)) return `no AWS region: give --region R or set AWS_REGION`;
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || /not authorized/i.test(msg))
    return `access denied to ${what}: ${msg}`;
  return `${what}: ${name ? `${name}: ` : ''}${msg}`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Open the local state or the AWS table. */
export async function openSource(o: SourceOptions, err: Out): Promise<OpenedSource> {
  if (o.aws) {
    const region = o.region;
    const cfn = new CloudFormationClient({ region, logger: SDK_LOGGER });
    let table: string;
    try {
      table = o.table ?? (await tableFromStack(cfn, o.stack));
    } finally {
      cfn.destroy();
    }
    const ddb = new DynamoDBClient({ region, logger: SDK_LOGGER });
    const doc = documentClient(ddb);
    return {
      source: wrapAwsErrors(new StoreSource(doc, table), table),
      where: `table ${table} (stack ${o.stack})`,
      close: async () => ddb.destroy(),
    };
  }
  const paths = statePaths(o.state);
  let endpoint = o.endpoint;
  let stopJava: (() => Promise<void>) | undefined;
  let lockPath: string | undefined;
  if (!endpoint) {
    if (!existsSync(paths.dynamodb))
      throw new ReadSetupError(
        `no local state in ${paths.root} (run \`segwatch run\` first, point --state at it, or use --aws)`,
      );
    const lock = join(paths.root, 'lock');
    let held: { pid?: number } | null = null;
    try {
      held = JSON.parse(readFileSync(lock, 'utf8')) as { pid?: number };
    } catch {
      held = null;
    }
    if (held?.pid && held.pid !== process.pid && processAlive(held.pid))
      throw new ReadSetupError(
        `segwatch (pid ${held.pid}) is using ${paths.root} and its DynamoDB Local holds the database: stop it first, or read from it with --endpoint http://127.0.0.1:PORT (start it with segwatch run --dynamodb-port PORT)`,
      );
    // Hold the state while reading, as segwatch run does, so a run started meanwhile waits its turn.
    writeFileSync(lock, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), reading: true }));
    lockPath = lock;
    try {
      const java = await startDynamoDbLocal({ dbPath: paths.dynamodb, sharedDb: true });
      endpoint = java.endpoint;
      stopJava = java.stop;
    } catch (e) {
      rmSync(lock, { force: true });
      throw new ReadSetupError((e as Error).message);
    }
  }
  // The local stack's region and dummy credentials (DynamoDB Local runs -sharedDb: one database whatever they are).
  const ddb = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    logger: SDK_LOGGER,
    maxAttempts: 2,
  });
  const table = o.table ?? TABLE.localName;
  const close = async () => {
    ddb.destroy();
    await stopJava?.();
    if (lockPath) {
      try {
        const held = JSON.parse(readFileSync(lockPath, 'utf8')) as { pid?: number };
        if (held.pid === process.pid) rmSync(lockPath, { force: true });
      } catch {
        // gone already
      }
    }
  };
  try {
    await ddb.send(new DescribeTableCommand({ TableName: table }));
  } catch (e) {
    await close();
    if ((e as Error).name === 'ResourceNotFoundException')
      throw new ReadSetupError(
        `the local state in ${paths.root} has no table ${table} yet (run \`segwatch run\` first)`,
      );
    throw new ReadSetupError(`DynamoDB Local at ${endpoint}: ${(e as Error).message}`);
  }
  void err;
  return { source: new StoreSource(documentClient(ddb), table), where: `local state ${paths.root}`, close };
}

/** AWS errors from a query (throttling, access denied, a deleted table) become one-line setup errors. */
function wrapAwsErrors(source: StoreSource, table: string): ReadSource {
  return new Proxy(source, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        try {
          return await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (e) {
          if (e instanceof ReadError) throw e;
          throw new ReadSetupError(awsProblem(e, `table ${table}`));
        }
      };
    },
  });
}

const SOURCE_OPTIONS = {
  aws: { type: 'boolean', default: false },
  stack: { type: 'string', default: 'Segwatch' },
  region: { type: 'string' },
  state: { type: 'string', default: '.segwatch' },
  endpoint: { type: 'string' },
  table: { type: 'string' },
} as const;

class ReadUsageError extends Error {}

function sourceOptions(v: Record<string, unknown>): SourceOptions {
  if (!v.aws && (v.region !== undefined || (v.stack !== undefined && v.stack !== 'Segwatch')))
    throw new ReadUsageError('--stack and --region go with --aws');
  if (v.aws && v.endpoint !== undefined) throw new ReadUsageError('--endpoint is for the local state, not with --aws');
  return {
    aws: v.aws as boolean,
    stack: v.stack as string,
    region: v.region as string | undefined,
    state: v.state as string,
    endpoint: v.endpoint as string | undefined,
    table: v.table as string | undefined,
  };
}

function parse(
  command: ReadCommand,
  args: string[],
  options: Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  void command;
  try {
    const r = parseArgs({ args, allowPositionals: true, strict: true, options: { ...SOURCE_OPTIONS, ...options } });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (e) {
    throw new ReadUsageError((e as Error).message);
  }
}

/** Run one read command; returns the exit code. */
export async function readCommand(
  command: ReadCommand,
  args: string[],
  out: Out,
  err: Out,
  deps: ReadDeps = {},
): Promise<number> {
  const usage = () => `usage: ${READ_USAGE[command]}\n  ${SOURCE_USAGE}\n`;
  let run: (q: ReturnType<typeof readQueries>) => Promise<string>;
  let opts: SourceOptions;
  try {
    const fmt = { json: { type: 'boolean', default: false }, csv: { type: 'boolean', default: false } } as const;
    if (command === 'history') {
      const { values: v, positionals: p } = parse(command, args, {
        ...fmt,
        from: { type: 'string' },
        to: { type: 'string' },
        statement: { type: 'string' },
      });
      if (p.length !== 1)
        throw new ReadUsageError(
          p.length === 0
            ? 'history needs a FIRM (a firm id or the start of its name)'
            : `history takes one FIRM, not ${p.length} (quote a name with spaces)`,
        );
      if (v.json && v.csv) throw new ReadUsageError('--json or --csv, not both');
      const statement = v.statement as string | undefined;
      if (statement !== undefined && !(STATEMENT_KEYS as readonly string[]).includes(statement))
        throw new ReadUsageError(`--statement must be one of ${STATEMENT_KEYS.join(', ')}`);
      opts = sourceOptions(v);
      run = async (q) => {
        const h = await q.history(p[0], {
          from: v.from as string | undefined,
          to: v.to as string | undefined,
          statement: statement as StatementKey | undefined,
        });
        return v.json ? `${JSON.stringify(h, null, 2)}\n` : v.csv ? historyCsv(h) : `${renderHistory(h)}\n`;
      };
    } else if (command === 'board') {
      const { values: v, positionals: p } = parse(command, args, fmt);
      if (p.length > 1) throw new ReadUsageError('board takes at most one DATE');
      if (v.json && v.csv) throw new ReadUsageError('--json or --csv, not both');
      opts = sourceOptions(v);
      run = async (q) => {
        const b = await q.board(p[0]);
        return v.json ? `${JSON.stringify(b, null, 2)}\n` : v.csv ? boardCsv(b) : `${renderBoard(b)}\n`;
      };
    } else if (command === 'alerts') {
      const { values: v, positionals: p } = parse(command, args, {
        json: { type: 'boolean', default: false },
        from: { type: 'string' },
        to: { type: 'string' },
        firm: { type: 'string' },
        kind: { type: 'string' },
        severity: { type: 'string' },
      });
      if (p.length > 0)
        throw new ReadUsageError(
          `alerts takes no positional arguments (got ${JSON.stringify(p[0])}); use --firm, --from, --to`,
        );
      opts = sourceOptions(v);
      run = async (q) => {
        const a = await q.alerts({
          from: v.from as string | undefined,
          to: v.to as string | undefined,
          firm: v.firm as string | undefined,
          kind: v.kind as string | undefined,
          severity: v.severity as 'critical' | 'warning' | 'info' | undefined,
        });
        const range =
          v.from || v.to
            ? `from ${v.from ?? '30 days before'} to ${v.to ?? 'now'}`
            : 'in the last 31 days (of the clock and of the latest filings)';
        return v.json ? `${JSON.stringify(a, null, 2)}\n` : `${renderAlerts(a, range)}\n`;
      };
    } else {
      const { values: v, positionals: p } = parse(command, args, { json: { type: 'boolean', default: false } });
      if (p.length !== 2) throw new ReadUsageError('show needs a FIRM and a DATE');
      opts = sourceOptions(v);
      run = async (q) => {
        const s = await q.show(p[0], p[1]);
        return v.json ? `${JSON.stringify(s, null, 2)}\n` : `${renderShow(s)}\n`;
      };
    }
  } catch (e) {
    if (e instanceof ReadUsageError) {
      err.write(`segwatch ${command}: ${e.message}\n${usage()}`);
      return 2;
    }
    throw e;
  }

  let opened: OpenedSource | undefined;
  try {
    opened = await (deps.open ?? openSource)(opts, err);
    const text = await run(readQueries(opened.source, { now: deps.now }));
    out.write(text);
    return 0;
  } catch (e) {
    if (e instanceof ReadError) {
      err.write(`segwatch ${command}: ${e.message}\n`);
      return e.code === 'bad-date' || e.code === 'bad-query' ? 2 : 1;
    }
    if (e instanceof ReadSetupError) {
      err.write(`segwatch ${command}: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    await opened?.close();
  }
}
