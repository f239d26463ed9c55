/** Human-readable reports: the `segwatch check` table and findings. */
import { FORMS, STATEMENT_KEYS } from './forms';
import { grouped, type Decimal } from './money';
import type { Analysis } from './check';
import type { Finding } from './reconcile';

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

export function table(rows: string[][], rightAlign: boolean[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((cell, i) => (rightAlign[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd())
    .join('\n');
}

const amount = (d: Decimal | null | undefined) => (d === null || d === undefined ? '-' : grouped(d));

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}

export function renderCheck(file: string, { filing, reconciliation }: Analysis): string {
  const lines: string[] = [];
  lines.push(`${file}`);
  lines.push(`  ${filing.firmName} · ${filing.filingType} · end date ${filing.endDate} · submitted ${filing.submitDate}`);
  const rows = [['statement', 'required', 'funds', 'excess', 'target', 'status']];
  for (const key of STATEMENT_KEYS) {
    const s = reconciliation.statements[key];
    if (!s) {
      rows.push([FORMS.statements[key].shortName, '-', '-', '-', '-', 'MISSING']);
      continue;
    }
    const status = s.status === 'ok' ? 'ok' : s.status.toUpperCase();
    rows.push([FORMS.statements[key].shortName, amount(s.required), amount(s.funds), amount(s.excess), amount(s.target), status]);
  }
  lines.push(
    table(rows, [false, true, true, true, true, false])
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  );
  const findings = sortFindings(reconciliation.findings);
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  lines.push(`  findings: ${counts.error} error, ${counts.warning} warning, ${counts.info} info`);
  for (const f of findings) lines.push(`    ${f.severity.padEnd(7)} ${f.ruleId}  ${f.message}`);
  return lines.join('\n');
}
