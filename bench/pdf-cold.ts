/**
 * The parse function as deployed, plus a way to take one PDF to a reconciliation, for the pdf
 * section's cold init (pdf-bench.ts runPdfColdInit): the bundle of this file loads everything the
 * parse function loads at init (functions/parse/index.ts), and nothing of pdf.js until firstPdf
 * is called. firstPdf does what the parse function does with a PDF's bytes, short of the store.
 */
import { pdfToText } from '../shared/domain/formats/pdf';
import { parseFilingText } from '../shared/domain/parser';
import { reconcile } from '../shared/domain/reconcile';

export { handler } from '../functions/parse/index';

export async function firstPdf(
  bytes: Uint8Array,
): Promise<{ ok: true; alerts: number } | { ok: false; error: string }> {
  try {
    const { filing, unreadable } = parseFilingText(await pdfToText(bytes));
    return { ok: true, alerts: reconcile(filing, { unreadable }).alerts.length };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
