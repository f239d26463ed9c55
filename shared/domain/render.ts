/**
 * Renders a Filing back to text, in each rendering seen in the wild (FORMS.md "Renderings"):
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
 *
 * Everything comes from the form definitions: line numbers, labels, the variant's line order, and
 * the statement titles. The output parses back (parser.ts) to the same amounts.
 */
import { FORMS, STATEMENT_KEYS, type FormSet, type LineDef, type StatementKey, type Variant } from './forms';
import type { Decimal } from './money';
import type { Filing, Statement } from './model';

export const RENDERINGS = ['markup', 'pdf-text', 'crlf-parens'] as const;
export type Rendering = (typeof RENDERINGS)[number];

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
  /** Vary the choices above (those not given) from this seed, for benchmarks and property tests. */
  seed?: number;
}

/** As in the 2014 sample. */
const DEFAULT_HEADER: Record<StatementKey, HeaderStyle> = { secured: 'block', segregation: 'block', clearedSwaps: 'one-line' };
const DEFAULT_EMPHASIS: Record<StatementKey, Emphasis> = { secured: 'u', segregation: 'u', clearedSwaps: 'b-u' };
const DEFAULT_ORDER: StatementKey[] = ['secured', 'segregation', 'clearedSwaps'];

/** Text the form prints that carries no amount: the statements' subtitles and page headings. */
const SUBTITLE: Record<StatementKey, string> = {
  segregation: 'SEGREGATION REQUIREMENTS(Section 4d(2) of the CEAct)',
  secured: 'Foreign Futures and Foreign Options Secured Amounts',
  clearedSwaps: 'STATEMENT OF CLEARED SWAPS CUSTOMER SEGREGATION REQUIREMENTS AND FUNDS IN CLEARED SWAPS CUSTOMER ACCOUNTS UNDER 4D(F) OF THE CEA',
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

function headerFields(f: Filing, forms: FormSet): string[] {
  return [f.filingType, `End Date:${mdY(f.endDate)}`, `Firm Name:${f.firmName}`, `Form:${f.form || forms.form}`, `Submit Date:${mdY(f.submitDate)}`];
}

/** A derived line printed as a second cell on its last item's line: its items are the lines right before it, in its group. */
function isGroupTotal(v: Variant, i: number): boolean {
  const l = v.lines[i];
  if (!l.sum || l.sum.some((t) => t.weight < 0) || l.sum.length > i) return false;
  const before = v.lines.slice(i - l.sum.length, i);
  return before.every((b, k) => b.code === l.sum![k].code && (b.line === l.line || (b.line.length === l.line.length + 1 && b.line.startsWith(l.line) && /[A-Z]$/.test(b.line))));
}

const groupTotals = new WeakMap<Variant, boolean[]>();
function groupTotalsOf(v: Variant): boolean[] {
  let g = groupTotals.get(v);
  if (!g) groupTotals.set(v, (g = v.lines.map((_, i) => isGroupTotal(v, i))));
  return g;
}

function statementRows(st: Statement, v: Variant, header: Row): Row[] {
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
    let letter = m?.[2] ?? '';
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
        rows.push({ kind: 'line', num: '', letter: p.id.slice(-1), label: u?.label || p.label, cells: amounts.length ? [{ amounts, code: last ? l.code : null }] : [] });
      });
      lastLine = null;
      return;
    }
    const row: Row = { kind: 'line', num, letter, label, cells: [{ amounts: [amount], code: l.code }], inLabel: l.line === '' };
    rows.push(row);
    lastLine = row;
  });
  // Codes filed that the variant does not have: printed after its lines, as filed.
  for (const [code, amount] of st.lines)
    if (!v.byCode.has(code)) rows.push({ kind: 'line', num: '', letter: '', label: st.labels.get(code) ?? '', cells: [{ amounts: [amount], code }] });
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
    const subtitle = v.roles.funds === '7370' ? 'FOREIGN FUTURES AND FOREIGN OPTIONS SECURED AMOUNTS - SUMMARY' : SUBTITLE[key];
    return { key, rows: statementRows(st, v, { kind: 'header', style, fields: headerFields(f, forms), title, subtitle }) };
  });
  if (f.unknownCodes.length > 0 && out.length > 0)
    out[out.length - 1].rows.push(...f.unknownCodes.map((u): Row => ({ kind: 'line', num: '', letter: '', label: '', cells: [{ amounts: [u.amount], code: u.code }] })));
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

function markupRows(rows: Row[], key: StatementKey, opts: RenderOptions, pick: Picker, amount: (d: Decimal) => string, plainAmounts: boolean): string[] {
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
      const cells = r.cells.map((c) => `${wrap(c.amounts.map(amount).join(' '))}${c.code ? ` [${c.code}]` : ''}`).join(' ');
      out.push(r.num === '' && r.letter === '' && r.inLabel ? `${r.label}${sep}${cells}` : cells ? `${head}${sep}${cells}` : `${head}${r.num && !r.letter ? '\t' : ''}`);
    }
  }
  return out;
}

function pdfLines(rows: Row[], opts: RenderOptions): string[] {
  const out: string[] = [];
  const amountInLabel = opts.amountInLabel ?? true;
  for (const r of rows) {
    if (r.kind === 'header') {
      out.push(...r.fields, r.title, r.subtitle);
    } else if (r.kind === 'text') {
      out.push(r.text);
    } else {
      const cells = r.cells.map((c) => `${c.amounts.map(amountText).join(' ')}${c.code ? ` [${c.code}]` : ''}`).join(' ');
      const words = r.label.split(' ');
      if (r.inLabel && amountInLabel && words.length > 4 && cells) {
        // `...of a foreign 0 [7305] government...`: the amount lands inside its own label.
        const at = Math.max(1, words.findIndex((w) => w === 'foreign') + 1 || Math.floor(words.length / 2));
        out.push(`${words.slice(0, at).join(' ')} ${cells} ${words.slice(at).join(' ')}`);
      } else {
        out.push([r.num ? `${r.num}.` : '', r.letter ? `${r.letter}.` : '', r.label, cells].filter(Boolean).join(' '));
      }
    }
  }
  return out;
}

/** Run lines together into long lines and put `Page i of n` where pages end (between any two lines). */
function runTogether(lines: string[], per: number, pageLines: number): string {
  const pages = Math.max(1, Math.ceil(lines.length / pageLines));
  const out: string[] = [];
  let current: string[] = [];
  let page = 1;
  let sincePage = 0;
  lines.forEach((line, i) => {
    current.push(line);
    sincePage++;
    if (sincePage >= pageLines && page < pages) {
      current.push(`Page ${page} of ${pages}`);
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

/** Render a filing as text in one of the renderings. */
export function render(filing: Filing, rendering: Rendering, opts: RenderOptions = {}): string {
  const pick = picker(opts.seed);
  const statements = layout(filing, opts, pick);
  switch (rendering) {
    case 'markup':
      return statements.flatMap((s) => markupRows(s.rows, s.key, opts, pick, amountText, false)).join('\n');
    case 'crlf-parens': {
      const every = opts.strayEvery ?? pick([0, 1, 2, 3, 5], 3);
      let n = 0;
      const amount = (d: Decimal) => {
        const s = parens(d);
        return every > 0 && /,/.test(s) && ++n % every === 0 ? straySpace(s) : s;
      };
      const plain = pick([true, false], false);
      return `${statements.flatMap((s) => markupRows(s.rows, s.key, opts, pick, amount, plain)).join('\r\n')}\r\n`;
    }
    case 'pdf-text': {
      const lines = statements.flatMap((s) => pdfLines(s.rows, opts)).filter((l) => l.trim() !== '');
      return runTogether(lines, opts.runTogether ?? pick([2, 3, 5, 8, 13], 5), opts.pageLines ?? pick([25, 40, 60], 40));
    }
  }
}
