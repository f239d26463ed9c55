/**
 * The rule catalogue: every check the reconciler makes, with a stable id and severity.
 * Ids never change meaning; a retired rule keeps its id unused.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface RuleDef {
  id: string;
  name: string;
  severity: Severity;
  description: string;
}

const defs = [
  {
    id: 'SW101',
    name: 'missing-statement',
    severity: 'error',
    description: 'A statement of the form (Segregation, Secured Amounts, Cleared Swaps) is missing from the filing.',
  },
  {
    id: 'SW102',
    name: 'missing-line',
    severity: 'error',
    description: 'A line the statement variant requires is missing.',
  },
  {
    id: 'SW103',
    name: 'unreadable-amount',
    severity: 'error',
    description: 'A [code] is present but the amount before it cannot be read.',
  },
  {
    id: 'SW104',
    name: 'conflicting-amounts',
    severity: 'error',
    description: 'The same line code is filed twice with different amounts.',
  },
  {
    id: 'SW105',
    name: 'amount-reading',
    severity: 'info',
    description:
      'An amount filed as a token that is not one well-formed number (`5 812,672,420`) was read as the only reading with which every identity of its line holds; the finding says how it was read.',
  },
  {
    id: 'SW106',
    name: 'file-encoding',
    severity: 'info',
    description: 'The file is not valid UTF-8 and was read as Windows-1252.',
  },
  {
    id: 'SW107',
    name: 'firm-name-page-break',
    severity: 'warning',
    description:
      "The Firm Name is the last line of a page (a PDF's page break right after it) and the next page does not start with a header field, the filing type, a title or a line of the form: a name wrapped over the break would be read only up to it, and so would be another firm id. Check the firm.",
  },
  {
    id: 'SW110',
    name: 'sum',
    severity: 'error',
    description:
      'A total does not equal the sum of its items (every identity of the forms, README "The forms, as data", including the over (under) target lines).',
  },
  {
    id: 'SW111',
    name: 'greater-of',
    severity: 'error',
    description: 'Secured Amounts 7360 is not the greater of 7305 and 7355.',
  },
  {
    id: 'SW112',
    name: 'cross-page',
    severity: 'error',
    description: 'A line that must repeat a line of another page differs from it (summary 7370 = funds page 7770).',
  },
  {
    id: 'SW113',
    name: 'uncoded-total',
    severity: 'error',
    description: 'A total of uncoded sub-lines (Cleared Swaps 8715 = 12A + 12B + 12C) does not add up.',
  },
  {
    id: 'SW114',
    name: 'unreadable-sub-line',
    severity: 'error',
    description:
      'An uncoded sub-line (Cleared Swaps 12A-12C) is there but its amount cannot be read; the check of its total cannot be made.',
  },
  {
    id: 'SW120',
    name: 'deficiency',
    severity: 'error',
    description:
      'Excess (deficiency) is below zero: under-segregated (17 CFR 1.12(h)); immediate notice to the CFTC and the DSRO. Only from a statement whose figures add up.',
  },
  {
    id: 'SW121',
    name: 'below-target',
    severity: 'warning',
    description:
      "Excess is below the management target, the statement's own target line or else the Cover Page's (17 CFR 1.12(j)); immediate notice. Only from a statement whose figures add up.",
  },
  {
    id: 'SW130',
    name: 'late-filing',
    severity: 'warning',
    description:
      'An initial filing submitted after the next business day after the end date (17 CFR 1.32(d); NFA late fee). Amendments are not late.',
  },
  { id: 'SW131', name: 'submit-before-end', severity: 'error', description: 'The submit date is before the end date.' },
  {
    id: 'SW140',
    name: 'unknown-code',
    severity: 'info',
    description:
      'A bracketed code that no statement definition knows, or that the matched variant does not have; kept as filed.',
  },
  {
    id: 'SW141',
    name: 'code-order',
    severity: 'info',
    description:
      'Which code order the Segregation Statement uses for lines 11B, 11C and 12 (2013 or 2014), told apart by label.',
  },
  {
    id: 'SW150',
    name: 'target-mismatch',
    severity: 'warning',
    description:
      "The statement's management target line differs from the Cover Page's residual interest target for it; the statement's line is the target used.",
  },
  {
    id: 'SW151',
    name: 'cover-target-unreadable',
    severity: 'warning',
    description:
      "The Cover Page's residual interest target for a statement cannot be worked out (a value that cannot be read, more than one choice filled, or a percentage with no requirement line); the statement's own target line is used where it has one.",
  },
] as const satisfies readonly RuleDef[];

export type RuleId = (typeof defs)[number]['id'];
export type RuleName = (typeof defs)[number]['name'];

export const RULES: readonly RuleDef[] = defs;

const byName = new Map<string, RuleDef>(defs.map((d) => [d.name, d]));
export function rule(name: RuleName): RuleDef {
  return byName.get(name)!;
}
