/**
 * The Cover Page (README "Reading filings: formats, amounts, the cover page"): each residual interest target type (a-d), in the
 * markup, PDF-to-text, CRLF and HTML renderings; the effective target in dollars, exactly (a
 * percentage gives cents); the statement's own target line where the form has one, else the
 * cover page's; a warning naming both when they differ; `check --json`'s `filing.coverPage`.
 */
import { describe, expect, it } from 'vitest';
import { analyze, checkJson } from '../../shared/domain/check';
import {
  COVER_TARGET_TYPES,
  filingFromJson,
  filingToJson,
  type CoverTargetType,
  type Filing,
} from '../../shared/domain/model';
import { Decimal } from '../../shared/domain/money';
import { parseFilingText } from '../../shared/domain/parser';
import { reconcile } from '../../shared/domain/reconcile';
import { generateFilings } from '../support/generate';
import { render, RENDERINGS } from '../support/render';
import { SAMPLE_2013, SAMPLE_2014, sampleText } from './samples';

const TEXT_2014 = sampleText(SAMPLE_2014);
const TEXT_2013 = sampleText(SAMPLE_2013);

/** The domain guide's illustrative Cover Page markup, for the class `heading` names, with the four choices' values as written. */
function coverMarkup(
  sections: { heading: string; funds: string; a?: string; b?: string; c?: [string, string]; d?: [string, string] }[],
): string {
  const out = ['**Daily Segregation - Cover Page**', 'Name of Company\tCitigroup Global Markets Inc.'];
  for (const s of sections) {
    out.push(
      s.heading,
      `\ta. Minimum dollar amount: ; or\t<u>${s.a ?? '0'}</u>`,
      `\tb. Minimum percentage of ${s.funds} required:% ; or\t<u>${s.b ?? '0'}</u>`,
      `\tc. Dollar amount range between:and; or\t<u>${s.c?.[0] ?? '0'}</u>\t<u>${s.c?.[1] ?? '0'}</u>`,
      `\td. Percentage range of ${s.funds} required between:% and%.\t<u>${s.d?.[0] ?? '0'}</u>\t<u>${s.d?.[1] ?? '0'}</u>`,
    );
  }
  return `${out.join('\n')}\n\n`;
}
const SEG = {
  heading: "FCM's Customer Segregated Funds Residual Interest Target (choose one):",
  funds: 'customer segregated funds',
};
const SEC = {
  heading: "FCM's Customer Secured Amount Funds Residual Interest Target (choose one):",
  funds: 'customer secured amount funds',
};
const SWAPS = {
  heading: "FCM's Cleared Swaps Customer Collateral Residual Interest Target (choose one):",
  funds: 'cleared swaps customer collateral',
};

const json = (text: string) => filingToJson(parseFilingText(text).filing).coverPage;

describe('the cover page in the markup', () => {
  it('the illustration of the domain guide: a minimum dollar amount', () => {
    const text = `${coverMarkup([{ ...SEG, a: '250,000,000' }])}${TEXT_2013}`;
    expect(json(text)).toEqual({
      segregation: { type: 'minimum-dollar', values: ['250000000'], effectiveTarget: '250000000' },
    });
  });

  it('each type: its values and the effective target in dollars (2013 requirement 7060 = 7,234,116,839)', () => {
    const cases: [CoverTargetType, Partial<Parameters<typeof coverMarkup>[0][number]>, string[], string][] = [
      ['minimum-dollar', { a: '300,000,000' }, ['300000000'], '300000000'],
      // 5% of 7,234,116,839 = 361,705,841.95: cents, exactly.
      ['minimum-percent', { b: '5' }, ['5'], '361705841.95'],
      ['dollar-range', { c: ['155,000,000', '200,000,000'] }, ['155000000', '200000000'], '155000000'],
      // The lower of a percentage range: 2.5% = 180,852,920.975 (a tenth of a cent, kept).
      ['percent-range', { d: ['2.5', '4'] }, ['2.5', '4'], '180852920.975'],
    ];
    for (const [type, values, want, target] of cases) {
      const text = `${coverMarkup([{ ...SEG, ...values }])}${TEXT_2013}`;
      expect(json(text), type).toEqual({ segregation: { type, values: want, effectiveTarget: target } });
    }
  });

  it("all three classes, each against its own statement's requirement (2014: 7060, 7360, 8590)", () => {
    const text = `${coverMarkup([
      { ...SEG, b: '5' },
      { ...SEC, d: ['18.05', '20'] },
      { ...SWAPS, c: ['208,075,000', '250,000,000'] },
    ])}${TEXT_2014}`;
    expect(json(text)).toEqual({
      segregation: { type: 'minimum-percent', values: ['5'], effectiveTarget: '255165004.3' },
      secured: { type: 'percent-range', values: ['18.05', '20'], effectiveTarget: '150005550.0595' },
      clearedSwaps: { type: 'dollar-range', values: ['208075000', '250000000'], effectiveTarget: '208075000' },
    });
  });
});

describe('the cover page in PDF-to-text', () => {
  // As a real transcription reads: labels and values run together.
  const pdfCover = (c: string) =>
    `Daily Segregation - Cover Page Name of Company Citigroup Global Markets Inc. FCM's Customer Segregated Funds Residual Interest Target (choose one): a. Minimum dollar amount: ; or 0 b. Minimum percentage of customer segregated funds required:% ; or 0 c. Dollar amount range between:and; or ${c} d. Percentage range of customer segregated funds required between:% and%. 0 0\n`;

  it('`c. Dollar amount range between:and; or 155,000,000 200,000,000`', () => {
    expect(json(pdfCover('155,000,000 200,000,000') + TEXT_2013)).toEqual({
      segregation: { type: 'dollar-range', values: ['155000000', '200000000'], effectiveTarget: '155000000' },
    });
  });

  it('the broken number a real filing printed (`155,000, ,000,000`) is not read: the value is null, no target from it, and a warning (SW151)', () => {
    const text = pdfCover('155,000, ,000,000 200,000,000') + TEXT_2013;
    expect(json(text)).toEqual({
      segregation: { type: 'dollar-range', values: [null, '200000000'], effectiveTarget: null },
    });
    const r = reconcile(parseFilingText(text).filing);
    expect(r.statements.segregation!).toMatchObject({ target: null, targetSource: null, status: 'ok' });
    expect(r.findings.filter((f) => f.ruleId === 'SW151').map((f) => [f.severity, f.statement, f.message])).toEqual([
      [
        'warning',
        'segregation',
        "Segregation Statement: the Cover Page's residual interest target (dollar-range, unreadable / 200,000,000) cannot be worked out; no target is known for this statement",
      ],
    ]);
  });

  it('a page break and the banner inside the cover page are not values', () => {
    const text = pdfCover('155,000,000 Page 1 of 4 W I N J A M M E R F I L I N G 200,000,000') + TEXT_2013;
    expect(json(text)).toEqual({
      segregation: { type: 'dollar-range', values: ['155000000', '200000000'], effectiveTarget: '155000000' },
    });
  });
});

describe('the cover page in every rendering (render.ts), with each type', () => {
  it.each(COVER_TARGET_TYPES)(
    '%s: every rendering parses back to the same cover page and effective targets',
    (type) => {
      const filings = generateFilings(12, 31, { coverPercent: 100, coverType: type });
      expect(filings.filter((f) => f.coverPage).length).toBeGreaterThan(6);
      for (const [i, f] of filings.entries())
        for (const r of RENDERINGS) {
          const parsed = parseFilingText(render(f, r, { seed: i })).filing;
          expect(filingToJson(parsed).coverPage, `${r} #${i}`).toEqual(filingToJson(f).coverPage);
        }
    },
  );
});

describe('which target the alert uses', () => {
  const withCover = (cover: string, text: string): Filing =>
    filingFromJson(filingToJson(parseFilingText(cover + text).filing));

  it('a statement with a target line: the line; the cover page agreeing says nothing', () => {
    const f = withCover(coverMarkup([{ ...SEG, a: '252,400,000' }]), TEXT_2014);
    const r = reconcile(f);
    expect(r.statements.segregation!).toMatchObject({ target: new Decimal('252400000'), targetSource: 'statement' });
    expect(r.findings.filter((x) => x.ruleId === 'SW150' || x.ruleId === 'SW151')).toEqual([]);
  });

  it('a statement with a target line the cover page disagrees with: the line, and a warning naming both', () => {
    const f = withCover(coverMarkup([{ ...SEG, b: '6' }]), TEXT_2014);
    const r = reconcile(f);
    expect(r.statements.segregation!).toMatchObject({ target: new Decimal('252400000'), targetSource: 'statement' });
    // 6% of 5,103,300,086 = 306,198,005.16
    expect(
      r.findings.filter((x) => x.ruleId === 'SW150').map((x) => [x.severity, x.line, x.expected, x.actual, x.message]),
    ).toEqual([
      [
        'warning',
        '7194',
        '306198005.16',
        '252400000',
        "Segregation Statement line 15 [7194] Management Target Amount for Excess funds in segregation is 252,400,000, but the Cover Page's residual interest target (minimum-percent) is 306,198,005.16; the statement's 252,400,000 is used",
      ],
    ]);
  });

  it("a statement without a target line: the cover page's target, and a below-target alert from it", () => {
    // The 2013 sample has no target lines; its segregation excess is 377,331,515.
    const f = withCover(
      coverMarkup([
        { ...SEG, c: ['400,000,000', '450,000,000'] },
        { ...SWAPS, a: '300,000,000' },
      ]),
      TEXT_2013,
    );
    const r = reconcile(f);
    expect(r.statements.segregation!).toMatchObject({
      target: new Decimal('400000000'),
      targetSource: 'cover-page',
      status: 'below-target',
    });
    expect(r.statements.clearedSwaps!).toMatchObject({
      target: new Decimal('300000000'),
      targetSource: 'cover-page',
      status: 'ok',
    });
    expect(r.statements.secured!).toMatchObject({ target: null, targetSource: null });
    expect(r.alerts).toEqual([
      {
        statement: 'segregation',
        kind: 'below-target',
        excess: new Decimal('377331515'),
        target: new Decimal('400000000'),
        targetSource: 'cover-page',
        shortfall: new Decimal('22668485'),
      },
    ]);
    expect(r.findings.find((x) => x.ruleId === 'SW121')!.message).toContain(
      'below the management target 400,000,000 (Cover Page)',
    );
  });

  it('without a cover page and without target lines: no target, no below-target alert (as before)', () => {
    const r = reconcile(parseFilingText(TEXT_2013).filing);
    for (const key of ['segregation', 'secured', 'clearedSwaps'] as const)
      expect(r.statements[key]!).toMatchObject({ target: null, targetSource: null });
    expect(filingToJson(parseFilingText(TEXT_2013).filing)).not.toHaveProperty('coverPage');
  });
});

describe('check --json', () => {
  it('shows filing.coverPage exactly as specified, and alerts with target and targetSource', async () => {
    const text =
      coverMarkup([
        { ...SEG, c: ['400,000,000', '450,000,000'] },
        { ...SEC, b: '10' },
      ]) + TEXT_2013;
    const outcome = await analyze(Buffer.from(text));
    const j = checkJson('f.txt', outcome);
    expect(j.filing!.coverPage).toEqual({
      segregation: { type: 'dollar-range', values: ['400000000', '450000000'], effectiveTarget: '400000000' },
      secured: { type: 'minimum-percent', values: ['10'], effectiveTarget: '99612863.5' },
    });
    expect(j.alerts).toEqual([
      {
        statement: 'segregation',
        kind: 'below-target',
        excess: '377331515',
        target: '400000000',
        targetSource: 'cover-page',
        shortfall: '22668485',
      },
    ]);
    // The content hash of a filing: the cover page is part of it; the same filing without one keeps the JSON it had.
    expect(Object.keys(checkJson('g.txt', await analyze(Buffer.from(TEXT_2013))).filing!)).not.toContain('coverPage');
  });
});
