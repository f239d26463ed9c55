/**
 * The parser's caches (labels, firm names, titles, remembered from filing to filing) keep strings
 * of their own, never views into a filing's text: a warm parse function must not keep every
 * filing it has read alive.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { parseFilingText } from '../../shared/domain/parser';
import { SAMPLE_2014, sampleText } from './samples';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

describe("the parser's caches", () => {
  it('keep nothing of the texts they were read from (40 filings of 1 MB, each with its own firm name and labels)', () => {
    const text = sampleText(SAMPLE_2014);
    const filing = (i: number) =>
      // A firm name and labels of its own (cached by the parser), then a megabyte of remarks.
      `${text
        .replaceAll('Citigroup Global Markets Inc.', `Citigroup Global Markets Inc. Branch ${i}`)
        .replaceAll('Cash', `Cash (account ${i})`)}\n${`Remarks ${i}. `.repeat(80_000)}\n`;
    // Warm the caches and the code, then measure.
    for (let i = 0; i < 3; i++) parseFilingText(filing(1000 + i));
    gc();
    const before = process.memoryUsage().heapUsed;
    let parsed = 0;
    for (let i = 0; i < 40; i++) {
      const r = parseFilingText(filing(i));
      expect(r.filing.firmName).toBe(`Citigroup Global Markets Inc. Branch ${i}`);
      parsed++;
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(parsed).toBe(40);
    // 40 texts of ~1 MB each: kept, the heap would grow by about 40 MB.
    expect(grown).toBeLessThan(8_000_000);
  });
});
