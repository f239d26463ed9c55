/**
 * The header is repeated on every page; each page's copy is read (a repeated date is not read
 * twice), and pages that disagree make the file not a single filing.
 */
import { describe, expect, it } from 'vitest';
import { FilingError, parseFilingText } from '../../shared/domain/parser';
import { readFileSync } from 'node:fs';
import { SAMPLE_2013, SAMPLE_2014, sampleText } from './samples';

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
    [
      'End Date',
      'End Date:11/6/2014',
      'End Date:11/7/2014',
      'several-filings: the file holds 2 filings (End Dates 2014-11-06, 2014-11-07); upload one per file',
    ],
    [
      'Submit Date',
      'Submit Date:11/7/2014',
      'Submit Date:11/10/2014',
      'several-filings: the file holds 2 filings (Submit Dates 2014-11-07, 2014-11-10); upload one per file',
    ],
  ])('a later page with another %s is rejected', (_, from, to, want) => {
    expect(TEXT.includes(from)).toBe(true);
    const last = TEXT.split(from).length - 2;
    expect(reason(replaceNth(TEXT, from, last, to))).toBe(want);
  });

  it('a later page with an impossible date is rejected, even after good pages', () => {
    const from = 'End Date:11/6/2014';
    const last = TEXT.split(from).length - 2;
    expect(reason(replaceNth(TEXT, from, last, 'End Date:11/31/2014'))).toBe(
      'bad-header: the End Date 11/31/2014 is not a real date',
    );
  });
});

describe('header fields as users write them', () => {
  const parsed = (text: string) => parseFilingText(text).filing;
  const base = parsed(TEXT);

  it('field names and the filing type in any case and spacing', () => {
    const text = TEXT.replace(/\*\*INITIAL\*\*/g, '**Initial**')
      .replace(/End Date:/g, 'END DATE :')
      .replace(/Firm Name:/g, 'firm name:')
      .replace(/Submit Date:/g, 'SubmitDate:')
      .replace(/Form:/g, 'FORM:');
    const f = parsed(text);
    expect([f.filingType, f.endDate, f.submitDate, f.firmName, f.firmId, f.form]).toEqual([
      base.filingType,
      base.endDate,
      base.submitDate,
      base.firmName,
      base.firmId,
      base.form,
    ]);
  });

  it.each([
    ['11/6/2014', '2014-11-06'],
    ['11/06/14', '2014-11-06'],
    ['2014-11-06', '2014-11-06'],
    ['1/2/2015', '2015-01-02'],
    ['12/31/99', '1999-12-31'],
  ])('End Date %s is %s', (written, iso) => {
    expect(parsed(TEXT.replace(/End Date:11\/6\/2014/g, `End Date:${written}`)).endDate).toBe(iso);
  });

  it.each([
    [
      '6 Nov 2014',
      'bad-header: unrecognised date "6 Nov 2014" for End Date (expected M/D/YYYY, MM/DD/YY or YYYY-MM-DD)',
    ],
    [
      '2014.11.06',
      'bad-header: unrecognised date "2014.11.06" for End Date (expected M/D/YYYY, MM/DD/YY or YYYY-MM-DD)',
    ],
    [
      '11-06-2014',
      'bad-header: unrecognised date "11-06-2014" for End Date (expected M/D/YYYY, MM/DD/YY or YYYY-MM-DD)',
    ],
    ['13/1/2014', 'bad-header: the End Date 13/1/2014 is not a real date'],
  ])('End Date %s: %s', (written, want) => {
    expect(reason(TEXT.replace(/End Date:11\/6\/2014/g, `End Date:${written}`))).toBe(want);
  });

  it('a firm name wrapped onto the next line is read whole (and two firms that share a first line stay two)', () => {
    const wrapped = (name: string, style: 'markup' | 'plain') =>
      style === 'markup'
        ? TEXT.replace(/Firm Name:Citigroup Global Markets Inc\./g, `Firm Name:${name}`)
        : TEXT.replace(/\*\*Firm Name:Citigroup Global Markets Inc\.\*\*/g, `Firm Name:${name}`);
    expect(parsed(wrapped('Morgan Stanley\n& Co. LLC', 'markup')).firmName).toBe('Morgan Stanley & Co. LLC');
    expect(parsed(wrapped('Morgan Stanley\nSmith Barney LLC', 'markup')).firmId).toBe(
      'morgan-stanley-smith-barney-llc',
    );
    expect(parsed(wrapped('Morgan Stanley\r\n& Co. LLC', 'plain')).firmName).toBe('Morgan Stanley & Co. LLC');
    // PDF-to-text: the name runs on to the next field.
    const pdfText = readFileSync('test/fixtures/renderings/citigroup-2014-11-06-initial.pdf-text.txt', 'utf8').replace(
      /Firm Name:Citigroup Global Markets Inc\./g,
      'Firm Name:Citigroup Global\nMarkets Inc.',
    );
    expect(parsed(pdfText).firmName).toBe('Citigroup Global Markets Inc.');
    // An HTML cell: `<td>Firm Name:</td><td>Smith<br>&amp; Co</td>`.
    const html = `<table><tr><td>INITIAL</td></tr><tr><td>End Date:</td><td>11/6/2014</td></tr><tr><td>Firm Name:</td><td>Smith<br>&amp; Co</td></tr><tr><td>Form:</td><td>Daily Seg - FOCUS II</td></tr><tr><td>Submit Date:</td><td>11/7/2014</td></tr><tr><td>A. Cash</td><td>1</td><td>[7010]</td></tr></table>`;
    expect(parsed(html)).toMatchObject({
      firmName: 'Smith & Co',
      firmId: 'smith-and-co',
      endDate: '2014-11-06',
      submitDate: '2014-11-07',
      filingType: 'INITIAL',
      form: 'Daily Seg - FOCUS II',
    });
  });

  it('two filings pasted into one file are refused: another day, another firm, an initial and its amendment', () => {
    const other = sampleText(SAMPLE_2013);
    expect(reason(`${TEXT}\n${other}`)).toBe(
      'several-filings: the file holds 2 filings (filing types INITIAL, AMENDMENT; End Dates 2014-11-06, 2013-06-18; Submit Dates 2014-11-07, 2013-06-19); upload one per file',
    );
    expect(reason(`${TEXT}\n${TEXT.replace(/\*\*INITIAL\*\*/g, '**AMENDMENT**')}`)).toBe(
      'several-filings: the file holds 2 filings (filing types INITIAL, AMENDMENT); upload one per file',
    );
    expect(reason(`${TEXT}\n${TEXT.replace(/Citigroup Global Markets Inc\./g, 'Smith & Co')}`)).toBe(
      'several-filings: the file holds 2 filings (firms citigroup-global-markets-inc, smith-and-co); upload one per file',
    );
    // The same firm written two ways on two pages is one filing.
    const twoWays = TEXT.replace(
      'Firm Name:Citigroup Global Markets Inc.',
      'Firm Name:CITIGROUP GLOBAL MARKETS, INCORPORATED',
    );
    expect(reason(twoWays)).toBe('parsed');
  });
});
