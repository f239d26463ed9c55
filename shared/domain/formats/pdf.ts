/**
 * PDF filings (how FCMs post their statements under 1.55(o), and how a WinJammer page is printed):
 * the text layer, laid out in reading order, for the same parser as every other format.
 *
 * STUB with the final API: the real extraction (a maintained PDF library, loaded only when a PDF
 * arrives) replaces the body of pdfToText.
 */

export type PdfErrorCode = 'no-text-layer' | 'bad-pdf';

/** Why a PDF gives no text. `message` is one line, fit for a person. */
export class PdfError extends Error {
  constructor(
    readonly code: PdfErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PdfError';
  }
}

/** The bytes start like a PDF (`%PDF-`, possibly after a few bytes of junk, as PDF readers allow). */
export function looksLikePdf(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  return head.includes('%PDF-');
}

/**
 * The PDF's text in reading order: one line of text per line of the page, pages in order.
 * Throws PdfError('no-text-layer') for a scan, PdfError('bad-pdf') for a damaged file.
 */
export async function pdfToText(bytes: Uint8Array): Promise<string> {
  void bytes;
  throw new PdfError('bad-pdf', 'PDF filings are not supported yet');
}
