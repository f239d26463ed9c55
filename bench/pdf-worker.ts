/**
 * The pdf section's throughput in a process of its own, run from a bundle made as a function is
 * built (infra/bundling.ts bundleFunction: esbuild settings, unpdf in a file of its own beside it):
 *
 *   node pdf-worker.js GENERATED ROUNDS FIXTURE_DIR   -> one JSON line (PdfThroughput) on stdout, progress on stderr
 */
import { makePdfCorpus, runPdfThroughput } from './pdf-bench';

async function main(): Promise<void> {
  const [generated, rounds] = process.argv.slice(2, 4).map((x) => Number.parseInt(x, 10));
  const log = (line: string) => void process.stderr.write(`bench: ${line}\n`);
  const t = Date.now();
  const corpus = await makePdfCorpus(generated, undefined, process.argv[4]);
  log(
    `pdf corpus: ${corpus.cases.length} PDFs (${generated} generated, ${corpus.cases.length - generated} committed), ${(corpus.bytes / 1e6).toFixed(1)} MB in ${Date.now() - t} ms; timing ${rounds} rounds (+1 warm-up) of pdfToText + parse + reconcile`,
  );
  const result = await runPdfThroughput(corpus, { rounds, progress: log });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
