/**
 * The parse section in a process of its own, run from a bundle made with the functions' esbuild
 * settings (infra/bundling.ts): the parser and reconciler are timed as the deployed code runs,
 * in one minified scope, not through tsx's per-module CommonJS wrappers (about 15% slower).
 *
 *   node parse-worker.js FILINGS ROUNDS [COVER_PERCENT]   -> one JSON line (ParseBenchResult) on stdout, progress on stderr
 */
import { makeCorpus, runParseBench } from './parse-bench';

const [filings, rounds, covers] = process.argv.slice(2).map((x) => Number.parseInt(x, 10));
const log = (line: string) => void process.stderr.write(`bench: ${line}\n`);
const t = Date.now();
const corpus = makeCorpus(filings, undefined, covers);
log(
  `corpus: ${filings} filings (${corpus.covers} with a cover page), ${(corpus.bytes / 1e6).toFixed(1)} MB in ${Date.now() - t} ms; timing ${rounds} rounds (+2 warm-up) of bare scan vs parse+reconcile`,
);
const result = runParseBench(corpus, { rounds, progress: log });
process.stdout.write(`${JSON.stringify(result)}\n`);
