/**
 * The header is repeated on every page; each page's copy is read (a repeated date is not read
 * twice), and pages that disagree make the file not a single filing.
 */
import { describe, expect, it } from 'vitest';
import { FilingError, parseFilingText } from '../../shared/domain/parser';
import { SAMPLE_2014, sampleText } from './samples';

const TEXT = sampleText(SAMPLE_2014);

/** Replace the n-th (0-based) occurrence of `what`. */
function replaceNth(text: string, what: string, n: number, by: string): string {
  let at = -1;
  for (let i = 0; i <= n; i++) at = text.indexOf(what, at + 1);
  expect(at, `occurrence ${n} of ${what}`).toBeGreaterThanOrEqual(0);
  return text.slice(0, at) + by + text.slice(at + what.length);
}

function reason(text: string): string {
  try {
    parseFilingText(text);
  } catch (e) {
    if (e instanceof FilingError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'parsed';
}

describe('header on every page', () => {
  it('the sample repeats its header, and reads as one filing', () => {
    expect(TEXT.split('End Date').length - 1).toBeGreaterThan(1);
    expect(TEXT.split('Submit Date').length - 1).toBeGreaterThan(1);
    expect(reason(TEXT)).toBe('parsed');
  });

  it.each([
    ['End Date', 'End Date:11/6/2014', 'End Date:11/7/2014', 'several-filings: the file holds 2 filings (End Dates 2014-11-06, 2014-11-07); upload one per file'],
    ['Submit Date', 'Submit Date:11/7/2014', 'Submit Date:11/10/2014', 'several-filings: the file holds 2 filings (Submit Dates 2014-11-07, 2014-11-10); upload one per file'],
  ])('a later page with another %s is rejected', (_, from, to, want) => {
    expect(TEXT.includes(from)).toBe(true);
    const last = TEXT.split(from).length - 2;
    expect(reason(replaceNth(TEXT, from, last, to))).toBe(want);
  });

  it('a later page with an impossible date is rejected, even after good pages', () => {
    const from = 'End Date:11/6/2014';
    const last = TEXT.split(from).length - 2;
    expect(reason(replaceNth(TEXT, from, last, 'End Date:11/31/2014'))).toBe('bad-header: the End Date 11/31/2014 is not a real date');
  });
});
