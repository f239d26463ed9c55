import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { filingToJson } from '../../shared/domain/model';
import { Decimal, grouped, str } from '../../shared/domain/money';
import { parseFilingText } from '../../shared/domain/parser';
import { reconcile } from '../../shared/domain/reconcile';
import { amountText, parens, render, RENDERINGS, straySpace } from '../support/render';
import { STATEMENT_KEYS } from '../../shared/domain/forms';
import { SAMPLES, canonical, sampleText } from './samples';

const FIXTURE_RENDERINGS = ['pdf-text', 'crlf-parens'] as const;

describe.each(SAMPLES)('renderings of $name', (sample) => {
  const original = parseFilingText(sampleText(sample)).filing;

  describe.each(FIXTURE_RENDERINGS)('committed %s copy', (rendering) => {
    const text = readFileSync(`test/fixtures/renderings/${sample.name}.${rendering}.txt`, 'utf8');

    it('is really in that rendering', () => {
      if (rendering === 'pdf-text') {
        expect(text).not.toMatch(/<u>|\*\*|\t/);
        expect(text).toMatch(/Page \d+ of \d+/);
        expect(Math.max(...text.split('\n').map((l) => l.length))).toBeGreaterThan(300);
      } else {
        expect(
          text
            .split('\n')
            .slice(0, -1)
            .every((l) => l.endsWith('\r')),
        ).toBe(true);
        expect(text).toMatch(/\(\s*\d{1,3}(,\s?\d{3})*\s*\)/);
        expect(text).toMatch(/\d, \d{3}/);
        expect(text).not.toMatch(/>-\d/);
      }
    });

    it('parses to the printed amounts, header, variants and sub-lines', () => {
      const parsed = parseFilingText(text).filing;
      expect(filingToJson(parsed)).toEqual(filingToJson(original));
      for (const key of STATEMENT_KEYS)
        for (const [code, printed] of Object.entries(sample.amounts[key]))
          expect(str(parsed.statements[key]!.lines.get(code)!)).toBe(canonical(printed));
    });

    it('reconciles clean', () => {
      const r = reconcile(parseFilingText(text).filing);
      expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
      expect(r.alerts).toEqual([]);
    });
  });

  it.each(RENDERINGS)('render(parse(sample), %s) parses back to the same filing', (rendering) => {
    const text = render(original, rendering);
    expect(filingToJson(parseFilingText(text).filing)).toEqual(filingToJson(original));
  });

  it('pdf-text with a page number between any two lines (header, sub-lines 12A-12C) parses back to the same filing', () => {
    for (const runTogether of [1, 4, 1000]) {
      const text = render(original, 'pdf-text', { pageLines: 1, runTogether });
      expect(text).toMatch(/A\. Cash 0 Page \d+ of \d+\s+B\./);
      expect(filingToJson(parseFilingText(text).filing)).toEqual(filingToJson(original));
    }
  });

  it.each(RENDERINGS)(
    'render(parse(sample), %s) with seeded layout choices parses back to the same filing',
    (rendering) => {
      for (const seed of [1, 2, 3, 4, 5]) {
        const text = render(original, rendering, { seed });
        expect(filingToJson(parseFilingText(text).filing)).toEqual(filingToJson(original));
      }
    },
  );
});

describe('render output', () => {
  const filing = parseFilingText(sampleText(SAMPLES[1])).filing;

  it('markup: header blocks per statement, <u> and <b><u> amounts, two cells on a line, 12C and total in one cell', () => {
    const text = render(filing, 'markup');
    expect(text.match(/\*\*INITIAL\*\*/g)).toHaveLength(3);
    expect(text).toContain(
      '**INITIAL****End Date:11/6/2014****Firm Name:Citigroup Global Markets Inc.****Form:Daily Seg - FOCUS II****Submit Date:11/7/2014****Daily Segregation - Swaps Statement**',
    );
    expect(text).toContain('<u>-3,309,126</u> [7337]');
    expect(text).toContain('<u>340,727,172</u> [7520] <u>341,368,579</u> [7530]');
    expect(text).toContain('<u>-58,283,438</u> [7047] <u>750,046</u> [7050]');
    expect(text).toMatch(
      /C\. Securities held for particular cleared swaps customers in lieu of cash \(at market\) <b><u>0 0<\/u><\/b> \[8715\]/,
    );
    expect(text).toContain(
      '16.\tExcess (deficiency) funds in segregation over (under) Management Target Amount Excess\t<u>32,015,796</u> [7198]',
    );
  });

  it('markup: statements follow the variant line order', () => {
    const text = render(filing, 'markup');
    const codes = [...text.matchAll(/\[(\d{4})\]/g)].map((m) => m[1]);
    const seg = codes.filter((c) => c >= '7000' && c < '7300');
    expect(seg.indexOf('7160')).toBeLessThan(seg.indexOf('7170'));
    expect(seg.indexOf('7170')).toBeLessThan(seg.indexOf('7150'));
  });

  it('pdf-text: no markup, long lines, page numbers, 7305 inside its label', () => {
    const text = render(filing, 'pdf-text');
    expect(text).not.toMatch(/<|\*\*|\t/);
    expect(text).toMatch(/Page 1 of \d/);
    expect(text).toContain('of a foreign 0 [7305] government');
    expect(text.split('\n').length).toBeLessThan(60);
  });

  it('crlf-parens: CRLF only, parentheses for negatives, stray spaces', () => {
    const text = render(filing, 'crlf-parens', { strayEvery: 1 });
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text).toContain('(3, 309,126)');
    expect(text).not.toMatch(/(^|[\s>])-\d/m);
  });

  it('the amount formatters agree with money.ts and keep the digits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (n) => {
        const d = new Decimal(n.toString());
        expect(amountText(d)).toBe(grouped(d));
        const p = parens(d);
        expect(p.startsWith('(')).toBe(d.isNegative() && !d.isZero());
        expect(straySpace(p).replace(/[(), ]/g, '')).toBe(d.abs().toFixed());
      }),
      { numRuns: 200 },
    );
  });
});
