/**
 * The parser of daily segregation filings, in modules with one job each:
 *
 *   ../formats/   bytes -> text: PDF, UTF-8/UTF-16/Windows-1252, HTML (the format seam)
 *   header.ts     the header fields and titles, every page's copy; more than one filing refused
 *   cells.ts      every `amount [code]`, the amount read only when it is one well-formed number
 *   labels.ts     labels before cells, the uncoded sub-lines (12A-12C)
 *   variant.ts    which variant of its statement the filed codes are
 *   identities.ts doubtful amounts settled by the form's identities, or left unreadable
 *   cover.ts      the Cover Page's residual interest targets
 *   firm.ts       firm names as shown, and one firm id per firm
 *   assemble.ts   all of it into a Filing
 */
import { filingText, plainText } from '../formats';
import { assembleFiling, type ParseResult, type ParserOptions } from './assemble';

export { FilingError, MAX_FILING_BYTES, type FilingErrorCode, type ParseNote } from './errors';
export { cleanText, firmIdOf, LEGAL_FORMS } from './firm';
export { isoDate } from './header';
export { CODE_RE, scanCells, type Cell } from './cells';
export { cleanLabel, partMatches, PART_RE } from './labels';
export type { ParseResult, ParserOptions } from './assemble';

/** Parse a decoded filing: plain text, or an HTML page's text. Throws FilingError. */
export function parseFilingText(text: string, options: ParserOptions = {}): ParseResult {
  return assembleFiling(plainText(text).text, options);
}

/** Read a file's bytes (any format: formats/) and parse them; rejects with FilingError. */
export async function parseFiling(
  bytes: Uint8Array,
  options: ParserOptions & { maxBytes?: number } = {},
): Promise<ParseResult> {
  const read = await filingText(bytes, options.maxBytes);
  const result = assembleFiling(read.text, options);
  result.notes.unshift(...read.notes);
  return result;
}
