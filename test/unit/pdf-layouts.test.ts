/**
 * PDF layouts the property test (pdf-properties.test.ts) found read wrong, each held here on its
 * own: the layout drawn on purpose (test/support/pdf.ts, or items placed by hand), and what the
 * parser must make of it.
 *
 * - A page that ends right after the Firm Name line: the next page's running header is not the
 *   rest of the name (it was, and the file was refused as 2 filings: seed -544427048, path 52).
 * - A total printed with its last sub-line's amount (`594 594 [8715]`) where the sub-lines do not
 *   read (a running header between them): never one space-grouped number 594,594 (it was: seed
 *   -1195282609, path 95); a doubt the identities settle (SW105) or the line is unreadable (SW103).
 * - A label whose first line ends in a dash, its amount on that line (`debit balances -  334`):
 *   the dash is the label's, not the amount's sign (it read -334: seed 20261202, path 86).
 * - A statement title wrapped over a page break (`Daily Segregation - Swaps` / `Page 2 of 3` /
 *   `Statement`): the title as printed (it was lost: the never-wrong property, seed -865691314).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FORMS } from '../../shared/domain/forms';
import { Decimal, str } from '../../shared/domain/money';
import type { Filing } from '../../shared/domain/model';
import { parseFilingText, scanCells } from '../../shared/domain/parser';
import { reconcile } from '../../shared/domain/reconcile';
import { labelOrder, pageRows, parserText, pdfToLines, type PlacedText } from '../../shared/domain/formats/pdf';
import { computeDerived, generateFiling, seededRng } from '../support/generate';
import { placed, renderPdf, type PdfRenderOptions } from '../support/pdf';
import { render } from '../support/render';
import { SAMPLES } from './samples';

const RUNNING = 'Example FCM - Daily Seg - FOCUS II (continued)';

/** The first layout (lines per page) in `range` whose printed lines show `where`; fails when none does. */
async function layoutWhere(
  markup: string,
  opts: PdfRenderOptions,
  range: [number, number],
  where: (printed: string[]) => boolean,
): Promise<{ pdf: Uint8Array; printed: string[]; text: string }> {
  for (let n = range[0]; n <= range[1]; n++) {
    const pdf = await renderPdf(markup, { ...opts, linesPerPage: n });
    const { printed, text } = await pdfToLines(pdf);
    if (where(printed)) return { pdf, printed, text };
  }
  throw new Error('no layout in the range shows it');
}

describe('a page that ends right after the Firm Name line', () => {
  const sample = SAMPLES.find((s) => s.name.includes('2014'))!;
  const markup = readFileSync(sample.path, 'utf8');

  it("the next page's running header is not the rest of the name: one filing, the name as filed", async () => {
    for (const pageNumbers of [true, false]) {
      const { printed, text } = await layoutWhere(markup, { runningHeader: RUNNING, pageNumbers }, [10, 60], (p) =>
        p.some((l, i) => /^Firm Name:/.test(l) && (p[i + 1] === RUNNING || /^Page /.test(p[i + 1] ?? ''))),
      );
      expect(printed.filter((l) => l === RUNNING).length).toBeGreaterThan(0);
      const f = parseFilingText(text).filing;
      expect(f.firmName).toBe(sample.header.firmName);
      expect(f.firmId).toBe(sample.header.firmId);
    }
  });

  it('in text: a form feed (a page break, as pdftotext marks it) ends a wrapped firm name; a line break alone does not', () => {
    const head = (between: string) =>
      `INITIAL\nEnd Date:11/6/2014\nFirm Name:Citigroup Global Markets${between}Inc.\nForm:Daily Seg - FOCUS II\nSubmit Date:11/7/2014\n1. Net ledger balance\t1 [7010]\n`;
    expect(parseFilingText(head('\n')).filing.firmName).toBe('Citigroup Global Markets Inc.');
    expect(parseFilingText(head('\n\f')).filing.firmName).toBe('Citigroup Global Markets');
    // Read up to a page break, the name may go on past it: a warning says so (SW107), naming the firm id.
    expect(parseFilingText(head('\n\f')).notes).toEqual([
      {
        rule: 'firm-name-page-break',
        message: expect.stringContaining('(firm id citigroup-global-markets): check the firm'),
      },
    ]);
    expect(parseFilingText(head('\n')).notes).toEqual([]);
    expect(parseFilingText(head('\n\n')).notes).toEqual([]);
    // The next page starts (past its banner and page number) with a header field, the filing type,
    // a title or a line of the form: nothing of a name, so no warning (the never-wrong property's
    // seed -1947705588: `Firm Name:Wedbush Securities Inc.` last on its page, then the banner and `Form:`).
    const whole = (pageTop: string) =>
      `INITIAL\nEnd Date:11/6/2014\nFirm Name:Citigroup Global Markets Inc.\n\f${pageTop}\nForm:Daily Seg - FOCUS II\nSubmit Date:11/7/2014\n1. Net ledger balance\t1 [7010]\n`;
    for (const top of ['W I N J A M M E R F I L I N G', 'Page 2 of 3', '', 'W I N J A M M E R\nPage 2 of 3']) {
      const r = parseFilingText(whole(top));
      expect(r.filing.firmName, JSON.stringify(top)).toBe('Citigroup Global Markets Inc.');
      expect(r.notes, JSON.stringify(top)).toEqual([]);
    }
    for (const next of [
      'Daily Segregation - Segregation Statement',
      '1A. Net ledger balance - Cash\t5 [7010]',
      'AMENDMENT',
    ])
      expect(parseFilingText(whole(next)).notes, next).toEqual([]);
    // Words that may be the name's rest, or a running header of the firm's own: still flagged.
    for (const next of [
      'Inc.',
      'W I N J A M M E R F I L I N G\nand Co., LLC',
      'Example FCM - Daily Seg - FOCUS II (continued)',
    ])
      expect(
        parseFilingText(whole(next)).notes.map((n) => n.rule),
        next,
      ).toEqual(['firm-name-page-break']);
    // A blank line ends it too (the name goes on only over lines that hold text).
    expect(parseFilingText(head('\n\n')).filing.firmName).toBe('Citigroup Global Markets');
  });

  it("parserText: a form feed before each page's first line after the first page", () => {
    const at = (str: string, y: number): PlacedText => ({ str, x: 36, y, width: str.length * 4, size: 8 });
    const p1 = pageRows([at('Firm Name:Citigroup Global Markets Inc.', 100)]);
    const p2 = pageRows([at(RUNNING, 750), at('Form:Daily Seg - FOCUS II', 730)]);
    expect(parserText([p1, p2])).toBe(
      `Firm Name:Citigroup Global Markets Inc.\n\f${RUNNING}\nForm:Daily Seg - FOCUS II\n`,
    );
  });
});

/** A generated filing whose Cleared Swaps sub-lines are 12A 0, 12B 0, 12C 594 and whose 8715 is 594, every total recomputed. */
function filing594(): Filing {
  const f = generateFiling(seededRng(7));
  const st = f.statements.clearedSwaps!;
  for (const u of st.uncoded) u.amount = new Decimal(u.id === '12C' ? 594 : 0);
  st.lines.set('8715', new Decimal(594));
  computeDerived(FORMS.variantById.get(st.variant)!, st.lines);
  expect(reconcile(f).findings.filter((x) => x.severity === 'error')).toEqual([]);
  return f;
}

describe('a total printed with its last sub-line, space-grouped (`1 001 1 027 [8715]`)', () => {
  // Found by the meaning-preserving property (seed 579440800): 12A 0, 12B 26, 12C 1,001 and 8715
  // 1,027, a page's header between line 12 and its sub-lines. Read from `027`, the cell is 12C 1
  // and the total 27, which add up too: two splits added up, none was taken, and 12C went missing.
  it('text: 12C is 1,001 and 8715 is 1,027, as filed; a total never starts at a group of thousands (`027`)', () => {
    const f = generateFiling(seededRng(7));
    const st0 = f.statements.clearedSwaps!;
    for (const u of st0.uncoded) u.amount = new Decimal(u.id === '12A' ? 0 : u.id === '12B' ? 26 : 1001);
    st0.lines.set('8715', new Decimal(1027));
    computeDerived(FORMS.variantById.get(st0.variant)!, st0.lines);
    const text = render(f, 'pdf-text', { seed: 1, grouping: ' ' });
    expect(text).toContain('(at market) 1 001 1 027 [8715]');
    const broken = text.replace(/(\(total of 12A-12C\)) (A\. )/, '$1 Page 3 of 4\n$2');
    expect(broken).toContain('(total of 12A-12C) Page 3 of 4\nA. ');
    for (const t of [text, broken]) {
      const r = parseFilingText(t);
      const st = r.filing.statements.clearedSwaps!;
      expect(str(st.lines.get('8715')!)).toBe('1027');
      expect(st.uncoded.map((u) => [u.id, str(u.amount)])).toEqual([
        ['12A', '0'],
        ['12B', '26'],
        ['12C', '1001'],
      ]);
      expect(st.readings).toBeUndefined();
      expect(reconcile(r.filing, { unreadable: r.unreadable }).findings.filter((x) => x.severity !== 'info')).toEqual(
        [],
      );
    }
  });
});

describe('a total printed with its last sub-line (`594 594 [8715]`), the sub-lines not all read', () => {
  it('text: a running header between 12B and 12C: 8715 is 594, read by the identities (SW105), never 594,594', () => {
    const f = filing594();
    const text = render(f, 'pdf-text', { seed: 1 });
    expect(text).toContain('(at market) 594 594 [8715]');
    // What a PDF transcription without layout gives when a page breaks between the sub-lines.
    const broken = text.replace(/(B\. Securities representing[^[]*?\(at market\) 0) (C\. )/, `$1 ${RUNNING} $2`);
    expect(broken).toContain(`0 ${RUNNING} C. `);
    const r = parseFilingText(broken);
    const st = r.filing.statements.clearedSwaps!;
    expect(str(st.lines.get('8715')!)).toBe('594');
    expect(st.readings).toEqual([{ code: '8715', filed: '594 594', amount: new Decimal(594) }]);
    expect(r.unreadable).toEqual([]);
    const rec = reconcile(r.filing, { unreadable: r.unreadable });
    expect(rec.findings.filter((x) => x.ruleId === 'SW105').map((x) => x.statement)).toEqual(['clearedSwaps']);
    expect(rec.findings.filter((x) => x.severity === 'error')).toEqual([]);
    expect(rec.alerts.map((a) => a.kind)).toEqual(reconcile(f).alerts.map((a) => a.kind));
  });

  it('text: when the identities cannot settle it (8720 unreadable too), 8715 is unreadable (SW103), never 594,594', () => {
    const f = filing594();
    const text = render(f, 'pdf-text', { seed: 1 })
      .replace(/(B\. Securities representing[^[]*?\(at market\) 0) (C\. )/, `$1 ${RUNNING} $2`)
      .replace(/[-\d,]+ \[8720\]/, 'n/a [8720]');
    const r = parseFilingText(text);
    const st = r.filing.statements.clearedSwaps!;
    expect(st.lines.get('8715')).toBeUndefined();
    expect(r.unreadable).toEqual(expect.arrayContaining(['8715', '8720']));
    const rec = reconcile(r.filing, { unreadable: r.unreadable });
    expect(rec.findings.filter((x) => x.ruleId === 'SW103').map((x) => x.line)).toEqual(
      expect.arrayContaining(['8715', '8720']),
    );
    expect(rec.alerts.filter((a) => a.kind === 'deficiency' || a.kind === 'below-target')).toEqual([]);
  });

  it('PDF: a page break with a running header between 12B and 12C: the sub-lines and 8715 read as filed', async () => {
    const f = filing594();
    const markup = render(f, 'markup', { seed: 1 });
    const { printed, text } = await layoutWhere(markup, { runningHeader: RUNNING, fontSize: 7 }, [10, 80], (p) => {
      const c = p.findIndex((l) => / 594 594 \[8715\]$/.test(l));
      return c > 1 && p[c - 1] === RUNNING && /^B\. /.test(p[c - 3] ?? '');
    });
    expect(printed.some((l) => /^Page \d+ of \d+$/.test(l))).toBe(true);
    const st = parseFilingText(text).filing.statements.clearedSwaps!;
    expect(str(st.lines.get('8715')!)).toBe('594');
    expect(st.uncoded.map((u) => [u.id, str(u.amount)])).toEqual([
      ['12A', '0'],
      ['12B', '0'],
      ['12C', '594'],
    ]);
    expect(st.readings).toBeUndefined();
  });
});

describe('a label whose first line ends in a dash, its amount on that line', () => {
  const at = placed;

  it('reads the amount as printed (334), never with the dash as its sign, where the label is left as printed', () => {
    // Amounts on the first line here and on the last line there: labelOrder leaves every line as printed.
    const p = pageRows(
      [
        [at('5. Accounts liquidating to a deficit and accounts with debit balances -', 36, 700)],
        [at('334', 330, 700), at('[7045]', 350, 700)],
        [at('gross amount', 44, 688.4)],
        [at('1. Net ledger balance - Foreign', 36, 676.8)],
        [at('Trading - All Customers', 44, 665.2), at('0', 330, 665.2), at('[7305]', 350, 665.2)],
      ].flat(),
    );
    const text = parserText([p]);
    expect(text).toContain('debit balances -\t334');
    expect(scanCells(text).map((c) => [c.code, c.amount && str(c.amount)])).toEqual([
      ['7045', '334'],
      ['7305', '0'],
    ]);
  });

  it('a sign printed apart from its digits, a column away, stays the amount’s: `-` ... `1,234` is -1,234', () => {
    const p = pageRows([
      at('B. Deduct options granted', 36, 700),
      at('-', 280, 700),
      at('1,234', 330, 700),
      at('[7033]', 360, 700),
    ]);
    const text = parserText([p]);
    expect(scanCells(text).map((c) => [c.code, c.amount && str(c.amount)])).toEqual([['7033', '-1234']]);
  });

  it('the letter-spaced banner is page furniture however pdf.js splits it (`J A M` as one item): a label goes on past it', () => {
    const banner = ['W', 'I', 'N', 'J A M', 'M', 'E R', 'F I', 'L', 'I N G'].map((s, i) =>
      at(s, 36 + i * 40, 770, 'f2', 12),
    );
    const p1 = pageRows([
      ...banner,
      at('A. Cash', 52, 111.6),
      at('1', 320, 111.6),
      at('[7010]', 350, 111.6),
      at('held in banks', 60, 100),
      at('B. Add market value purchased on', 52, 88.4),
      at('2', 320, 88.4),
      at('[7020]', 350, 88.4),
      at('Page 1 of 2', 280, 18),
    ]);
    const p2 = pageRows([
      ...banner.map((b) => ({ ...b })),
      at('a contract market', 60, 738.4),
      at('C. Other', 52, 726.8),
      at('3', 320, 726.8),
      at('[7030]', 350, 726.8),
    ]);
    expect(labelOrder([p1, p2]).map((l) => l.replace(/\t/g, ' '))).toEqual([
      'W I N J A M M E R F I L I N G',
      'A. Cash held in banks 1 [7010]',
      'B. Add market value purchased on a contract market 2 [7020]',
      'Page 1 of 2',
      'W I N J A M M E R F I L I N G',
      'C. Other 3 [7030]',
    ]);
  });
});

describe('a statement title wrapped over a page break', () => {
  it("reads past the page's footer, form feed and banner between its words", () => {
    const body = (between: string) =>
      `INITIAL\nEnd Date:1/1/2013\nFirm Name:Citigroup Global Markets Inc.\nForm:Daily Seg - FOCUS II\nSubmit Date:1/2/2013\nDaily Segregation - Swaps${between}StatementSTATEMENT OF CLEARED SWAPS\n1. Net ledger balance\t1 [8500]\n`;
    for (const between of ['\nPage 2 of 3\n\fW I N J A M M E R F I L I N G\n', '\nPage 2 of 3\n\f', '\n\f', ' '])
      expect(parseFilingText(body(between)).filing.statements.clearedSwaps!.title).toBe(
        'Daily Segregation - Swaps Statement',
      );
  });
});
