/** Human-readable reports: the `segwatch check` table and findings. */
import { FORMS, STATEMENT_KEYS, type StatementKey } from './forms';
import { cmp, grouped, type Decimal } from './money';
import type { Analysis } from './check';
import type { Finding } from './reconcile';

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

export function table(rows: string[][], rightAlign: boolean[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (rightAlign[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const amount = (d: Decimal | null | undefined) => (d === null || d === undefined ? '-' : grouped(d));

/**
 * Whether a statement's excess is not the one filed: its excess line is unreadable or missing, or
 * disagrees with funds - required and is the higher (the excess shown is then recomputed from the
 * lines, and marked so).
 */
export function excessRecomputed(s: ExcessFigures): boolean {
  return (
    s.excess !== null && s.filedExcess !== undefined && (s.filedExcess === null || cmp(s.excess, s.filedExcess) !== 0)
  );
}

/**
 * A statement's excess and its excess line as filed (null: unreadable or missing). Stored figures
 * keep the line only for a statement that does not reconcile: undefined there (a reconciled
 * statement's excess is its line as filed) is never marked.
 */
type ExcessFigures = { excess: Decimal | null; filedExcess?: Decimal | null };

/** Whether any statement of a reconciliation has an excess that `excessRecomputed` marks (its table then gets the legend). */
export function anyExcessRecomputed(statements: Partial<Record<StatementKey, ExcessFigures>>): boolean {
  return STATEMENT_KEYS.some((k) => statements[k] !== undefined && excessRecomputed(statements[k]));
}

/** The legend under a table where `excessCell` marked an excess with `†`. */
export const RECOMPUTED_LEGEND = '† recomputed from the lines (funds - required): not the excess line as filed';

/**
 * A statement's excess in a table's column: `†` after one that is recomputed; when the table has
 * one (`anyRecomputed`), a space after the others, so that the amounts stay lined up.
 */
export function excessCell(s: ExcessFigures, anyRecomputed: boolean): string {
  if (s.excess === null) return '-';
  return markRecomputed(grouped(s.excess), excessRecomputed(s), anyRecomputed);
}

/**
 * An excess's text in a table's column, `†` after it when it is recomputed; when the table has a
 * recomputed one (`anyRecomputed`), a space after the others, so that the amounts stay lined up.
 */
export function markRecomputed(text: string, recomputed: boolean, anyRecomputed: boolean, mark = '†'): string {
  return `${text}${recomputed ? mark : anyRecomputed ? ' '.repeat(mark.length) : ''}`;
}

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}

export function renderCheck(file: string, { filing, reconciliation }: Analysis): string {
  const lines: string[] = [];
  lines.push(`${file}`);
  lines.push(
    `  ${filing.firmName} · ${filing.filingType} · end date ${filing.endDate} · submitted ${filing.submitDate}`,
  );
  const rows = [['statement', 'required', 'funds', 'excess', 'target', 'status']];
  const sources: string[] = [];
  const recomputed = anyExcessRecomputed(reconciliation.statements);
  for (const key of STATEMENT_KEYS) {
    const s = reconciliation.statements[key];
    if (!s) {
      rows.push([FORMS.statements[key].shortName, '-', '-', '-', '-', 'MISSING']);
      continue;
    }
    const status = s.status === 'ok' ? 'ok' : s.status.toUpperCase();
    // A target from the Cover Page is marked (the statement's own target line is the default).
    const target = s.targetSource === 'cover-page' ? `${amount(s.target)}*` : amount(s.target);
    if (s.targetSource === 'cover-page') sources.push(FORMS.statements[key].shortName);
    rows.push([
      FORMS.statements[key].shortName,
      amount(s.required),
      amount(s.funds),
      excessCell(s, recomputed),
      target,
      status,
    ]);
  }
  lines.push(
    table(rows, [false, true, true, true, true, false])
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  );
  if (sources.length)
    lines.push(`  * target from the Cover Page (${sources.join(', ')}): the statement has no target line`);
  if (recomputed) lines.push(`  ${RECOMPUTED_LEGEND}`);
  if (filing.coverPage) {
    const parts = STATEMENT_KEYS.filter((k) => filing.coverPage![k]).map((k) => {
      const c = filing.coverPage![k]!;
      const pct = c.type === 'minimum-percent' || c.type === 'percent-range' ? '%' : '';
      return `${FORMS.statements[k].shortName} ${c.type} ${c.values.map((v) => (v === null ? 'unreadable' : `${grouped(v)}${pct}`)).join(' to ')} -> ${amount(c.effectiveTarget)}`;
    });
    lines.push(`  cover page targets: ${parts.length ? parts.join('; ') : 'none chosen'}`);
  }
  const findings = sortFindings(reconciliation.findings);
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  lines.push(`  findings: ${counts.error} error, ${counts.warning} warning, ${counts.info} info`);
  for (const f of findings) lines.push(`    ${f.severity.padEnd(7)} ${f.ruleId}  ${f.message}`);
  return lines.join('\n');
}
