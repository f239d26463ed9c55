/**
 * `segwatch` command line. Commands:
 *   parse FILE...                 the parsed filings as JSON
 *   check [--json] FILE...        reconcile; exit 0 clean, 1 error finding or alert, 2 unreadable
 *   run [--json] [--fresh] [--watch DIR] [PATH...]   the pipeline on the local stack (npm start)
 *   redrive [--local | --stack NAME [--stream-failures]]   put what the pipeline gave up on back in front of it
 *   serve [--port N]              the dashboard on 127.0.0.1, reading the local state
 *   start [--port N] [PATH...]    run (the sample filings), then serve (npm start)
 *   forms                         the form definitions and rules as markdown (generated docs)
 *   calendar [YEAR] [--json]      the filing calendar: filing days and due days per statement
 *   tick [--at ISO-8601] [--json] the scheduled missing-filing check and digest on the local stack
 *   history|board|alerts|show     the read side: a firm's history, the day's board, alerts, one filing (bin/read.ts)
 */
import { parseArgs } from 'node:util';
import { readFile, stat } from 'node:fs/promises';
import { analyze, checkJson, hasProblems, type AnalysisOutcome } from '../shared/domain/check';
import { filingToJson, FilingJsonSchema } from '../shared/domain/model';
import { MAX_FILING_BYTES } from '../shared/domain/parser';
import { renderCheck } from '../shared/domain/report';

const USAGE = `usage: segwatch <command> [options]

commands:
  parse FILE...                        print the parsed filings as JSON
  check [--json] FILE...               reconcile filings (exit 0 clean, 1 findings or alerts, 2 unreadable)
  run [--json] [--fresh] [PATH...]     run the pipeline on the local stack (default: the sample filings)
  run --watch DIR                      keep running; push every file that appears in DIR through the pipeline
  redrive --local                      the local stack: dead letters back on the queue, stream failures redriven
  redrive --stack NAME                 AWS: the ingest dead-letter queue's messages back on the ingest queue
  redrive --stream-failures --stack NAME   AWS: set what reconcile/notify gave up on back to pending
  serve [--port N]                     the dashboard on http://127.0.0.1:4280/ (local state, no sign-in, loopback only)
  start [--port N] [--fresh] [PATH...] run the pipeline on the sample filings (or PATHs), then serve the dashboard
  forms                                print the form variants, their identities and the rules (markdown)
  calendar [YEAR] [--json] [--data F]  the filing calendar: per statement its filing days and due days, holidays marked
  tick [--at ISO-8601] [--json]        run the scheduled missing-filing check and daily digest on the local stack
  history FIRM [--from D] [--to D] [--statement S] [--json|--csv]   a firm's filing days: excess, target, change, headroom
  board [DATE] [--json|--csv]          every watched firm on one filing day, worst first
  alerts [--from D] [--to D] [--firm F] [--kind K] [--severity S] [--json]   the alerts raised, newest first
  show FIRM DATE [--json]              one firm-day: versions, lines, findings, alerts
    (history, board, alerts, show read the local state; --aws [--stack Segwatch] [--region R] reads the deployed table)
`;

export class UsageError extends Error {}

/** Read a file for checking: size first, so an oversized file is never read whole. */
export async function readFilingFile(path: string): Promise<AnalysisOutcome> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) return { ok: false, error: { code: 'unreadable', message: 'not a regular file' } };
    size = s.size;
  } catch (e) {
    return { ok: false, error: { code: 'unreadable', message: describeFsError(e) } };
  }
  if (size > MAX_FILING_BYTES)
    return {
      ok: false,
      error: { code: 'too-large', message: `the file is ${size} bytes, over the ${MAX_FILING_BYTES}-byte limit` },
    };
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    return { ok: false, error: { code: 'unreadable', message: describeFsError(e) } };
  }
  return await analyze(bytes);
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (e as Error)?.message ?? String(e);
}

async function cmdParse(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length === 0) throw new UsageError('parse needs at least one FILE');
  const results = [];
  let code = 0;
  for (const file of positionals) {
    const outcome = await readFilingFile(file);
    if (outcome.ok) {
      results.push({ file, filing: FilingJsonSchema.parse(filingToJson(outcome.analysis.filing)), error: null });
    } else {
      err.write(`segwatch: ${file}: ${outcome.error.message}\n`);
      results.push({ file, filing: null, error: outcome.error });
      code = 2;
    }
  }
  out.write(`${JSON.stringify(results, null, 2)}\n`);
  return code;
}

async function cmdCheck(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  });
  if (positionals.length === 0) throw new UsageError('check needs at least one FILE');
  let code = 0;
  const json = [];
  for (const file of positionals) {
    const outcome = await readFilingFile(file);
    if (!outcome.ok) {
      code = 2;
      err.write(`segwatch: ${file}: ${outcome.error.message}\n`);
    } else if (hasProblems(outcome.analysis.reconciliation) && code === 0) {
      code = 1;
    }
    if (values.json) {
      const j = checkJson(file, outcome);
      if (j.filing) FilingJsonSchema.parse(j.filing);
      json.push(j);
    } else if (outcome.ok) {
      out.write(`${renderCheck(file, outcome.analysis)}\n`);
    }
  }
  if (values.json) out.write(`${JSON.stringify(json, null, 2)}\n`);
  return code;
}

export async function main(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'parse':
        return await cmdParse(rest, out, err);
      case 'check':
        return await cmdCheck(rest, out, err);
      case 'forms': {
        const { generatedDocs } = require('../shared/domain/docs') as typeof import('../shared/domain/docs');
        out.write(generatedDocs());
        return 0;
      }
      case 'run': {
        const { runCommand } = require('../infra/local/run') as typeof import('../infra/local/run');
        return await runCommand(rest, out, err);
      }
      case 'redrive': {
        const { redriveCommand } = require('../infra/local/redrive') as typeof import('../infra/local/redrive');
        return await redriveCommand(rest, out, err);
      }
      case 'serve': {
        const { serveCommand } = require('../infra/local/serve') as typeof import('../infra/local/serve');
        return await serveCommand(rest, out, err);
      }
      case 'start': {
        const { startCommand } = require('../infra/local/serve') as typeof import('../infra/local/serve');
        return await startCommand(rest, out, err);
      }
      case 'calendar': {
        const { calendarCommand } = require('./calendar') as typeof import('./calendar');
        return await calendarCommand(rest, out, err);
      }
      case 'tick': {
        const { tickCommand } = require('../infra/local/tick') as typeof import('../infra/local/tick');
        return await tickCommand(rest, out, err);
      }
      case 'history':
      case 'board':
      case 'alerts':
      case 'show': {
        const { readCommand } = require('./read') as typeof import('./read');
        return await readCommand(command, rest, out, err);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) {
      err.write(`segwatch: ${(e as Error).message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}
