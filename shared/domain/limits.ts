/**
 * Limits that keep every accepted file inside what the table can hold (a DynamoDB item is at most
 * 400 KB), decided before anything is written: a file with far more cells than any real filing is
 * rejected with that reason; a version's findings are stored capped, with the count of the rest
 * (the object stays in S3: `segwatch check` on it lists every finding).
 */
import type { ParseResult } from './parser';

/**
 * Cells (`amount [code]`) a filing may hold. A real daily filing has about 110 (27 + 42 + 27 coded
 * lines, the 12A-12C sub-lines, a few unknown codes); a page printed twice doubles that. Ten times
 * a real filing is a generous ceiling that still bounds every stored item.
 */
export const MAX_CELLS = 1000;

/** Findings stored with a version's result; the rest are counted (`findingsOmitted`). */
export const MAX_STORED_FINDINGS = 200;

/** Error lines quoted in a reconciliation-errors alert (the rest are counted). */
export const MAX_ALERT_DETAIL_LINES = 20;
/** Characters of one quoted line. */
export const MAX_ALERT_DETAIL_LINE = 400;

/** Every cell the parse kept: coded lines, uncoded sub-lines, repeated amounts, unknown codes, unreadable amounts. */
export function cellCount(p: Pick<ParseResult, 'filing' | 'unreadable'> & { cells?: number }): number {
  // The parser counts every cell it scanned, repeats of a code included.
  if (p.cells !== undefined) return p.cells;
  let n = p.filing.unknownCodes.length + p.unreadable.length;
  for (const s of Object.values(p.filing.statements)) {
    if (!s) continue;
    n += s.lines.size + s.uncoded.length;
    for (const c of s.conflicts) n += c.amounts.length - 1;
  }
  return n;
}

/** The rejection reason for a file over MAX_CELLS, or undefined. */
export function tooManyCells(p: Pick<ParseResult, 'filing' | 'unreadable'> & { cells?: number }): string | undefined {
  const n = cellCount(p);
  if (n <= MAX_CELLS) return undefined;
  const parts = [
    p.filing.unknownCodes.length ? `${p.filing.unknownCodes.length} with unknown codes` : '',
    p.unreadable.length ? `${p.unreadable.length} unreadable` : '',
  ].filter(Boolean);
  return `the file has ${n} cells ([code] amounts${parts.length ? `, ${parts.join(', ')}` : ''}), far more than any daily segregation filing (about 110; at most ${MAX_CELLS} are accepted): not stored`;
}

const RANK: Record<string, number> = { error: 0, warning: 1, info: 2 };

/**
 * At most `max` findings, and how many were left out: errors first, then warnings, then the rest
 * (so what makes a filing untrustworthy is never the part left out), in their order.
 */
export function capFindings<F extends { severity: string }>(
  findings: readonly F[],
  max = MAX_STORED_FINDINGS,
): { kept: F[]; omitted: number } {
  if (findings.length <= max) return { kept: [...findings], omitted: 0 };
  const order = findings
    .map((_f, i) => i)
    .sort((a, b) => (RANK[findings[a].severity] ?? 3) - (RANK[findings[b].severity] ?? 3) || a - b);
  const keep = new Set(order.slice(0, max));
  return { kept: findings.filter((_, i) => keep.has(i)), omitted: findings.length - max };
}
