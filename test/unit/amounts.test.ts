/**
 * The amount grammar (money.ts readAmount) and the cell reader that uses it: an amount is read
 * only when the whole token before its code is one well-formed number; a token that is not is
 * never shortened into one: the form's identities may read it (SW105), or the line is unreadable.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, readAmount, readLooseAmount, str } from '../../shared/domain/money';
import { filingAmounts, filingFromJson, filingToJson } from '../../shared/domain/model';
import { parseFilingText, scanCells } from '../../shared/domain/parser';
import { reconcile } from '../../shared/domain/reconcile';
import { SAMPLE_2014, sampleText } from './samples';
import { FORMS } from '../../shared/domain/forms';
import { dashWordsOf } from '../../shared/domain/parser/variant';
import { CellScanner, codeUnits, isMark } from '../../shared/domain/parser/cells';

const TEXT = sampleText(SAMPLE_2014);
const read = (s: string) => readAmount(s)?.toFixed() ?? null;

describe('readAmount: one well-formed number, the whole token', () => {
  it.each([
    ['1,234', '1234'],
    ['-1,234', '-1234'],
    ['(1,234)', '-1234'],
    ['( 1,234 )', '-1234'],
    ['$-1,234', '-1234'],
    ['-$1,234', '-1234'],
    ['- 1,234', '-1234'],
    ['\u2212 1,234', '-1234'],
    ['$1,234', '1234'],
    ['($1,234)', '-1234'],
    ['$(1,234)', '-1234'],
    ['1, 234,567', '1234567'],
    ['2 563 559 677', '2563559677'],
    ['2\u00a0563\u00a0559\u00a0677', '2563559677'],
    ['2\u202f563\u202f559\u202f677', '2563559677'],
    ['2\u2009563', '2563'],
    ['1,234.56', '1234.56'],
    ['1 234.5', '1234.5'],
    ['0', '0'],
    ['-0', '0'],
    ['1234567', '1234567'],
    ['000,000', '0'],
  ])('%j is %s', (token, want) => expect(read(token)).toBe(want));

  it.each([
    ['5 812,672,420', 'two kinds of grouping'],
    ['2 563,559,677', 'space then commas'],
    ['1,234 567', 'commas then a space'],
    ['1\u00a0234 567', 'two kinds of space'],
    ['1,23', 'a group of two'],
    ['1234,567', 'a lead group of four'],
    ['12,34,567', 'Indian grouping'],
    ['-(1,234)', 'a minus and parentheses'],
    ['(1,234', 'no closing parenthesis'],
    ['1,234)', 'no opening parenthesis'],
    ['--1', 'two minus signs'],
    ['$$1', 'two dollar signs'],
    ['1,234.567', 'three decimals'],
    ['1.', 'a point without cents'],
    ['1,  234', 'two spaces after a comma'],
    ['1 2', 'a lone digit as a group'],
    ['0 0', 'two numbers'],
    ['1e6', 'an exponent'],
    ['', 'nothing'],
    ['1'.repeat(31), 'more than 30 digits'],
  ])('%j is not a number (%s)', (token) => expect(read(token)).toBeNull());

  it('reads exactly what the digits say, past 2^53, never through a JS number', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 29n), max: 10n ** 29n }),
        fc.constantFrom(',', ' ', '\u00a0', '\u202f'),
        (n, sep) => {
          const digits = (n < 0n ? -n : n).toString();
          const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
          const d = readAmount(n < 0n ? `-${grouped}` : grouped)!;
          expect(d.toFixed()).toBe(new Decimal(n.toString()).toFixed());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a loose reading drops the separators of a token that is not well formed', () => {
    expect(readLooseAmount('5 812,672,420')?.toFixed()).toBe('5812672420');
    expect(readLooseAmount('-$5 812')?.toFixed()).toBe('-5812');
    expect(readLooseAmount('1,2334,567')?.toFixed()).toBe('12334567');
    expect(readLooseAmount('1.2.3')).toBeNull();
  });
});

describe('cells: the token before the code', () => {
  const cell = (text: string) =>
    scanCells(text).map((c) => [
      c.code,
      c.amount?.toFixed() ?? null,
      c.doubt ? c.doubt.candidates.map((d) => d.toFixed()).sort() : null,
    ]);

  it.each([
    ['B. Other banks qualified under Regulation 30.7 340,727,172 [7520]', '340727172'],
    ['7. Greater of ... (above) or line 6. 831,055,679 [7360]', '831055679'],
    ['6. ... (add lines 4 and 5) 831,055,679 [7355]', '831055679'],
    ['A. Cash <u>539,548,594</u> [7315]', '539548594'],
    ['A. Cash\t2 563 559 677 [7010]', '2563559677'],
    ['b. granted (sold) - 3,309,126 [7337]', '-3309126'],
    ['b. granted (sold) -$3,309,126 [7337]', '-3309126'],
    ['b. granted (sold) $-3,309,126 [7337]', '-3309126'],
    ['b. granted (sold) ($3,309,126) [7337]', '-3309126'],
    ['Cash 1,234.56 [7010]', '1234.56'],
    ['<u>0</u> [7520] <u>341,368,579</u> [7530]', '341368579'],
  ])('%j reads %s', (text, want) => expect(cell(text).at(-1)![1]).toBe(want));

  it.each([['Cash n/a [7010]'], ['Cash Line12 [7010]'], ['Cash 1,234\uff15 [7010]'], ['Cash -(1,234) [7010]']])(
    '%j has no amount, and no reading',
    (text) => expect(cell(text).at(-1)!.slice(1)).toEqual([null, null]),
  );

  it('a stray space inside an amount is a doubt between the reading of its well-formed tail and of the whole, never the tail alone', () => {
    // (The number before the space on its own, 5, is a candidate too: see the footnote marks below.)
    expect(cell('13. Total 5 812,672,420 [8720]')).toEqual([['8720', null, ['5', '5812672420', '812672420']]]);
    // Thousands of the wrong kind, a group of two: only a loose reading, for the identities to confirm or not.
    expect(cell('Cash 5812,672,420 [7010]')).toEqual([['7010', null, ['5812672420']]]);
    expect(cell('Cash 12,34 [7010]')).toEqual([['7010', null, ['1234']]]);
  });

  it("a number apart before the amount (a footnote's mark after it, `252,400,000 (1)`, `252,400,000</u> <sup>1</sup>`): a doubt between the two, never the mark on faith", () => {
    expect(cell('15. Target 252,400,000 (1) [7194]')).toEqual([['7194', null, ['-1', '252400000']]]);
    expect(cell('15. Target 252,400,000 1 [7194]')).toEqual([['7194', null, ['1', '252400000', '2524000001']]]);
    expect(cell('15. Target <u>252,400,000</u> <sup>1</sup> [7194]')).toEqual([['7194', null, ['1', '252400000']]]);
    expect(cell('15. Target <u>252,400,000</u>(1)<u></u> [7194]')).toEqual([['7194', null, ['-1', '252400000']]]);
    expect(cell('15. Target <u>$252,400,000</u><sup>12</sup> [7194]')).toEqual([['7194', null, ['12', '252400000']]]);
    // A label's number is none: after a dot (`30.7`), glued to a word (`Line12`), or ending in `)`.
    expect(cell('B. Other banks qualified under Regulation 30.7 <u>340,727,172</u> [7520]')).toEqual([
      ['7520', '340727172', null],
    ]);
    expect(cell('Line12 <u>5</u> [7010]')).toEqual([['7010', '5', null]]);
    // A small amount right after the label's `30.7` (the markup sample's line B of 7520), and
    // money with other than two decimals before a mark: no doubt, the amount as filed.
    expect(cell('B. Other banks qualified under Regulation 30.7 <b><u>0</u></b> [7520]')).toEqual([
      ['7520', '0', null],
    ]);
    expect(cell('B. Other banks qualified under Regulation 30.7 0 [7520]')).toEqual([['7520', '0', null]]);
    // Before any other mark, a one-decimal number may be money (`474.6 (1)`): a doubt.
    expect(cell('B. Other banks qualified under Regulation 30.7 <u>67</u> [7520]')).toEqual([
      ['7520', null, ['30.7', '67']],
    ]);
    expect(cell('B. Other banks qualified under Regulation 30.7 67 [7520]')).toEqual([['7520', null, ['30.7', '67']]]);
    expect(cell('13. Net (subtract line 6 from line 13) $3 990 000 017 035 474.6 (1) [8730]')).toEqual([
      ['8730', null, ['-1', '3990000017035474.6']],
    ]);
    expect(cell('13. Net <u>$474.6</u> <sup>1</sup> [8730]')).toEqual([['8730', null, ['1', '474.6']]]);
    expect(cell('15. Target 1,234.56 (1) [7194]')).toEqual([['7194', null, ['-1', '1234.56']]]);
    // A number of any length before the mark: seven groups (a saved web page's `&nbsp;` grouping),
    // and the longest amount there is (30 digits), in a tag of its own.
    expect(cell('18. Excess (53 931 165 180 064 255 215)  3 [7190]')).toEqual([
      ['7190', null, ['-53931165180064255215', '3']],
    ]);
    expect(cell('18. Excess <u>(123 456 789 012 345 678 901 234 567 890)</u> <sup>3</sup> [7190]')).toEqual([
      ['7190', null, ['-123456789012345678901234567890', '3']],
    ]);
    expect(cell('(add lines 4 and 5) <b><u>831,055,679</u></b> [7355]')).toEqual([['7355', '831055679', null]]);
    expect(cell('(add lines 4 and 5) 831,055,679 [7355]')).toEqual([['7355', '831055679', null]]);
    // Two cells: the code between them ends the first.
    expect(cell('<u>-2,329,959</u> [7352] <u>27,413</u> [7354]')).toEqual([
      ['7352', '-2329959', null],
      ['7354', '27413', null],
    ]);
  });

  it('codeUnits: each code unit of any text (ASCII, Latin-1, other scripts, astral), as charCodeAt reads it', () => {
    const unit = fc.oneof(
      fc.constantFrom(...'0123456789,.()$- <>[]abcXYZ\t\n'),
      fc.constantFrom('\u00a0', '\u00e9', '\u202f', '\u2212', '\u2013', '\uff15', '\ufeff', '\ud83d\ude00'),
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 60 }), (units) => {
        const text = units.join('');
        const codes = codeUnits(text);
        expect(codes.length).toBe(text.length);
        for (let i = 0; i < text.length; i++) expect(codes[i]).toBe(text.charCodeAt(i));
        expect(codes[text.length]).toBeUndefined();
        expect(codes[-1]).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
    // Two scanners at once: the first may not read code units the second has written over.
    const first = new CellScanner('1 [7010] 2 [7020]');
    const second = new CellScanner('3 [7030]');
    expect(second.next(0, 0)).toBe(true);
    expect(() => first.next(0, 0)).toThrow(/reused by a later scanner/);
    // A long ASCII text after a short one: the scratch grows, and holds the new text.
    const long = '1,234 [7010] '.repeat(10000);
    expect(Array.from(codeUnits(long).subarray(0, 13), (c) => String.fromCharCode(c)).join('')).toBe('1,234 [7010] ');
    expect(codeUnits(long).length).toBe(long.length);
  });

  it("isMark says what /^\\(?\\d{1,2}\\)?$/ says of any span of any text (a footnote's mark: 1, 12, (1), (12))", () => {
    const text = fc.array(fc.constantFrom(...'0123456789()( ,.-$a'), { maxLength: 8 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, fc.nat(), fc.nat(), (t, a, b) => {
        const from = t.length ? a % (t.length + 1) : 0;
        const to = from + (t.length - from ? b % (t.length - from + 1) : 0);
        expect(isMark(codeUnits(t), from, to)).toBe(/^\(?\d{1,2}\)?$/.test(t.slice(from, to)));
      }),
      { numRuns: 5000 },
    );
    for (const m of ['1', '12', '(1)', '(12)', '(1', '1)'])
      expect(isMark(codeUnits(`x${m}y`), 1, 1 + m.length)).toBe(true);
    for (const m of ['', '()', '123', '(123)', '1a', ')', '(', '((1)'])
      expect(isMark(codeUnits(`x${m}y`), 1, 1 + m.length)).toBe(false);
  });

  // Every ASCII punctuation mark that is not an amount's own character or a tag's.
  const GLUE = [...'!"#%&\'*+/:;=?@[\\]^`{|}~'];
  it.each(GLUE)('a %j between digits is a doubt between the tail and the whole, never the tail alone', (g) => {
    expect(cell(`b. granted (sold) <u>-3${g}309,126</u> [7337]`)).toEqual([['7337', null, ['-3309126', '309126']]]);
    expect(cell(`b. granted (sold)\t3${g}309${g}126 [7337]`)).toEqual([['7337', null, ['126', '3309126']]]);
    expect(cell(`b. granted (sold) 3${g}309 126 [7337]`)).toEqual([['7337', null, ['309126', '3309126']]]);
    // Right before a group of a space-grouped number (`#40 961`): the group may be a label's.
    expect(cell(`b. granted (sold) ${g}40 961 [7337]`)).toEqual([['7337', null, ['40961', '961']]]);
    // Not between digits: the mark is the label's, and the amount reads as before.
    expect(cell(`b. granted (sold)${g}3,309,126 [7337]`)).toEqual([['7337', '3309126', null]]);
    expect(cell(`b. granted (sold) ${g}-3,309,126 [7337]`)).toEqual([['7337', '-3309126', null]]);
  });
});

describe('a doubt in a filing', () => {
  it("the issue's `5 812,672,420 [8720]`: read as 5,812,672,420 by its identities, with an SW105 saying so; no deficiency", () => {
    const text = TEXT.replace('5,812,672,420</u></b> [8720]', '5 812,672,420</u></b> [8720]');
    const { filing, unreadable } = parseFilingText(text);
    expect(unreadable).toEqual([]);
    expect(filing.statements.clearedSwaps!.lines.get('8720')!.toFixed()).toBe('5812672420');
    expect(filing.statements.clearedSwaps!.readings).toEqual([
      { code: '8720', filed: '5 812,672,420', amount: new Decimal('5812672420') },
    ]);
    const r = reconcile(filing, { unreadable });
    expect(r.alerts).toEqual([]);
    expect(r.statements.clearedSwaps!.status).toBe('ok');
    expect(r.findings.find((f) => f.ruleId === 'SW105')).toMatchObject({
      severity: 'info',
      statement: 'clearedSwaps',
      line: '8720',
      actual: '5812672420',
    });
  });

  it('the reading is kept with the stored filing (for its finding), not in its JSON: the same filing, the same content hash', () => {
    const clean = parseFilingText(TEXT).filing;
    const read = parseFilingText(TEXT.replace('5,812,672,420</u></b> [8720]', '5 812,672,420</u></b> [8720]')).filing;
    expect(filingToJson(read)).toEqual(filingToJson(clean));
    // As the store writes and reads a version: every amount, the readings too.
    const stored = filingFromJson({ ...filingToJson(read), ...filingAmounts(read, str) });
    expect(stored.statements.clearedSwaps!.readings).toEqual(read.statements.clearedSwaps!.readings);
    expect(
      reconcile(stored)
        .findings.filter((f) => f.ruleId === 'SW105')
        .map((f) => f.line),
    ).toEqual(['8720']);
  });

  it('a doubt no reading settles is unreadable (SW103): the statement does not reconcile and raises nothing', () => {
    // 8720 and its excess 8730 both in doubt: neither can be checked against the other.
    const text = TEXT.replace('5,812,672,420</u></b> [8720]', '5 812,672,420</u></b> [8720]').replace(
      '237,808,536</u></b> [8730]',
      '2 37,808,536</u></b> [8730]',
    );
    const { filing, unreadable } = parseFilingText(text);
    const r = reconcile(filing, { unreadable });
    // 8720 settles first (its own sum holds), then 8730 against it.
    expect(filing.statements.clearedSwaps!.readings?.map((x) => x.code)).toEqual(['8720', '8730']);
    expect(r.statements.clearedSwaps!.status).toBe('ok');

    const broken = TEXT.replace('5,812,672,420</u></b> [8720]', '5 812,672,42</u></b> [8720]');
    const b = parseFilingText(broken);
    expect(b.unreadable).toEqual(['8720']);
    expect(b.filing.statements.clearedSwaps!.lines.has('8720')).toBe(false);
    const rb = reconcile(b.filing, { unreadable: b.unreadable });
    expect(rb.statements.clearedSwaps!.status).toBe('unreconciled');
    expect(rb.alerts).toEqual([]);
    expect(rb.findings.filter((f) => f.ruleId === 'SW103').map((f) => f.line)).toEqual(['8720']);
    expect(rb.findings.filter((f) => f.ruleId === 'SW102').map((f) => f.line)).toEqual([]);
    // The finding says what was filed, also from the stored version (not part of the filing's JSON).
    const message = `Cleared Swaps Statement line 13 [8720] Total amount in cleared swaps customer segregation (add lines 7 through 12): the amount before the code cannot be read: filed as "5 812,672,42", which is not one well-formed number, and no reading of it makes every identity of the line hold`;
    expect(rb.findings.find((f) => f.ruleId === 'SW103')!.message).toBe(message);
    expect(filingToJson(b.filing)).toEqual(
      filingToJson(parseFilingText(TEXT.replace('5,812,672,420</u></b> [8720]', 'n/a</u></b> [8720]')).filing),
    );
    const stored = filingFromJson({ ...filingToJson(b.filing), ...filingAmounts(b.filing, str) });
    expect(stored.statements.clearedSwaps!.unsettled).toEqual([{ code: '8720', filed: '5 812,672,42' }]);
    expect(reconcile(stored, { unreadable: b.unreadable }).findings.find((f) => f.ruleId === 'SW103')!.message).toBe(
      message,
    );
    // A token that is no number at all (`n/a`) has no reading to tell of: the finding quotes it.
    const na = parseFilingText(TEXT.replace('5,812,672,420</u></b> [8720]', 'n/a</u></b> [8720]'));
    expect(
      reconcile(na.filing, { unreadable: na.unreadable }).findings.find((f) => f.ruleId === 'SW103')!.message,
    ).toMatch(
      /\[8720\] .*: the amount before the code cannot be read: filed as "n\/a", which is not one well-formed number$/,
    );
  });

  it("a doubt with the number the line's label ends in (`Regulation 30.7 21 [7520]`, an amount that does not add up): the amount as filed, flagged by the identity; after a second 30.7, still a doubt", () => {
    const at = '\tB. Other banks qualified under Regulation 30.7\t<u>340,727,172</u> [7520]';
    expect(TEXT).toContain(at);
    for (const filed of ['21', '<u>21</u>', '<b><u>67</u></b>']) {
      const p = parseFilingText(TEXT.replace(at, `\tB. Other banks qualified under Regulation 30.7 ${filed} [7520]`));
      expect(p.unreadable, filed).toEqual([]);
      const want = filed.replace(/<[^>]*>/g, '');
      expect(p.filing.statements.secured!.lines.get('7520')!.toFixed(), filed).toBe(want);
      const r = reconcile(p.filing, { unreadable: p.unreadable });
      expect(r.statements.secured!.status).toBe('unreconciled');
      expect(r.findings.filter((f) => f.severity !== 'info').map((f) => [f.ruleId, f.line])).toEqual([
        ['SW110', '7530'],
      ]);
      expect(r.findings.filter((f) => f.ruleId === 'SW103')).toEqual([]);
    }
    // `30.7 30.7 (1)`: the second 30.7 is no label's, so money with a mark or -1: unreadable.
    const twice = parseFilingText(TEXT.replace(at, '\tB. Other banks qualified under Regulation 30.7 30.7 (1) [7520]'));
    expect(twice.unreadable).toEqual(['7520']);
    // Another word before the number (`Rule 30.7 21`): not the label's, a doubt the identities cannot settle.
    const other = parseFilingText(TEXT.replace(at, '\tB. Other banks qualified under Rule 30.7 21 [7520]'));
    expect(other.unreadable).toEqual(['7520']);
  });

  it('an amount that is no number at all: SW103 quotes what stood before the code (tags dropped, the label left out), also from the stored version', () => {
    const sw103 = (filed: string) => {
      const p = parseFilingText(TEXT.replace('2,563,559,677</u> [7010]', `${filed}</u> [7010]`));
      expect(p.unreadable, filed).toEqual(['7010']);
      const f = reconcile(p.filing, { unreadable: p.unreadable }).findings.filter((x) => x.ruleId === 'SW103');
      expect(f.map((x) => x.line)).toEqual(['7010']);
      return f[0].message.replace('Segregation Statement line 1A [7010] Net ledger balance - Cash: ', '');
    };
    const quoted = (q: string) =>
      `the amount before the code cannot be read: filed as "${q}", which is not one well-formed number`;
    expect(sw103('n/a')).toBe(quoted('n/a'));
    expect(sw103('\u2014')).toBe(quoted('\u2014'));
    expect(sw103('2,563,559,677 CR')).toBe(quoted('2,563,559,677 CR'));
    expect(sw103('2,563,559,677 (a)')).toBe(quoted('2,563,559,677 (a)'));
    expect(sw103('2,563,559,677-')).toBe(quoted('2,563,559,677-'));
    expect(sw103('<b>2.563.559.677</b>')).toBe(quoted('2.563.559.677'));
    expect(sw103('1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 x')).toBe(quoted('8 9 0 x'));
    expect(sw103('12345678901234567890.123456789012345678901234567890-')).toBe(
      quoted('…4567890.123456789012345678901234567890-'),
    );
    // In text without tags (flattened from a PDF): the label's end (`Cash`, `12)`) is left out.
    const flat = parseFilingText(
      TEXT.replace('<u>2,563,559,677</u> [7010]', '2,563,559,677 CR [7010]').replace(
        '<b><u>5,812,672,420</u></b> [8720]',
        'n/a [8720]',
      ),
    );
    expect(flat.filing.statements.segregation!.unread).toEqual([{ code: '7010', filed: '2,563,559,677 CR' }]);
    expect(flat.filing.statements.clearedSwaps!.unread).toEqual([{ code: '8720', filed: 'n/a' }]);
    // Nothing, or only words (the label's, or a word filed for the amount): said so, nothing quoted.
    expect(sw103('')).toBe('the amount before the code cannot be read: no number stands before it');
    expect(sw103('see note')).toBe('the amount before the code cannot be read: no number stands before it');
    // Kept with the stored version (not in the filing's JSON: `n/a` and `CR` are the same filing).
    const cr = parseFilingText(TEXT.replace('2,563,559,677</u> [7010]', '2,563,559,677 CR</u> [7010]'));
    const stored = filingFromJson({ ...filingToJson(cr.filing), ...filingAmounts(cr.filing, str) });
    expect(stored.statements.segregation!.unread).toEqual([{ code: '7010', filed: '2,563,559,677 CR' }]);
    expect(reconcile(stored, { unreadable: cr.unreadable }).findings.find((f) => f.ruleId === 'SW103')!.message).toBe(
      `Segregation Statement line 1A [7010] Net ledger balance - Cash: ${quoted('2,563,559,677 CR')}`,
    );
    expect(filingToJson(cr.filing)).toEqual(
      filingToJson(parseFilingText(TEXT.replace('2,563,559,677</u> [7010]', 'n/a</u> [7010]')).filing),
    );
  });

  it('an amount written with an exponent, as a spreadsheet shows a wide number (`2.563559677E+09`): unreadable (SW103), never the digits after `E+`', () => {
    for (const filed of [
      '2.563559677E+09',
      '2.563559677e+9',
      '2.56356E+09',
      '2563559677E+00',
      '-2.56E+09',
      '2.E+09',
      '2.56E09',
      '2.56E-09',
    ]) {
      for (const text of [
        TEXT.replace('2,563,559,677</u> [7010]', `${filed}</u> [7010]`),
        // In text without tags (flattened from a PDF), and with a `$` (the slow path).
        TEXT.replace('<u>2,563,559,677</u> [7010]', `${filed} [7010]`),
        TEXT.replace('<u>2,563,559,677</u> [7010]', `$${filed} [7010]`),
      ]) {
        const p = parseFilingText(text);
        expect(p.filing.statements.segregation!.lines.has('7010'), filed).toBe(false);
        expect(p.unreadable, filed).toEqual(['7010']);
        const r = reconcile(p.filing, { unreadable: p.unreadable });
        expect(r.statements.segregation!.status).toBe('unreconciled');
        expect(r.alerts).toEqual([]);
      }
    }
    // A `+` that follows a word, not a mantissa, is the label's, as any mark after a word is.
    const plus = parseFilingText(TEXT.replace('<u>2,563,559,677</u> [7010]', 'Cash+2,563,559,677 [7010]'));
    expect(plus.filing.statements.segregation!.lines.get('7010')!.toFixed()).toBe('2563559677');
  });

  it("a punctuation mark between an amount's digits (`-3'309'126`, `300*252,400,000`): read by the identities with an SW105, or unreadable (SW103); never the digits after the mark", () => {
    const swiss = parseFilingText(TEXT.replace('-3,309,126</u> [7337]', "-3'309'126</u> [7337]"));
    expect(swiss.unreadable).toEqual([]);
    expect(swiss.filing.statements.secured!.lines.get('7337')!.toFixed()).toBe('-3309126');
    const rs = reconcile(swiss.filing);
    expect(rs.findings.filter((f) => f.ruleId === 'SW105').map((f) => [f.line, f.actual])).toEqual([
      ['7337', '-3309126'],
    ]);
    expect(rs.alerts).toEqual([]);

    // A digit off as well: no reading adds up, so the line is unreadable, and nothing is raised.
    const off = parseFilingText(TEXT.replace('-3,309,126</u> [7337]', '-3*309,125</u> [7337]'));
    expect(off.unreadable).toEqual(['7337']);
    expect(off.filing.statements.secured!.lines.has('7337')).toBe(false);
    const ro = reconcile(off.filing, { unreadable: off.unreadable });
    expect(ro.statements.secured!.status).toBe('unreconciled');
    expect(ro.alerts).toEqual([]);

    // A line no sum holds together (the management target): never the tail on faith.
    for (const filed of ['300*252,400,000', '2*52,400,000']) {
      const t = parseFilingText(TEXT.replace('252,400,000</u> [7194]', `${filed}</u> [7194]`));
      const got = t.filing.statements.segregation!.lines.get('7194');
      const r = reconcile(t.filing, { unreadable: t.unreadable });
      if (got === undefined) expect(t.unreadable, filed).toContain('7194');
      else
        expect(
          r.findings.some((f) => f.ruleId === 'SW105' && f.line === '7194'),
          `${filed} read as ${got.toFixed()} without saying how`,
        ).toBe(true);
    }
  });

  it("a footnote's mark after the amount (`252,400,000 (1)`, `<u>252,400,000</u><sup>1</sup>`): the identities read the amount, with an SW105; unreadable when it is off too", () => {
    for (const filed of [
      '252,400,000 (1)</u>',
      '252,400,000</u> <sup>1</sup>',
      '252,400,000<sup>(2)</sup></u>',
      '252,400,000</u>(1)<u></u>',
    ]) {
      const t = parseFilingText(TEXT.replace('252,400,000</u> [7194]', `${filed} [7194]`));
      expect(t.unreadable, filed).toEqual([]);
      expect(t.filing.statements.segregation!.lines.get('7194')!.toFixed(), filed).toBe('252400000');
      const r = reconcile(t.filing);
      expect(
        r.findings.filter((f) => f.ruleId === 'SW105').map((f) => f.line),
        filed,
      ).toEqual(['7194']);
      expect(r.statements.segregation!.status).toBe('ok');
      const off = parseFilingText(TEXT.replace('252,400,000</u> [7194]', `${filed.replace('252,', '253,')} [7194]`));
      expect(off.unreadable, filed).toEqual(['7194']);
      expect(off.filing.statements.segregation!.lines.has('7194')).toBe(false);
      expect(reconcile(off.filing, { unreadable: off.unreadable }).alerts).toEqual([]);
    }
  });

  it("a sign before the tag that opens the amount (`-<b>3,309,126</b>`): the sign or a label's dash, as the identities say; never dropped on faith", () => {
    expect(scanCells('granted (sold) -<b>3,309,126</b> [7337]').map((c) => [c.amount, c.doubt?.raw])).toEqual([
      [null, '-<b>3,309,126'],
    ]);
    for (const filed of ['-<b>3,309,126</b>', '- <b>3,309,126</b>', '\u2212<u><b>3,309,126</b></u>']) {
      const t = parseFilingText(TEXT.replace('<u>-3,309,126</u> [7337]', `${filed} [7337]`));
      expect(t.filing.statements.secured!.lines.get('7337')?.toFixed(), filed).toBe('-3309126');
      const r = reconcile(t.filing, { unreadable: t.unreadable });
      expect(r.findings.filter((f) => f.ruleId === 'SW105').map((f) => f.line)).toEqual(['7337']);
      expect(r.alerts).toEqual([]);
    }
    // A positive amount after a dash the identities do not take as its sign: read as filed.
    const dash = parseFilingText(TEXT.replace('<u>46,963,529</u> [7325]', '- <u>46,963,529</u> [7325]'));
    expect(dash.filing.statements.secured!.lines.get('7325')!.toFixed()).toBe('46963529');
    // Neither reading adds up: unreadable, nothing raised.
    const off = parseFilingText(TEXT.replace('<u>-3,309,126</u> [7337]', '-<b>3,309,125</b> [7337]'));
    expect(off.unreadable).toEqual(['7337']);
    expect(reconcile(off.filing, { unreadable: off.unreadable }).alerts).toEqual([]);
    // A typeset dash (U+2010-U+2013, small and fullwidth hyphen-minus) where the sign goes: the same doubt.
    for (const dash of ['\u2010', '\u2011', '\u2012', '\u2013', '\ufe63', '\uff0d'])
      for (const filed of [`<u>${dash}3,309,126</u>`, `${dash} <u>3,309,126</u>`, `<u>${dash} 3,309,126</u>`]) {
        const t = parseFilingText(TEXT.replace('<u>-3,309,126</u> [7337]', `${filed} [7337]`));
        expect(t.filing.statements.secured!.lines.get('7337')?.toFixed(), filed).toBe('-3309126');
        expect(
          reconcile(t.filing)
            .findings.filter((f) => f.ruleId === 'SW105')
            .map((f) => f.line),
        ).toEqual(['7337']);
      }
    // Between digits it is a mark inside the number: never the digits after it.
    expect(
      scanCells('x 2,563\u2013559 [7010]').map((c) => [c.amount, c.doubt?.candidates.map((d) => d.toFixed())]),
    ).toEqual([[null, ['559', '2563559']]]);
    // Inside the tag, or not before a tag, the sign is read as before.
    expect(scanCells('x <u>-3,309,126</u> [7337]')[0].amount!.toFixed()).toBe('-3309126');
    expect(scanCells('x\t<u>3,309,126</u> [7337]')[0].amount!.toFixed()).toBe('3309126');
  });

  it("space-grouped thousands and separated signs read as filed: the issue's `2 563 559 677`, `-$1,234`, `- 1,234`", () => {
    const text = TEXT.replace('2,563,559,677', '2 563 559 677')
      .replace('-3,309,126</u> [7337]', '-$3,309,126</u> [7337]')
      .replace('-2,329,959', '- 2,329,959');
    const { filing } = parseFilingText(text);
    expect(filing.statements.segregation!.lines.get('7010')!.toFixed()).toBe('2563559677');
    expect(filing.statements.secured!.lines.get('7337')!.toFixed()).toBe('-3309126');
    expect(filing.statements.secured!.lines.get('7352')!.toFixed()).toBe('-2329959');
    const r = reconcile(filing);
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(r.alerts).toEqual([]);
  });
});

describe('a line reference run into a space-grouped amount (a wrapped label in a PDF)', () => {
  const text = sampleText(SAMPLE_2014);
  const line7190 =
    /14\.\tExcess \(deficiency\) funds in segregation \(subtract line 6 from line 13\)\t<u>284,415,796<\/u> \[7190\]/;

  it('`subtract line 6 284 415 796 [7190]`: the identities read 284,415,796 (not 6,284,415,796), and say so', () => {
    expect(text).toMatch(line7190);
    const t = text.replace(
      line7190,
      '14.\tExcess (deficiency) funds in segregation (subtract line 6 284 415 796 [7190]',
    );
    const { filing, unreadable } = parseFilingText(t);
    expect(str(filing.statements.segregation!.lines.get('7190')!)).toBe('284415796');
    const r = reconcile(filing, { unreadable });
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(r.findings.some((f) => f.ruleId === 'SW105' && f.line === '7190')).toBe(true);
  });

  it('when neither reading makes the line add up, the line is unreadable: never 6,284,415,797', () => {
    const t = text.replace(
      line7190,
      '14.\tExcess (deficiency) funds in segregation (subtract line 6 284 415 797 [7190]',
    );
    const { filing, unreadable } = parseFilingText(t);
    expect(filing.statements.segregation!.lines.has('7190')).toBe(false);
    expect(unreadable).toContain('7190');
    expect(
      reconcile(filing, { unreadable }).alerts.filter((a) => a.kind === 'deficiency' || a.kind === 'below-target'),
    ).toEqual([]);
  });

  it('after any other word the space-grouped number is whole (`Cash 2 563 559 677`)', () => {
    expect(str(scanCells('Net ledger balance - Cash 2 563 559 677 [7010]')[0].amount!)).toBe('2563559677');
  });
});

describe("a label's dash before the amount in flattened text (`debit balances - 334`)", () => {
  // Line 5 of the Secured Amounts statement: 7351 (gross) less 7352 (offset) is 7354 (net).
  const line7351 = /debit balances - gross amount\t<u>2,357,372<\/u> \[7351\]/;
  const flattened = (amount: string) =>
    sampleText(SAMPLE_2014).replace(line7351, `debit balances - ${amount} [7351] gross amount`);

  it("is the label's when the identities say so: 2,357,372 read (not -2,357,372), with an SW105 saying how", () => {
    expect(sampleText(SAMPLE_2014)).toMatch(line7351);
    const { filing, unreadable } = parseFilingText(flattened('2,357,372'));
    expect(unreadable).toEqual([]);
    expect(str(filing.statements.secured!.lines.get('7351')!)).toBe('2357372');
    const r = reconcile(filing, { unreadable });
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    const sw105 = r.findings.find((f) => f.ruleId === 'SW105' && f.line === '7351');
    expect(sw105).toMatchObject({ actual: '2357372' });
    expect(sw105?.message).toContain(
      'filed as "- 2,357,372" right after the label, whose dash the sign may be; read as 2,357,372',
    );
    expect(r.alerts).toEqual([]);
  });

  it('is the sign when the identities say so (a filed -2,357,372 whose net line agrees)', () => {
    // The net (7354) is gross plus the (negative) offset: with the minus, -2,357,372 + -2,329,959.
    const t = flattened('2,357,372').replace('<u>27,413</u> [7354]', '<u>-4,687,331</u> [7354]');
    const { filing } = parseFilingText(t);
    expect(str(filing.statements.secured!.lines.get('7351')!)).toBe('-2357372');
  });

  it('when neither reading adds up, the line is unreadable (SW103), never a number', () => {
    const { filing, unreadable } = parseFilingText(flattened('2,357,373'));
    expect(filing.statements.secured!.lines.has('7351')).toBe(false);
    expect(unreadable).toContain('7351');
    const r = reconcile(filing, { unreadable });
    expect(r.findings.filter((f) => f.ruleId === 'SW103').map((f) => f.line)).toContain('7351');
    expect(r.alerts.filter((a) => a.kind === 'deficiency' || a.kind === 'below-target')).toEqual([]);
  });

  it("after a tab, a tag or a number the sign is the amount's, as before; a sign glued to the digits too", () => {
    for (const cell of ['\t- 2,357,372 [7351]', ' <u>- 2,357,372</u> [7351]', ' -2,357,372 [7351]']) {
      const t = sampleText(SAMPLE_2014).replace(line7351, `debit balances - gross amount${cell}`);
      expect(parseFilingText(t).filing.statements.secured!.lines.get('7351')?.toFixed(), cell).toBe('-2357372');
    }
  });

  it("after a word the label has no dash after, the sign is the amount's (`... offset by customer owned securities - 2,329,959`)", () => {
    const t = sampleText(SAMPLE_2014).replace(
      'Less: amount offset by customer owned securities\t<u>-2,329,959</u> [7352]',
      'Less: amount offset by customer owned securities - 2,329,959 [7352]',
    );
    expect(t).toContain('securities - 2,329,959 [7352]');
    expect(parseFilingText(t).filing.statements.secured!.lines.get('7352')?.toFixed()).toBe('-2329959');
    // The cell reader alone keeps the sign: only a label's dash makes it a doubt.
    expect(scanCells('debit balances - 1,234 [7351]').map((c) => c.amount?.toFixed())).toEqual(['-1234']);
  });

  it('no label ends with a word it also has before a dash inside it (so a whole label and a lone sign stay one negative amount)', () => {
    for (const v of FORMS.variants)
      for (const l of v.lines) {
        const last = l.label.toLowerCase().match(/(\p{L}+)\W*$/u)?.[1];
        if (last) expect(dashWordsOf([l.label]).has(last), `${l.code} ${l.label}`).toBe(false);
      }
    expect([
      ...dashWordsOf(['Accounts liquidating to a deficit and accounts with debit balances - gross amount']),
    ]).toEqual(['balances']);
  });
});

describe('uncoded sub-lines (Cleared Swaps 12A-12C): each read in its own place, or named unreadable (SW114)', () => {
  /** The 2014 sample with its 12A and 12B amounts (tags and all) and the cell of 12C and the total replaced. */
  const withParts = (a: string, b: string, cAndTotal = '0 0') =>
    TEXT.replace(
      /(\tA\. Cash )<b><u>0<\/u><\/b>(\n\tB\. [^\n]*\(at market\) )<b><u>0<\/u><\/b>(\n\tC\. [^\n]*\(at market\) )<b><u>0 0<\/u><\/b> \[8715\]/,
      (_, pa: string, pb: string, pc: string) =>
        `${pa}<b><u>${a}</u></b>${pb}<b><u>${b}</u></b>${pc}<b><u>${cAndTotal}</u></b> [8715]`,
    );
  const partsOf = (text: string) => {
    expect(text).not.toBe(TEXT);
    const { filing, unreadable } = parseFilingText(text);
    const st = filing.statements.clearedSwaps!;
    const rec = reconcile(filing, { unreadable });
    return {
      uncoded: st.uncoded.map((u) => [u.id, str(u.amount)]),
      unread: st.unreadParts ?? [],
      sw114: rec.findings.filter((f) => f.ruleId === 'SW114'),
      status: rec.statements.clearedSwaps?.status,
      alerts: rec.alerts.map((a) => a.kind),
    };
  };

  it('the filed sub-lines read as filed, with no finding', () => {
    const p = partsOf(withParts('1 234', '1,000', '5 2,239'));
    expect(p.uncoded).toEqual([
      ['12A', '1234'],
      ['12B', '1000'],
      ['12C', '5'],
    ]);
    expect(p.unread).toEqual([]);
    expect(p.sw114).toEqual([]);
  });

  it("`n/a` for 12A: never 12B's amount read as 12A's; 12A named unreadable, the statement does not reconcile", () => {
    const p = partsOf(withParts('n/a', '1,234', '0 1,234'));
    expect(p.uncoded.find(([id]) => id === '12A')).toBeUndefined();
    expect(p.uncoded).toContainEqual(['12B', '1234']);
    expect(p.unread).toEqual([{ id: '12A', partOf: '8715', filed: 'n/a' }]);
    expect(p.sw114).toHaveLength(1);
    expect(p.sw114[0].message).toContain('sub-line 12A Cash cannot be read: filed as "n/a"');
    expect(p.status).toBe('unreconciled');
    expect(p.alerts).not.toContain('deficiency');
  });

  it('a token that is not one number (`5 00`, `5 812,672,420`) is never shortened into one: 12A unreadable, as filed', () => {
    for (const bad of ['5 00', '5 812,672,420', '1,2345']) {
      const p = partsOf(withParts(bad, '0'));
      expect(
        p.uncoded.find(([id]) => id === '12A'),
        bad,
      ).toBeUndefined();
      expect(p.unread, bad).toEqual([{ id: '12A', partOf: '8715', filed: bad }]);
      expect(p.sw114, bad).toHaveLength(1);
    }
  });

  it('a sub-line with nothing after its label (the 2013 form prints 12C in one cell with the total) is left out with no finding', () => {
    const p = partsOf(TEXT.replace('<b><u>0 0</u></b> [8715]', '<b><u>0</u></b> [8715]'));
    expect(p.uncoded.map(([id]) => id)).toEqual(['12A', '12B']);
    expect(p.unread).toEqual([]);
    expect(p.sw114).toEqual([]);
  });

  it("a digit in the last token before the amount (`Cash 3'309`, `Cash 0 (1)`, `Cash 2.56E+09`): unreadable, never the digits after it", () => {
    for (const bad of ["3'309", '0 (1)', '2.563559677E+09', '1*234']) {
      const p = partsOf(withParts(bad, '0'));
      expect(
        p.uncoded.find(([id]) => id === '12A'),
        bad,
      ).toBeUndefined();
      expect(
        p.unread.map((u) => u.id),
        bad,
      ).toEqual(['12A']);
    }
  });

  it("a sub-line missing, and 12C and the total space-grouped in one cell: 12C is never read from a number cut where the cell's reading starts", () => {
    // (Found by the damage property: 12A's 0 dropped; 12C 1,444,543,350,015,890,337,914 was read 1,444,543,350,015,890.)
    const cell = '1 444 543 350 015 890 337 914 2 081 762 472 639 722 337 442';
    const p = partsOf(withParts('', '637 219 122 623 831 999 528', cell));
    expect(p.uncoded.find(([id]) => id === '12C')).toBeUndefined();
    expect(p.unread.map((u) => u.id)).toEqual(['12C']);
    expect(p.unread[0].filed.startsWith('1 444 543 350 015 890 337')).toBe(true);
    // Comma-grouped, the two numbers in the cell are two: 12C reads as filed.
    const q = partsOf(withParts('', '1,000', '1,444,543 2,081,762'));
    expect(q.unread).toEqual([]);
  });

  it("no sub-line's label in the forms ends in a token with a digit (such a token before a sub-line's amount is read as part of it)", () => {
    const parts = FORMS.variants.flatMap((v) => v.lines.flatMap((l) => l.parts ?? []));
    expect(parts.length).toBeGreaterThan(0);
    for (const p of parts) expect(p.label.split(/\s+/).pop(), p.id).not.toMatch(/\d/);
  });

  it('kept with the stored version (for its finding), as the other readings are', () => {
    const { filing } = parseFilingText(withParts('n/a', '0'));
    // As the store writes and reads a version: every amount, the readings too.
    const back = filingFromJson({ ...filingToJson(filing), ...filingAmounts(filing, str) });
    expect(JSON.stringify(filingToJson(filing))).not.toContain('unreadParts');
    expect(back.statements.clearedSwaps?.unreadParts).toEqual([{ id: '12A', partOf: '8715', filed: 'n/a' }]);
    expect(reconcile(back).findings.map((f) => f.ruleId)).toContain('SW114');
  });
});
