/**
 * Parser for daily segregation filings in any rendering seen in the wild (FORMS.md): WinJammer
 * markup, PDF-to-text with lines run together, CRLF, parentheses negatives, two cells on a line.
 *
 * One pass of one regular expression finds every `amount [code]` cell; everything else (header,
 * titles, labels of the few lines whose label matters, uncoded sub-lines) is read around it.
 */
import { AMOUNT_SOURCE, decimalFromDigits, MAX_AMOUNT_DIGITS, parseAmount, type Decimal } from './money';
import { FORMS, STATEMENT_KEYS, type FormSet, type StatementKey, type Variant } from './forms';
import type { Filing, FilingType, Statement, UncodedLine } from './model';

export const MAX_FILING_BYTES = 5 * 1024 * 1024;

export type FilingErrorCode = 'empty' | 'too-large' | 'binary' | 'not-utf8' | 'not-a-filing' | 'bad-header' | 'truncated';

/** Why a file is not a usable filing. `message` is one line, fit for a person. */
export class FilingError extends Error {
  constructor(
    readonly code: FilingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FilingError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Check raw bytes (size, binary, UTF-8) and decode them; throws FilingError. */
export function decodeFiling(bytes: Uint8Array, maxBytes = MAX_FILING_BYTES): string {
  if (bytes.length === 0) throw new FilingError('empty', 'the file is empty');
  if (bytes.length > maxBytes) throw new FilingError('too-large', `the file is ${bytes.length} bytes, over the ${maxBytes}-byte limit`);
  if (bytes.indexOf(0) !== -1) throw new FilingError('binary', 'the file is binary (it contains NUL bytes), not a text filing');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new FilingError('not-utf8', 'the file is not valid UTF-8 text');
  }
  // eslint-disable-next-line no-control-regex
  const controls = text.match(/[\x01-\x08\x0e-\x1f\x7f]/g);
  if (controls && controls.length > 16) throw new FilingError('binary', 'the file is binary (control characters), not a text filing');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

// ---- header ----------------------------------------------------------------------------------

const TYPE_RE = /\b(INITIAL|AMENDMENT)\b/;
const END_RE = /End\s*Date\s*:\s*(\d{1,2})\/(\d{1,2})\/(\d{4})/gi;
const SUBMIT_RE = /Submit\s*Date\s*:\s*(\d{1,2})\/(\d{1,2})\/(\d{4})/gi;
const FIRM_RE = /Firm\s*Name\s*:[ \t]*(.*?)[ \t]*(?:\*\*|\r|\n|\bForm\s*:|\bSubmit\s*Date\s*:|\bEnd\s*Date\s*:|\bPage\s+\d+\s+of\s+\d+|$)/gi;
const FORM_RE = /\bForm\s*:[ \t]*(.*?)[ \t]*(?:\*\*|\r|\n|\bSubmit\s*Date\s*:|\bDaily\s+Segregation\b|\bPage\s+\d+\s+of\s+\d+|$)/i;
const TITLE_RE = /Daily\s+Segregation\s*-\s*(Secured\s+Amounts|Segregation\s+Statement|Swaps\s+Statement|Sequestration\s+Statement)/gi;

function isoDate(m: RegExpMatchArray | RegExpExecArray, what: string): string {
  const month = Number.parseInt(m[1], 10);
  const day = Number.parseInt(m[2], 10);
  const year = Number.parseInt(m[3], 10);
  const d = new Date(Date.UTC(year, month - 1, day));
  if (year < 1990 || year > 2100 || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
    throw new FilingError('bad-header', `the ${what} ${m[1]}/${m[2]}/${m[3]} is not a real date`);
  return `${m[3]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Firm names are shown in alert subjects and emails: plain text, one line, bounded. */
export function cleanText(raw: string, max = 200): string {
  return raw
    .replace(/<[^>]*>?/g, ' ')
    .replace(/\*\*/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max)
    .trim();
}

/** Stable id of a firm from its name as written: "Citigroup Global Markets Inc." -> "citigroup-global-markets-inc". */
export function firmIdOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

function one<T>(values: T[], what: string): T | undefined {
  const distinct = [...new Set(values)];
  if (distinct.length > 1) throw new FilingError('bad-header', `the file names more than one ${what} (${distinct.slice(0, 3).join(', ')}): not a single filing`);
  return distinct[0];
}

interface Header {
  filingType: FilingType;
  endDate: string;
  submitDate: string;
  firmName: string;
  firmId: string;
  form: string;
}

/**
 * Every match of `re` (case-insensitive, global) in `text`. Fast path: find the literal `anchor`
 * with indexOf and try the sticky form of the pattern starting `back` characters before it; the
 * full case-insensitive scan runs only when the literal never occurs (e.g. "END DATE").
 */
function matchesAt(text: string, anchor: string, back: number, sticky: RegExp, re: RegExp): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  let from = 0;
  let seen = false;
  for (let p = text.indexOf(anchor, from); p !== -1; p = text.indexOf(anchor, from)) {
    seen = true;
    for (let b = Math.max(0, p - back); b <= p; b++) {
      sticky.lastIndex = b;
      const m = sticky.exec(text);
      if (m) {
        out.push(m);
        break;
      }
    }
    from = p + anchor.length;
  }
  if (seen) return out;
  re.lastIndex = 0;
  return [...text.matchAll(re)];
}

const sticky = (re: RegExp) => new RegExp(re.source, 'iy');
const END_Y = sticky(END_RE);
const SUBMIT_Y = sticky(SUBMIT_RE);
const FIRM_Y = sticky(FIRM_RE);
const TITLE_Y = sticky(TITLE_RE);

function parseHeader(text: string, hasCells: boolean): Header {
  const typeM = TYPE_RE.exec(text);
  const ends = matchesAt(text, 'Date', 6, END_Y, END_RE).map((m) => isoDate(m, 'End Date'));
  const submits = matchesAt(text, 'Date', 9, SUBMIT_Y, SUBMIT_RE).map((m) => isoDate(m, 'Submit Date'));
  const firms = matchesAt(text, 'Name', 8, FIRM_Y, FIRM_RE)
    .map((m) => cleanText(m[1]))
    .filter((s) => s.length > 0);
  const missing: string[] = [];
  if (!typeM) missing.push('filing type (INITIAL or AMENDMENT)');
  if (ends.length === 0) missing.push('End Date');
  if (firms.length === 0) missing.push('Firm Name');
  if (submits.length === 0) missing.push('Submit Date');
  if (missing.length === 4 && !hasCells)
    throw new FilingError('not-a-filing', 'not a daily segregation filing: no filing header and no [code] amounts');
  if (missing.length > 0) throw new FilingError('bad-header', `the filing header lacks ${missing.join(', ')}`);
  const firmName = one(firms, 'firm')!;
  const firmId = firmIdOf(firmName);
  if (!firmId) throw new FilingError('bad-header', 'the Firm Name has no letters or digits');
  const formM = FORM_RE.exec(text);
  return {
    filingType: typeM![1] as FilingType,
    endDate: one(ends, 'End Date')!,
    submitDate: one(submits, 'Submit Date')!,
    firmName,
    firmId,
    form: formM ? cleanText(formM[1], 100) : '',
  };
}

// ---- cells -----------------------------------------------------------------------------------

const PART_RE = new RegExp(String.raw`(?<=^|\s)([A-Z])\.\s+(.*?)\s+(${AMOUNT_SOURCE})\s*(?=[A-Z]\.\s|$)`, 'gs');

export interface Cell {
  code: string;
  amount: Decimal | null;
  start: number;
  end: number;
}

/** Codes whose label decides the variant: the ones whose label differs between variants. */
function labelCodes(forms: FormSet): Set<string> {
  const out = new Set<string>();
  for (const key of STATEMENT_KEYS) {
    const labels = new Map<string, Set<string>>();
    for (const v of forms.statements[key].variants)
      for (const l of v.lines) {
        let s = labels.get(l.code);
        if (!s) labels.set(l.code, (s = new Set()));
        s.add(l.label);
      }
    for (const [code, s] of labels) if (s.size > 1) out.add(code);
  }
  return out;
}

function words(s: string): Set<string> {
  return new Set(s.toLowerCase().match(/[a-z]+/g) ?? []);
}

function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  for (const w of a) if (b.has(w)) common++;
  return common / (a.size + b.size - common);
}

export interface ParserOptions {
  forms?: FormSet;
}

interface Compiled {
  forms: FormSet;
  labelCodes: Set<string>;
  partCodes: Map<string, { id: string; label: string }[]>;
  /** Per variant id: the words of each label-deciding line's label. */
  labelWords: Map<string, Map<string, Set<string>>>;
}

const compiledCache = new WeakMap<FormSet, Compiled>();
function compiled(forms: FormSet): Compiled {
  let c = compiledCache.get(forms);
  if (!c) {
    const partCodes = new Map<string, { id: string; label: string }[]>();
    const labelWords = new Map<string, Map<string, Set<string>>>();
    const deciding = labelCodes(forms);
    for (const v of forms.variants) {
      const m = new Map<string, Set<string>>();
      for (const l of v.lines) {
        if (l.parts) partCodes.set(l.code, l.parts);
        if (deciding.has(l.code)) m.set(l.code, words(l.label));
      }
      labelWords.set(v.id, m);
    }
    c = { forms, labelCodes: deciding, partCodes, labelWords };
    compiledCache.set(forms, c);
  }
  return c;
}

function cleanLabel(raw: string): string {
  return raw
    .slice(-400)
    .replace(/<[^>]*>/g, ' ').replace(/\*\*|##/g, ' ').replace(/\s+/g, ' ').trim();
}

function chooseVariant(c: Compiled, key: StatementKey, st: Statement, title: string | undefined): Variant {
  const variants = c.forms.statements[key].variants;
  if (variants.length === 1) return variants[0];
  const foundCount = Object.keys(st.lines).length;
  const labelled: [string, Set<string>][] = [];
  for (const code of Object.keys(st.labels)) labelled.push([code, words(st.labels[code])]);
  const titleText = title ? title.toLowerCase().replace(/\s+/g, ' ') : undefined;
  let best = variants[0];
  let bestScore = -Infinity;
  for (const v of variants) {
    // Lines of the variant that are there, lines filed that it does not have, required lines missing.
    let present = 0;
    let missing = 0;
    for (const l of v.lines) {
      if (st.lines[l.code] !== undefined) present++;
      else if (!l.optional) missing++;
    }
    let score = 10 * present - 10 * (foundCount - present) - 10 * missing;
    const vw = c.labelWords.get(v.id)!;
    for (const [code, w] of labelled) {
      const lw = vw.get(code);
      if (lw) score += 3 * similarity(w, lw);
    }
    if (titleText && v.titles.some((t) => t.toLowerCase() === titleText)) score += 1;
    if (score > bestScore) {
      best = v;
      bestScore = score;
    }
  }
  return best;
}

function readParts(c: Compiled, text: string, from: number, to: number, partOf: string): UncodedLine[] {
  const defs = c.partCodes.get(partOf)!;
  // A PDF page number between the sub-lines is not an amount: `A. Cash 0 Page 3 of 5 B. ...`.
  const segment = text.slice(from, to).replace(/<[^>]*>/g, ' ').replace(/\bPage\s+\d+\s+of\s+\d+\b/g, ' ');
  const out: UncodedLine[] = [];
  for (const m of segment.matchAll(PART_RE)) {
    const idx = m[1].charCodeAt(0) - 65;
    const amount = parseAmount(m[3]);
    if (idx < 0 || idx >= defs.length || amount === null) continue;
    out.push({ id: defs[idx].id, partOf, label: cleanLabel(m[2]), amount });
  }
  return out;
}

export interface ParseResult {
  filing: Filing;
  /** Codes found with no readable amount before them. */
  unreadable: string[];
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isWs = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0;
// Any non-ASCII character other than a space glued to an amount makes it unreadable: a look-alike
// digit or comma ("2,563,5\uff159,677", "559\u066c677") must not leave its ASCII tail read as the amount.
const isWordish = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 44 || (c > 127 && !/\s/.test(String.fromCharCode(c)));

/** Skip whitespace and simple tags (`<u>`, `</b>`) backwards from j; returns the new j. */
function skipBack(t: string, j: number): number {
  for (;;) {
    while (j >= 0 && isWs(t.charCodeAt(j))) j--;
    if (j >= 1 && t.charCodeAt(j) === 62 /* > */) {
      let k = j - 1;
      while (k >= 0 && k > j - 12) {
        const c = t.charCodeAt(k);
        if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) k--;
        else break;
      }
      if (k < j - 1 && k >= 0) {
        if (t.charCodeAt(k) === 47 /* / */) k--;
        if (k >= 0 && t.charCodeAt(k) === 60 /* < */) {
          j = k - 1;
          continue;
        }
      }
    }
    return j;
  }
}

/**
 * Read the amount that ends at t[j] backwards. Returns [startIndex, digits, negative] or null.
 * Grammar (as AMOUNT_SOURCE): -?( \(\s*N\s*\) | N ), N = \d{1,3}(,\s?\d{3})+ | \d+
 */
function readBack(t: string, j: number): { start: number; digits: string; negative: boolean } | null {
  let paren = false;
  if (j >= 0 && t.charCodeAt(j) === 41 /* ) */) {
    paren = true;
    j--;
    while (j >= 0 && isWs(t.charCodeAt(j))) j--;
  }
  const groups: string[] = [];
  for (;;) {
    const end = j + 1;
    while (j >= 0 && isDigit(t.charCodeAt(j))) j--;
    const len = end - (j + 1);
    if (len === 0) return null;
    groups.push(t.slice(j + 1, end));
    // separator ", " or ","?
    let k = j;
    if (k >= 1 && t.charCodeAt(k) === 32 && t.charCodeAt(k - 1) === 44) k--;
    if (k >= 0 && t.charCodeAt(k) === 44 && k >= 1 && isDigit(t.charCodeAt(k - 1))) {
      if (len !== 3) return null;
      j = k - 1;
      continue;
    }
    if (groups.length > 1 && len > 3) return null;
    break;
  }
  if (paren) {
    while (j >= 0 && isWs(t.charCodeAt(j))) j--;
    if (j < 0 || t.charCodeAt(j) !== 40 /* ( */) return null;
    j--;
  }
  let negative = paren;
  if (j >= 0 && t.charCodeAt(j) === 45 /* - */) {
    negative = !negative;
    j--;
  }
  if (j >= 0 && isWordish(t.charCodeAt(j))) return null;
  const digits = groups.length === 1 ? groups[0] : groups.reverse().join('');
  return { start: j + 1, digits, negative };
}

/** The code finder; the benchmark's bare scan uses the same source. */
export const CODE_RE = /\[(\d{4})\]/g;

/**
 * Scan every `amount [code]` cell of a text: one pass of a literal-led regular expression finds
 * each `[dddd]`, and the amount is read backwards from it (over whitespace and `<u>`-style tags),
 * to the grammar of AMOUNT_SOURCE: `-?( \(N\) | N )`, N = `\d{1,3}(,\s?\d{3})+` or `\d+`, not
 * glued to a word, a dot or a comma. A code with no readable amount gets `amount: null`.
 */
export function scanCells(text: string): Cell[] {
  const cells: Cell[] = [];
  CODE_RE.lastIndex = 0;
  let floor = 0;
  for (let m = CODE_RE.exec(text); m !== null; m = CODE_RE.exec(text)) {
    const j = skipBack(text, m.index - 1);
    const a = j >= floor ? readBack(text, j) : null;
    let amount: Decimal | null = null;
    let start = m.index;
    if (a && a.start >= floor && a.digits.length <= MAX_AMOUNT_DIGITS) {
      amount = decimalFromDigits(a.digits, a.negative);
      start = a.start;
    }
    cells.push({ code: m[1], amount, start, end: CODE_RE.lastIndex });
    floor = CODE_RE.lastIndex;
  }
  return cells;
}

/**
 * Parse a decoded filing. Throws FilingError when the text is not a filing; anything short of
 * that (a missing line, an unknown code, an unreadable amount) is kept for the reconciler.
 */
export function parseFilingText(text: string, options: ParserOptions = {}): ParseResult {
  const c = compiled(options.forms ?? FORMS);
  if (!/\S/.test(text)) throw new FilingError('empty', 'the file is empty');
  const cells = scanCells(text);
  const header = parseHeader(text, cells.length > 0);
  if (cells.length === 0) throw new FilingError('truncated', 'the filing has a header but no statement amounts (truncated?)');

  const titles: { key: StatementKey; title: string; at: number }[] = [];
  for (const m of matchesAt(text, 'Daily', 0, TITLE_Y, TITLE_RE)) {
    const kind = m[1].toLowerCase().replace(/\s+/g, ' ');
    const key: StatementKey = kind === 'secured amounts' ? 'secured' : kind === 'segregation statement' ? 'segregation' : 'clearedSwaps';
    titles.push({ key, title: `Daily Segregation - ${m[1].replace(/\s+/g, ' ')}`, at: m.index });
  }

  const statements: Filing['statements'] = {};
  const unknownCodes: Filing['unknownCodes'] = [];
  const unreadable: string[] = [];
  let prevEnd = 0;
  for (const cell of cells) {
    const key = c.forms.statementOfCode(cell.code);
    if (cell.amount === null) {
      unreadable.push(cell.code);
    } else if (!key || !c.forms.knownCodes.has(cell.code)) {
      unknownCodes.push({ code: cell.code, amount: cell.amount });
    } else {
      let st = statements[key];
      if (!st) {
        st = statements[key] = { key, title: '', variant: '', lines: {}, labels: {}, uncoded: [], conflicts: [] };
      }
      const prior = st.lines[cell.code];
      if (prior === undefined) {
        st.lines[cell.code] = cell.amount;
        if (c.labelCodes.has(cell.code)) st.labels[cell.code] = cleanLabel(text.slice(prevEnd, cell.start)).slice(-160);
        if (c.partCodes.has(cell.code)) st.uncoded.push(...readParts(c, text, prevEnd, cell.start, cell.code));
      } else if (!prior.eq(cell.amount)) {
        const conflict = st.conflicts.find((x) => x.code === cell.code);
        if (conflict) conflict.amounts.push(cell.amount);
        else st.conflicts.push({ code: cell.code, amounts: [prior, cell.amount] });
      }
    }
    prevEnd = cell.end;
  }

  for (const key of STATEMENT_KEYS) {
    const st = statements[key];
    if (!st) continue;
    const title = titles.find((t) => t.key === key)?.title;
    const variant = chooseVariant(c, key, st, title);
    st.variant = variant.id;
    st.title = title ?? c.forms.statements[key].name;
  }
  return { filing: { ...header, statements, unknownCodes }, unreadable };
}

/** Decode bytes and parse; throws FilingError. */
export function parseFiling(bytes: Uint8Array, options: ParserOptions & { maxBytes?: number } = {}): ParseResult {
  return parseFilingText(decodeFiling(bytes, options.maxBytes), options);
}
