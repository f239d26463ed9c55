/**
 * Renders a Filing back to text, in each rendering seen in the wild (README "Reading filings: formats, amounts, the cover page"):
 *
 *   'markup'       the WinJammer text of the samples: `**...**` header blocks repeated per
 *                  statement (or all on one line, as the 2014 swaps section), `<u>` / `<b><u>`
 *                  around amounts, tabs, two cells on one line for "less: offset / net" pairs and
 *                  group totals (`<u>0</u> [7520] <u>341,368,579</u> [7530]`), 12C and the 8715
 *                  total in one cell (`<b><u>0 0</u></b> [8715]`).
 *   'pdf-text'     a PDF-to-text transcription: no markup, lines run together into long lines,
 *                  page numbers inline (`Page 2 of 5`), the 7305 amount printed inside its label.
 *   'crlf-parens'  the markup layout with CRLF line ends, negatives in parentheses and stray spaces
 *                  after thousands commas (`1, 234,567`).
 *   'html'         a saved web page: tables with attributes, header fields split across cells
 *                  (`<td>End Date:</td><td>11/6/2014</td>`), amount and code in cells of their own,
 *                  entities (`&amp;`, `&#39;`, `&nbsp;`), tags in either case.
 *
 * A filing's Cover Page (residual interest targets) comes first, in each rendering's style.
 *
 * Everything comes from the form definitions: line numbers, labels, the variant's line order, and
 * the statement titles. The output parses back (parser/) to the same amounts. Options change how
 * amounts, labels and names are written without changing what they say (thousands separators,
 * how a negative is written, `$`, labels and the firm name wrapped onto a second line, the PDF
 * banner): the meaning-preserving changes the property tests put the parser through.
 */
import {
  FORMS,
  STATEMENT_KEYS,
  type FormSet,
  type LineDef,
  type StatementKey,
  type Variant,
} from '../../shared/domain/forms';
import { ZERO, type Decimal } from '../../shared/domain/money';
import type { CoverPage, CoverTargetType, Filing, Statement } from '../../shared/domain/model';

/** Every rendering; TEXT_RENDERINGS are the plain-text ones (the benchmark's text parse). */
export const RENDERINGS = ['markup', 'pdf-text', 'crlf-parens', 'html'] as const;
export type Rendering = (typeof RENDERINGS)[number];
export const TEXT_RENDERINGS = ['markup', 'pdf-text', 'crlf-parens'] as const satisfies readonly Rendering[];

/** How thousands are grouped: comma, or one kind of space (space, no-break, narrow no-break, thin). */
export const GROUPINGS = [',', ' ', '\u00a0', '\u202f', '\u2009'] as const;
export type Grouping = (typeof GROUPINGS)[number];
/** How a negative amount is written: `-1,234`, `(1,234)`, `-$1,234`, `$-1,234`, `- 1,234`. */
export const NEGATIVES = ['minus', 'parens', 'minus-dollar', 'dollar-minus', 'minus-space'] as const;
export type NegativeStyle = (typeof NEGATIVES)[number];

/** How a statement's header block is written in the markup renderings. */
export type HeaderStyle = 'block' | 'one-line' | 'plain';
export type Emphasis = 'u' | 'b-u';

export interface RenderOptions {
  forms?: FormSet;
  /** Statement order; the samples' is secured amounts, segregation, cleared swaps. */
  order?: StatementKey[];
  /** markup / crlf-parens: header block per statement ('block' `**X**` lines, 'one-line' as the 2014 swaps, 'plain' as the 2013 repeats). */
  header?: Partial<Record<StatementKey, HeaderStyle>>;
  /** markup: `<u>` or `<b><u>` around amounts, per statement. */
  emphasis?: Partial<Record<StatementKey, Emphasis>>;
  /** pdf-text: print the amount of a line with no line number (7305) inside its label. Default true. */
  amountInLabel?: boolean;
  /** pdf-text: how many source lines run together into one long line. Default 5. */
  runTogether?: number;
  /** pdf-text: source lines per page (a `Page i of n` is printed where a page ends). Default 40. */
  pageLines?: number;
  /** crlf-parens: a stray space after the first thousands comma of every nth grouped amount (0: none). Default 3. */
  strayEvery?: number;
  /** Thousands separator of every amount (markup, pdf-text, html). Default ','. */
  grouping?: Grouping;
  /** How negatives are written (markup, pdf-text, html; crlf-parens always uses parentheses). Default 'minus'. */
  negative?: NegativeStyle;
  /** `$` before every positive amount. Default false. */
  dollar?: boolean;
  /** Break labels longer than this many characters onto a second line (0: never). Default 0. */
  wrapLabels?: number;
  /** Break the firm name onto a second line (after its first word). Default false. */
  wrapFirm?: boolean;
  /** pdf-text: the letter-spaced banner `W I N J A M M E R F I L I N G` at the top of every page. Default false. */
  banner?: boolean;
  /** html: amounts of a total and its last sub-line in one cell (`0 0`) rather than two. Default true. */
  oneCell?: boolean;
  /** Vary the choices above (those not given) from this seed, for benchmarks and property tests. */
  seed?: number;
}

/** As in the 2014 sample. */
const DEFAULT_HEADER: Record<StatementKey, HeaderStyle> = {
  secured: 'block',
  segregation: 'block',
  clearedSwaps: 'one-line',
};
const DEFAULT_EMPHASIS: Record<StatementKey, Emphasis> = { secured: 'u', segregation: 'u', clearedSwaps: 'b-u' };
const DEFAULT_ORDER: StatementKey[] = ['secured', 'segregation', 'clearedSwaps'];

/** Text the form prints that carries no amount: the statements' subtitles and page headings. */
const SUBTITLE: Record<StatementKey, string> = {
  segregation: 'SEGREGATION REQUIREMENTS(Section 4d(2) of the CEAct)',
  secured: 'Foreign Futures and Foreign Options Secured Amounts',
  clearedSwaps:
    'STATEMENT OF CLEARED SWAPS CUSTOMER SEGREGATION REQUIREMENTS AND FUNDS IN CLEARED SWAPS CUSTOMER ACCOUNTS UNDER 4D(F) OF THE CEA',
};
const HEADING_BEFORE: Record<string, string> = {
  '7070': 'FUNDS IN SEGREGATED ACCOUNTS',
  '7500': 'FUNDS DEPOSITED IN SEPARATE REGULATION 30.7 ACCOUNTS',
  '8600': 'Funds in Cleared Swaps Customer Segregated Accounts',
};

// ---- layout: rendering-independent rows ------------------------------------------------------

interface CellOut {
  amounts: Decimal[];
  code: string | null;
}
type Row =
  | { kind: 'header'; style: HeaderStyle; fields: string[]; title: string; subtitle: string }
  | { kind: 'text'; text: string }
  | { kind: 'line'; num: string; letter: string; label: string; cells: CellOut[]; inLabel?: boolean };

function mdY(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${Number.parseInt(m, 10)}/${Number.parseInt(d, 10)}/${y}`;
}

/** A name broken onto a second line after its first word (a long name wrapped in a narrow header cell). */
export function wrapName(name: string): string {
  const i = name.indexOf(' ');
  return i > 0 ? `${name.slice(0, i)}\n${name.slice(i + 1)}` : name;
}

/** A label broken onto a second line at the last space before `at` characters. */
export function wrapLabel(label: string, at: number): string {
  if (!at || label.length <= at) return label;
  const i = label.lastIndexOf(' ', at);
  return i > 0 ? `${label.slice(0, i)}\n${label.slice(i + 1)}` : label;
}

function headerFields(f: Filing, forms: FormSet, opts: RenderOptions): string[] {
  const firm = opts.wrapFirm ? wrapName(f.firmName) : f.firmName;
  return [
    f.filingType,
    `End Date:${mdY(f.endDate)}`,
    `Firm Name:${firm}`,
    `Form:${f.form || forms.form}`,
    `Submit Date:${mdY(f.submitDate)}`,
  ];
}

/** A derived line printed as a second cell on its last item's line: its items are the lines right before it, in its group. */
function isGroupTotal(v: Variant, i: number): boolean {
  const l = v.lines[i];
  if (!l.sum || l.sum.some((t) => t.weight < 0) || l.sum.length > i) return false;
  const before = v.lines.slice(i - l.sum.length, i);
  return before.every(
    (b, k) =>
      b.code === l.sum![k].code &&
      (b.line === l.line ||
        (b.line.length === l.line.length + 1 && b.line.startsWith(l.line) && /[A-Z]$/.test(b.line))),
  );
}

const groupTotals = new WeakMap<Variant, boolean[]>();
function groupTotalsOf(v: Variant): boolean[] {
  let g = groupTotals.get(v);
  if (!g) groupTotals.set(v, (g = v.lines.map((_, i) => isGroupTotal(v, i))));
  return g;
}

function statementRows(st: Statement, v: Variant, header: Row, wrapAt: number): Row[] {
  const rows: Row[] = [header];
  const has = (code: string) => st.lines.has(code);
  const totals = groupTotalsOf(v);
  let groupPrefix = '';
  let prevNum = '';
  let lastLine: Row | null = null;
  v.lines.forEach((l: LineDef, i) => {
    if (!has(l.code)) return;
    const amount = st.lines.get(l.code)!;
    if (totals[i] && lastLine && lastLine.kind === 'line' && lastLine.cells.at(-1)?.code === v.lines[i - 1].code) {
      lastLine.cells.push({ amounts: [amount], code: l.code });
      return;
    }
    if (HEADING_BEFORE[l.code]) rows.push({ kind: 'text', text: HEADING_BEFORE[l.code] });
    const m = /^(\d+)([A-Z])?$/.exec(l.line);
    let num = m && m[1] !== prevNum ? m[1] : '';
    const letter = m?.[2] ?? '';
    let label = l.label;
    if (letter) {
      if (num) {
        const dash = label.indexOf(' - ');
        groupPrefix = dash > 0 ? label.slice(0, dash) : '';
        if (groupPrefix) {
          rows.push({ kind: 'line', num, letter: '', label: groupPrefix, cells: [] });
          num = '';
        }
      }
      if (groupPrefix && label.startsWith(`${groupPrefix} - `)) label = label.slice(groupPrefix.length + 3);
    } else {
      groupPrefix = '';
    }
    if (m) prevNum = m[1];
    if (l.parts) {
      rows.push({ kind: 'line', num, letter, label: l.label, cells: [] });
      const found = st.uncoded.filter((u) => u.partOf === l.code);
      l.parts.forEach((p, k) => {
        const u = found.find((x) => x.id === p.id);
        const last = k === l.parts!.length - 1;
        const amounts = [...(u ? [u.amount] : []), ...(last ? [amount] : [])];
        rows.push({
          kind: 'line',
          num: '',
          letter: p.id.slice(-1),
          label: u?.label || p.label,
          cells: amounts.length ? [{ amounts, code: last ? l.code : null }] : [],
        });
      });
      lastLine = null;
      return;
    }
    const row: Row = {
      kind: 'line',
      num,
      letter,
      label: l.line === '' ? label : wrapLabel(label, wrapAt),
      cells: [{ amounts: [amount], code: l.code }],
      inLabel: l.line === '',
    };
    rows.push(row);
    lastLine = row;
  });
  // Codes filed that the variant does not have: printed after its lines, as filed.
  for (const [code, amount] of st.lines)
    if (!v.byCode.has(code))
      rows.push({
        kind: 'line',
        num: '',
        letter: '',
        label: st.labels.get(code) ?? '',
        cells: [{ amounts: [amount], code }],
      });
  return rows;
}

function layout(f: Filing, opts: RenderOptions, pick: Picker): { key: StatementKey; rows: Row[] }[] {
  const forms = opts.forms ?? FORMS;
  const order = opts.order ?? DEFAULT_ORDER;
  const keys = [...order, ...STATEMENT_KEYS.filter((k) => !order.includes(k))].filter((k) => f.statements[k]);
  const out = keys.map((key) => {
    const st = f.statements[key]!;
    const v = forms.variantById.get(st.variant) ?? forms.statements[key].variants[0];
    const title = st.title && /^Daily Segregation - /.test(st.title) ? st.title : v.titles[0];
    const style = opts.header?.[key] ?? pick(['block', 'one-line', 'plain'] as const, DEFAULT_HEADER[key]);
    const subtitle =
      v.roles.funds === '7370' ? 'FOREIGN FUTURES AND FOREIGN OPTIONS SECURED AMOUNTS - SUMMARY' : SUBTITLE[key];
    return {
      key,
      rows: statementRows(
        st,
        v,
        { kind: 'header', style, fields: headerFields(f, forms, opts), title, subtitle },
        opts.wrapLabels ?? 0,
      ),
    };
  });
  if (f.unknownCodes.length > 0 && out.length > 0)
    out[out.length - 1].rows.push(
      ...f.unknownCodes.map(
        (u): Row => ({ kind: 'line', num: '', letter: '', label: '', cells: [{ amounts: [u.amount], code: u.code }] }),
      ),
    );
  return out;
}

// ---- seeded choices --------------------------------------------------------------------------

type Picker = <T>(choices: readonly T[], fallback: T) => T;

/** mulberry32: a small, fast seeded PRNG, uniform in [0, 1). Also drives generate.ts. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function picker(seed: number | undefined): Picker {
  if (seed === undefined) return (_c, fallback) => fallback;
  const next = mulberry32(seed);
  return (choices) => choices[Math.floor(next() * choices.length)];
}

// ---- amounts ---------------------------------------------------------------------------------

/**
 * `-1,234,567` as filed: money.ts `grouped` without its regular expressions, since rendering
 * thousands of filings for the benchmark formats an amount about a hundred times per filing.
 */
export function amountText(d: Decimal): string {
  const s = d.toFixed();
  const neg = s.charCodeAt(0) === 45;
  const digits = neg ? s.slice(1) : s;
  const dot = digits.indexOf('.');
  const int = dot < 0 ? digits : digits.slice(0, dot);
  let out = int.slice(0, int.length % 3 || 3);
  for (let i = out.length; i < int.length; i += 3) out += `,${int.slice(i, i + 3)}`;
  return `${neg ? '-' : ''}${out}${dot < 0 ? '' : digits.slice(dot)}`;
}

/** An amount written in a style: thousands separator, how a negative is written, `$`. */
export function styledAmount(
  d: Decimal,
  grouping: Grouping = ',',
  negative: NegativeStyle = 'minus',
  dollar = false,
): string {
  const g = amountText(d);
  const neg = g.startsWith('-');
  const digits = (neg ? g.slice(1) : g).replace(/,/g, grouping);
  const $ = dollar ? '$' : '';
  if (!neg) return `${$}${digits}`;
  switch (negative) {
    case 'minus':
      return `-${$}${digits}`;
    case 'parens':
      return `(${$}${digits})`;
    case 'minus-dollar':
      return `-$${digits}`;
    case 'dollar-minus':
      return `$-${digits}`;
    case 'minus-space':
      return `- ${$}${digits}`;
  }
}

/** `(3,309,126)` for a negative amount. */
export function parens(d: Decimal): string {
  const g = amountText(d);
  return g.startsWith('-') ? `(${g.slice(1)})` : g;
}

/** `1, 234,567`: a stray space after the first thousands comma (amounts under 1,000 unchanged). */
export function straySpace(s: string): string {
  return s.replace(/(\d),(\d{3})/, '$1, $2');
}

// ---- the renderings --------------------------------------------------------------------------

function markupRows(
  rows: Row[],
  key: StatementKey,
  opts: RenderOptions,
  pick: Picker,
  amount: (d: Decimal) => string,
  plainAmounts: boolean,
): string[] {
  const emphasis = opts.emphasis?.[key] ?? pick(['u', 'b-u'] as const, DEFAULT_EMPHASIS[key]);
  const wrap = (s: string) => (plainAmounts ? s : emphasis === 'u' ? `<u>${s}</u>` : `<b><u>${s}</u></b>`);
  const sep = emphasis === 'u' ? '\t' : ' ';
  const out: string[] = [];
  for (const r of rows) {
    if (r.kind === 'header') {
      const [type, ...rest] = r.fields;
      if (r.style === 'one-line') {
        out.push('', `${[...r.fields, r.title].map((x) => `**${x}**`).join('')}${r.subtitle}  `, '');
      } else {
        out.push('', '', `**${type}**`, '');
        for (const x of rest) out.push(r.style === 'plain' ? x : `**${x}**`, '');
        out.push(`**${r.title}**`, '', r.subtitle, '');
      }
    } else if (r.kind === 'text') {
      out.push(`\t${r.text}\t`);
    } else {
      const head = `${r.num ? `${r.num}.` : ''}\t${r.letter ? `${r.letter}. ` : ''}${r.label}`;
      const cells = r.cells
        .map((c) => `${wrap(c.amounts.map(amount).join(' '))}${c.code ? ` [${c.code}]` : ''}`)
        .join(' ');
      out.push(
        r.num === '' && r.letter === '' && r.inLabel
          ? `${r.label}${sep}${cells}`
          : cells
            ? `${head}${sep}${cells}`
            : `${head}${r.num && !r.letter ? '\t' : ''}`,
      );
    }
  }
  return out;
}

function pdfLines(rows: Row[], opts: RenderOptions, amount: (d: Decimal) => string): string[] {
  const out: string[] = [];
  const amountInLabel = opts.amountInLabel ?? true;
  for (const r of rows) {
    if (r.kind === 'header') {
      out.push(...r.fields, r.title, r.subtitle);
    } else if (r.kind === 'text') {
      out.push(r.text);
    } else {
      const cells = r.cells.map((c) => `${c.amounts.map(amount).join(' ')}${c.code ? ` [${c.code}]` : ''}`).join(' ');
      const words = r.label.split(' ');
      if (r.inLabel && amountInLabel && words.length > 4 && cells) {
        // `...of a foreign 0 [7305] government...`: the amount lands inside its own label.
        const at = Math.max(1, words.indexOf('foreign') + 1 || Math.floor(words.length / 2));
        out.push(`${words.slice(0, at).join(' ')} ${cells} ${words.slice(at).join(' ')}`);
      } else {
        out.push([r.num ? `${r.num}.` : '', r.letter ? `${r.letter}.` : '', r.label, cells].filter(Boolean).join(' '));
      }
    }
  }
  return out;
}

/** The letter-spaced banner a printed WinJammer page carries, as PDF-to-text gives it. */
export const PDF_BANNER = 'W I N J A M M E R F I L I N G';

/** Run lines together into long lines and put `Page i of n` where pages end (between any two lines), and the banner where one starts. */
function runTogether(lines: string[], per: number, pageLines: number, banner: boolean): string {
  const pages = Math.max(1, Math.ceil(lines.length / pageLines));
  const out: string[] = [];
  let current: string[] = banner ? [PDF_BANNER] : [];
  let page = 1;
  let sincePage = 0;
  lines.forEach((line, i) => {
    current.push(line);
    sincePage++;
    if (sincePage >= pageLines && page < pages) {
      current.push(`Page ${page} of ${pages}`);
      if (banner) current.push(PDF_BANNER);
      page++;
      sincePage = 0;
    }
    if (current.length >= per || i === lines.length - 1) {
      out.push(current.join(' '));
      current = [];
    }
  });
  out.push(`Page ${pages} of ${pages}`);
  return `${out.join('\n')}\n`;
}

// ---- the cover page --------------------------------------------------------------------------

const COVER_HEADINGS: Record<StatementKey, string> = {
  segregation: "FCM's Customer Segregated Funds Residual Interest Target (choose one):",
  secured: "FCM's Customer Secured Amount Funds Residual Interest Target (choose one):",
  clearedSwaps: "FCM's Cleared Swaps Customer Collateral Residual Interest Target (choose one):",
};
const COVER_FUNDS: Record<StatementKey, string> = {
  segregation: 'customer segregated funds',
  secured: 'customer secured amount funds',
  clearedSwaps: 'cleared swaps customer collateral',
};
const COVER_ORDER: StatementKey[] = ['segregation', 'secured', 'clearedSwaps'];

/** The four choices of a class as (label, values) rows: the one chosen holds the values, the others 0. */
function coverChoices(
  key: StatementKey,
  type: CoverTargetType | undefined,
  values: readonly (Decimal | null)[],
): { label: string; values: (Decimal | null)[] }[] {
  const funds = COVER_FUNDS[key];
  const rows: { type: CoverTargetType; label: string; n: number }[] = [
    { type: 'minimum-dollar', label: 'a. Minimum dollar amount: ; or', n: 1 },
    { type: 'minimum-percent', label: `b. Minimum percentage of ${funds} required:% ; or`, n: 1 },
    { type: 'dollar-range', label: 'c. Dollar amount range between:and; or', n: 2 },
    { type: 'percent-range', label: `d. Percentage range of ${funds} required between:% and%.`, n: 2 },
  ];
  return rows.map((r) => ({
    label: r.label,
    values: r.type === type ? [...values] : new Array<Decimal>(r.n).fill(ZERO),
  }));
}

/** The Cover Page's rows, rendering-independent: the company, then each class's heading and choices. */
function coverRows(cover: CoverPage): { heading: string; choices: { label: string; values: (Decimal | null)[] }[] }[] {
  return COVER_ORDER.map((key) => ({
    heading: COVER_HEADINGS[key],
    choices: coverChoices(key, cover[key]?.type, cover[key]?.values ?? []),
  }));
}

/** A cover page value as printed: dollars grouped, percentages as they are; a value that cannot be read printed as a real filing printed one (`155,000, ,000,000`). */
function coverValue(v: Decimal | null, amount: (d: Decimal) => string): string {
  if (v === null) return '155,000, ,000,000';
  return v.isInteger() ? amount(v) : v.toFixed();
}

function coverMarkup(f: Filing, cover: CoverPage, amount: (d: Decimal) => string, plain: boolean): string[] {
  const u = (s: string) => (plain ? s : `<u>${s}</u>`);
  const out = ['**Daily Segregation - Cover Page**', '', `Name of Company\t${f.firmName}`, ''];
  for (const c of coverRows(cover)) {
    out.push(c.heading);
    for (const ch of c.choices) out.push(`\t${ch.label}\t${ch.values.map((v) => u(coverValue(v, amount))).join('\t')}`);
    out.push('');
  }
  return out;
}

function coverPdfLines(f: Filing, cover: CoverPage, amount: (d: Decimal) => string): string[] {
  const out = ['Daily Segregation - Cover Page', `Name of Company ${f.firmName}`];
  for (const c of coverRows(cover)) {
    out.push(c.heading);
    // As a PDF transcription runs them: each label, then its values.
    for (const ch of c.choices) out.push(`${ch.label} ${ch.values.map((v) => coverValue(v, amount)).join(' ')}`);
  }
  return out;
}

// ---- html ------------------------------------------------------------------------------------

/** Text for HTML: `&`, `<`, `>` and `'` as entities (the apostrophe numerically, as saved pages do). */
function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&#39;')
    .replace(/"/g, '&quot;');
}
/** Text for HTML with its line breaks as `<br>`. */
const escBr = (s: string) => esc(s).replace(/\n/g, '<br>');

function htmlDocument(
  f: Filing,
  statements: { key: StatementKey; rows: Row[] }[],
  opts: RenderOptions,
  pick: Picker,
  amount: (d: Decimal) => string,
): string {
  const upper = pick([false, true], false);
  const oneCell = opts.oneCell ?? pick([true, false], true);
  const t = (name: string, attrs = '') => `<${upper ? name.toUpperCase() : name}${attrs}>`;
  const e = (name: string) => `</${upper ? name.toUpperCase() : name}>`;
  // The grouping space of an amount as an entity, as a web page writes it.
  const html = (d: Decimal) =>
    esc(amount(d))
      .replace(/\u00a0/g, '&nbsp;')
      .replace(/\u202f/g, '&#8239;')
      .replace(/\u2009/g, '&thinsp;');
  const td = (cls: string, body: string) =>
    `${t('td', ` class="${cls}"${cls === 'amt' ? ' align="right" style="white-space:nowrap"' : ''}`)}${body}${e('td')}`;
  const out: string[] = [
    '<!DOCTYPE html>',
    `${t('html', ' lang="en"')}${t('head')}<meta charset="utf-8"><title>WinJammer Filing - ${esc(f.firmName)}</title>`,
    '<style>td.amt { text-align: right } .hdr td { padding: 2px 6px }</style>',
    `<script>window.print && void 0; // "1,234 [7010]" in a script is not shown</script>${e('head')}`,
    t('body', ' class="filing"'),
  ];
  if (f.coverPage) {
    out.push(`${t('h2')}Daily Segregation - Cover Page${e('h2')}`, `${t('table', ' class="cover" border="0"')}`);
    out.push(`${t('tr')}${td('lbl', 'Name of Company')}${td('val', escBr(f.firmName))}${e('tr')}`);
    for (const c of coverRows(f.coverPage)) {
      out.push(`${t('tr')}${t('td', ' colspan="3"')}${t('b')}${esc(c.heading)}${e('b')}${e('td')}${e('tr')}`);
      for (const ch of c.choices)
        out.push(
          `${t('tr')}${td('lbl', esc(ch.label))}${ch.values.map((v) => td('amt', v === null ? '155,000, ,000,000' : esc(coverValue(v, amount)))).join('')}${e('tr')}`,
        );
    }
    out.push(e('table'));
  }
  for (const { rows } of statements) {
    for (const r of rows) {
      if (r.kind === 'header') {
        const [type, ...fields] = r.fields;
        out.push(
          `${t('table', ' class="hdr" cellpadding="2"')}`,
          `${t('tr')}${t('td', ' colspan="2"')}${t('b')}${type}${e('b')}${e('td')}${e('tr')}`,
        );
        for (const x of fields) {
          const colon = x.indexOf(':');
          out.push(
            `${t('tr')}${td('lbl', esc(x.slice(0, colon + 1)))}${td('val', escBr(x.slice(colon + 1)))}${e('tr')}`,
          );
        }
        out.push(
          e('table'),
          `${t('h3', ' style="margin:4px 0"')}${esc(r.title)}${e('h3')}`,
          `${t('p')}${esc(r.subtitle)}${e('p')}`,
          t('table', ' class="stmt" width="100%"'),
        );
      } else if (r.kind === 'text') {
        out.push(`${t('tr')}${t('td', ' colspan="4"')}${t('b')}${esc(r.text)}${e('b')}${e('td')}${e('tr')}`);
      } else {
        const label = `${r.letter ? `${r.letter}. ` : ''}${escBr(r.label)}`;
        const cells = r.cells
          .map((c) => {
            const amounts =
              oneCell || c.amounts.length === 1
                ? [td('amt', `<u>${c.amounts.map(html).join(' ')}</u>`)]
                : c.amounts.map((a) => td('amt', `<u>${html(a)}</u>`));
            return `${amounts.join('')}${c.code ? td('code', `[${c.code}]`) : td('code', '&nbsp;')}`;
          })
          .join('');
        out.push(`${t('tr')}${td('num', r.num ? `${r.num}.` : '&nbsp;')}${td('label', label)}${cells}${e('tr')}`);
      }
    }
    out.push(e('table'));
  }
  out.push(e('body'), e('html'), '');
  return out.join('\n');
}

/** Render a filing as text in one of the renderings. */
export function render(filing: Filing, rendering: Rendering, opts: RenderOptions = {}): string {
  const pick = picker(opts.seed);
  const statements = layout(filing, opts, pick);
  const grouping = opts.grouping ?? ',';
  const negative = opts.negative ?? 'minus';
  const dollar = opts.dollar ?? false;
  const styled =
    grouping === ',' && negative === 'minus' && !dollar
      ? amountText
      : (d: Decimal) => styledAmount(d, grouping, negative, dollar);
  switch (rendering) {
    case 'markup': {
      const cover = filing.coverPage ? coverMarkup(filing, filing.coverPage, styled, false) : [];
      return [...cover, ...statements.flatMap((s) => markupRows(s.rows, s.key, opts, pick, styled, false))].join('\n');
    }
    case 'crlf-parens': {
      const every = opts.strayEvery ?? pick([0, 1, 2, 3, 5], 3);
      let n = 0;
      const amount = (d: Decimal) => {
        const s = parens(d);
        return every > 0 && /,/.test(s) && ++n % every === 0 ? straySpace(s) : s;
      };
      const plain = pick([true, false], false);
      const cover = filing.coverPage ? coverMarkup(filing, filing.coverPage, parens, plain) : [];
      return `${[...cover, ...statements.flatMap((s) => markupRows(s.rows, s.key, opts, pick, amount, plain))].join('\r\n')}\r\n`;
    }
    case 'pdf-text': {
      // Two values of a range run together with ASCII-space grouping (`100 000 100 001`) cannot be told apart: commas there.
      const coverAmount = grouping === ' ' ? (d: Decimal) => styledAmount(d, ',', negative, dollar) : styled;
      const cover = filing.coverPage ? coverPdfLines(filing, filing.coverPage, coverAmount) : [];
      const lines = [...cover, ...statements.flatMap((s) => pdfLines(s.rows, opts, styled))].filter(
        (l) => l.trim() !== '',
      );
      return runTogether(
        lines,
        opts.runTogether ?? pick([2, 3, 5, 8, 13], 5),
        opts.pageLines ?? pick([25, 40, 60], 40),
        opts.banner ?? false,
      );
    }
    case 'html':
      return htmlDocument(filing, statements, opts, pick, styled);
  }
}
