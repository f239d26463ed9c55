/**
 * One failing and one passing case per rule of the catalogue (shared/domain/rules.ts). A failing
 * case asserts the finding exactly (rule id, severity, statement, line, expected, actual) and that
 * its message names the statement, the code and label, the expected and the actual amount.
 */
import { describe, expect, it } from 'vitest';
import { FORMS, type StatementKey } from '../../shared/domain/forms';
import { filingFromJson, filingToJson, type Filing } from '../../shared/domain/model';
import { Decimal, grouped, str } from '../../shared/domain/money';
import { parseFilingText } from '../../shared/domain/parser';
import { reconcile, type Finding } from '../../shared/domain/reconcile';
import { RULES, type Severity } from '../../shared/domain/rules';
import { generateFiling, seededRng } from '../support/generate';
import { analyze } from '../../shared/domain/check';
import { SAMPLE_2013, SAMPLE_2014, canonical, sampleText } from './samples';

const TEXT_2013 = sampleText(SAMPLE_2013);
const TEXT_2014 = sampleText(SAMPLE_2014);
const fromText = (text: string) => {
  const { filing, unreadable } = parseFilingText(text);
  return reconcile(filing, { unreadable }).findings;
};
const sample = (text: string): Filing => filingFromJson(filingToJson(parseFilingText(text).filing));
const edit = (text: string, edits: (f: Filing) => void) => {
  const f = sample(text);
  edits(f);
  return reconcile(f).findings;
};
const printed = (key: StatementKey, code: string, s = SAMPLE_2014) => canonical(s.amounts[key][code]);
const plusOne = (amount: string) => new Decimal(amount).plus(1).toFixed();
const labelOf = (variant: string, code: string) => FORMS.variantById.get(variant)!.byCode.get(code)!.label;

interface Expectation {
  statement: StatementKey | null;
  line: string | null;
  expected: string | null;
  actual: string | null;
  /** Text the message must contain besides the statement name, code, label, expected and actual. */
  mentions?: string[];
  /** Label to look for (defaults to the line's label in the variant). */
  variant?: string;
}

interface Case {
  id: string;
  severity: Severity;
  fail: () => { findings: Finding[]; want: Expectation };
  pass: () => Finding[];
}

const deficiencyFiling = generateFiling(seededRng(11), { alerts: { secured: 'deficiency' } });

/** A Cover Page (as real filings print it) for the segregation class: a minimum dollar amount, as written. */
const coverWith = (amount: string) =>
  [
    '**Daily Segregation - Cover Page**',
    'Name of Company\tCitigroup Global Markets Inc.',
    "FCM's Customer Segregated Funds Residual Interest Target (choose one):",
    `\ta. Minimum dollar amount: ; or\t<u>${amount}</u>`,
    '\tb. Minimum percentage of customer segregated funds required:% ; or\t<u>0</u>',
    '\tc. Dollar amount range between:and; or\t<u>0</u>\t<u>0</u>',
    '\td. Percentage range of customer segregated funds required between:% and%.\t<u>0</u>\t<u>0</u>',
    '',
  ].join('\n');
// Windows-1252 bytes (an accented letter that is not UTF-8), and the same text as UTF-8.
const latin1 = `${TEXT_2014}\nRemarques: d\u00e9p\u00f4t\n`;
const [cp1252Outcome, utf8Outcome] = await Promise.all([
  analyze(Buffer.from(latin1, 'latin1')),
  analyze(Buffer.from(latin1, 'utf8')),
]);
const findingsOf = (o: typeof cp1252Outcome) => (o.ok ? o.analysis.reconciliation.findings : []);
// As a PDF's text reads (no ** around the fields): the Firm Name's line last on its page (a form
// feed after it) and the next page starting with a running header (which could be the name's
// rest), and the same text with no page break there.
const unmarked = TEXT_2014.replaceAll('**', '');
const [pageBreakOutcome, noBreakOutcome] = await Promise.all([
  analyze(Buffer.from(unmarked.replace(/(Firm Name:[^\n]*\n)/, '$1\fDaily Seg - FOCUS II (continued)\n'))),
  analyze(Buffer.from(unmarked)),
]);
const belowTargetFiling = generateFiling(seededRng(12), { alerts: { clearedSwaps: 'below-target' } });

const CASES: Case[] = [
  {
    id: 'SW101',
    severity: 'error',
    fail: () => ({
      findings: edit(TEXT_2014, (f) => delete f.statements.secured),
      want: { statement: 'secured', line: null, expected: null, actual: null },
    }),
    pass: () => fromText(TEXT_2014),
  },
  {
    id: 'SW102',
    severity: 'error',
    fail: () => ({
      findings: edit(TEXT_2014, (f) => f.statements.segregation!.lines.delete('7020')),
      want: { statement: 'segregation', line: '7020', expected: null, actual: null },
    }),
    pass: () => fromText(TEXT_2014),
  },
  {
    id: 'SW103',
    severity: 'error',
    fail: () => ({
      findings: fromText(TEXT_2014.replace('<u>1,530,531,067</u> [7020]', '<u>n/a</u> [7020]')),
      want: { statement: 'segregation', line: '7020', expected: null, actual: null },
    }),
    pass: () => fromText(TEXT_2014),
  },
  {
    id: 'SW104',
    severity: 'error',
    fail: () => ({
      findings: fromText(
        TEXT_2014.replace(
          '<u>1,530,531,067</u> [7020]',
          '<u>1,530,531,067</u> [7020]\n\tB. Securities (at market)\t<u>1,530,531,068</u> [7020]',
        ),
      ),
      want: {
        statement: 'segregation',
        line: '7020',
        expected: null,
        actual: plusOne(printed('segregation', '7020')),
        mentions: ['1,530,531,067', 'more than once'],
      },
    }),
    pass: () => fromText(TEXT_2014),
  },
  {
    id: 'SW105',
    severity: 'info',
    fail: () => ({
      findings: fromText(TEXT_2014.replace('5,812,672,420</u></b> [8720]', '5 812,672,420</u></b> [8720]')),
      want: {
        statement: 'clearedSwaps',
        line: '8720',
        expected: null,
        actual: '5812672420',
        mentions: ['"5 812,672,420"', 'not one well-formed number', 'every identity'],
      },
    }),
    pass: () => fromText(TEXT_2014),
  },
  {
    id: 'SW106',
    severity: 'info',
    fail: () => ({
      findings: findingsOf(cp1252Outcome),
      want: {
        statement: null,
        line: null,
        expected: null,
        actual: null,
        mentions: ['not valid UTF-8', 'Windows-1252'],
      },
    }),
    pass: () => findingsOf(utf8Outcome),
  },
  {
    id: 'SW107',
    severity: 'warning',
    fail: () => ({
      findings: findingsOf(pageBreakOutcome),
      want: {
        statement: null,
        line: null,
        expected: null,
        actual: null,
        mentions: ['last line of its page', 'firm id citigroup-global-markets-inc'],
      },
    }),
    pass: () => findingsOf(noBreakOutcome),
  },
  {
    id: 'SW110',
    severity: 'error',
    fail: () => ({
      findings: edit(TEXT_2014, (f) =>
        f.statements.segregation!.lines.set('7180', f.statements.segregation!.lines.get('7180')!.plus(1)),
      ),
      want: {
        statement: 'segregation',
        line: '7180',
        expected: printed('segregation', '7180'),
        actual: plusOne(printed('segregation', '7180')),
      },
    }),
    pass: () => fromText(TEXT_2014),
  },
  {
    id: 'SW111',
    severity: 'error',
    fail: () => ({
      findings: edit(TEXT_2014, (f) => f.statements.secured!.lines.set('7305', new Decimal('900000000'))),
      want: {
        statement: 'secured',
        line: '7360',
        expected: '900000000',
        actual: printed('secured', '7360'),
        mentions: ['greater of 7305, 7355'],
      },
    }),
    pass: () => fromText(TEXT_2014),
  },
  {
    id: 'SW112',
    severity: 'error',
    fail: () => ({
      findings: edit(TEXT_2013, (f) =>
        f.statements.secured!.lines.set('7370', f.statements.secured!.lines.get('7370')!.plus(1)),
      ),
      want: {
        statement: 'secured',
        line: '7370',
        expected: printed('secured', '7770', SAMPLE_2013),
        actual: plusOne(printed('secured', '7370', SAMPLE_2013)),
        variant: 'secured-summary',
        mentions: ['[7770]'],
      },
    }),
    pass: () => fromText(TEXT_2013),
  },
  {
    id: 'SW113',
    severity: 'error',
    fail: () => ({
      findings: edit(TEXT_2014, (f) => (f.statements.clearedSwaps!.uncoded[0].amount = new Decimal(5))),
      want: {
        statement: 'clearedSwaps',
        line: '8715',
        expected: '5',
        actual: printed('clearedSwaps', '8715'),
        mentions: ['12A + 12B + 12C'],
      },
    }),
    pass: () => fromText(TEXT_2014),
  },
  {
    id: 'SW114',
    severity: 'error',
    fail: () => ({
      findings: fromText(TEXT_2014.replace('A. Cash <b><u>0</u></b>', 'A. Cash <b><u>n/a</u></b>')),
      want: {
        statement: 'clearedSwaps',
        line: '8715',
        expected: null,
        actual: null,
        mentions: ['sub-line 12A Cash', '"n/a"'],
      },
    }),
    pass: () => fromText(TEXT_2014),
  },
  {
    id: 'SW120',
    severity: 'error',
    fail: () => ({
      findings: reconcile(deficiencyFiling).findings,
      want: {
        statement: 'secured',
        line: '7380',
        expected: '0',
        actual: str(deficiencyFiling.statements.secured!.lines.get('7380')!),
        variant: deficiencyFiling.statements.secured!.variant,
        mentions: ['DEFICIENCY'],
      },
    }),
    pass: () => fromText(TEXT_2014),
  },
  {
    id: 'SW121',
    severity: 'warning',
    fail: () => ({
      findings: reconcile(belowTargetFiling).findings,
      want: {
        statement: 'clearedSwaps',
        line: '8730',
        expected: str(belowTargetFiling.statements.clearedSwaps!.lines.get('8760')!),
        actual: str(belowTargetFiling.statements.clearedSwaps!.lines.get('8730')!),
        variant: 'cleared-swaps-target',
        mentions: ['[8760]', 'management target'],
      },
    }),
    pass: () => fromText(TEXT_2014),
  },
  {
    id: 'SW130',
    severity: 'warning',
    // End date Thursday 2014-11-06: due Friday 11-07; Monday 11-10 is late.
    fail: () => ({
      findings: edit(TEXT_2014, (f) => (f.submitDate = '2014-11-10')),
      want: {
        statement: null,
        line: null,
        expected: null,
        actual: null,
        mentions: ['2014-11-10', '2014-11-07', '2014-11-06'],
      },
    }),
    // End date Friday 2014-11-07, submitted Monday 11-10: the next business day, on time.
    pass: () => edit(TEXT_2014, (f) => Object.assign(f, { endDate: '2014-11-07', submitDate: '2014-11-10' })),
  },
  {
    id: 'SW131',
    severity: 'error',
    fail: () => ({
      findings: edit(TEXT_2014, (f) => (f.submitDate = '2014-11-05')),
      want: { statement: null, line: null, expected: null, actual: null, mentions: ['2014-11-05', '2014-11-06'] },
    }),
    pass: () => edit(TEXT_2014, (f) => (f.submitDate = f.endDate)),
  },
  {
    id: 'SW140',
    severity: 'info',
    fail: () => ({
      findings: fromText(`${TEXT_2014}\n\tOther\t<u>12,345</u> [7999]\n`),
      want: {
        statement: 'secured',
        line: '7999',
        expected: null,
        actual: '12345',
        mentions: ['12,345', 'not on any statement'],
      },
    }),
    pass: () => fromText(TEXT_2014),
  },
  {
    id: 'SW141',
    severity: 'info',
    fail: () => ({
      findings: fromText(TEXT_2013),
      want: {
        statement: 'segregation',
        line: null,
        expected: null,
        actual: null,
        mentions: ['2013 code order', '11B 7150'],
      },
    }),
    pass: () => edit(TEXT_2013, (f) => delete f.statements.segregation),
  },
  {
    id: 'SW150',
    severity: 'warning',
    fail: () => ({
      findings: fromText(coverWith('250,000,000') + TEXT_2014),
      want: {
        statement: 'segregation',
        line: '7194',
        expected: '250000000',
        actual: '252400000',
        mentions: ['Cover Page', 'minimum-dollar', 'is used'],
      },
    }),
    pass: () => fromText(coverWith('252,400,000') + TEXT_2014),
  },
  {
    id: 'SW151',
    severity: 'warning',
    fail: () => ({
      findings: fromText(coverWith('155,000, ,000,000') + TEXT_2014),
      want: {
        statement: 'segregation',
        line: null,
        expected: null,
        actual: null,
        mentions: ['Cover Page', 'unreadable', '[7194] 252,400,000 is used'],
      },
    }),
    pass: () => fromText(coverWith('252,400,000') + TEXT_2014),
  },
];

describe('rule catalogue', () => {
  it('has a failing and a passing case here for every rule, with the catalogue severity', () => {
    expect(CASES.map((c) => c.id).sort()).toEqual(RULES.map((r) => r.id).sort());
    for (const c of CASES) expect(RULES.find((r) => r.id === c.id)!.severity).toBe(c.severity);
  });
});

describe.each(CASES)('$id', (c) => {
  it(`${c.id} fires, at the right statement and line, with expected and actual`, () => {
    const { findings, want } = c.fail();
    const hits = findings.filter((f) => f.ruleId === c.id && f.line === want.line && f.statement === want.statement);
    expect(hits).toHaveLength(1);
    const f = hits[0];
    expect({
      ruleId: f.ruleId,
      severity: f.severity,
      statement: f.statement,
      line: f.line,
      expected: f.expected,
      actual: f.actual,
    }).toEqual({
      ruleId: c.id,
      severity: c.severity,
      statement: want.statement,
      line: want.line,
      expected: want.expected,
      actual: want.actual,
    });
    if (want.statement) expect(f.message).toContain(FORMS.statements[want.statement].name);
    if (want.line) expect(f.message).toContain(`[${want.line}]`);
    if (want.line && want.statement && FORMS.knownCodes.has(want.line)) {
      const variant = want.variant ?? SAMPLE_2014.variants[want.statement];
      expect(f.label).toBe(labelOf(variant, want.line));
      expect(f.message).toContain(labelOf(variant, want.line));
    }
    if (want.expected !== null) expect(f.message).toContain(grouped(new Decimal(want.expected)));
    if (want.actual !== null) expect(f.message).toContain(grouped(new Decimal(want.actual)));
    for (const m of want.mentions ?? []) expect(f.message).toContain(m);
  });

  it(`${c.id} stays quiet when the filing is right`, () => {
    expect(c.pass().filter((f) => f.ruleId === c.id)).toEqual([]);
  });
});
