/**
 * PDFs of filings for tests and fixtures, drawn with pdf-lib the way a statement is printed: the
 * label at the left (sub-items indented, long labels wrapped within a label column), each amount
 * right-aligned in its column with its `[code]` after it, a second column for the "net" and group
 * totals of two-cell lines. Each piece of text is drawn on its own, so a PDF reader finds them as
 * separate items with gaps between them, as in a real printout.
 *
 *   renderPdf(markupText, options)  WinJammer markup (test/fixtures/*.txt, render(f, 'markup'))
 *   renderPdf(rows, options)        rows made by hand (PdfRow)
 *   pdftotextLines(bytes)           poppler's reading of a PDF, the oracle for reading order
 *
 * Options: page size and font size, label column width (wrapping), which line of a wrapped label
 * the amounts stand on, lines per page (page breaks anywhere, inside a statement), `Page i of n`
 * footers, a running page header, a letter-spaced banner on every page. Deterministic: the same
 * input and options give the same bytes (fixed dates in the document info).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';
import type { PlacedText } from '../../shared/domain/formats/pdf';

/** One printed line of a statement: its label and its amount cells (an amount with its code, or a value without one). */
export interface PdfRow {
  label: string;
  /** Indentation steps (sub-items A., B. and continuation text: 1). */
  indent?: number;
  cells?: { amount: string; code?: string }[];
  /** A heading or header field: drawn bold. */
  bold?: boolean;
}

export interface PdfRenderOptions {
  /** Points; default US Letter portrait (612 x 792). */
  pageSize?: [number, number];
  /** Default 8. */
  fontSize?: number;
  /** Line pitch in points; default 1.45 x fontSize. */
  leading?: number;
  /** Width of the label column in points: longer labels wrap onto following lines. Default: the width left of the amount columns (no wrapping for labels that fit). */
  labelWidth?: number;
  /** On which line of a wrapped label its amounts stand. Default 'last' (as printed forms align a row's amounts with its last line). */
  amountsOn?: 'first' | 'last';
  /** At most this many lines on a page (page breaks fall wherever the count ends, inside a statement too). Default: as many as fit. */
  linesPerPage?: number;
  /** `Page i of n` at the foot of every page. Default true. */
  pageNumbers?: boolean;
  /** A line at the top of every page after the first (a running header). */
  runningHeader?: string;
  /** Drawn letter by letter, spaced out, at the top of every page (`WINJAMMER FILING`). */
  banner?: string;
  /** Document title in the PDF's info dictionary. */
  title?: string;
  /** Wrap header fields (`Firm Name:...`) too when they are longer than the label column. Default false: they run on to the page edge. */
  wrapHeader?: boolean;
}

const HEADER_FIELD = /^(End\s*Date|Firm\s*Name|Form|Submit\s*Date)\s*:/i;

const MARGIN = 36;

/** A markup or plain text filing as printed rows: `**...**` header lines split, tags dropped, trailing `<u>amount</u> [code]` cells (or `amount [code]` in plain text) taken out of the label. */
export function markupRows(text: string): PdfRow[] {
  const rows: PdfRow[] = [];
  for (const raw0 of text.replace(/\*\*\*\*/g, '**\n**').split(/\r?\n/)) {
    const raw = raw0.replace(/\s+$/, '');
    if (raw.trim() === '') continue;
    const indent = /^\t/.test(raw) ? 1 : 0;
    const bold = /^\s*(\*\*|## )/.test(raw);
    const cells: { amount: string; code?: string }[] = [];
    let rest = raw;
    // Cells from the end: `<b><u>X</u></b> [dddd]`, `<u>X</u>` (a value without a code), or plain `X [dddd]`.
    for (;;) {
      const m =
        /(?:^|\s)(?:<b>)?<u>([^<]*)<\/u>(?:<\/b>)?(?:\s*\[(\d{4})\])?\s*$/.exec(rest) ??
        /(?:^|\s)(\S+)\s+\[(\d{4})\]\s*$/.exec(rest);
      if (!m) break;
      cells.unshift(m[2] ? { amount: m[1], code: m[2] } : { amount: m[1] });
      rest = rest.slice(0, m.index);
    }
    const label = rest
      .replace(/<[^>]*>/g, '')
      .replace(/\*\*|^\s*## /g, '')
      .replace(/\s+/g, ' ')
      .trim();
    if (label === '' && cells.length === 0) continue;
    rows.push({ label, indent, cells, bold });
  }
  return rows;
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  if (text === '' || font.widthOfTextAtSize(text, size) <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line === '' ? word : `${line} ${word}`;
    if (line !== '' && font.widthOfTextAtSize(next, size) > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line !== '') lines.push(line);
  return lines;
}

interface Printed {
  label: string;
  x: number;
  bold: boolean;
  cells: { amount: string; code?: string }[];
}

/** Render rows (or markup text) as a PDF; resolves to its bytes. */
export async function renderPdf(input: string | readonly PdfRow[], opts: PdfRenderOptions = {}): Promise<Uint8Array> {
  const rows = typeof input === 'string' ? markupRows(input) : input;
  const [pageW, pageH] = opts.pageSize ?? [612, 792];
  const doc = await PDFDocument.create();
  const fixed = new Date(Date.UTC(2026, 0, 1));
  doc.setCreationDate(fixed);
  doc.setModificationDate(fixed);
  doc.setProducer('segwatch test/support/pdf.ts (pdf-lib)');
  doc.setCreator('segwatch');
  if (opts.title) doc.setTitle(opts.title);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);

  // Columns, right to left: [code] of column 2, amount of column 2, [code] of column 1, amount of column 1.
  // Amounts too wide for the page at the font size asked for (30 digits) get a smaller font, so a
  // label column of 2 inches is left: the printout of a real form never overlaps its cells.
  const columns = (size: number) => {
    const codeW = regular.widthOfTextAtSize('[0000]', size) + size;
    const widest = Math.max(
      regular.widthOfTextAtSize('-0,000,000,000', size),
      ...rows.flatMap((r) => (r.cells ?? []).map((c) => regular.widthOfTextAtSize(c.amount, size))),
    );
    const amountW = widest + size;
    const col2Right = pageW - MARGIN - codeW;
    const col1Right = col2Right - amountW - codeW;
    return { col2Right, col1Right, labelRight: col1Right - amountW };
  };
  let size = opts.fontSize ?? 8;
  while (columns(size).labelRight < MARGIN + 144 && size > 3) size *= 0.9;
  const { col2Right, col1Right, labelRight } = columns(size);
  const leading = opts.leading ?? size * 1.45;
  const indentStep = size * 2;

  // Lay every row out as printed lines first (wrapping), then paginate.
  // Rows as groups of printed lines; a header field's group is kept on one page together with the
  // next line that prints anything, as a printout keeps a header block together.
  const groups: { lines: Printed[]; keep: boolean }[] = [];
  for (const r of rows) {
    const printed: Printed[] = [];
    groups.push({ lines: printed, keep: HEADER_FIELD.test(r.label) && !(r.cells ?? []).length });
    const x = MARGIN + (r.indent ?? 0) * indentStep;
    const font = r.bold ? bold : regular;
    const header = !opts.wrapHeader && HEADER_FIELD.test(r.label) && !(r.cells ?? []).length;
    const width = header
      ? Number.POSITIVE_INFINITY
      : Math.min(opts.labelWidth ?? Number.POSITIVE_INFINITY, labelRight - x - size);
    const parts = wrap(r.label, font, size, width);
    const on = opts.amountsOn === 'first' ? 0 : parts.length - 1;
    parts.forEach((label, i) =>
      printed.push({ label, x: i === 0 ? x : x + size, bold: !!r.bold, cells: i === on ? (r.cells ?? []) : [] }),
    );
  }
  const top = pageH - MARGIN - (opts.banner ? leading * 2 : 0);
  const fit = Math.max(1, Math.floor((top - MARGIN - leading * 2) / leading));
  const perPage = Math.max(1, Math.min(fit, opts.linesPerPage ?? fit));
  const pages: Printed[][] = [];
  let current: Printed[] = [];
  for (const [gi, g] of groups.entries()) {
    // The field and the next line that prints anything (blank rows are not drawn).
    let withNext = g.lines.length;
    if (g.keep)
      for (const n of groups.slice(gi + 1).flatMap((x) => x.lines)) {
        withNext++;
        if (n.label || n.cells.length) break;
      }
    if (g.keep && current.length > 0 && current.length + withNext > perPage) {
      pages.push(current);
      current = [];
    }
    for (const line of g.lines) {
      if (current.length >= perPage) {
        pages.push(current);
        current = [];
      }
      current.push(line);
    }
  }
  if (current.length > 0 || pages.length === 0) pages.push(current);
  const pageCount = pages.length;

  const drawBanner = (page: PDFPage, text: string) => {
    // Letter-spaced: every letter its own item, a gap after each, a wider one between words.
    const bsize = size * 1.5;
    let x = MARGIN;
    const y = pageH - MARGIN;
    for (const ch of text) {
      if (ch === ' ') {
        x += bsize * 1.2;
        continue;
      }
      page.drawText(ch, { x, y, size: bsize, font: bold });
      x += bold.widthOfTextAtSize(ch, bsize) + bsize * 0.6;
    }
  };

  for (let p = 0; p < pageCount; p++) {
    const page = doc.addPage([pageW, pageH]);
    if (opts.banner) drawBanner(page, opts.banner);
    let y = top;
    if (opts.runningHeader && p > 0) {
      page.drawText(opts.runningHeader, { x: MARGIN, y, size, font: regular });
      y -= leading * 1.5;
    }
    for (const line of pages[p]) {
      const font = line.bold ? bold : regular;
      if (line.label) page.drawText(line.label, { x: line.x, y, size, font });
      line.cells.forEach((c, i) => {
        // A two-cell line's last cell is the total column; a lone cell stands in column 1.
        const right = line.cells.length > 1 && i === line.cells.length - 1 ? col2Right : col1Right;
        page.drawText(c.amount, { x: right - regular.widthOfTextAtSize(c.amount, size), y, size, font: regular });
        if (c.code) page.drawText(`[${c.code}]`, { x: right + size * 0.6, y, size, font: regular });
      });
      y -= leading;
    }
    if (opts.pageNumbers ?? true) {
      const footer = `Page ${p + 1} of ${pageCount}`;
      page.drawText(footer, {
        x: (pageW - regular.widthOfTextAtSize(footer, size)) / 2,
        y: MARGIN / 2,
        size,
        font: regular,
      });
    }
  }
  return doc.save({ useObjectStreams: false });
}

/**
 * poppler's reading of a PDF (`pdftotext -layout`, Debian poppler-utils; .ci/run installs it), as
 * lines with runs of whitespace folded to one space, blank lines and page breaks dropped: an
 * independent oracle for pdfToText's reading order.
 */
export function pdftotextLines(bytes: Uint8Array): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'segwatch-pdftotext-'));
  try {
    const file = join(dir, 'in.pdf');
    writeFileSync(file, bytes);
    return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8', timeout: 30_000 })
      .split(/[\n\f]/)
      .map((l) => l.replace(/\s+/g, ' ').trim())
      .filter((l) => l !== '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A piece of text as pdf.js places it, 4 units wide a character (the layout tests' items). */
export function placed(str: string, x: number, y: number, font = 'f1', size = 8): PlacedText {
  return { str, x, y, width: str.length * 4, size, font };
}
