/**
 * HTML building blocks: hono's `html` tagged template (every interpolated string is escaped;
 * nested templates and `raw` are not), number formatting from decimal strings (never through a JS
 * number), and the page layout.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { dec, type Decimal } from '../../../shared/domain/money';
import { FORMS, type StatementKey } from '../../../shared/domain/forms';
import { RECOMPUTED_LEGEND } from '../../../shared/domain/report';
import type { ReadStatus } from '../../../shared/read/types';
import { STYLESHEET_PATH } from '../style';

export type Html = HtmlEscapedString;
export type Child = Html | string | number | null | undefined | false | Child[];

/** `html` without the Promise in its type: nothing here ever interpolates a promise. */
export function h(strings: TemplateStringsArray, ...values: Child[]): Html {
  return html(strings, ...values) as Html;
}
export { raw };

/** An empty fragment. */
export const nothing: Html = raw('');

// ---- numbers ------------------------------------------------------------------------------

const DASH = '\u2013';

/** A canonical decimal string, as every amount at the boundary is (shared/domain/money.ts dec()). */
const CANONICAL = /^(-?)(\d+)(\.\d+)?$/;

/**
 * Thousands separators on a decimal string, done on the string itself (the digits are copied,
 * never converted): 7,500 of these make a twelve-month firm page. Anything that is not a
 * canonical decimal string is refused, as dec() refuses it.
 */
export function groupDigits(s: string): string {
  const m = CANONICAL.exec(s);
  if (!m) throw new Error(`not a decimal string: ${JSON.stringify(s)}`);
  const digits = m[2];
  let int = digits;
  if (digits.length > 3) {
    const head = digits.length % 3 || 3;
    int = digits.slice(0, head);
    for (let i = head; i < digits.length; i += 3) int += `,${digits.slice(i, i + 3)}`;
  }
  // "-0" and "-0.00" read as 0.
  const negative = m[1] === '-' && (/[1-9]/.test(digits) || /[1-9]/.test(m[3] ?? ''));
  return `${negative ? '-' : ''}${int}${m[3] ?? ''}`;
}

/** Cents as two digits ("12.5" -> "12.50"): the same amount, written as money is. */
const cents = (g: string) => (/\.\d$/.test(g) ? `${g}0` : g);

/** 1,234,567 / 64,667,775.50 (or "–" for null). */
export function money(s: string | null | undefined): string {
  return s === null || s === undefined ? DASH : cents(groupDigits(s));
}

/** What the mark after a recomputed excess says (shared/domain/report.ts RECOMPUTED_LEGEND, without its `†`). */
export const RECOMPUTED_NOTE = RECOMPUTED_LEGEND.replace(/^† /, '');

/**
 * A statement's excess as money, with a `†` after it when it is not the excess line as filed but
 * recomputed from the lines (funds - required: the statement does not reconcile); the mark's title
 * says so, and a page with one carries `recomputedNote`.
 */
export function excessMoney(s: ExcessShown): Html {
  return marksRecomputed(s)
    ? h`${money(s.excess)}<abbr class="rc" title="${RECOMPUTED_NOTE}">†</abbr>`
    : h`${money(s.excess)}`;
}

type ExcessShown = { excess: string | null; excessRecomputed: boolean };

/** Whether `excessMoney` marks this excess (a page that shows one carries `recomputedNote`). */
export const marksRecomputed = (s: ExcessShown | undefined): boolean =>
  s?.excessRecomputed === true && s.excess !== null;

/** The note under a table with a recomputed excess (`excessMoney`'s mark). */
export function recomputedNote(): Html {
  return h`<p class="note">† ${RECOMPUTED_NOTE}.</p>`;
}

/** +1,234 / -1,234 / 0. */
export function signedMoney(s: string | null | undefined): string {
  if (s === null || s === undefined) return DASH;
  const g = cents(groupDigits(s));
  return g.startsWith('-') || /^[0.,]+$/.test(g) ? g : `+${g}`;
}

/** A percentage string ("-7.95") as "-7.95%". */
export function pct(s: string | null | undefined): string {
  if (s === null || s === undefined) return DASH;
  const g = groupDigits(s);
  return `${g.startsWith('-') || /^[0.,]+$/.test(g) ? '' : '+'}${g}%`;
}

/** A ratio ("1.365") as a percentage with one decimal ("136.5%"). */
export function ratioPct(s: string | null | undefined): string {
  if (s === null || s === undefined) return DASH;
  return `${dec(s).times(100).toDecimalPlaces(1).toFixed(1)}%`;
}

/** $1.2B / $350M / $25K / $900 for axis labels: three significant figures at most. */
export function shortMoney(d: Decimal): string {
  const neg = d.isNegative() && !d.isZero();
  const a = d.abs();
  const units: [string, string][] = [
    ['1e12', 'T'],
    ['1e9', 'B'],
    ['1e6', 'M'],
    ['1e3', 'K'],
  ];
  let text = a.toDecimalPlaces(0).toFixed();
  for (const [size, suffix] of units) {
    if (a.gte(size)) {
      const v = a.div(size);
      text = `${v.toSignificantDigits(3).toFixed().replace(/\.0+$/, '')}${suffix}`;
      break;
    }
  }
  return `${neg ? '-' : ''}$${text}`;
}

// ---- statements and statuses --------------------------------------------------------------

export const STATEMENT_LABEL: Record<StatementKey, string> = {
  segregation: 'Segregation',
  secured: 'Secured amounts',
  clearedSwaps: 'Cleared swaps',
};
export function statementName(key: StatementKey): string {
  return FORMS.statements[key].name;
}

export const STATUS_LABEL: Record<ReadStatus, string> = {
  ok: 'ok',
  'below-target': 'below target',
  deficiency: 'deficiency',
  unreconciled: 'unreconciled',
};

export function chip(status: ReadStatus): Html {
  return h`<span class="chip st-${status}">${STATUS_LABEL[status]}</span>`;
}

export function severityChip(severity: string): Html {
  return h`<span class="chip sev-${severity}">${severity}</span>`;
}

// ---- URLs ---------------------------------------------------------------------------------

/** A path with a query string (empty values left out). Every part is encoded. */
export function url(path: string, query: Record<string, string | undefined> = {}): string {
  const q = Object.entries(query)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v!)}`)
    .join('&');
  return q ? `${path}?${q}` : path;
}
/**
 * A firm's page, with its trailing slash: its day links are then relative (`days/2025-01-08`), which
 * keeps a year of table rows small. `/firms/{id}` serves the same page (with longer links).
 */
export const firmUrl = (firmId: string) => `/firms/${encodeURIComponent(firmId)}/`;
export const dayUrl = (firmId: string, date: string) => `/firms/${encodeURIComponent(firmId)}/days/${date}`;

// ---- layout -------------------------------------------------------------------------------

export interface PageOptions {
  title: string;
  /** Which navigation entry is current. */
  nav?: 'board' | 'alerts' | 'calendar';
  /** Footer note: who is signed in, or that this is the local, sign-in-free dashboard. */
  who?: string;
  signOut?: boolean;
}

export function page(o: PageOptions, body: Html): Html {
  const item = (key: PageOptions['nav'], href: string, label: string) =>
    h`<li><a href="${href}"${o.nav === key ? raw(' aria-current="page"') : ''}>${label}</a></li>`;
  return h`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · segwatch</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
</head>
<body>
<header class="top">
<a class="brand" href="/">segwatch</a>
<nav aria-label="Main"><ul>${item('board', '/', 'Board')}${item('alerts', '/alerts', 'Alerts')}${item('calendar', '/calendar', 'Calendar')}</ul></nav>
<p class="who">${o.who ?? ''}${o.signOut ? h` · <a href="/logout">Sign out</a>` : ''}</p>
</header>
<main>
${body}
</main>
<footer><p>Figures are from each firm's effective filing (the latest submitted amendment, else the initial). Amounts in US dollars.</p></footer>
</body>
</html>`;
}
