/**
 * `segwatch` command line. Commands:
 *   parse FILE...                 the parsed filings as JSON
 *   check [--json] FILE...        reconcile; exit 0 clean, 1 error finding or alert, 2 unreadable
 *   run [--json] [--fresh] [--watch DIR] [PATH...]   the pipeline on the local stack (npm start)
 *   redrive [--local|--queue URL] move dead-lettered messages back
 *   bench [--json]                the benchmark (npm run bench)
 *   forms                         the form definitions and rules as markdown (generated docs)
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
  redrive [--local]                    put dead-lettered messages back on their queue
  bench [--json]                       measure parse speed, bundles, cold start, latency and cost
  forms                                print the form variants, their identities and the rules (markdown)
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
    return { ok: false, error: { code: 'too-large', message: `the file is ${size} bytes, over the ${MAX_FILING_BYTES}-byte limit` } };
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
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
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

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
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
      case 'bench': {
        const { benchCommand } = require('../test/bench/bench') as typeof import('../test/bench/bench');
        return await benchCommand(rest, out, err);
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
