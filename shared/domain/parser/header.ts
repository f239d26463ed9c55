/**
 * The filing header, repeated on every page: filing type, End Date, Firm Name, Form, Submit Date,
 * and the statements' titles.
 *
 * Field names are found in any case and spacing (`End Date:`, `END DATE :`, `EndDate:`) in one
 * pass over the colons of the text; values may be split from their name by tabs or a line break
 * (an HTML table's `<td>End Date:</td><td>11/6/2014</td>` reads as `End Date:\t11/6/2014`). A
 * firm name may wrap onto the following lines. Every page's copy is read: pages that disagree are
 * more than one filing in one file, which is refused.
 */
import type { Filing, FilingType } from '../model';
import type { StatementKey } from '../forms';
import { isAsciiLetter as isLetter, isSpace, memo, own, startsAt, wordAt } from './chars';
import { FilingError } from './errors';
import { cleanText, firmIdOf } from './firm';
import { coverHeadingAt, type CoverHeading } from './cover';

export type Header = Pick<Filing, 'filingType' | 'endDate' | 'submitDate' | 'firmName' | 'firmId' | 'form'>;

/** A statement title found in the text (`Daily Segregation - Secured Amounts`), or the cover page's. */
export interface TitleFound {
  key: StatementKey | 'cover';
  title: string;
  index: number;
}

export interface HeaderResult {
  header: Header;
  titles: TitleFound[];
  /** The Cover Page's section headings (`... Residual Interest Target (choose one):`), found at their colons. */
  coverHeadings: CoverHeading[];
  /** The firm name was read up to a page break (a form feed right after its line): it may go on past it. */
  firmAtPageBreak: boolean;
}

// ---- dates -----------------------------------------------------------------------------------

const DATE_FORMS = 'M/D/YYYY, MM/DD/YY or YYYY-MM-DD';
const MDY = /^(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2})$/;
const YMD = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

/** The ISO date of a header date as written (M/D/YYYY, MM/DD/YY, YYYY-MM-DD); throws FilingError. */
export function isoDate(raw: string, what: string): string {
  let year: number;
  let month: number;
  let day: number;
  let m = MDY.exec(raw);
  if (m) {
    month = Number.parseInt(m[1], 10);
    day = Number.parseInt(m[2], 10);
    year = Number.parseInt(m[3], 10);
    // Two-digit years: 90-99 are 1990s, the rest this century (filings began in the 1990s).
    if (m[3].length === 2) year += year >= 90 ? 1900 : 2000;
  } else if ((m = YMD.exec(raw))) {
    year = Number.parseInt(m[1], 10);
    month = Number.parseInt(m[2], 10);
    day = Number.parseInt(m[3], 10);
  } else {
    throw new FilingError(
      'bad-header',
      raw
        ? `unrecognised date "${cleanText(raw, 40)}" for ${what} (expected ${DATE_FORMS})`
        : `the ${what} has no date`,
    );
  }
  const d = new Date(Date.UTC(year, month - 1, day));
  if (year < 1990 || year > 2100 || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
    throw new FilingError('bad-header', `the ${what} ${raw} is not a real date`);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const isoDates = new Map<string, string>();
/** isoDate, remembered (a filing repeats its dates on every page); a bad date still throws. */
function isoDateOf(raw: string, what: string): string {
  let iso = isoDates.get(raw);
  if (iso === undefined) {
    iso = isoDate(raw, what);
    if (isoDates.size >= 4096) isoDates.clear();
    isoDates.set(raw, iso);
  }
  return iso;
}

// ---- the fields, found at their colons -------------------------------------------------------

/** Skip spaces back from j (not below floor); the index after the last non-space. */
function trimBack(t: string, j: number, floor: number): number {
  while (j >= floor && isSpace(t.charCodeAt(j))) j--;
  return j + 1;
}

type Field = 'end' | 'submit' | 'firm' | 'form';

/** The field name `<first> <second>` (or written as one word) ending at `end`; where it starts, or -1. */
function pairAt(t: string, end: number, first: string, second: string): number {
  // As one word (`EndDate`): the second word without a letter-boundary check, then the first.
  const s2 = end - second.length;
  if (s2 < 1) return -1;
  for (let i = 0; i < second.length; i++) if ((t.charCodeAt(s2 + i) | 32) !== second.charCodeAt(i)) return -1;
  const glued = wordAt(t, s2, first);
  if (glued >= 0) return glued;
  if (isLetter(t.charCodeAt(s2 - 1))) return -1;
  return wordAt(t, trimBack(t, s2 - 1, Math.max(0, s2 - 16)), first);
}

/** Which field name ends right before the colon at `colon` (in any case, any spacing), and where the name starts. */
const found = { field: 'end' as Field, start: 0 };
function fieldAt(t: string, colon: number): typeof found | null {
  const end = trimBack(t, colon - 1, Math.max(0, colon - 8));
  const last = t.charCodeAt(end - 1) | 32;
  let start: number;
  if (last === 101 /* e */) {
    if ((start = pairAt(t, end, 'end', 'date')) >= 0) found.field = 'end';
    else if ((start = pairAt(t, end, 'submit', 'date')) >= 0) found.field = 'submit';
    else if ((start = pairAt(t, end, 'firm', 'name')) >= 0) found.field = 'firm';
    else return null;
  } else if (last === 109 /* m */ && (start = wordAt(t, end, 'form')) >= 0) found.field = 'form';
  else return null;
  found.start = start;
  return found;
}

/** Skip spaces, `*` and simple tags forward from i, and at most one line break (a value in the next table cell or on the next line). */
function skipFiller(t: string, i: number): number {
  let breaks = 0;
  for (;;) {
    const c = t.charCodeAt(i);
    if (c === 10 || c === 13) {
      if (breaks++ > 0) return i;
      i += c === 13 && t.charCodeAt(i + 1) === 10 ? 2 : 1;
    } else if (c === 42 /* * */ || isSpace(c)) i++;
    else if (c === 60 /* < */) {
      const close = t.indexOf('>', i);
      if (close === -1 || close - i > 12) return i;
      i = close + 1;
    } else return i;
  }
}

const endsToken = (c: number) => c !== c || isSpace(c) || c === 42 || c === 60;

/** A date value: the characters up to whitespace, `*`, `<` or the end. */
function dateToken(t: string, from: number): string {
  let i = from;
  for (; i < t.length && i - from < 40; i++) if (endsToken(t.charCodeAt(i))) break;
  return t.slice(from, i);
}

/** What an unrecognised date looks like for the message: the rest of its line, up to the next field. */
function dateShown(t: string, from: number): string {
  const m = /[^\r\n*<]{0,40}/y;
  m.lastIndex = from;
  const s = m.exec(t)?.[0] ?? '';
  return s.replace(/\s*\b(?:Firm\s*Name|Submit\s*Date|End\s*Date|Form)\s*:.*$/i, '').trim();
}

// The pieces of what ends a firm name, shared by the expressions below.
/** A header field's name and colon. */
const FIELD = String.raw`(?:Form|Submit\s*Date|End\s*Date|Firm\s*Name)\s*:`;
/** A statement title, a page number. */
const TITLE = String.raw`Daily\s+Segregation\b`;
const PAGE_NUMBER = String.raw`Page\s+\d+\s+of\s+\d+\b`;
/** A PDF's letter-spaced banner (`W I N J A M M E R`). */
const BANNER = '(?:[A-Z] ){4,}[A-Z]';
/** Spaces and the ** of bold at a line's start. */
const LEAD = String.raw`[ \t\u00a0*]*`;

/** Where a firm name ends on its line: the next header field, a statement title, a page number, the type word of the next header. */
const FIRM_STOP = new RegExp(
  String.raw`${FIELD}|${TITLE}|${PAGE_NUMBER}|\b(?:INITIAL|AMENDMENT)\b[\s*]*End\s*Date`,
  'i',
);
/**
 * A line that is not the rest of a wrapped firm name: it starts with one of FIRM_STOP's words, is a
 * PDF's letter-spaced banner (`W I N J A M M E R`, the top of the next page), is blank, or starts a
 * new page (a form feed, as formats/pdf.ts and pdftotext mark a page break: the next page's running
 * header is not the rest of a name printed last on its page).
 */
const NOT_NAME_LINE = new RegExp(
  String.raw`^(?:\f|${LEAD}(?:$|[\r\n]|${FIELD}|${TITLE}|${PAGE_NUMBER}|(?:INITIAL|AMENDMENT)\b|${BANNER}(?:\s|$)))`,
  'i',
);

/** A page's furniture at its top: a blank line, the letter-spaced banner, `Page i of n`. */
const PAGE_TOP_FURNITURE = new RegExp(String.raw`^${LEAD}(?:$|${BANNER}[ \t]*$|${PAGE_NUMBER})`, 'i');
/** What cannot go on a firm name: a header field, the filing type, a statement title, a form line. */
const NOT_A_NAME_GOING_ON = new RegExp(
  String.raw`^${LEAD}(?:${FIELD}|(?:INITIAL|AMENDMENT)\b|${TITLE}|\d{1,2}[A-Z]?\.\s|\([a-z]{1,4}\)\s)|\[\d{4}\]`,
  'i',
);

/**
 * Whether the page that starts at `from` (after a form feed) starts with what cannot be the rest of
 * a firm name printed last on the page before: past its furniture (the banner, `Page i of n`), a
 * header field, the filing type, a statement title or a line of the form. Then the name read up to
 * the page break is whole. Anything else (`Inc.`, a running header of the firm's own) may be its
 * rest, and the name is flagged (SW107).
 */
function nameEndsBefore(t: string, from: number): boolean {
  let i = from;
  for (let line = 0; line < 4 && i < t.length; line++) {
    let e = t.indexOf('\n', i);
    if (e === -1) e = t.length;
    const text = t.slice(i, e).replace(/\r$/, '');
    if (!PAGE_TOP_FURNITURE.test(text)) return NOT_A_NAME_GOING_ON.test(text);
    i = e + 1;
  }
  return false;
}

/**
 * The firm name after `Firm Name:`, from `at`: up to `**`, the next header field, a statement
 * title or a page number on its line; a name that wraps goes on to at most two more lines (each
 * until one of those, or a blank line).
 */
function firmValue(t: string, at: number): { raw: string; to: number; pageBreak: boolean } {
  let raw = '';
  let i = at;
  // How far the reading looked: a page repeating the text up to here reads the same name.
  let to = at;
  for (let line = 0; line < 3; line++) {
    let e = i;
    for (; e < t.length; e++) {
      const c = t.charCodeAt(e);
      if (c === 10 || c === 13 || (c === 42 && t.charCodeAt(e + 1) === 42)) break;
    }
    let part = t.slice(i, e);
    // The next field on the same line (PDF-to-text runs the header together).
    const stop = FIRM_STOP.exec(part);
    if (stop) {
      part = part.slice(0, stop.index);
      // The stop's match and the character after it (its \b).
      to = i + stop.index + stop[0].length + 1;
    } else to = e + 2;
    raw = line === 0 ? part : `${raw} ${part}`;
    if (stop || t.charCodeAt(e) === 42 || e >= t.length) break;
    // A line break: the name goes on when the next line is neither blank nor a header field.
    const next = e + (t.charCodeAt(e) === 13 && t.charCodeAt(e + 1) === 10 ? 2 : 1);
    to = next + 41;
    if (NOT_NAME_LINE.test(t.slice(next, next + 40))) {
      if (t.charCodeAt(next) === 12)
        return { raw, to: Math.min(to, t.length), pageBreak: !nameEndsBefore(t, next + 1) };
      break;
    }
    i = next;
  }
  return { raw, to: Math.min(to, t.length), pageBreak: false };
}

const FORM_VALUE =
  /[^\r\n]*?(?=\*\*|\r|\n|\bSubmit\s*Date\s*:|\bEnd\s*Date\s*:|\bFirm\s*Name\s*:|\bDaily\s+Segregation\b|\bPage\s+\d+\s+of\s+\d+|$)/iy;

/** The filing type word right before a header's End Date (`**INITIAL**\n\n**End Date:`, `INITIAL End Date:`), in any case. */
function typeBefore(t: string, start: number): FilingType | null {
  let j = start - 1;
  for (let guard = 0; guard < 8; guard++) {
    while (j >= 0 && (isSpace(t.charCodeAt(j)) || t.charCodeAt(j) === 42)) j--;
    if (j >= 0 && t.charCodeAt(j) === 62 /* > */) {
      const open = t.lastIndexOf('<', j);
      if (open === -1 || j - open > 12) break;
      j = open - 1;
      continue;
    }
    break;
  }
  const end = trimBack(t, j, Math.max(0, j - 12));
  return wordAt(t, end, 'initial') >= 0 ? 'INITIAL' : wordAt(t, end, 'amendment') >= 0 ? 'AMENDMENT' : null;
}

const cleanFirm = memo((raw) => cleanText(raw));
const cleanForm = memo((raw) => cleanText(raw, 100));
const cachedFirmId = memo(firmIdOf);

// ---- titles ----------------------------------------------------------------------------------

/**
 * Between a title's words: spaces, or a page break where a wrapped title goes on over the page (a
 * PDF's `Page 2 of 3` footer and the letter-spaced banner of the next page between its words).
 */
const PAGE_FURNITURE = String.raw`(?:Page\s+\d+\s+of\s+\d+|(?:[A-Z] ){4,}[A-Z])`;
const GAP = String.raw`(?:\s+${PAGE_FURNITURE}(?=\s))*\s+`;
const TITLE_SOURCE = String.raw`Daily${GAP}Segregation\s*[-\u2013\u2014]\s*(Secured${GAP}Amounts|Segregation${GAP}Statement|Swaps${GAP}Statement|Sequestration${GAP}Statement|Cover${GAP}Page)`;
const FURNITURE_IN_TITLE = new RegExp(String.raw`\s${PAGE_FURNITURE}(?=\s)`, 'g');
const TITLE_Y = new RegExp(TITLE_SOURCE, 'iy');
const TITLE_G = new RegExp(TITLE_SOURCE, 'gi');

/** The statement and title a title's kind names (`Secured Amounts` ...), remembered. */
const titleOf = memo((found): { key: TitleFound['key']; title: string } => {
  const kindRaw = found.replace(FURNITURE_IN_TITLE, ' ');
  const kind = kindRaw.toLowerCase().replace(/\s+/g, ' ');
  const key =
    kind === 'secured amounts'
      ? 'secured'
      : kind === 'segregation statement'
        ? 'segregation'
        : kind === 'cover page'
          ? 'cover'
          : 'clearedSwaps';
  return { key, title: own(`Daily Segregation - ${kindRaw.replace(/\s+/g, ' ')}`) };
});

/** A title's whole match (TITLE_Y's), with the statement and title it names. */
interface KnownTitle {
  match: string;
  key: TitleFound['key'];
  title: string;
}
/** The titles matched most recently, in this filing and the ones before (most recent first). */
const KNOWN_TITLES: KnownTitle[] = [];
const MAX_KNOWN_TITLES = 8;

/**
 * Whether TITLE_Y can match at the `Daily` at p: after it a space, then `Segr` (any case), or a
 * page's furniture (`Page`, or a letter and a space: the banner). Not `Daily Seg - FOCUS II`, the
 * form's name in the header.
 */
function titleMayStart(t: string, p: number): boolean {
  let i = p + 5;
  if (!isSpace(t.charCodeAt(i))) return false;
  while (isSpace(t.charCodeAt(i))) i++;
  const a = t.charCodeAt(i) | 32;
  const b = t.charCodeAt(i + 1) | 32;
  const c = t.charCodeAt(i + 2) | 32;
  const d = t.charCodeAt(i + 3) | 32;
  if (a === 115 && b === 101 && c === 103 && d === 114) return true; // segr
  if (a === 112 && b === 97 && c === 103 && d === 101) return true; // page
  return a >= 97 && a <= 122 && isSpace(t.charCodeAt(i + 1)); // a banner's letter
}

/**
 * Every title, in one pass over the occurrences of `Daily`. Where the text there starts with a
 * title matched before (on an earlier page, or in an earlier filing: filings print the same few
 * titles), that match is reused: the expression reads nothing outside its match. In another case
 * (`DAILY SEGREGATION`) only when `Daily` never occurs.
 */
function findTitles(text: string): TitleFound[] {
  const out: TitleFound[] = [];
  for (let p = text.indexOf('Daily'); p !== -1; p = text.indexOf('Daily', p + 5)) {
    if (!titleMayStart(text, p)) continue;
    let known: KnownTitle | undefined;
    for (let k = 0; k < KNOWN_TITLES.length; k++)
      if (startsAt(text, KNOWN_TITLES[k].match, p)) {
        known = KNOWN_TITLES[k];
        break;
      }
    if (known === undefined) {
      TITLE_Y.lastIndex = p;
      const m = TITLE_Y.exec(text);
      if (!m) continue;
      known = { match: own(m[0]), ...titleOf(m[1]) };
      if (KNOWN_TITLES.length >= MAX_KNOWN_TITLES) KNOWN_TITLES.pop();
      KNOWN_TITLES.unshift(known);
    }
    out.push({ key: known.key, title: known.title, index: p });
  }
  if (out.length === 0) {
    for (const m of text.matchAll(TITLE_G)) {
      const { key, title } = titleOf(m[1]);
      out.push({ key, title, index: m.index });
    }
  }
  return out;
}

// ---- the header ------------------------------------------------------------------------------

function allSame<T>(values: readonly T[]): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
}

/** The distinct values of a field (in order first seen). */
function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/**
 * Read the header. Throws FilingError: `not-a-filing` when there is neither a header nor a cell,
 * `bad-header` when a field is missing or a date is not one, `several-filings` when the pages
 * name more than one filing (another End Date, Submit Date, firm or filing type).
 */
export function parseHeader(text: string, hasCells: boolean): HeaderResult {
  const ends: string[] = [];
  const submits: string[] = [];
  const firms: string[] = [];
  const types: FilingType[] = [];
  let form: string | undefined;
  // The last date token read for each field and its ISO date, and the text the last firm name was read from.
  let endToken = '';
  let endIso = '';
  let submitToken = '';
  let submitIso = '';
  let firmRead = '';
  let firmName = '';
  let firmAtPageBreak = false;
  const coverHeadings: CoverHeading[] = [];
  /** Where header fields start after a cover page heading (its section ends there). */
  const fieldsAfterCover: number[] = [];
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    const f = fieldAt(text, colon);
    if (!f) {
      const heading = coverHeadingAt(text, colon);
      if (heading) coverHeadings.push(heading);
      continue;
    }
    if (coverHeadings.length > 0) fieldsAfterCover.push(f.start);
    const at = skipFiller(text, colon + 1);
    switch (f.field) {
      case 'end':
      case 'submit': {
        const what = f.field === 'end' ? 'End Date' : 'Submit Date';
        // Every page repeats its dates: the token just read again is the date just read.
        const prevToken = f.field === 'end' ? endToken : submitToken;
        let iso: string;
        if (prevToken && startsAt(text, prevToken, at) && endsToken(text.charCodeAt(at + prevToken.length)))
          iso = f.field === 'end' ? endIso : submitIso;
        else {
          const token = dateToken(text, at);
          try {
            iso = isoDateOf(token, what);
          } catch (e) {
            // Show what was written, not only its first word ("Nov 6, 2014").
            if (e instanceof FilingError && token && !MDY.test(token) && !YMD.test(token))
              throw new FilingError(
                'bad-header',
                `unrecognised date "${cleanText(dateShown(text, at), 40)}" for ${what} (expected ${DATE_FORMS})`,
              );
            throw e;
          }
          if (f.field === 'end') {
            endToken = token;
            endIso = iso;
          } else {
            submitToken = token;
            submitIso = iso;
          }
        }
        if (f.field === 'end') {
          ends.push(iso);
          const type = typeBefore(text, f.start);
          if (type) types.push(type);
        } else submits.push(iso);
        break;
      }
      case 'firm': {
        // The name starts on the line of its field name, or on the next one (a table cell). A page
        // repeating the text the last name was read from (up to where reading it stopped) repeats that name.
        if (!firmRead || !startsAt(text, firmRead, at)) {
          const read = firmValue(text, at);
          firmName = read.raw ? cleanFirm(read.raw) : '';
          firmRead = text.slice(at, read.to);
          if (read.pageBreak && firms.length === 0) firmAtPageBreak = true;
        }
        if (firmName) firms.push(firmName);
        break;
      }
      case 'form':
        if (form === undefined) {
          FORM_VALUE.lastIndex = skipFiller(text, colon + 1);
          const m = FORM_VALUE.exec(text);
          if (m) form = cleanForm(m[0]);
        }
        break;
    }
  }
  if (types.length === 0) {
    // No type word right before an End Date: the first standalone one anywhere, in any case.
    const m = /\b(INITIAL|AMENDMENT)\b/.exec(text) ?? /\b(initial|amendment)\b/i.exec(text);
    if (m) types.push(m[1].toUpperCase() as FilingType);
  }
  const missing: string[] = [];
  if (types.length === 0) missing.push('filing type (INITIAL or AMENDMENT)');
  if (ends.length === 0) missing.push('End Date');
  if (firms.length === 0) missing.push('Firm Name');
  if (submits.length === 0) missing.push('Submit Date');
  if (missing.length === 4 && !hasCells)
    throw new FilingError('not-a-filing', 'not a daily segregation filing: no filing header and no [code] amounts');

  // Pages that disagree: more than one filing in the file.
  if (!allSame(types) || !allSame(ends) || !allSame(submits) || !allSame(firms)) {
    const fields: [string, string[]][] = [
      ['filing types', distinct(types)],
      ['End Dates', distinct(ends)],
      ['Submit Dates', distinct(submits)],
      // The same firm written two ways (`CITIGROUP GLOBAL MARKETS, INCORPORATED`) is one firm.
      ['firms', distinct(firms.map((n) => cachedFirmId(n) || n))],
    ];
    let count = 1;
    for (const [, values] of fields) if (values.length > count) count = values.length;
    if (count > 1) {
      const differ = fields
        .filter(([, v]) => v.length > 1)
        .map(([name, v]) => `${name} ${v.slice(0, 3).join(', ')}`)
        .join('; ');
      throw new FilingError('several-filings', `the file holds ${count} filings (${differ}); upload one per file`);
    }
  }
  if (missing.length > 0) throw new FilingError('bad-header', `the filing header lacks ${missing.join(', ')}`);
  const firstFirm = firms[0];
  const firmId = cachedFirmId(firstFirm);
  if (!firmId) throw new FilingError('bad-header', 'the Firm Name has no letters or digits');
  const titles = findTitles(text);
  // Each cover page section ends at the next heading, header field, statement title or line code.
  for (let h = 0; h < coverHeadings.length; h++) {
    const c = coverHeadings[h];
    let to = h + 1 < coverHeadings.length ? coverHeadings[h + 1].from : Math.min(text.length, c.from + 2000);
    for (const at of fieldsAfterCover) if (at > c.from && at < to) to = at;
    for (const t of titles) if (t.index > c.from && t.index < to) to = t.index;
    const code = text.indexOf('[', c.from);
    if (code !== -1 && code < to) to = code;
    c.to = to;
  }
  return {
    header: {
      filingType: types[0],
      endDate: ends[0],
      submitDate: submits[0],
      firmName: firstFirm,
      firmId,
      form: form ?? '',
    },
    titles,
    coverHeadings,
    firmAtPageBreak,
  };
}
