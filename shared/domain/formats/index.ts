/**
 * The format seam: a file's bytes to the plain text the parser reads. PDF (its text layer, by
 * formats/pdf.ts, loaded only when a PDF arrives), text in UTF-8, UTF-16 or Windows-1252
 * (formats/text.ts), and HTML made text (formats/html.ts). Adding a format is adding a module here.
 */
import { FilingError, MAX_FILING_BYTES, type ParseNote } from '../parser/errors';
import { htmlToText, looksLikeHtml } from './html';
import { decodeText, type TextEncoding } from './text';

export type FilingFormat = 'text' | 'html' | 'pdf';

export interface FilingText {
  text: string;
  format: FilingFormat;
  encoding: TextEncoding | 'pdf';
  notes: ParseNote[];
}

/** Text that is an HTML page made the text it shows; other text as it is. */
export function plainText(text: string): { text: string; format: 'text' | 'html' } {
  return looksLikeHtml(text) ? { text: htmlToText(text), format: 'html' } : { text, format: 'text' };
}

/** The bytes start like a PDF (what formats/pdf.ts looksLikePdf checks), without loading the PDF code. */
function maybePdf(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 1024);
  for (let i = 0; i + 4 < n; i++)
    if (
      bytes[i] === 0x25 &&
      bytes[i + 1] === 0x50 &&
      bytes[i + 2] === 0x44 &&
      bytes[i + 3] === 0x46 &&
      bytes[i + 4] === 0x2d
    )
      return true;
  return false;
}

/**
 * formats/pdf.ts, loaded here and not at the top: the parse function's cold start never runs the
 * PDF library. (esbuild makes the import lazy in the bundle; vitest resolves it; the CLI runs
 * TypeScript through tsx's require hook, where only `require` finds a .ts file.)
 */
async function loadPdf(): Promise<typeof import('./pdf')> {
  try {
    return await import('./pdf');
  } catch (e) {
    if (typeof require === 'function') return require('./pdf') as typeof import('./pdf');
    throw e;
  }
}

async function pdfText(bytes: Uint8Array): Promise<string | undefined> {
  const pdf = await loadPdf();
  if (!pdf.looksLikePdf(bytes)) return undefined;
  try {
    return await pdf.pdfToText(bytes);
  } catch (e) {
    if (e instanceof pdf.PdfError) {
      if (e.code === 'no-text-layer')
        throw new FilingError('no-text-layer', 'the PDF has no text layer; scanned PDFs are not supported');
      throw new FilingError('bad-pdf', `the PDF cannot be read: ${e.message}`);
    }
    throw e;
  }
}

/** A file's text for the parser; throws FilingError (empty, too large, binary, a PDF with no text). */
export async function filingText(bytes: Uint8Array, maxBytes = MAX_FILING_BYTES): Promise<FilingText> {
  if (bytes.length === 0) throw new FilingError('empty', 'the file is empty');
  if (bytes.length > maxBytes)
    throw new FilingError('too-large', `the file is ${bytes.length} bytes, over the ${maxBytes}-byte limit`);
  if (maybePdf(bytes)) {
    const text = await pdfText(bytes);
    if (text !== undefined) return { text, format: 'pdf', encoding: 'pdf', notes: [] };
  }
  const decoded = decodeText(bytes);
  const notes: ParseNote[] = [];
  if (decoded.encoding === 'windows-1252')
    notes.push({
      rule: 'file-encoding',
      message: 'the file is not valid UTF-8; it was read as Windows-1252 (check any accented or special characters)',
    });
  const plain = plainText(decoded.text);
  return { text: plain.text, format: plain.format, encoding: decoded.encoding, notes };
}
