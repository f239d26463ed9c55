/**
 * The read views for people and spreadsheets: the `segwatch history|board|alerts|show` tables,
 * the sparkline, and RFC 4180 CSV that Excel opens with numbers as numbers. Pure: strings in,
 * strings out; amounts stay decimal strings (grouped for people, plain for CSV).
 */
import { FORMS, STATEMENT_KEYS, type StatementKey } from '../domain/forms';
import { dec, grouped, Decimal, type Decimal as D } from '../domain/money';
import { filingFromJson } from '../domain/model';
import { reconcile } from '../domain/reconcile';
import {
  anyExcessRecomputed,
  excessCell,
  markRecomputed,
  RECOMPUTED_LEGEND,
  sortFindings,
  table,
} from '../domain/report';
import type { AlertRow, AlertsJson, BoardJson, HistoryJson, ShowJson, StatementDay, StatementsDay } from './types';

const short = (k: StatementKey) => FORMS.statements[k].shortName;
const amt = (s: string | null) => (s === null ? '-' : grouped(dec(s)));
const signed = (s: string | null) => (s === null ? '-' : s.startsWith('-') ? grouped(dec(s)) : `+${grouped(dec(s))}`);
const pct = (s: string | null) => (s === null ? '-' : `${s.startsWith('-') ? '' : '+'}${s}%`);
/** A statement's excess in a table: `†` after one recomputed from the lines (report.ts markRecomputed; the table then gets RECOMPUTED_LEGEND). */
const excessText = (s: StatementDay, anyRecomputed: boolean) =>
  s.excess === null ? '-' : markRecomputed(amt(s.excess), s.excessRecomputed, anyRecomputed);
/** Whether any statement of these days has an excess recomputed from the lines. */
const anyRecomputedIn = (days: readonly { statements: StatementsDay }[]) =>
  days.some((d) => STATEMENT_KEYS.some((k) => d.statements[k]?.excessRecomputed === true));
const STATUS: Record<StatementDay['status'], string> = {
  ok: 'ok',
  'below-target': 'BELOW TARGET',
  deficiency: 'DEFICIENCY',
  unreconciled: 'UNRECONCILED',
};

function indent(text: string, by = '  '): string {
  return text
    .split('\n')
    .map((l) => (l ? `${by}${l}` : l))
    .join('\n');
}

// ---- sparkline ------------------------------------------------------------------------------

const BARS = '▁▂▃▄▅▆▇█';
export const SPARK_WIDTH = 60;

/**
 * Two sparklines on one scale: the excess (each column the lowest excess of the days it covers)
 * and the target (the highest), so a bar under the target row's level is a column with a day
 * below target. Columns cover consecutive days when there are more days than `width`. A day with
 * no figure is a blank. Levels are computed in decimals; only the bar index (0-7) is a number.
 */
export function sparkPair(
  excess: (string | null)[],
  target: (string | null)[],
  width = SPARK_WIDTH,
): { excess: string; target: string | null } {
  const n = excess.length;
  const cols = Math.min(n, width);
  const bucket = (values: (string | null)[], pick: (a: D, b: D) => D): (D | null)[] => {
    const out: (D | null)[] = [];
    for (let c = 0; c < cols; c++) {
      const lo = Math.floor((c * n) / cols);
      const hi = Math.floor(((c + 1) * n) / cols);
      let v: D | null = null;
      for (let i = lo; i < hi; i++) {
        const x = values[i];
        if (x === null || x === undefined) continue;
        const d = dec(x);
        v = v === null ? d : pick(v, d);
      }
      out.push(v);
    }
    return out;
  };
  const ex = bucket(excess, (a, b) => (b.lt(a) ? b : a));
  const hasTarget = target.some((t) => t !== null);
  const tg = hasTarget ? bucket(target, (a, b) => (b.gt(a) ? b : a)) : [];
  const all = [...ex, ...tg].filter((x): x is D => x !== null);
  if (all.length === 0) return { excess: ' '.repeat(cols), target: hasTarget ? ' '.repeat(cols) : null };
  const lo = all.reduce((a, b) => (b.lt(a) ? b : a));
  const hi = all.reduce((a, b) => (b.gt(a) ? b : a));
  const span = hi.minus(lo);
  const bar = (v: D | null) => {
    if (v === null) return ' ';
    if (span.isZero()) return BARS[3];
    const level = v
      .minus(lo)
      .times(BARS.length - 1)
      .div(span)
      .toDecimalPlaces(0, Decimal.ROUND_FLOOR)
      .toNumber();
    return BARS[Math.max(0, Math.min(BARS.length - 1, level))];
  };
  return { excess: ex.map(bar).join(''), target: hasTarget ? tg.map(bar).join('') : null };
}

// ---- history --------------------------------------------------------------------------------

export function renderHistory(h: HistoryJson): string {
  const out: string[] = [];
  const days = h.days;
  const span = days.length ? `${days[0].endDate} to ${days[days.length - 1].endDate}` : 'no filing days in the range';
  out.push(`${h.firmName} (${h.firmId}): ${span}, ${days.length} filing day${days.length === 1 ? '' : 's'}`);
  if (days.length === 0) return out.join('\n');
  const rows = [
    [
      'date',
      'statement',
      'excess',
      'target',
      'over target',
      'status',
      'change',
      'change %',
      'cushion',
      'headroom',
      'notes',
    ],
  ];
  const recomputed = anyRecomputedIn(days);
  for (const d of days) {
    const notes = [
      d.filingType === 'AMENDMENT' ? 'amendment' : '',
      d.versions > 1 ? `${d.versions} versions` : '',
      d.late ? 'LATE' : '',
    ]
      .filter(Boolean)
      .join(', ');
    let first = true;
    for (const k of STATEMENT_KEYS) {
      const s = d.statements[k];
      if (!s) continue;
      rows.push([
        first ? d.endDate : '',
        short(k),
        excessText(s, recomputed),
        amt(s.target),
        signed(s.overTarget),
        STATUS[s.status],
        signed(s.changeFromPrevious),
        pct(s.changePct),
        s.cushion ?? '-',
        amt(s.headroom),
        first ? notes : '',
      ]);
      first = false;
    }
  }
  out.push('');
  out.push(table(rows, [false, false, true, true, true, false, true, true, true, true, false]));
  if (recomputed) out.push(RECOMPUTED_LEGEND);
  out.push('');
  out.push(
    `excess against target, ${days[0].endDate} to ${days[days.length - 1].endDate}${days.length > SPARK_WIDTH ? ` (each column the lowest excess of ${(days.length / SPARK_WIDTH).toFixed(1)} days)` : ''}:`,
  );
  for (const k of STATEMENT_KEYS) {
    const series = days.map((d) => d.statements[k]);
    if (series.every((s) => !s)) continue;
    const line = sparkPair(
      series.map((s) => s?.excess ?? null),
      series.map((s) => s?.target ?? null),
    );
    const present = series.filter((s): s is StatementDay => !!s);
    const lastS = present[present.length - 1];
    const below = present.filter((s) => s.status === 'below-target' || s.status === 'deficiency').length;
    const name = short(k).padEnd(16);
    out.push(
      `  ${name}excess ${line.excess}  ${lastS.excess === null ? '-' : markRecomputed(amt(lastS.excess), lastS.excessRecomputed, false)}${below ? `  (${below} day${below === 1 ? '' : 's'} below target)` : ''}`,
    );
    if (line.target !== null) out.push(`  ${''.padEnd(16)}target ${line.target}  ${amt(lastS.target)}`);
  }
  return out.join('\n');
}

// ---- board ----------------------------------------------------------------------------------

export function renderBoard(b: BoardJson): string {
  const filed = b.firms.filter((f) => f.filed).length;
  const out = [
    `Board for ${b.date}: ${b.firms.length} watched firm${b.firms.length === 1 ? '' : 's'}, ${filed} filed, ${b.firms.length - filed} missing (worst first)`,
  ];
  if (b.firms.length === 0) return out.join('\n');
  const rows = [
    ['firm', 'statement', 'excess', 'target', 'over target', 'status', 'change', 'cushion', 'headroom', 'alerts'],
  ];
  const recomputed = anyRecomputedIn(b.firms);
  for (const f of b.firms) {
    const alerts = (f.alerts ?? [])
      .map((a) => a.kind)
      .filter((k, i, all) => all.indexOf(k) === i)
      .join(', ');
    if (!f.filed) {
      rows.push([f.firmName, '-', '-', '-', '-', 'MISSING', '-', '-', '-', alerts]);
      continue;
    }
    let first = true;
    for (const k of STATEMENT_KEYS) {
      const s = f.statements[k];
      if (!s) continue;
      rows.push([
        first ? `${f.firmName}${f.late ? ' (LATE)' : ''}` : '',
        short(k),
        excessText(s, recomputed),
        amt(s.target),
        signed(s.overTarget),
        STATUS[s.status],
        signed(s.changeFromPrevious),
        s.cushion ?? '-',
        amt(s.headroom),
        first ? alerts : '',
      ]);
      first = false;
    }
    if (first) rows.push([f.firmName, '-', '-', '-', '-', 'UNRECONCILED', '-', '-', '-', alerts]);
  }
  out.push('');
  out.push(table(rows, [false, false, true, true, true, false, true, true, true, false]));
  if (recomputed) out.push(RECOMPUTED_LEGEND);
  return out.join('\n');
}

// ---- alerts ---------------------------------------------------------------------------------

export function renderAlerts(a: AlertsJson, range?: string): string {
  const count = { critical: 0, warning: 0, info: 0 };
  for (const x of a.alerts) count[x.severity]++;
  const out = [
    `${a.alerts.length} alert${a.alerts.length === 1 ? '' : 's'}${range ? ` ${range}` : ''} (${count.critical} critical, ${count.warning} warning, ${count.info} info), newest first`,
  ];
  if (a.alerts.length === 0) return out.join('\n');
  out.push('');
  out.push(alertTable(a.alerts));
  return out.join('\n');
}

function alertTable(alerts: AlertRow[]): string {
  const rows = [['date', 'severity', 'kind', 'state', 'subject']];
  for (const x of alerts) rows.push([x.endDate ?? '-', x.severity, x.kind, x.state, x.subject]);
  return table(rows, [false, false, false, false, false]);
}

// ---- show -----------------------------------------------------------------------------------

export function renderShow(s: ShowJson): string {
  const out: string[] = [];
  out.push(`${s.firmName} (${s.firmId}), end date ${s.endDate}`);
  const eff = s.versions.find((v) => v.versionKey === s.effective);
  out.push(`effective: ${s.effective}${eff ? ` (${eff.filingType} submitted ${eff.submitDate})` : ''}`);
  out.push('');
  out.push(`versions (${s.versions.length}):`);
  const vrows = [['', 'version', 'type', 'submitted', 'arrived', 'object', 'status']];
  for (const v of s.versions)
    vrows.push([
      v.effective ? '*' : '',
      v.versionKey,
      v.filingType,
      v.submitDate,
      v.arrivedAt,
      `s3://${v.source.bucket}/${v.source.key}`,
      v.status,
    ]);
  out.push(indent(table(vrows, [false, false, false, false, false, false, false])));
  out.push('');
  const filing = filingFromJson(s.filing);
  const rec = reconcile(filing);
  const rows = [['statement', 'required', 'funds', 'excess', 'target', 'status']];
  const recomputed = anyExcessRecomputed(rec.statements);
  for (const k of STATEMENT_KEYS) {
    const r = rec.statements[k];
    if (!r) rows.push([short(k), '-', '-', '-', '-', 'MISSING']);
    else
      rows.push([
        short(k),
        r.required ? grouped(r.required) : '-',
        r.funds ? grouped(r.funds) : '-',
        excessCell(r, recomputed),
        r.target ? grouped(r.target) : '-',
        r.status === 'ok' ? 'ok' : r.status === 'unreconciled' ? 'UNRECONCILED' : r.status.toUpperCase(),
      ]);
  }
  out.push(`the effective filing (${s.filing.filingType}, submitted ${s.filing.submitDate}, form ${s.filing.form}):`);
  out.push(indent(table(rows, [false, true, true, true, true, false])));
  if (recomputed) out.push(indent(RECOMPUTED_LEGEND));
  for (const k of STATEMENT_KEYS) {
    const st = s.filing.statements[k];
    if (!st) continue;
    const variant = FORMS.variantById.get(st.variant);
    out.push('');
    out.push(`  ${st.title} (${st.variant}):`);
    const lrows: string[][] = [];
    for (const [code, amount] of Object.entries(st.lines).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const def = variant?.byCode.get(code);
      const label = def ? `${def.line ? `${def.line}. ` : ''}${def.label}` : '(not a line of this form)';
      lrows.push([`[${code}]`, label.length > 70 ? `${label.slice(0, 67)}...` : label, grouped(dec(amount))]);
    }
    for (const u of st.uncoded)
      lrows.push([`${u.id}`, `${u.label.slice(0, 60)} (part of [${u.partOf}])`, grouped(dec(u.amount))]);
    if (lrows.length) out.push(indent(table(lrows, [false, false, true]), '    '));
  }
  if (s.filing.unknownCodes.length) {
    out.push('');
    out.push(
      `  codes on no statement: ${s.filing.unknownCodes.map((u) => `[${u.code}] ${grouped(dec(u.amount))}`).join(', ')}`,
    );
  }
  out.push('');
  const findings = sortFindings(s.findings);
  const c = { error: 0, warning: 0, info: 0 };
  for (const f of findings) c[f.severity]++;
  out.push(`findings: ${c.error} error, ${c.warning} warning, ${c.info} info`);
  for (const f of findings) out.push(`  ${f.severity.padEnd(7)} ${f.ruleId}  ${f.message}`);
  out.push('');
  out.push(`alerts: ${s.alerts.length}`);
  if (s.alerts.length) out.push(indent(alertTable(s.alerts)));
  return out.join('\n');
}

// ---- CSV ------------------------------------------------------------------------------------

/**
 * One RFC 4180 field: quoted when it holds a comma, a quote, CR or LF (quotes doubled). Text a
 * spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading apostrophe,
 * so a firm name in a filing cannot become a formula; numbers are written as plain decimal
 * strings (no grouping, no currency sign), so Excel reads them as numbers.
 */
export function csvField(v: string | number | boolean | null, kind: 'text' | 'number' = 'text'): string {
  if (v === null) return '';
  let s = typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v);
  if (kind === 'text' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

type Cell = [string | number | boolean | null, 'text' | 'number'];
const csvLine = (cells: Cell[]) => cells.map(([v, k]) => csvField(v, k)).join(',');

export const STATEMENT_CSV_COLUMNS = [
  'statement',
  'required',
  'funds',
  'excess',
  'excessRecomputed',
  'target',
  'targetSource',
  'overTarget',
  'status',
  'changeFromPrevious',
  'changePct',
  'cushion',
  'headroom',
] as const;

function statementCells(k: StatementKey | null, s: StatementDay | undefined): Cell[] {
  return [
    [k, 'text'],
    [s?.required ?? null, 'number'],
    [s?.funds ?? null, 'number'],
    [s?.excess ?? null, 'number'],
    [s ? s.excessRecomputed : null, 'text'],
    [s?.target ?? null, 'number'],
    [s?.targetSource ?? null, 'text'],
    [s?.overTarget ?? null, 'number'],
    [s?.status ?? null, 'text'],
    [s?.changeFromPrevious ?? null, 'number'],
    [s?.changePct ?? null, 'number'],
    [s?.cushion ?? null, 'number'],
    [s?.headroom ?? null, 'number'],
  ];
}

/** CRLF line ends, a header row, one row per day per statement. */
export function historyCsv(h: HistoryJson): string {
  const lines = [
    ['firmId', 'firmName', 'endDate', 'filingType', 'submitDate', 'versions', 'late', ...STATEMENT_CSV_COLUMNS].join(
      ',',
    ),
  ];
  for (const d of h.days)
    for (const k of STATEMENT_KEYS) {
      const s = d.statements[k];
      if (!s) continue;
      lines.push(
        csvLine([
          [h.firmId, 'text'],
          [h.firmName, 'text'],
          [d.endDate, 'text'],
          [d.filingType, 'text'],
          [d.submitDate, 'text'],
          [d.versions, 'number'],
          [d.late, 'text'],
          ...statementCells(k, s),
        ]),
      );
    }
  return `${lines.join('\r\n')}\r\n`;
}

/** One row per firm per statement; a missing firm is one row with no statement. */
export function boardCsv(b: BoardJson): string {
  const lines = [['date', 'firmId', 'firmName', 'filed', 'late', ...STATEMENT_CSV_COLUMNS, 'alerts'].join(',')];
  for (const f of b.firms) {
    const alerts = (f.alerts ?? [])
      .map((a) => a.kind)
      .filter((k, i, all) => all.indexOf(k) === i)
      .join(' ');
    const head: Cell[] = [
      [b.date, 'text'],
      [f.firmId, 'text'],
      [f.firmName, 'text'],
      [f.filed, 'text'],
      [f.late, 'text'],
    ];
    const keys = STATEMENT_KEYS.filter((k) => f.statements[k]);
    if (keys.length === 0) lines.push(csvLine([...head, ...statementCells(null, undefined), [alerts || null, 'text']]));
    for (const k of keys)
      lines.push(csvLine([...head, ...statementCells(k, f.statements[k]), [alerts || null, 'text']]));
  }
  return `${lines.join('\r\n')}\r\n`;
}
