/**
 * Parser for daily segregation filings in any rendering seen in the wild (FORMS.md): WinJammer
 * markup, PDF-to-text with lines run together, CRLF, parentheses negatives, two cells on a line.
 *
 * One pass of one regular expression finds every `amount [code]` cell; everything else (header,
 * titles, labels of the few lines whose label matters, uncoded sub-lines) is read around it.
 */
import { AMOUNT_SOURCE, cmp, decimalFromLimbs, MAX_AMOUNT_DIGITS, parseAmount, type Decimal } from './money';
import { FORMS, STATEMENT_KEYS, type FormSet, type StatementKey, type Variant } from './forms';
import { Lines, type Filing, type FilingType, type Statement, type UncodedLine } from './model';

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
  let same = true;
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) same = false;
  if (same) return values[0];
  const distinct = [...new Set(values)];
  if (distinct.length > 1) throw new FilingError('bad-header', `the file names more than one ${what} (${distinct.slice(0, 3).join(', ')}): not a single filing`);
  return distinct[0];
}

type Header = Pick<Filing, 'filingType' | 'endDate' | 'submitDate' | 'firmName' | 'firmId' | 'form'>;

interface AnchoredPattern {
  /** The word the pattern has where the anchor is found (`Date` for the anchor `Da`). */
  literal: string;
  /** The pattern may start this many characters before the anchor. */
  back: number;
  /**
   * The regular expression looks at no character outside its match (End Date's, Submit Date's and
   * the title's do not: no lookaround, no \b, and every branch fails or ends inside the match):
   * where the text repeats a match, it is that match again, reused without running the expression
   * (every page repeats the header). Its `index` is then the first one's (no caller reads it).
   */
  repeatable?: boolean;
  sticky: RegExp;
  re: RegExp;
  /** Length of the literal the pattern starts with (`End`), followed by \s* and the anchor; 0 when it starts at the anchor. */
  prefixLength: number;
}

/**
 * Every match of each pattern (case-insensitive, global) in `text`, in one pass over the
 * occurrences of the literal `anchor` they share (`Da` for `Date` and `Daily`): where a pattern's
 * literal is at an occurrence, its sticky form is tried where it can start before it. A pattern's
 * full case-insensitive scan runs only when its literal never occurs (e.g. "END DATE").
 */
function matchesAt(text: string, anchor: string, patterns: readonly AnchoredPattern[]): RegExpExecArray[][] {
  const out: RegExpExecArray[][] = patterns.map(() => []);
  const seen = patterns.map(() => false);
  let from = 0;
  for (let p = text.indexOf(anchor, from); p !== -1; p = text.indexOf(anchor, from)) {
    for (let k = 0; k < patterns.length; k++) {
      const { literal, back, sticky, prefixLength, repeatable } = patterns[k];
      if (literal.length > anchor.length && !text.startsWith(literal, p)) continue;
      seen[k] = true;
      const lo = Math.max(0, p - back);
      // The pattern is `<prefix>\s*<anchor>...`: it can only start `prefixLength` characters
      // before the whitespace that precedes the anchor. One try there, unless the window holds
      // non-ASCII characters (\s knows more spaces than isWs): then every start, as before.
      let plain = true;
      for (let i = lo; i < p; i++)
        if (text.charCodeAt(i) > 127) {
          plain = false;
          break;
        }
      if (plain) {
        let q = p - 1;
        while (q >= lo && isWs(text.charCodeAt(q))) q--;
        const b = back === 0 ? p : q + 1 - prefixLength;
        if (b >= lo) {
          const prev = repeatable ? out[k].at(-1) : undefined;
          if (prev !== undefined && text.startsWith(prev[0], b)) {
            out[k].push(prev);
          } else {
            sticky.lastIndex = b;
            const m = sticky.exec(text);
            if (m) out[k].push(m);
          }
        }
      } else {
        for (let b = lo; b <= p; b++) {
          sticky.lastIndex = b;
          const m = sticky.exec(text);
          if (m) {
            out[k].push(m);
            break;
          }
        }
      }
    }
    from = p + anchor.length;
  }
  for (let k = 0; k < patterns.length; k++)
    if (!seen[k]) {
      const re = patterns[k].re;
      re.lastIndex = 0;
      out[k] = [...text.matchAll(re)];
    }
  return out;
}

const sticky = (re: RegExp) => new RegExp(re.source, 'iy');

/**
 * Small caches of pure string functions, for what repeats from filing to filing (firm names, the
 * form's labels): cleared when full, so they stay bounded whatever the input.
 */
function memo<T>(f: (s: string) => T, max = 512): (s: string) => T {
  const cache = new Map<string, T>();
  return (s) => {
    let v = cache.get(s);
    if (v === undefined) {
      if (cache.size >= max) cache.clear();
      v = f(s);
      cache.set(s, v);
    }
    return v;
  };
}
const cleanFirm = memo((raw) => cleanText(raw));
const cleanForm = memo((raw) => cleanText(raw, 100));
/** The statement and title a title's kind names (`Secured Amounts` ...), remembered. */
const titleOf = memo((kindRaw) => {
  const kind = kindRaw.toLowerCase().replace(/\s+/g, ' ');
  const key: StatementKey = kind === 'secured amounts' ? 'secured' : kind === 'segregation statement' ? 'segregation' : 'clearedSwaps';
  return { key, title: `Daily Segregation - ${kindRaw.replace(/\s+/g, ' ')}` };
});
const isoDates = new Map<number, string>();
/** isoDate, remembered (a filing repeats its dates in every statement's header); a bad date still throws. */
function isoDateOf(m: RegExpExecArray, what: string): string {
  // A number as the key (a string built per call would be hashed per call); the digits are at
  // most 2, 2 and 4, so distinct dates get distinct keys.
  const k = Number.parseInt(m[3], 10) * 10000 + Number.parseInt(m[1], 10) * 100 + Number.parseInt(m[2], 10);
  let iso = isoDates.get(k);
  if (iso === undefined) {
    iso = isoDate(m, what);
    if (isoDates.size >= 4096) isoDates.clear();
    isoDates.set(k, iso);
  }
  return iso;
}
const cachedFirmId = memo(firmIdOf);
const END_Y = sticky(END_RE);
const SUBMIT_Y = sticky(SUBMIT_RE);
const FIRM_Y = sticky(FIRM_RE);
const TITLE_Y = sticky(TITLE_RE);
/** End Date, Submit Date and the statements' titles: one pass over the occurrences of `Da`. */
const DA_PATTERNS: AnchoredPattern[] = [
  { literal: 'Date', back: 6, sticky: END_Y, re: END_RE, prefixLength: 3, repeatable: true },
  { literal: 'Date', back: 9, sticky: SUBMIT_Y, re: SUBMIT_RE, prefixLength: 6, repeatable: true },
  { literal: 'Daily', back: 0, sticky: TITLE_Y, re: TITLE_RE, prefixLength: 0, repeatable: true },
];
const NAME_PATTERNS: AnchoredPattern[] = [{ literal: 'Name', back: 8, sticky: FIRM_Y, re: FIRM_RE, prefixLength: 4 }];

/** The ISO date of each match; a match whose text repeats the one before it (every page's header) gets the same date without being read again. */
function isoDatesOf(matches: RegExpExecArray[], what: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < matches.length; i++)
    out.push(i > 0 && matches[i][0] === matches[i - 1][0] ? out[i - 1] : isoDateOf(matches[i], what));
  return out;
}

function parseHeader(text: string, hasCells: boolean): Header & { titleMatches: RegExpExecArray[] } {
  const typeM = TYPE_RE.exec(text);
  const [endMatches, submitMatches, titleMatches] = matchesAt(text, 'Da', DA_PATTERNS);
  const ends = isoDatesOf(endMatches, 'End Date');
  const submits = isoDatesOf(submitMatches, 'Submit Date');
  const firms = matchesAt(text, 'Name', NAME_PATTERNS)[0]
    .map((m) => cleanFirm(m[1]))
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
  const firmId = cachedFirmId(firmName);
  if (!firmId) throw new FilingError('bad-header', 'the Firm Name has no letters or digits');
  const formM = FORM_RE.exec(text);
  return {
    filingType: typeM![1] as FilingType,
    endDate: one(ends, 'End Date')!,
    submitDate: one(submits, 'Submit Date')!,
    firmName,
    firmId,
    form: formM ? cleanForm(formM[1]) : '',
    titleMatches,
  };
}

// ---- cells -----------------------------------------------------------------------------------

export const PART_RE = new RegExp(String.raw`(?<=^|\s)([A-Z])\.\s+(.*?)\s+(${AMOUNT_SOURCE})\s*(?=[A-Z]\.\s|$)`, 'gs');
/** PART_RE tried only where a match can start (`X.` and a space, after a space or at the start): the matches of matchAll, without its attempt at every position. */
const PART_Y = new RegExp(PART_RE.source, 'sy');
export function partMatches(s: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  const n = s.length;
  for (let i = 0; i + 2 < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 65 || c > 90 || s.charCodeAt(i + 1) !== 46 || !isSpace(s.charCodeAt(i + 2)) || (i > 0 && !isSpace(s.charCodeAt(i - 1)))) continue;
    PART_Y.lastIndex = i;
    const m = PART_Y.exec(s);
    if (m) {
      out.push(m);
      i = PART_Y.lastIndex - 1;
    }
  }
  return out;
}

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

/** What the parser needs to know about a code the form has, looked up once per cell. */
interface CodeInfo {
  key: StatementKey;
  /** Index of `key` in STATEMENT_KEYS. */
  keyIndex: number;
  /** Its label decides the variant. */
  label: boolean;
  /** Its uncoded sub-lines (8715's 12A-12C), if any. */
  parts?: { id: string; label: string }[];
  /** Per variant of its statement (forms.statements[key].variants order): 0 not a line of it, 1 an optional line, 2 a required one. */
  member: Uint8Array;
}

interface Compiled {
  forms: FormSet;
  labelCodes: Set<string>;
  partCodes: Map<string, { id: string; label: string }[]>;
  /** Per variant id: the words of each label-deciding line's label. */
  labelWords: Map<string, Map<string, Set<string>>>;
  /** Every known code (forms.knownCodes, within a statement's range), by the code's number. */
  codeByNum: (CodeInfo | undefined)[];
  /** Per variant id: its titles, lower case. */
  titlesLower: Map<string, string[]>;
  /** Per statement, per variant: how many required lines it has. */
  requiredCount: Record<StatementKey, number[]>;
  /** labelScores (by code, then label) and titleMatches, remembered for these forms. */
  labelScoreCache: Map<string, Map<string, number[]>>;
  titleCache: Map<string, Map<string, boolean[]>>;
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
    const codeByNum: (CodeInfo | undefined)[] = new Array(10000).fill(undefined);
    for (const code of forms.knownCodes) {
      const key = forms.statementOfCode(code);
      if (!key) continue;
      const member = Uint8Array.from(forms.statements[key].variants, (v) => {
        const l = v.byCode.get(code);
        return l ? (l.optional ? 1 : 2) : 0;
      });
      codeByNum[Number.parseInt(code, 10)] = { key, keyIndex: STATEMENT_KEYS.indexOf(key), label: deciding.has(code), parts: partCodes.get(code), member };
    }
    const titlesLower = new Map(forms.variants.map((v) => [v.id, v.titles.map((t) => t.toLowerCase())]));
    const requiredCount = {} as Record<StatementKey, number[]>;
    for (const key of STATEMENT_KEYS) requiredCount[key] = forms.statements[key].variants.map((v) => v.lines.filter((l) => !l.optional).length);
    c = { forms, labelCodes: deciding, partCodes, labelWords, codeByNum, titlesLower, requiredCount, labelScoreCache: new Map(), titleCache: new Map() };
    compiledCache.set(forms, c);
  }
  return c;
}

const labelWordsOf = memo(words);
const cleanLabelOf = memo(cleanLabel, 4096);

/** Whitespace as the regular expression `\s` (and String.prototype.trim) know it. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * The label text before a cell: its last 400 characters with tags (`<...>`) and `**` / `##`
 * marks made spaces, whitespace runs made one space, trimmed. One pass, the same result as
 * `raw.slice(-400).replace(/<[^>]*>/g, ' ').replace(/\*\*|##/g, ' ').replace(/\s+/g, ' ').trim()`
 * (test/bench/parser-fast.test.ts holds it to that).
 */
export function cleanLabel(raw: string): string {
  const t = raw.length > 400 ? raw.slice(-400) : raw;
  const n = t.length;
  let out = '';
  // A run of kept characters [runStart, i), and whether a space is owed before the next one.
  let runStart = -1;
  let space = false;
  let noCloser = false;
  let i = 0;
  while (i < n) {
    const c = t.charCodeAt(i);
    let skip = 0;
    if (c === 60 /* < */ && !noCloser) {
      const close = t.indexOf('>', i + 1);
      if (close === -1) noCloser = true;
      else skip = close + 1 - i;
    } else if ((c === 42 /* * */ || c === 35) /* # */ && i + 1 < n && t.charCodeAt(i + 1) === c) {
      skip = 2;
    } else if (isSpace(c)) {
      skip = 1;
    }
    if (skip > 0) {
      if (runStart >= 0) {
        out += t.slice(runStart, i);
        runStart = -1;
        space = true;
      }
      i += skip;
      continue;
    }
    if (runStart < 0) {
      if (space) out += ' ';
      space = false;
      runStart = i;
    }
    i++;
  }
  if (runStart >= 0) out += t.slice(runStart, n);
  return out;
}

/** What the scan counted for a statement: codes found, and per variant how many of its lines (and of its required lines) are among them. */
interface Tally {
  st: Statement;
  /** The statement's codes (by number), in the order first found. */
  nums: number[];
  present: number[];
  presentRequired: number[];
}

/** One Tally per statement, reused by every parse. */
const TALLIES: Tally[] = STATEMENT_KEYS.map(() => ({ st: undefined as unknown as Statement, nums: [], present: [], presentRequired: [] }));
function resetTally(t: Tally, st: Statement, variants: number): Tally {
  t.st = st;
  t.nums.length = 0;
  t.present.length = variants;
  t.presentRequired.length = variants;
  for (let i = 0; i < variants; i++) {
    t.present[i] = 0;
    t.presentRequired[i] = 0;
  }
  return t;
}

function chooseVariant(c: Compiled, key: StatementKey, st: Statement, tally: Tally, title: string | undefined): Variant {
  const variants = c.forms.statements[key].variants;
  if (variants.length === 1) return variants[0];
  const foundCount = tally.nums.length;
  const labelled: number[][] = [];
  for (const [code, label] of st.labels) labelled.push(labelScores(c, key, code, label));
  const titled = title ? titleMatches(c, key, title) : undefined;
  const required = c.requiredCount[key];
  let best = variants[0];
  let bestScore = -Infinity;
  for (let i = 0; i < variants.length; i++) {
    const v = variants[i];
    // Lines of the variant that are there, lines filed that it does not have, required lines missing.
    const present = tally.present[i];
    const missing = required[i] - tally.presentRequired[i];
    let score = 10 * present - 10 * (foundCount - present) - 10 * missing;
    for (const scores of labelled) score += scores[i];
    if (titled && titled[i]) score += 1;
    if (score > bestScore) {
      best = v;
      bestScore = score;
    }
  }
  return best;
}

/** Per variant of the statement: what a label filed for `code` adds to its score (3 x word similarity; 0 where the variant's line has no deciding label). Remembered. */
function labelScores(c: Compiled, key: StatementKey, code: string, label: string): number[] {
  let labelScoreCache = c.labelScoreCache.get(code);
  if (!labelScoreCache) c.labelScoreCache.set(code, (labelScoreCache = new Map()));
  const k = label;
  let scores = labelScoreCache.get(k);
  if (scores === undefined) {
    const w = labelWordsOf(label);
    scores = c.forms.statements[key].variants.map((v) => {
      const lw = c.labelWords.get(v.id)!.get(code);
      return lw ? 3 * similarity(w, lw) : 0;
    });
    if (labelScoreCache.size >= 4096) labelScoreCache.clear();
    labelScoreCache.set(k, scores);
  }
  return scores;
}

/** Per variant of the statement: whether `title` is one of its titles (case and spacing aside). Remembered. */
function titleMatches(c: Compiled, key: StatementKey, title: string): boolean[] {
  let titleCache = c.titleCache.get(key);
  if (!titleCache) c.titleCache.set(key, (titleCache = new Map()));
  const k = title;
  let out = titleCache.get(k);
  if (out === undefined) {
    const titleText = title.toLowerCase().replace(/\s+/g, ' ');
    out = c.forms.statements[key].variants.map((v) => c.titlesLower.get(v.id)!.includes(titleText));
    if (titleCache.size >= 256) titleCache.clear();
    titleCache.set(k, out);
  }
  return out;
}

function readParts(c: Compiled, text: string, from: number, to: number, partOf: string): UncodedLine[] {
  const defs = c.partCodes.get(partOf)!;
  // A PDF page number between the sub-lines is not an amount: `A. Cash 0 Page 3 of 5 B. ...`.
  let segment = text.slice(from, to);
  if (segment.indexOf('<') !== -1) segment = segment.replace(/<[^>]*>/g, ' ');
  if (segment.indexOf('Page') !== -1) segment = segment.replace(/\bPage\s+\d+\s+of\s+\d+\b/g, ' ');
  const out: UncodedLine[] = [];
  for (const m of partMatches(segment)) {
    const idx = m[1].charCodeAt(0) - 65;
    const amount = parseAmount(m[3]);
    if (idx < 0 || idx >= defs.length || amount === null) continue;
    out.push({ id: defs[idx].id, partOf, label: cleanLabelOf(m[2]), amount });
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

/** What readBack found: the amount runs from `start`, has `digits` digits (in `limbs`, `limbCount` of them), and a sign. */
const rb = { start: 0, digits: 0, limbCount: 0, negative: false };
/** Base-1e7 limbs of the amount readBack read, least significant first (enough for MAX_AMOUNT_DIGITS). */
const LIMB_COUNT = Math.ceil(MAX_AMOUNT_DIGITS / 7);
const limbs: number[] = new Array<number>(LIMB_COUNT).fill(0);

/**
 * Read the amount that ends at t[j] backwards into `rb` and `limbs`; false when there is none.
 * Grammar (as AMOUNT_SOURCE): -?( \(\s*N\s*\) | N ), N = \d{1,3}(,\s?\d{3})+ | \d+
 * No strings are made: each digit goes into its base-1e7 limb as it is read (decimalFromLimbs).
 */
function readBack(t: string, j: number): boolean {
  let paren = false;
  if (j >= 0 && t.charCodeAt(j) === 41 /* ) */) {
    paren = true;
    j--;
    while (j >= 0 && isWs(t.charCodeAt(j))) j--;
  }
  let groups = 0;
  let digits = 0;
  // The limb being filled (w, the next digit's place in it) and how many are complete.
  let w = 0;
  let place = 1;
  let full = 0;
  for (;;) {
    const end = j + 1;
    for (let c = t.charCodeAt(j); j >= 0 && c >= 48 && c <= 57; c = t.charCodeAt(--j)) {
      if (full < LIMB_COUNT) {
        w += (c - 48) * place;
        place *= 10;
        if (place === 1e7) {
          limbs[full++] = w;
          w = 0;
          place = 1;
        }
      }
      digits++;
    }
    const len = end - (j + 1);
    if (len === 0) return false;
    groups++;
    // separator ", " or ","?
    let k = j;
    if (k >= 1 && t.charCodeAt(k) === 32 && t.charCodeAt(k - 1) === 44) k--;
    if (k >= 0 && t.charCodeAt(k) === 44 && k >= 1 && isDigit(t.charCodeAt(k - 1))) {
      if (len !== 3) return false;
      j = k - 1;
      continue;
    }
    if (groups > 1 && len > 3) return false;
    break;
  }
  if (paren) {
    while (j >= 0 && isWs(t.charCodeAt(j))) j--;
    if (j < 0 || t.charCodeAt(j) !== 40 /* ( */) return false;
    j--;
  }
  let negative = paren;
  if (j >= 0 && t.charCodeAt(j) === 45 /* - */) {
    negative = !negative;
    j--;
  }
  if (j >= 0 && isWordish(t.charCodeAt(j))) return false;
  if (place !== 1 && full < LIMB_COUNT) limbs[full++] = w;
  rb.start = j + 1;
  rb.digits = digits;
  rb.limbCount = full;
  rb.negative = negative;
  return true;
}

/** The code finder; the benchmark's bare scan uses the same source. */
export const CODE_RE = /\[(\d{4})\]/g;

/** Code strings by number, made once: a cell's code is never sliced from the text again. */
const CODE_STRINGS: (string | undefined)[] = new Array(10000).fill(undefined);
function codeString(n: number): string {
  return (CODE_STRINGS[n] ??= String(n).padStart(4, '0'));
}

/** Placeholder until a statement's lines are collected (never read). */
const EMPTY_LINES = new Lines();

/** The cell nextCell found last. */
const found = { num: 0, amount: null as Decimal | null, start: 0, end: 0 };

/**
 * Per code number, scratch for one parse: the parse's stamp when the code was first seen, and its
 * first amount (cleared as the amounts go into `lines`). parseFilingText is synchronous, so one
 * set serves every call.
 */
const seenStamp = new Int32Array(10000);
const seenAmount: (Decimal | undefined)[] = new Array(10000).fill(undefined);
let stampCounter = 0;
function nextStamp(): number {
  if (stampCounter >= 0x7fffffff) {
    seenStamp.fill(0);
    stampCounter = 0;
  }
  return ++stampCounter;
}

/**
 * Find the next `[dddd]` at or after `from` (exactly what CODE_RE matches, found with
 * indexOf('[') and four digit checks instead of a regular expression) and read its amount, which
 * may not start before `floor`, into `found`. False when there is none.
 */
function nextCell(text: string, from: number, floor: number): boolean {
  const last = text.length - 6;
  let p = text.indexOf('[', from);
  while (p !== -1 && p <= last) {
    const d1 = text.charCodeAt(p + 1) - 48;
    const d2 = text.charCodeAt(p + 2) - 48;
    const d3 = text.charCodeAt(p + 3) - 48;
    const d4 = text.charCodeAt(p + 4) - 48;
    if (d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9 || d4 < 0 || d4 > 9 || text.charCodeAt(p + 5) !== 93 /* ] */) {
      p = text.indexOf('[', p + 1);
      continue;
    }
    const j = skipBack(text, p - 1);
    found.amount = null;
    found.start = p;
    if (j >= floor && readBack(text, j) && rb.start >= floor && rb.digits <= MAX_AMOUNT_DIGITS) {
      found.amount = decimalFromLimbs(limbs, rb.limbCount, rb.negative);
      found.start = rb.start;
    }
    found.num = d1 * 1000 + d2 * 100 + d3 * 10 + d4;
    found.end = p + 6;
    return true;
  }
  return false;
}

/**
 * Scan every `amount [code]` cell of a text: each `[dddd]`, and the amount read backwards from it
 * (over whitespace and `<u>`-style tags), to the grammar of AMOUNT_SOURCE: `-?( \(N\) | N )`,
 * N = `\d{1,3}(,\s?\d{3})+` or `\d+`, not glued to a word, a dot or a comma. A code with no
 * readable amount gets `amount: null`.
 */
export function scanCells(text: string): Cell[] {
  const cells: Cell[] = [];
  let from = 0;
  while (nextCell(text, from, from)) {
    cells.push({ code: codeString(found.num), amount: found.amount, start: found.start, end: found.end });
    from = found.end;
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
  const hasCells = nextCell(text, 0, 0);
  const header = parseHeader(text, hasCells);
  if (!hasCells) throw new FilingError('truncated', 'the filing has a header but no statement amounts (truncated?)');

  const titles: { key: StatementKey; title: string }[] = [];
  for (const m of header.titleMatches) {
    const { key, title } = titleOf(m[1]);
    titles.push({ key, title });
  }

  const statements: Filing['statements'] = {};
  // Amounts collect in scratch arrays indexed by the code's number (a repeated code is found
  // without a lookup) and go into each statement's `Lines` once, in code order, at the end.
  /** By statement, in STATEMENT_KEYS order. */
  // Tallies are scratch reused from parse to parse (a parse is synchronous); `tallies[k]` is set
  // when statement k is first met.
  const tallies: (Tally | undefined)[] = [undefined, undefined, undefined];
  const unknownCodes: Filing['unknownCodes'] = [];
  const unreadable: string[] = [];
  const stamp = nextStamp();
  // The cells, one after another (nextCell leaves each in `found`; nothing below calls it).
  let prevEnd = 0;
  do {
    const num = found.num;
    const amount = found.amount;
    const info = c.codeByNum[num];
    if (amount === null) {
      unreadable.push(codeString(num));
    } else if (!info) {
      unknownCodes.push({ code: codeString(num), amount });
    } else {
      let tally = tallies[info.keyIndex];
      if (!tally) {
        const key = info.key;
        const st: Statement = (statements[key] = { key, title: '', variant: '', lines: EMPTY_LINES, labels: new Map(), uncoded: [], conflicts: [] });
        tally = tallies[info.keyIndex] = resetTally(TALLIES[info.keyIndex], st, info.member.length);
      }
      const st = tally.st;
      if (seenStamp[num] !== stamp) {
        seenStamp[num] = stamp;
        seenAmount[num] = amount;
        tally.nums.push(num);
        const member = info.member;
        for (let i = 0; i < member.length; i++)
          if (member[i] !== 0) {
            tally.present[i]++;
            if (member[i] === 2) tally.presentRequired[i]++;
          }
        // cleanLabel keeps the last 400 characters: slice no more (the slice is the cache key).
        if (info.label) st.labels.set(codeString(num), cleanLabelOf(text.slice(Math.max(prevEnd, found.start - 400), found.start)).slice(-160));
        if (info.parts) st.uncoded.push(...readParts(c, text, prevEnd, found.start, codeString(num)));
      } else {
        const prior = seenAmount[num]!;
        if (cmp(prior, amount) !== 0) {
          const code = codeString(num);
          const conflict = st.conflicts.find((x) => x.code === code);
          if (conflict) conflict.amounts.push(amount);
          else st.conflicts.push({ code, amounts: [prior, amount] });
        }
      }
    }
    prevEnd = found.end;
  } while (nextCell(text, prevEnd, prevEnd));

  for (let k = 0; k < STATEMENT_KEYS.length; k++) {
    const key = STATEMENT_KEYS[k];
    const tally = tallies[k];
    if (!tally) continue;
    const st = tally.st;
    // Ascending code order (codes come mostly in order: an insertion sort), as Lines keeps them.
    const nums = tally.nums;
    for (let i = 1; i < nums.length; i++) {
      const x = nums[i];
      let j = i - 1;
      while (j >= 0 && nums[j] > x) {
        nums[j + 1] = nums[j];
        j--;
      }
      nums[j + 1] = x;
    }
    const codes: string[] = new Array<string>(nums.length);
    const amounts: Decimal[] = new Array<Decimal>(nums.length);
    for (let i = 0; i < nums.length; i++) {
      const num = nums[i];
      codes[i] = codeString(num);
      amounts[i] = seenAmount[num]!;
      seenAmount[num] = undefined;
    }
    st.lines = new Lines(codes, amounts);
    const title = titles.find((t) => t.key === key)?.title;
    const variant = chooseVariant(c, key, st, tally, title);
    st.variant = variant.id;
    st.title = title ?? c.forms.statements[key].name;
  }
  const filing: Filing = {
    filingType: header.filingType,
    endDate: header.endDate,
    submitDate: header.submitDate,
    firmName: header.firmName,
    firmId: header.firmId,
    form: header.form,
    statements,
    unknownCodes,
  };
  return { filing, unreadable };
}

/** Decode bytes and parse; throws FilingError. */
export function parseFiling(bytes: Uint8Array, options: ParserOptions & { maxBytes?: number } = {}): ParseResult {
  return parseFilingText(decodeFiling(bytes, options.maxBytes), options);
}
