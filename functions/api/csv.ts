/**
 * A firm's history as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or
 * line break). One row per filing day and statement; amounts as plain decimal strings (no
 * grouping, no currency sign), so a spreadsheet opens them as numbers. Every field is an id, a
 * date, a fixed word or a number: no free text, so nothing a spreadsheet could run as a formula.
 */
import { STATEMENT_KEYS } from '../../shared/domain/forms';
import type { HistoryJson, StatementDay } from '../../shared/read/types';

export const HISTORY_CSV_COLUMNS = [
  'firmId',
  'endDate',
  'statement',
  'filingType',
  'submitDate',
  'versions',
  'late',
  'required',
  'funds',
  'excess',
  'target',
  'targetSource',
  'overTarget',
  'status',
  'changeFromPrevious',
  'changePct',
  'cushion',
  'headroom',
] as const;

export function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function historyCsv(h: HistoryJson): string {
  const lines = [HISTORY_CSV_COLUMNS.join(',')];
  for (const d of h.days)
    for (const key of STATEMENT_KEYS) {
      const s: StatementDay | undefined = d.statements[key];
      if (!s) continue;
      lines.push(
        [
          h.firmId,
          d.endDate,
          key,
          d.filingType,
          d.submitDate,
          d.versions,
          d.late,
          s.required,
          s.funds,
          s.excess,
          s.target,
          s.targetSource,
          s.overTarget,
          s.status,
          s.changeFromPrevious,
          s.changePct,
          s.cushion,
          s.headroom,
        ]
          .map(csvField)
          .join(','),
      );
    }
  return `${lines.join('\r\n')}\r\n`;
}
