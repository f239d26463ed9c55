/**
 * PDF filings (how FCMs post their statements under 1.55(o), and how a WinJammer page is printed):
 * the text layer, laid out in reading order, for the same parser as every other format.
 *
 * Text comes from pdf.js (through `unpdf`, which bundles a build of pdf.js that runs without a
 * worker file or a canvas). pdf.js gives text items in drawing order; `pageLines` puts them in
 * reading order: items on one baseline make one line (top to bottom), left to right within it,
 * with a space wherever two items do not touch. Pages follow in order, one line per printed line.
 *
 * pdf.js carries two speed patches of its per-glyph text extraction, applied at install and shown
 * to change no text item (infra/pdfjs-patches.ts).
 *
 * `unpdf` (pdf.js, 1.6 MB) is imported only inside pdfToText, and the functions' bundles keep it
 * in a file of its own (infra/bundling.ts LAZY_PACKAGES): nothing of it is loaded or even parsed
 * until a PDF arrives.
 *
 * Hostile input: the work is bounded before pdf.js sees the file (bytes, how far its streams
 * decompress: pdf.js keeps every decoded content stream whole in memory, so a small "zip bomb"
 * would exhaust the function's memory), and while it reads (pages, characters of text, a deadline).
 */
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { isSpace } from '../parser/chars';

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

/** The bounds on the work one PDF may cause. A daily filing is a few pages of text: these are far above it. */
export interface PdfLimits {
  /** Bytes of the file (the parse function refuses larger files before reading them). */
  maxBytes: number;
  /** Pages read; a PDF with more is refused. */
  maxPages: number;
  /** Bytes its streams may decompress to, all filter stages of all streams together. */
  maxDecodedBytes: number;
  /** Characters of text extracted. */
  maxTextChars: number;
  /** Pieces of text (pdf.js items) extracted: a few hundred a page in a filing. */
  maxTextItems: number;
  /** Wall time from the first byte read to the last page's text. */
  timeoutMs: number;
}

export const PDF_LIMITS: PdfLimits = {
  maxBytes: 5 * 1024 * 1024,
  maxPages: 100,
  maxDecodedBytes: 32 * 1024 * 1024,
  maxTextChars: 2 * 1024 * 1024,
  maxTextItems: 200_000,
  timeoutMs: 10_000,
};

const MIB = 1024 * 1024;

/** The bytes start like a PDF (`%PDF-`, possibly after a few bytes of junk, as PDF readers allow). */
export function looksLikePdf(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  return head.includes('%PDF-');
}

// ---- reading order ---------------------------------------------------------------------------

/**
 * A run of text where pdf.js drew it: baseline origin (x, y) in PDF space (y grows upwards),
 * advance width, font size, and the direction it runs in (degrees counter-clockwise; 0 when not given).
 */
export interface PlacedText {
  str: string;
  x: number;
  y: number;
  width: number;
  size: number;
  angle?: number;
  /** pdf.js's name of the item's font (a bold heading's differs from a label's). */
  font?: string;
}

/** Two items on one line are joined without a space when the gap between them is below this share of the font size. */
const SPACE_GAP = 0.15;
/** Items whose baselines differ by less than this share of the font size sit on one line. */
const SAME_LINE = 0.5;

/**
 * Two items on one line are a column apart (a label and its amount, two amount cells, a header
 * field and its value in a table) when the gap between them is more than this share of the font
 * size: wider than any space between words.
 */
const COLUMN_GAP = 1.2;

/** One printed line: its items left to right (overprinted copies dropped), its text, its baseline and font size. */
export interface PrintedLine {
  text: string;
  /**
   * The text for the parser: `text` with a tab, not a space, between items a column apart, as the
   * text renderings put a tab between a label and its amount: the label's own last characters
   * (`debit balances -`, `Regulation 30.7`) are then never read as part of the amount.
   */
  parsed: string;
  items: PlacedText[];
  y: number;
  size: number;
}

/**
 * One page's text items in reading order: only text that runs in the page's direction (upright),
 * a line per baseline (top of the page first), items left to right, text overprinted on itself
 * once, a space where two items have a gap (or pdf.js gave a space item), runs of spaces of
 * any kind (U+00A0, U+202F, ...) folded to one space, Latin ligatures spelt out, control
 * characters dropped, lines trimmed, blank lines dropped.
 */
export function pageLines(items: readonly PlacedText[]): string[] {
  return pageRows(items).map((l) => l.text);
}

/** pageLines, keeping each line's items and position (for labelOrder). */
export function pageRows(items: readonly PlacedText[]): PrintedLine[] {
  const placed = upright(items.filter((it) => it.str.length > 0 && Number.isFinite(it.x) && Number.isFinite(it.y)));
  // Top to bottom, then left to right (stable for equal positions: drawing order).
  const byY = placed.map((it, i) => ({ it, i })).sort((a, b) => b.it.y - a.it.y || a.it.x - b.it.x || a.i - b.i);
  const lines: PlacedText[][] = [];
  let line: PlacedText[] = [];
  let lineY = 0;
  let lineSize = 0;
  for (const { it } of byY) {
    const size = it.size > 0 ? it.size : 1;
    if (line.length > 0 && lineY - it.y <= SAME_LINE * Math.min(size, lineSize)) {
      line.push(it);
      continue;
    }
    if (line.length > 0) lines.push(line);
    line = [it];
    lineY = it.y;
    lineSize = size;
  }
  if (line.length > 0) lines.push(line);

  const out: PrintedLine[] = [];
  for (const l of lines) {
    l.sort((a, b) => a.x - b.x);
    const kept: PlacedText[] = [];
    let prev: PlacedText | undefined;
    for (const it of l) {
      // Text printed twice a hair apart (overprinting for bold): read once, or `5` would read `55`.
      if (prev && it.str === prev.str && Math.abs(it.x - prev.x) <= Math.max(0.5, 0.2 * Math.max(0, prev.width)))
        continue;
      prev = it;
      kept.push(it);
    }
    // The line's text is its columns joined by a space (what joinItems gives for the whole line, in one pass less).
    const parsed = joinColumns(kept);
    const clean = parsed.indexOf('\t') === -1 ? parsed : parsed.replace(/\t/g, ' ');
    if (clean !== '')
      out.push({
        text: clean,
        // (A letter-spaced banner stays one run of letters: its words are far apart, not columns.)
        parsed: LETTER_SPACED.test(clean) ? clean : parsed,
        items: kept.filter((it) => !isBlank(it.str)),
        y: l[0].y,
        size: l[0].size > 0 ? l[0].size : 1,
      });
  }
  return out;
}

/** A lone sign or currency mark (`-`, `(`, `$`): the amount's, however far from its digits it is printed. */
const SIGN_ONLY = /^[\s\-\u2212($]+$/;

/** joinItems, with a tab between items a column apart (COLUMN_GAP; never after a lone sign). */
function joinColumns(items: readonly PlacedText[]): string {
  let out = '';
  let from = 0;
  let end = Number.NEGATIVE_INFINITY;
  let last: PlacedText | undefined;
  const flush = (to: number) => {
    const part = joinItems(items.slice(from, to));
    if (part !== '') out = out === '' ? part : `${out}\t${part}`;
    from = to;
  };
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    // Only printed text counts: pdf.js spans a wide gap with a space item of its own (the gap's width).
    if (isBlank(it.str)) continue;
    if (last && it.x - end > COLUMN_GAP * (it.size > 0 ? it.size : 1) && !SIGN_ONLY.test(last.str)) flush(i);
    last = it;
    end = Math.max(end, it.x + Math.max(0, it.width));
  }
  flush(items.length);
  return out;
}

/** Items of one line, left to right, as text: a space where two items have a gap, spaces folded, ligatures spelt out, control characters dropped, trimmed. */
function joinItems(items: readonly PlacedText[]): string {
  let text = '';
  let end = Number.NEGATIVE_INFINITY;
  for (const it of items) {
    const s = it.str;
    if (!isBlank(s)) {
      const gap = it.x - end;
      if (
        text !== '' &&
        !isSpace(text.charCodeAt(text.length - 1)) &&
        !isSpace(s.charCodeAt(0)) &&
        gap > SPACE_GAP * (it.size > 0 ? it.size : 1)
      )
        text += ' ';
      text += s;
    } else if (text !== '' && !isSpace(text.charCodeAt(text.length - 1))) text += ' ';
    end = Math.max(end, it.x + Math.max(0, it.width));
  }
  // (Most lines have none of what the replacements change: then the trim alone gives the same.)
  if (!NEEDS_CLEANING.test(text)) return text.trim();
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ')
      // Every kind of space (no-break, thin, en, em) is one space; ligatures (ﬁ, ﬂ) are their letters.
      .replace(/\s+/g, ' ')
      .replace(/[\ufb00-\ufb06]/g, (c) => c.normalize('NFKC'))
      .trim()
  );
}

/** What joinItems' replacements would change: a control character, a space that is not U+0020 or two in a row, a ligature. */
// eslint-disable-next-line no-control-regex
const NEEDS_CLEANING = /[\u0000-\u0008\u000b-\u001f\u007f\ufb00-\ufb06]|[^\S ]|\s\s/;

/** `s.trim() === ''`, without the new string. */
function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return false;
  return true;
}

// ---- wrapped labels --------------------------------------------------------------------------

/** An item that is only amount characters and codes (`5,812,672,420`, `[8720]`, `0 [7150]`, `0 0`). */
const CELLISH = /^[\s\d,.()$\-\u2212]*(?:\[\d{4}\][\s\d,.()$\-\u2212]*)*$/;
const CODE_ITEM = /\[\d{4}\]/;
/** A character CELLISH allows first: a space, a digit, `,` `.` `(` `)` `$` `-` U+2212, or the `[` of a code. */
const CELL_START = /^[\s\d,.()$\-\u2212[]/;
/** CELLISH.test(s), with a quick no for the items that start otherwise (most labels). */
function cellish(s: string): boolean {
  return (s.length === 0 || CELL_START.test(s)) && CELLISH.test(s);
}
/** A line that starts a row of the form: `12.`, `11B.`, `A.`, `(a)`, `(iv)`. */
const MARKER = /^(?:\d{1,2}[A-Z]?\.|[A-Z]\.|\((?:[ivx]{1,4}|[a-h]|\d{1,2})\))(?:\s|$)/;
/** A line's place and text with its digits masked: the same on every page for a running header or footer (`Page 2 of 5`). */
function repeatKey(l: PrintedLine): string {
  return `${Math.round(l.y)} ${maskDigits(l.text)}`;
}

/** `s.replace(/\d/g, '#')`, in a third of the time. */
function maskDigits(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (i > from) out += s.slice(from, i);
      out += '#';
      from = i + 1;
    }
  }
  return from === 0 ? s : out + s.slice(from);
}

/** A letter-spaced banner (`W I N J A M M E R F I L I N G`), however pdf.js splits it into items (`J A M` can be one). */
const LETTER_SPACED = /^(?:[A-Z] ){4,}[A-Z]$/;
const MARKER_ITEM = /^(?:\d{1,2}[A-Z]?\.|[A-Z]\.|\((?:[ivx]{1,4}|[a-h]|\d{1,2})\))$/;

interface Row {
  line: PrintedLine;
  page: number;
  /** Index of the first item of the line's cells (its amounts and codes, at the right); items.length when it has none. */
  cellFrom: number;
  /** Every item stands left of the amount columns. */
  labelOnly: boolean;
  furniture: boolean;
}

/**
 * Lines in the order the parser reads a label and its amounts: where a printout puts a row's
 * amounts on the FIRST line of its wrapped label (a browser's table cell aligned to the top, a
 * form printed that way), the rest of the label follows the amounts on the next lines
 * (`B. Securities ... customers' 0` / `funds (at market)`); that rest is moved before the
 * amounts, so the line reads as the text rendering prints it (`B. Securities ... customers'
 * funds (at market) 0`). Only label text moves (items left of the amount columns, never an
 * amount or a code), only when the whole document prints its amounts on first lines (no row with
 * its amounts on a later line of its label), and only lines that geometrically continue the
 * label: same font and size, no row marker (`12.`, `A.`), indented as a continuation, within a
 * line pitch (or the first body lines of the next page, past its running header and footer).
 * Amounts printed on the last line of a wrapped label already read in order and are left as
 * printed. Anything else is left as printed: a label that reads in the wrong place is never an
 * amount read wrong (the parser reads each amount where it stands before its code).
 */
export function labelOrder(pages: readonly (readonly PrintedLine[])[]): string[] {
  return orderedLines(pages).map((l) => l.text);
}

/** A line of labelOrder's, with the page it starts on (0-based). */
export interface OrderedLine {
  text: string;
  page: number;
}

/** labelOrder, each line with its page. */
export function orderedLines(pages: readonly (readonly PrintedLine[])[]): OrderedLine[] {
  // The amount columns start at the leftmost amount (or code) of a coded cell.
  let zoneX = Number.POSITIVE_INFINITY;
  // Each line's repeat key, and the page a key is on (-1: on more than one).
  const keys: string[][] = [];
  const seen = new Map<string, number>();
  for (let p = 0; p < pages.length; p++)
    for (const l of pages[p]) {
      const its = l.items;
      for (let i = 0; i < its.length; i++) {
        const s = its[i].str;
        if (
          cellish(s) &&
          (CODE_ITEM.test(s) || (/\d/.test(s) && i + 1 < its.length && /^\s*\[\d{4}\]/.test(its[i + 1].str)))
        )
          zoneX = Math.min(zoneX, its[i].x);
      }
      // (One page: no line is on another.)
      const key = pages.length > 1 ? repeatKey(l) : '';
      (keys[p] ??= []).push(key);
      if (pages.length === 1) continue;
      const on = seen.get(key);
      if (on === undefined) seen.set(key, p);
      else if (on !== p) seen.set(key, -1);
    }
  if (zoneX === Number.POSITIVE_INFINITY) return pages.flatMap((ls, page) => ls.map((l) => ({ text: l.parsed, page })));
  const rows: Row[] = [];
  for (let p = 0; p < pages.length; p++) {
    const start = rows.length;
    // The page's first and last rows with cells.
    let firstCells = -1;
    let lastCells = -1;
    const lines = pages[p];
    for (let li = 0; li < lines.length; li++) {
      const line = lines[li];
      const its = line.items;
      const tol = 0.5 * line.size;
      let cellFrom = its.length;
      while (cellFrom > 0 && cellish(its[cellFrom - 1].str) && its[cellFrom - 1].x >= zoneX - tol) cellFrom--;
      if (cellFrom < its.length) {
        let digits = false;
        for (let i = cellFrom; i < its.length && !digits; i++) digits = /\d/.test(its[i].str);
        if (!digits) cellFrom = its.length;
      }
      let labelOnly = cellFrom === its.length;
      for (let i = 0; i < its.length && labelOnly; i++) labelOnly = its[i].x < zoneX - tol;
      const repeated = pages.length > 1 && seen.get(keys[p][li]) === -1;
      const furniture = /^Page \d+ of \d+$/.test(line.text) || LETTER_SPACED.test(line.text);
      if (cellFrom < its.length) {
        if (firstCells === -1) firstCells = rows.length;
        lastCells = rows.length;
      }
      // A repeated line is furniture when it has no cells (it may reach into the amount columns: a wide running header, a browser's page footer).
      rows.push({ line, page: p, cellFrom, labelOnly, furniture: furniture || (repeated && cellFrom === its.length) });
    }
    // A line repeated on other pages (a running header or footer) is furniture only above the page's first amounts or below its last.
    for (let i = Math.max(start, firstCells + 1); i < lastCells; i++)
      if (rows[i].furniture && !/^Page \d+ of \d+$/.test(rows[i].line.text) && !LETTER_SPACED.test(rows[i].line.text))
        rows[i].furniture = false;
  }

  const fontOf = (it: PlacedText | undefined) => it?.font;
  const labelX = (h: Row) =>
    h.line.items.length > 1 && MARKER_ITEM.test(h.line.items[0].str) ? h.line.items[1].x : h.line.items[0].x;
  /** k could be the next line of h's label: not a row of its own (no marker), same font and size. */
  const alike = (h: Row, k: Row) => {
    const hs = h.line.size;
    if (k.line.items.length === 0 || h.line.items.length === 0 || MARKER.test(k.line.text) || k.furniture) return false;
    const labelFont = fontOf(h.line.items[MARKER_ITEM.test(h.line.items[0].str) && h.line.items.length > 1 ? 1 : 0]);
    return fontOf(k.line.items[0]) === labelFont && Math.abs(k.line.size - hs) <= 0.1 * hs;
  };
  const indentedUnder = (h: Row, k: Row) => {
    const hx = h.line.items[0].x;
    const kx = k.line.items[0].x;
    return kx > hx + 0.3 * h.line.size && kx <= hx + 1.6 * h.line.size;
  };
  const near = (a: Row, b: Row) =>
    a.page === b.page && a.line.y - b.line.y > 0 && a.line.y - b.line.y <= 1.9 * a.line.size;
  // How this document sets a label's next lines: indented under its first line (a printed form), or
  // aligned with its text (a table cell). A heading or row standing where the other style would
  // put a continuation is not one.
  let indented = false;
  for (let i = 0; i + 1 < rows.length && !indented; i++)
    if (
      MARKER.test(rows[i].line.text) &&
      near(rows[i], rows[i + 1]) &&
      rows[i + 1].labelOnly &&
      alike(rows[i], rows[i + 1]) &&
      indentedUnder(rows[i], rows[i + 1])
    )
      indented = true;
  // Aligned lines of one cell are set closer than rows are (the row's padding): the common pitch
  // between lines is the rows'; an aligned line that follows at that pitch is a row of its own.
  const pitches = new Map<number, number>();
  for (let i = 0; i + 1 < rows.length; i++)
    if (near(rows[i], rows[i + 1])) {
      const d = Math.round((rows[i].line.y - rows[i + 1].line.y) * 2) / 2;
      pitches.set(d, (pitches.get(d) ?? 0) + 1);
    }
  let rowPitch = 0;
  let most = 0;
  for (const [d, n] of pitches) if (n > most || (n === most && d > rowPitch)) [rowPitch, most] = [d, n];
  /** Whether k's place, font and size make it the next line of h's label (whatever its cells); `prev` the line above k. */
  const continues = (h: Row, k: Row, prev: Row) =>
    alike(h, k) &&
    (indented
      ? indentedUnder(h, k)
      : Math.abs(k.line.items[0].x - labelX(h)) <= 0.3 * h.line.size &&
        near(prev, k) &&
        prev.line.y - k.line.y < 0.95 * rowPitch);

  // Amounts on the first line of wrapped labels (E1) or on a later one (E2): only a document of E1 alone is reordered.
  let first = 0;
  let later = 0;
  for (let i = 0; i + 1 < rows.length; i++) {
    const h = rows[i];
    const k = rows[i + 1];
    if (!MARKER.test(h.line.text) || !near(h, k) || !continues(h, k, h)) continue;
    if (h.cellFrom > 0 && h.cellFrom < h.line.items.length && k.labelOnly) first++;
    else if (h.labelOnly && k.cellFrom < k.line.items.length) later++;
  }
  if (first === 0 || later > 0) return rows.map((r) => ({ text: r.line.parsed, page: r.page }));

  const out: OrderedLine[] = [];
  const moved = new Set<number>();
  for (let i = 0; i < rows.length; i++) {
    if (moved.has(i)) continue;
    const h = rows[i];
    const n = h.line.items.length;
    // A row whose amount column holds something that is no amount (`—`, `n/a`, `&0`) is left as
    // printed: its label's rest moved there would end right before the code, and a rest that ends
    // in a number (`Regulation` / `30.7`) would be read as the amount.
    if (!(h.cellFrom > 0 && h.cellFrom < n) || h.line.items[h.cellFrom - 1].x >= zoneX - 0.5 * h.line.size) {
      out.push({ text: h.line.parsed, page: h.page });
      continue;
    }
    const rest: string[] = [];
    let prev = h;
    for (let j = i + 1; j < rows.length; j++) {
      const k = rows[j];
      // A page's running header and footer are never moved, and never end a label that goes on over the page.
      if (k.furniture) continue;
      // On the same page: within a line pitch; on the next page: its first body line (prev was the last of its page).
      if (k.page === prev.page ? !near(prev, k) : k.page !== prev.page + 1) break;
      if (!k.labelOnly || !continues(h, k, prev)) break;
      rest.push(k.line.text);
      moved.add(j);
      prev = k;
    }
    if (rest.length === 0) {
      out.push({ text: h.line.parsed, page: h.page });
      continue;
    }
    // The label, its rest, a tab, the cells (the label now ends in its rest's last word, never next to an amount).
    out.push({
      text: `${[joinColumns(h.line.items.slice(0, h.cellFrom)), ...rest].join(' ')}\t${joinColumns(h.line.items.slice(h.cellFrom))}`,
      page: h.page,
    });
  }
  return out;
}

/**
 * The text the parser reads: labelOrder's lines, one a line, each page after the first starting
 * with a form feed (`\f`, as pdftotext marks a page break; the parser reads it as whitespace). A
 * page break is where a header field's wrapped value ends: the next page's running header is not
 * the rest of a firm name printed last on its page.
 */
export function parserText(pages: readonly (readonly PrintedLine[])[]): string {
  let text = '';
  let page = -1;
  for (const l of orderedLines(pages)) {
    if (page !== -1 && l.page !== page) text += '\f';
    text += `${l.text}\n`;
    page = l.page;
  }
  return text;
}

/**
 * The items that run in the page's own direction, turned so that direction is left to right.
 * A statement's text runs one way (0 degrees, or 90/180/270 on a page drawn turned); text at any
 * other angle, or a right angle not the page's, is a stamp or a watermark (`DRAFT`, a date across
 * the page), and its letters must not land inside the statement's lines (a `4` before `1,234`).
 */
function upright(items: PlacedText[]): PlacedText[] {
  const quarter = (it: PlacedText): number | null => {
    const a = (((it.angle ?? 0) % 360) + 360) % 360;
    const q = Math.round(a / 90) % 4;
    return Math.abs(a - Math.round(a / 90) * 90) <= 2 ? q : null;
  };
  const chars = [0, 0, 0, 0];
  for (const it of items) {
    const q = quarter(it);
    if (q !== null) chars[q] += it.str.length;
  }
  const main = chars.indexOf(Math.max(...chars));
  const out: PlacedText[] = [];
  for (const it of items) {
    if (quarter(it) !== main) continue;
    // Turn the page by -90 * main degrees: the text then runs along +x, its lines stack down y.
    const [x, y] = main === 0 ? [it.x, it.y] : main === 1 ? [it.y, -it.x] : main === 2 ? [-it.x, -it.y] : [-it.y, it.x];
    out.push(main === 0 ? it : { ...it, x, y });
  }
  return out;
}

// ---- bounded decompression, before pdf.js ----------------------------------------------------

class OverBudget extends Error {}

/**
 * How many bytes the file's streams decompress to, stopping (OverBudget) once past `budget`.
 * Each stream's /Filter chain is followed through the filters that can expand data a lot (Flate,
 * LZW, RunLength) and the text encodings before them (ASCIIHex, ASCII85); every stage's output
 * counts, since pdf.js keeps each stage's output whole. A chain that reaches an image filter (DCT,
 * JPX, CCITT, JBIG2) or encryption stops there. A stream whose /Filter cannot be read here (an
 * indirect reference) but whose data starts like zlib is counted as Flate.
 */
export function decodedSize(bytes: Uint8Array, budget: number): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buf.toString('latin1');
  const re = /(?<!end)stream(?:\r\n|\n|\r)/g;
  let used = 0;
  const count = (n: number) => {
    used += n;
    if (used > budget) throw new OverBudget();
  };
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const start = m.index + m[0].length;
    const filters = filtersBefore(text, m.index);
    let data: Buffer = buf.subarray(start);
    const chain = filters ?? (isZlib(data) ? ['FlateDecode'] : []);
    for (const f of chain) {
      const next = decodeStage(f, data, budget - used);
      if (next === null) break;
      count(next.length);
      data = next;
    }
  }
  return used;
}

/**
 * An upper bound of what decodedSize counts, without decompressing: per filter stage, the most
 * its input can expand to (deflate at most 1032:1, RunLength 128:1, ASCII85 4:1 with `z`,
 * ASCIIHex 1:2); LZW (up to 4096 bytes a code) is counted as unbounded. A filing's PDF is a few
 * tens of KB, so its bound is far below the budget and its streams need not be inflated twice
 * (pdf.js inflates them again): `fitsDecodedBudget` decompresses only when the bound is over.
 */
export function decodedBound(bytes: Uint8Array): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buf.toString('latin1');
  const re = /(?<!end)stream(?:\r\n|\n|\r)/g;
  let bound = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endstream', start);
    let len = (end === -1 ? text.length : end) - start;
    const filters = filtersBefore(text, m.index);
    const chain = filters ?? (isZlib(buf.subarray(start, start + 2)) ? ['FlateDecode'] : []);
    for (const f of chain) {
      const ratio =
        f === 'FlateDecode'
          ? 1032
          : f === 'RunLengthDecode'
            ? 128
            : f === 'ASCII85Decode'
              ? 4
              : f === 'ASCIIHexDecode'
                ? 0.5
                : f === 'LZWDecode'
                  ? Number.POSITIVE_INFINITY
                  : 0;
      if (ratio === 0) break;
      len = Math.ceil(len * ratio) + 1024;
      bound += len;
    }
  }
  return bound;
}

/** Whether the file's streams decompress to at most `budget` bytes: the bound when it settles it, else decodedSize. */
export function fitsDecodedBudget(bytes: Uint8Array, budget: number): boolean {
  if (decodedBound(bytes) <= budget) return true;
  try {
    decodedSize(bytes, budget);
    return true;
  } catch (e) {
    if (e instanceof OverBudget) return false;
    throw e;
  }
}

function isZlib(b: Uint8Array): boolean {
  return b.length >= 2 && (b[0] & 0x0f) === 8 && b[0] >> 4 <= 7 && ((b[0] << 8) | b[1]) % 31 === 0;
}

const FILTER_NAMES: Record<string, string> = {
  Fl: 'FlateDecode',
  AHx: 'ASCIIHexDecode',
  A85: 'ASCII85Decode',
  LZW: 'LZWDecode',
  RL: 'RunLengthDecode',
};

/** The /Filter names of the stream dictionary that ends just before `at`; null if there is none that can be read here. */
function filtersBefore(text: string, at: number): string[] | null {
  // Back over whitespace to the dictionary's closing >>, then to its matching <<.
  let i = at - 1;
  while (i > 0 && /\s/.test(text[i])) i--;
  if (text[i] !== '>' || text[i - 1] !== '>') return null;
  let depth = 0;
  const stop = Math.max(0, i - 64 * 1024);
  let j = i;
  for (; j > stop; j--) {
    if (text[j] === '>' && text[j - 1] === '>') {
      depth++;
      j--;
    } else if (text[j] === '<' && text[j - 1] === '<') {
      depth--;
      j--;
      if (depth === 0) break;
    }
  }
  if (depth !== 0) return null;
  const dict = text.slice(j - 1, i + 1);
  // Only the top level's /Filter (a /DecodeParms dictionary has none).
  const m = /\/Filter\s*(\[[^\]]*\]|\/[^\s/[\]<>()]+|\d+\s+\d+\s+R)/.exec(dict);
  if (!m) return [];
  if (/R$/.test(m[1])) return null;
  return [...m[1].matchAll(/\/([^\s/[\]<>()]+)/g)].map((x) => FILTER_NAMES[x[1]] ?? x[1]);
}

/** One filter stage's output, at most `room` bytes (OverBudget past it); null for a filter this check does not follow. */
function decodeStage(filter: string, data: Buffer, room: number): Buffer | null {
  switch (filter) {
    case 'FlateDecode':
      if (!isZlib(data)) return null;
      try {
        // Stops at the end of the deflate stream; a damaged one gives what it has so far.
        return inflateSync(data, { maxOutputLength: Math.max(1, room + 1), finishFlush: zlibConstants.Z_SYNC_FLUSH });
      } catch (e) {
        if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new OverBudget();
        return null;
      }
    case 'ASCIIHexDecode':
      return asciiHex(data);
    case 'ASCII85Decode':
      return ascii85(data);
    case 'RunLengthDecode':
      return runLength(data, room);
    case 'LZWDecode':
      return lzw(data, room);
    default:
      return null;
  }
}

function asciiHex(data: Buffer): Buffer {
  const end = data.indexOf(0x3e); // '>'
  const hex = data
    .subarray(0, end === -1 ? data.length : end)
    .toString('latin1')
    .replace(/[^0-9a-fA-F]/g, '');
  return Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
}

function ascii85(data: Buffer): Buffer {
  const end = data.indexOf('~>', 0, 'latin1');
  const s = data
    .subarray(0, end === -1 ? data.length : end)
    .toString('latin1')
    .replace(/\s/g, '');
  const out: number[] = [];
  let group: number[] = [];
  for (const ch of s) {
    if (ch === 'z' && group.length === 0) {
      out.push(0, 0, 0, 0);
      continue;
    }
    const c = ch.charCodeAt(0) - 33;
    if (c < 0 || c > 84) break;
    group.push(c);
    if (group.length === 5) {
      const v = group.reduce((a, d) => a * 85 + d, 0);
      out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
      group = [];
    }
  }
  if (group.length > 1) {
    const n = group.length - 1;
    while (group.length < 5) group.push(84);
    const v = group.reduce((a, d) => a * 85 + d, 0);
    out.push(...[(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].slice(0, n));
  }
  return Buffer.from(out);
}

function runLength(data: Buffer, room: number): Buffer {
  const chunks: Buffer[] = [];
  let n = 0;
  for (let i = 0; i < data.length; ) {
    const len = data[i++];
    if (len === 128) break;
    const piece = len < 128 ? data.subarray(i, (i += len + 1)) : Buffer.alloc(257 - len, data[i++] ?? 0);
    n += piece.length;
    if (n > room) throw new OverBudget();
    chunks.push(piece);
  }
  return Buffer.concat(chunks);
}

function lzw(data: Buffer, room: number): Buffer {
  // PDF's LZW with the default early change: 9- to 12-bit codes, 256 clears the table, 257 ends.
  const prefix = new Int32Array(4096);
  const last = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const lengths = new Int32Array(4096);
  for (let c = 0; c < 256; c++) {
    prefix[c] = -1;
    last[c] = first[c] = c;
    lengths[c] = 1;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  let next = 258;
  let width = 9;
  let prev = -1;
  let bits = 0;
  let nbits = 0;
  for (let i = 0; ; ) {
    while (nbits < width && i < data.length) {
      bits = ((bits << 8) | data[i++]) & 0xffffff;
      nbits += 8;
    }
    if (nbits < width) break;
    const code = (bits >>> (nbits - width)) & ((1 << width) - 1);
    nbits -= width;
    if (code === 256) {
      next = 258;
      width = 9;
      prev = -1;
      continue;
    }
    if (code === 257) break;
    if (prev !== -1 && next < 4096 && code <= next) {
      // The entry being defined: prev followed by the first byte of `code` (of prev itself when code is new).
      prefix[next] = prev;
      first[next] = first[prev];
      last[next] = code === next ? first[prev] : first[code];
      lengths[next] = lengths[prev] + 1;
      next++;
      if (next + 1 > (1 << width) - 1 && width < 12) width++;
    } else if (code >= next || (prev === -1 && code > 257)) break; // damaged: stop, as pdf.js does
    const n = lengths[code];
    total += n;
    if (total > room) throw new OverBudget();
    const piece = Buffer.allocUnsafe(n);
    for (let k = code, p = n - 1; p >= 0; p--, k = prefix[k]) piece[p] = last[k];
    chunks.push(piece);
    prev = code;
  }
  return Buffer.concat(chunks);
}

// ---- extraction ------------------------------------------------------------------------------

type PdfJs = Awaited<ReturnType<typeof import('unpdf')['getResolvedPDFJS']>>;
type PdfWorker = InstanceType<PdfJs['PDFWorker']>;
let pdfjs: Promise<{ lib: PdfJs; worker: () => PdfWorker }> | undefined;

/** pdf.js, loaded on the first PDF (the functions' main bundle leaves `unpdf` out: infra/bundling.ts), with the worker all documents share. */
function loadPdfJs(): Promise<{ lib: PdfJs; worker: () => PdfWorker }> {
  // In a function bundle, `unpdf` is an ES module file of its own beside index.js (infra/bundling.ts).
  pdfjs ??= import('unpdf')
    .then((m) => m.getResolvedPDFJS())
    .then((lib) => {
      let current: PdfWorker | undefined;
      return {
        lib,
        worker: () => {
          if (!current || current.destroyed) current = inThreadWorker(lib);
          return current;
        },
      };
    })
    .catch((e: unknown) => {
      pdfjs = undefined;
      throw e;
    });
  return pdfjs;
}

/**
 * pdf.js's worker, in this thread, as its "fake worker" is, but one for all the documents of the
 * process (pdf.js sets a fake worker up for each document it is not given a worker for: a port,
 * two message handlers and a configure message, each time), over a port that copies plain
 * messages itself (CopyingPort) instead of through structuredClone. Each document still has its
 * own message handlers on that port, and its own worker-side document, destroyed with it.
 */
function inThreadWorker(lib: PdfJs): PdfWorker {
  const handler = (globalThis as { pdfjsWorker?: { WorkerMessageHandler?: WorkerMessageHandlerLike } }).pdfjsWorker
    ?.WorkerMessageHandler;
  // (unpdf's build of pdf.js sets globalThis.pdfjsWorker; were it missing, pdf.js's own fake worker per document.)
  if (!handler) return new lib.PDFWorker({ verbosity: 0 });
  const port = new CopyingPort();
  sharedPort = port;
  handler.initializeFromPort(port);
  return new lib.PDFWorker({ port: port as never, verbosity: 0 });
}

let sharedPort: CopyingPort | undefined;

/** How many message handlers listen on the shared worker's port (the worker's own, the main side's, and two for each document not yet destroyed); -1 before the first PDF. For tests. */
export function pdfWorkerListeners(): number {
  return sharedPort?.listeners ?? -1;
}

interface WorkerMessageHandlerLike {
  initializeFromPort(port: unknown): void;
}

type Listener = (event: { data: unknown }) => void;

/**
 * What pdf.js's LoopbackPort does (every message delivered to every listener a microtask later,
 * as a copy, so neither side sees what the other changes after sending), with the copy made by
 * plainCopy: pdf.js's messages are almost all plain objects, arrays and primitives (a page's text
 * items), which structuredClone copies at several times the cost. Any message that is not plain
 * through and through (the file's bytes, an error, a class instance) is copied by structuredClone,
 * as before, with its transfer list.
 */
export class CopyingPort {
  readonly #listeners = new Map<Listener, (() => void) | null>();
  readonly #ready = Promise.resolve();

  postMessage(message: unknown, transfer?: unknown[]): void {
    const copied = plainCopy(message, 0);
    const event = {
      data:
        copied === NOT_PLAIN
          ? structuredClone(message, transfer ? { transfer: transfer as never[] } : undefined)
          : copied,
    };
    void this.#ready.then(() => {
      for (const [listener] of this.#listeners) listener.call(this, event);
    });
  }

  addEventListener(_type: string, listener: Listener, options: { signal?: AbortSignal } | null = null): void {
    let unlink: (() => void) | null = null;
    const signal = options?.signal;
    if (signal instanceof AbortSignal) {
      if (signal.aborted) return;
      const onAbort = () => this.removeEventListener(_type, listener);
      unlink = () => signal.removeEventListener('abort', onAbort);
      signal.addEventListener('abort', onAbort);
    }
    this.#listeners.set(listener, unlink);
  }

  removeEventListener(_type: string, listener: Listener): void {
    this.#listeners.get(listener)?.();
    this.#listeners.delete(listener);
  }

  terminate(): void {
    for (const [, unlink] of this.#listeners) unlink?.();
    this.#listeners.clear();
  }

  /** How many message handlers listen (one pair per open document, plus the worker's own): for tests. */
  get listeners(): number {
    return this.#listeners.size;
  }
}

/** What plainCopy gives for a value it does not copy. */
export const NOT_PLAIN: unique symbol = Symbol('not plain');

/**
 * A deep copy of `v` if it is made only of primitives, dense arrays and plain objects (prototype
 * Object.prototype or null; copied as structuredClone copies them: own enumerable string keys, in
 * order, into a new plain object), at most 32 levels deep (deeper, or a cycle: not plain);
 * NOT_PLAIN otherwise.
 */
export function plainCopy(v: unknown, depth: number): unknown {
  if (typeof v !== 'object' || v === null) return typeof v === 'function' || typeof v === 'symbol' ? NOT_PLAIN : v;
  if (depth > 32) return NOT_PLAIN;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return NOT_PLAIN;
    const n = v.length;
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      if (!(i in v)) return NOT_PLAIN;
      const x: unknown = v[i];
      const c = typeof x === 'object' && x !== null ? plainCopy(x, depth + 1) : primitive(x);
      if (c === NOT_PLAIN) return NOT_PLAIN;
      out[i] = c;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const x = (v as Record<string, unknown>)[k];
    const c = typeof x === 'object' && x !== null ? plainCopy(x, depth + 1) : primitive(x);
    if (c === NOT_PLAIN) return NOT_PLAIN;
    out[k] = c;
  }
  return out;
}

const primitive = (x: unknown): unknown => (typeof x === 'function' || typeof x === 'symbol' ? NOT_PLAIN : x);

/**
 * pdf.js (5.x) inflates a Flate stream through the platform's DecompressionStream when there is
 * one: in Node a web stream over zlib, on the thread pool, several promise turns and a thread hop
 * for every content stream and font of a few KB (a tenth of a filing's time, and the main thread
 * waits idle meanwhile). Without it pdf.js inflates with its own decoder, at once, in this thread,
 * to the same bytes (the same decoder it falls back to for a stream zlib refuses). So while
 * documents are being read the global is one that refuses every stream at once (with an error
 * made once: pdf.js only catches it; an error made each time, with its stack, costs a few % of
 * a filing), and the platform's is back when no document is being read.
 */
let reading = 0;
let decompressionStream: PropertyDescriptor | undefined;
let refused: Error | undefined;
class RefusingDecompressionStream {
  constructor() {
    throw (refused ??= new Error('pdf.js inflates Flate streams itself here (shared/domain/formats/pdf.ts)'));
  }
}
function hideDecompressionStream(): void {
  if (reading++ > 0) return;
  decompressionStream = Object.getOwnPropertyDescriptor(globalThis, 'DecompressionStream');
  if (decompressionStream?.configurable)
    Object.defineProperty(globalThis, 'DecompressionStream', {
      value: RefusingDecompressionStream,
      configurable: true,
      writable: true,
    });
  else decompressionStream = undefined;
}
function restoreDecompressionStream(): void {
  if (--reading > 0 || !decompressionStream) return;
  Object.defineProperty(globalThis, 'DecompressionStream', decompressionStream);
  decompressionStream = undefined;
}

/** How pdfToText opens a document with pdf.js (besides its bytes and the shared worker): no eval, fonts or canvas, nothing fetched, errors passed over. */
export const PDFJS_DOCUMENT_OPTIONS = {
  verbosity: 0,
  isEvalSupported: false,
  disableFontFace: true,
  useSystemFonts: true,
  useWorkerFetch: false,
  isOffscreenCanvasSupported: false,
  isImageDecoderSupported: false,
  enableXfa: false,
  stopAtErrors: false,
} as const;

/** How pdfToText asks for a page's text (pageLines folds the spaces pdf.js's normalization covers). */
export const PDFJS_TEXT_OPTIONS = { includeMarkedContent: false, disableNormalization: true } as const;

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** pdf.js's exceptions as one-line reasons. */
function reasonOf(e: unknown): string {
  const name = (e as { name?: string })?.name ?? '';
  const message = String((e as { message?: string })?.message ?? e)
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\.$/, '')
    .slice(0, 160);
  if (name === 'PasswordException') return 'the PDF is password-protected';
  if (name === 'InvalidPDFException') return `the PDF is damaged (${message.toLowerCase() || 'invalid PDF structure'})`;
  return `the PDF cannot be read (${message || name || 'unknown error'})`;
}

/**
 * The PDF's text in reading order: one line of text per line of the page, pages in order.
 * Throws PdfError('no-text-layer') for a scan, PdfError('bad-pdf') for a damaged file (or one
 * past PDF_LIMITS; `limits` overrides them).
 */
export async function pdfToText(bytes: Uint8Array, limits: Partial<PdfLimits> = {}): Promise<string> {
  return (await pdfToLines(bytes, limits)).text;
}

/** A PDF's text two ways: `printed`, line for line as printed (what poppler's pdftotext -layout reads), and `text`, those lines in the parser's order (labelOrder): what pdfToText gives. */
export interface PdfLines {
  printed: string[];
  text: string;
}

/** pdfToText, also giving the lines as printed. */
export async function pdfToLines(bytes: Uint8Array, limits: Partial<PdfLimits> = {}): Promise<PdfLines> {
  const lim = { ...PDF_LIMITS, ...limits };
  const started = Date.now();
  const late = () => new PdfError('bad-pdf', `reading the PDF took longer than ${lim.timeoutMs / 1000} s`);
  if (bytes.length > lim.maxBytes)
    throw new PdfError('bad-pdf', `the PDF is ${bytes.length} bytes, over the ${lim.maxBytes}-byte limit`);
  if (!looksLikePdf(bytes)) throw new PdfError('bad-pdf', 'the file is not a PDF (no %PDF- header)');
  if (!fitsDecodedBudget(bytes, lim.maxDecodedBytes))
    throw new PdfError(
      'bad-pdf',
      `the PDF decompresses to more than ${lim.maxDecodedBytes / MIB} MiB; a filing's PDF is far smaller (and scanned PDFs are not supported)`,
    );

  const { lib, worker } = await loadPdfJs();
  // A copy: pdf.js may take ownership of (detach) the buffer it is given.
  let task: ReturnType<PdfJs['getDocument']>;
  hideDecompressionStream();
  try {
    task = lib.getDocument({ ...PDFJS_DOCUMENT_OPTIONS, data: new Uint8Array(bytes), worker: worker() });
  } catch (e) {
    restoreDecompressionStream();
    throw new PdfError('bad-pdf', reasonOf(e));
  }
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), Math.max(0, lim.timeoutMs - (Date.now() - started)));
  });
  const work = async (): Promise<PdfLines> => {
    let doc: Awaited<typeof task.promise>;
    try {
      doc = await task.promise;
    } catch (e) {
      throw new PdfError('bad-pdf', reasonOf(e));
    }
    const pages = doc.numPages;
    if (pages < 1) throw new PdfError('bad-pdf', 'the PDF has no pages');
    if (pages > lim.maxPages)
      throw new PdfError(
        'bad-pdf',
        `the PDF has ${plural(pages, 'page')}; segwatch reads at most ${lim.maxPages} (a daily filing has a few)`,
      );
    const out: PrintedLine[][] = [];
    let chars = 0;
    let count = 0;
    const n = (x: number) => x.toLocaleString('en-US');
    const tooMuch = () =>
      new PdfError(
        'bad-pdf',
        `the PDF holds more than ${n(lim.maxTextChars)} characters or ${n(lim.maxTextItems)} pieces of text; a daily filing has far fewer`,
      );
    for (let p = 1; p <= pages && !stopped; p++) {
      const items: PlacedText[] = [];
      try {
        const page = await doc.getPage(p);
        // Read as a stream, so a page of millions of tiny pieces of text is stopped at the limit,
        // not held whole (pdf.js waits for this reader before it makes more). pdf.js's own
        // normalization (NFKC of a few ranges) costs a tenth of the extraction; pageLines folds
        // the spaces it covers and spells out the Latin ligatures itself.
        const reader = page.streamTextContent(PDFJS_TEXT_OPTIONS).getReader();
        for (let r = await reader.read(); !r.done; r = await reader.read()) {
          for (const it of (r.value as { items: unknown[] }).items) {
            if (typeof it !== 'object' || it === null || !('str' in it)) continue;
            const {
              str,
              transform: t,
              width,
              height,
              fontName,
            } = it as { str: string; transform: number[]; width: number; height: number; fontName?: string };
            chars += str.length;
            if (++count > lim.maxTextItems || chars > lim.maxTextChars) throw tooMuch();
            items.push({
              str,
              x: t[4],
              y: t[5],
              width,
              size: height > 0 ? height : Math.hypot(t[2], t[3]),
              // (Upright text, the common case, without the trigonometry.)
              angle: t[1] === 0 && t[0] > 0 ? 0 : (Math.atan2(t[1], t[0]) * 180) / Math.PI,
              font: fontName,
            });
          }
          // (pdf.js, in this thread, reads a page in promise turns: the deadline's timer may not get a turn before the page ends.)
          if (stopped || Date.now() - started > lim.timeoutMs) throw late();
        }
        page.cleanup();
      } catch (e) {
        if (e instanceof PdfError) throw e;
        throw new PdfError('bad-pdf', `${reasonOf(e)} on page ${p}`);
      }
      out.push(pageRows(items));
      if (Date.now() - started > lim.timeoutMs) throw late();
    }
    const printed = out.flatMap((ls) => ls.map((l) => l.text));
    if (printed.length === 0) throw new PdfError('no-text-layer', 'no text layer; scanned PDFs are not supported');
    return { printed, text: parserText(out) };
  };
  const working = work();
  working.catch(() => undefined); // if the deadline wins, the work's own end is not an unhandled rejection
  try {
    return await Promise.race([working, deadline]);
  } finally {
    restoreDecompressionStream();
    stopped = true;
    clearTimeout(timer);
    // pdf.js frees the document; after a stream given up half-way it may never say it is done,
    // so it gets a moment, not a promise that could keep the caller waiting.
    let wait: NodeJS.Timeout | undefined;
    await Promise.race([task.destroy().catch(() => undefined), new Promise((res) => (wait = setTimeout(res, 250)))]);
    clearTimeout(wait);
  }
}
