/**
 * PDF text (shared/domain/formats/pdf.ts): every committed PDF rendering of the two samples
 * (test/fixtures/renderings/make-html-pdf.ts) gives text that today's parser reads to exactly the
 * sample's amounts; a scan is refused for having no text layer; damaged and hostile PDFs end in a
 * PdfError, never in another exception, a hang or unbounded work. Reading order is checked on
 * hand-placed items.
 */
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PDFDict, PDFDocument, PDFName, PDFNumber, StandardFonts } from 'pdf-lib';
import { STATEMENT_KEYS } from '../../shared/domain/forms';
import { str } from '../../shared/domain/money';
import { parseFilingText, scanCells } from '../../shared/domain/parser';
import { reconcile } from '../../shared/domain/reconcile';
import {
  decodedBound,
  decodedSize,
  labelOrder,
  PDF_LIMITS,
  looksLikePdf,
  pageLines,
  pageRows,
  PdfError,
  pdfToLines,
  pdfToText,
  type PlacedText,
} from '../../shared/domain/formats/pdf';
import { pdftotextLines, placed, renderPdf } from '../support/pdf';
import { SAMPLES, canonical, type SampleTruth } from './samples';

const DIR = 'test/fixtures/renderings';
const bytesOf = (file: string) => new Uint8Array(readFileSync(`${DIR}/${file}`));
/** pdfToText's text without its page breaks (form feeds) and column tabs: the words as printed, for checks of content. */
const flat = (text: string) => text.replace(/\f/g, '').replace(/\t/g, ' ');

/** The committed PDFs with a text layer, and what each must show of its kind. */
const KINDS = ['chromium', 'plain', 'wrapped', 'page-break', 'banner', 'cover-page'] as const;
type Kind = (typeof KINDS)[number];

async function expectPdfError(p: Promise<unknown>, code: 'bad-pdf' | 'no-text-layer'): Promise<PdfError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, 'rejected with a PdfError').toBeInstanceOf(PdfError);
  expect((e as PdfError).code).toBe(code);
  expect((e as PdfError).message).not.toMatch(/\n/);
  return e as PdfError;
}

/**
 * What the cover-page fixtures' own targets must give (test/fixtures/renderings/make-html-pdf.ts):
 * the 2014 page repeats the statements' target lines (no finding); the 2013 sample has no target
 * lines, so its cover page is the target: segregation b. 5% of 7060, secured d. 10-15% of 7360,
 * cleared swaps a. $325,000,000, which its excess of $321,080,333 misses by $3,919,667.
 */
const COVER_TRUTH: Record<
  string,
  {
    targets: Record<string, string>;
    alerts: {
      statement: string;
      kind: string;
      excess: string;
      target: string;
      shortfall: string;
      targetSource: string;
    }[];
  }
> = {
  'citigroup-2014-11-06-initial': {
    targets: { segregation: '252400000', secured: '150000000', clearedSwaps: '208075000' },
    alerts: [],
  },
  'citigroup-2013-06-18-amendment': {
    targets: { segregation: '361705841.95', secured: '99612863.5', clearedSwaps: '325000000' },
    alerts: [
      {
        statement: 'clearedSwaps',
        kind: 'below-target',
        excess: '321080333',
        target: '325000000',
        shortfall: '3919667',
        targetSource: 'cover-page',
      },
    ],
  },
};

function expectSampleAmounts(text: string, sample: SampleTruth, kind?: string): void {
  const { filing, unreadable } = parseFilingText(text);
  expect(unreadable).toEqual([]);
  expect({
    filingType: filing.filingType,
    endDate: filing.endDate,
    submitDate: filing.submitDate,
    firmName: filing.firmName,
    firmId: filing.firmId,
    form: filing.form,
  }).toEqual(sample.header);
  for (const key of STATEMENT_KEYS) {
    const st = filing.statements[key]!;
    expect(st.variant).toBe(sample.variants[key]);
    const got = Object.fromEntries([...st.lines].map(([code, d]) => [code, str(d)]));
    const want = Object.fromEntries(
      Object.entries(sample.amounts[key]).map(([code, printed]) => [code, canonical(printed)]),
    );
    expect(got).toEqual(want);
    expect(st.conflicts).toEqual([]);
  }
  expect(filing.unknownCodes).toEqual([]);
  const r = reconcile(filing, { unreadable });
  if (kind === 'cover-page') {
    const truth = COVER_TRUTH[sample.name]!;
    expect(
      Object.fromEntries(STATEMENT_KEYS.map((k) => [k, filing.coverPage?.[k]?.effectiveTarget?.toFixed() ?? null])),
    ).toEqual(truth.targets);
    expect(
      r.alerts.map((a) => ({
        statement: a.statement,
        kind: a.kind,
        excess: str(a.excess),
        target: a.target && str(a.target),
        shortfall: str(a.shortfall),
        targetSource: a.targetSource,
      })),
    ).toEqual(truth.alerts);
    expect(r.findings.filter((f) => f.severity !== 'info').map((f) => f.ruleId)).toEqual(
      truth.alerts.map(() => 'SW121'),
    );
    return;
  }
  expect(filing.coverPage).toBeUndefined();
  expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  expect(r.alerts).toEqual([]);
}

describe.each(SAMPLES)('PDF renderings of $name', (sample) => {
  describe.each(KINDS)('%s', (kind: Kind) => {
    const file = `${sample.name}.${kind}.pdf`;
    const text = pdfToText(bytesOf(file));

    it('is a PDF with a text layer', async () => {
      expect(looksLikePdf(bytesOf(file))).toBe(true);
      expect((await text).length).toBeGreaterThan(3000);
    });

    it('parses to exactly the sample: header, variants, every amount by code; reconciles clean (the cover page: its targets, and the alert they call for)', async () => {
      expectSampleAmounts(await text, sample, kind);
    });

    it('reads the uncoded 12A-12C sub-lines of 8715 (wrapped labels too, amounts on their first line or last)', async () => {
      const uncoded = parseFilingText(await text).filing.statements.clearedSwaps!.uncoded;
      expect(uncoded.map((u) => ({ id: u.id, amount: str(u.amount) }))).toEqual(sample.uncoded);
    });

    it('reads line for line as poppler does (pdftotext -layout, whitespace folded), before labels are put in order', async () => {
      expect((await pdfToLines(bytesOf(file))).printed).toEqual(pdftotextLines(bytesOf(file)));
    });

    it('the parsed whole (labels, uncoded sub-lines, code order) is the one of the text rendering, amounts first or last', async () => {
      const fromText = parseFilingText(readFileSync(sample.path, 'utf8')).filing;
      const fromPdf = parseFilingText(await text).filing;
      for (const key of STATEMENT_KEYS) {
        expect(fromPdf.statements[key]!.uncoded.map((u) => [u.id, str(u.amount)])).toEqual(
          fromText.statements[key]!.uncoded.map((u) => [u.id, str(u.amount)]),
        );
        expect(fromPdf.statements[key]!.variant).toBe(fromText.statements[key]!.variant);
      }
    });

    it('is laid out in reading order: one printed line per line, header fields in order, amount then code', async () => {
      const lines = (await text).split('\n');
      const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
      expect(at(/^(\*\*)?(INITIAL|AMENDMENT)$/)).toBeGreaterThanOrEqual(0);
      expect(at(/End Date: ?\d/)).toBeLessThan(at(/Firm Name: ?Citigroup/));
      expect(at(/Firm Name:/)).toBeLessThan(at(/Submit Date:/));
      expect(at(/Submit Date:/)).toBeLessThan(at(/\[7360\]/));
      expect(lines.filter((l) => /-?[\d,]+ \[\d{4}\]/.test(l)).length).toBeGreaterThan(60);
      // Pages in order: every code appears once (cells are not duplicated or dropped), in the sample's order.
      const codes = [...(await text).matchAll(/\[(\d{4})\]/g)].map((m) => m[1]);
      const want = [...readFileSync(sample.path, 'utf8').matchAll(/\[(\d{4})\]/g)].map((m) => m[1]);
      expect(codes).toEqual(want);
    });
  });

  it('chromium: a browser printout of the saved page (header and footer, cells split, entities decoded)', async () => {
    const text = flat(await pdfToText(bytesOf(`${sample.name}.chromium.pdf`)));
    expect(text).toMatch(/^\d+\/\d+\/\d+, \d+:\d+ [AP]M WinJammer - Daily Seg - FOCUS II$/m);
    expect(text).toMatch(/^https:\/\/filings\.example\.com\/winjammer\/ViewFiling\.aspx 1\/\d$/m);
    expect(text).toContain('Home | Filings & Statements | Print');
    expect(text).toMatch(/^End Date: \d+\/\d+\/\d{4}$/m);
    expect(text).toContain("customers' funds");
  });

  it('banner: the letter-spaced banner reads as printed on every page', async () => {
    const text = flat(await pdfToText(bytesOf(`${sample.name}.banner.pdf`)));
    // (Each page after the first starts with a form feed, as pdftotext marks a page break.)
    const banners = text.split('\n').filter((l) => l === 'W I N J A M M E R F I L I N G');
    expect(banners.length).toBe(text.match(/^Page \d+ of \d+$/gm)!.length);
    expect(banners.length).toBeGreaterThan(1);
  });

  it('page-break: pages break inside statements, with a running header', async () => {
    const text = await pdfToText(bytesOf(`${sample.name}.page-break.pdf`));
    const lines = text.split('\n');
    // Each page after the first starts with a form feed (as pdftotext marks a page break): here with its running header.
    const header = lines.filter((l) =>
      l.startsWith('\fCitigroup Global Markets Inc. - Daily Seg - FOCUS II (continued)'),
    );
    expect(header.length).toBeGreaterThan(4);
    expect(text.match(/\f/g)!.length).toBe(text.match(/^Page \d+ of \d+$/gm)!.length - 1);
    // Some page ends between two lines of one statement (no header block right after the break).
    const breaks = lines.flatMap((l, i) => (/^Page \d+ of \d+$/.test(l) ? [lines[i + 2] ?? ''] : []));
    expect(breaks.some((l) => /^[A-Z]\. |^\d+\. /.test(l))).toBe(true);
  });

  it('wrapped: labels wrap within their column, the amounts on the last line of the label (2014) or the first (2013)', async () => {
    const { printed: lines, text } = await pdfToLines(bytesOf(`${sample.name}.wrapped.pdf`));
    if (sample.name.includes('2014')) {
      expect(lines).toContain('1. Net ledger balance - Foreign Futures and Foreign Option');
      expect(lines[lines.indexOf('1. Net ledger balance - Foreign Futures and Foreign Option') + 1]).toBe(
        'Trading - All Customers 0 [7305]',
      );
    } else {
      expect(lines).toContain('2. Net unrealized profit (loss) in open futures contracts -76,329,662 [7030]');
      expect(
        lines[lines.indexOf('2. Net unrealized profit (loss) in open futures contracts -76,329,662 [7030]') + 1],
      ).toBe('traded on a contract market');
      // In the parser's order the rest of the label comes before the amounts, as the text prints it;
      // across a page break too (page 1 ends inside 7032's label).
      // A tab between the label and the amount a column away (as the text renderings have it).
      const ordered = text.replace(/\f/g, '').split('\n');
      expect(ordered).toContain(
        '2. Net unrealized profit (loss) in open futures contracts traded on a contract market\t-76,329,662 [7030]',
      );
      expect(ordered).toContain(
        'A. Add market value of open option contracts purchased on a contract market\t1,043,742,387 [7032]',
      );
      expect(ordered).toContain("B. Securities representing investment of customers' funds (at market)\t0");
      expect(ordered).toContain('4. Net Equity (deficit) (add lines 1, 2, and 3)\t2,393,864,495 [8550]');
    }
    // Continuation lines: no item number, no code.
    expect(lines.filter((l) => !/\[\d{4}\]/.test(l) && /^[a-z(-]/.test(l)).length).toBeGreaterThan(5);
  });

  it('cover-page: the cover page comes first, as drawn from its markup, and the statements still read exactly', async () => {
    const text = flat(await pdfToText(bytesOf(`${sample.name}.cover-page.pdf`)));
    const lines = text.split('\n');
    expect(lines[0]).toBe('Daily Segregation - Cover Page');
    expect(lines).toContain('Name of Company Citigroup Global Markets Inc.');
    expect(lines).toContain("FCM's Customer Segregated Funds Residual Interest Target (choose one):");
    expect(lines).toContain("FCM's Cleared Swaps Customer Collateral Residual Interest Target (choose one):");
    const markup = readFileSync(`${DIR}/${sample.name}.cover-page.txt`, 'utf8');
    expect(markup).toContain('**Daily Segregation - Cover Page**');
    if (sample.name.includes('2014')) {
      expect(lines).toContain('a. Minimum dollar amount: ; or 252,400,000');
      expect(lines).toContain('c. Dollar amount range between:and; or 208,075,000 250,000,000');
    } else {
      expect(lines).toContain('b. Minimum percentage of customer segregated funds required:% ; or 5');
      expect(lines).toContain('d. Percentage range of customer secured funds required between:% and%. 10 15');
      expect(lines).toContain('a. Minimum dollar amount: ; or 325,000,000');
    }
  });
});

describe('the saved web pages', () => {
  it.each(SAMPLES)(
    '$name.html is a saved WinJammer page: amount cells, entities, header fields split across cells',
    (sample) => {
      const html = readFileSync(`${DIR}/${sample.name}.html`, 'utf8');
      expect(html).toMatch(/^<!DOCTYPE html/);
      expect(html).toContain('<!-- saved from url=');
      expect(html).toMatch(/<td class="amt"><(b><)?u>-?[\d,]+<\/u>/);
      expect(html).toContain('&amp;');
      expect(html).toContain('&nbsp;');
      expect(html).toContain('&#39;');
      expect(html).toMatch(/<td class="fld">End Date:<\/td><td class="val">\d+\/\d+\/\d{4}<\/td>/);
      expect(html).toMatch(/<td class="fld">Firm Name:<\/td><td class="val">Citigroup Global Markets Inc\.<\/td>/);
      // Every code of the sample, once, in its own cell.
      const codes = [...html.matchAll(/<td class="code">\[(\d{4})\]<\/td>/g)].map((m) => m[1]);
      expect(codes).toEqual([...readFileSync(sample.path, 'utf8').matchAll(/\[(\d{4})\]/g)].map((m) => m[1]));
    },
  );
});

describe('a scan', () => {
  it('(an image only, no text layer) is refused with that reason', async () => {
    const bytes = bytesOf('citigroup-2014-11-06-initial.scan.pdf');
    expect(looksLikePdf(bytes)).toBe(true);
    const e = await expectPdfError(pdfToText(bytes), 'no-text-layer');
    expect(e.message).toBe('no text layer; scanned PDFs are not supported');
  });

  it('a PDF whose only text is blank is a scan too', async () => {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    doc.addPage().drawText('   ', { x: 50, y: 700, size: 10, font });
    await expectPdfError(pdfToText(await doc.save()), 'no-text-layer');
  });
});

describe('damaged and hostile PDFs', () => {
  const good = bytesOf('citigroup-2014-11-06-initial.chromium.pdf');

  it('not a PDF, empty, a header and garbage: bad-pdf with a one-line reason', async () => {
    expect(
      (await expectPdfError(pdfToText(new TextEncoder().encode('INITIAL\nEnd Date:11/6/2014\n')), 'bad-pdf')).message,
    ).toMatch(/not a PDF/);
    await expectPdfError(pdfToText(new Uint8Array(0)), 'bad-pdf');
    const garbage = new Uint8Array(4096).map((_, i) => (i * 7919 + 13) % 251);
    await expectPdfError(pdfToText(new Uint8Array([...new TextEncoder().encode('%PDF-1.7\n'), ...garbage])), 'bad-pdf');
    await expectPdfError(pdfToText(new TextEncoder().encode('%PDF-1.4\n%%EOF\n')), 'bad-pdf');
  });

  it('cut short or with bytes overwritten: text or a PdfError, never another exception', async () => {
    const cases: Uint8Array[] = [];
    for (const frac of [0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99]) cases.push(good.slice(0, Math.floor(good.length * frac)));
    for (const at of [0.05, 0.25, 0.5, 0.75, 0.95]) {
      const b = good.slice();
      const i = Math.floor(b.length * at);
      b.fill(0x41, i, i + 512);
      cases.push(b);
    }
    for (const b of cases) {
      try {
        const text = await pdfToText(b);
        expect(typeof text).toBe('string');
      } catch (e) {
        expect(e).toBeInstanceOf(PdfError);
        expect(['bad-pdf', 'no-text-layer']).toContain((e as PdfError).code);
      }
    }
  });

  it('a page tree that claims a billion pages: pdf.js counts the pages itself, the one real page is read', async () => {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    doc.addPage().drawText('1 [7010]', { x: 50, y: 700, size: 10, font });
    doc.catalog.Pages().set(PDFName.of('Count'), PDFNumber.of(1_000_000_000));
    expect(await pdfToText(await doc.save())).toBe('1 [7010]\n');
  });

  it('a PDF of 300 pages: refused before any page is read', async () => {
    const doc = await PDFDocument.create();
    for (let i = 0; i < 300; i++) doc.addPage([100, 100]);
    const e = await expectPdfError(pdfToText(await doc.save()), 'bad-pdf');
    expect(e.message).toBe('the PDF has 300 pages; segwatch reads at most 100 (a daily filing has a few)');
  });

  it('more pages than the limit: refused', async () => {
    const doc = await PDFDocument.create();
    for (let i = 0; i < 12; i++) doc.addPage();
    const e = await expectPdfError(pdfToText(await doc.save(), { maxPages: 10 }), 'bad-pdf');
    expect(e.message).toMatch(/12 pages/);
  });

  it('a decompression bomb (a small file whose content stream inflates past the budget): refused before pdf.js reads it', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage();
    const bomb = deflateSync(Buffer.alloc(8 * 1024 * 1024, 0x20), { level: 9 });
    const raw = doc.context.stream(bomb, { Filter: 'FlateDecode' });
    page.node.set(PDFName.of('Contents'), doc.context.register(raw));
    const bytes = await doc.save();
    expect(bytes.length).toBeLessThan(64 * 1024);
    const e = await expectPdfError(pdfToText(bytes, { maxDecodedBytes: 1024 * 1024 }), 'bad-pdf');
    expect(e.message).toBe(
      "the PDF decompresses to more than 1 MiB; a filing's PDF is far smaller (and scanned PDFs are not supported)",
    );
  });

  it('decodedSize follows filter chains (Flate of Flate, ASCIIHex then Flate, RunLength, LZW) and counts every stage', () => {
    const inner = Buffer.alloc(100_000, 0x41);
    const once = deflateSync(inner);
    const twice = deflateSync(once);
    const pdf = (dict: string, data: Buffer) =>
      Buffer.concat([
        Buffer.from(`%PDF-1.7\n1 0 obj\n<< ${dict} /Length ${data.length} >>\nstream\n`),
        data,
        Buffer.from('\nendstream\nendobj\n'),
      ]);
    expect(decodedSize(pdf('/Filter /FlateDecode', once), 1e9)).toBe(100_000);
    expect(decodedSize(pdf('/Filter [/FlateDecode /FlateDecode]', twice), 1e9)).toBe(once.length + 100_000);
    const hex = Buffer.from(`${once.toString('hex')}>`);
    expect(decodedSize(pdf('/Filter [/AHx /Fl]', hex), 1e9)).toBe(once.length + 100_000);
    // RunLength: 128 runs of 128 copies of one byte, then EOD.
    const rl = Buffer.concat([...Array.from({ length: 128 }, () => Buffer.from([129, 0x41])), Buffer.from([128])]);
    expect(decodedSize(pdf('/Filter /RunLengthDecode', rl), 1e9)).toBe(128 * 128);
    // LZW (PDF's early change): the classic sample, encoded here.
    const text = Buffer.from('TOBEORNOTTOBEORTOBEORNOT#'.repeat(40));
    expect(decodedSize(pdf('/Filter /LZWDecode', lzwEncode(text)), 1e9)).toBe(text.length);
    // Over budget: stops there.
    expect(() => decodedSize(pdf('/Filter /FlateDecode', once), 50_000)).toThrow();
    // An image filter stops the chain; an unknown /Filter reference falls back to the zlib header.
    expect(decodedSize(pdf('/Filter /DCTDecode', Buffer.from([0xff, 0xd8, 0xff])), 1e9)).toBe(0);
    expect(decodedSize(pdf('/Filter 7 0 R', once), 1e9)).toBe(100_000);
  });

  it('decodedBound: at least what decodedSize counts (so a file within it needs no inflating), and a bomb is over it', () => {
    const pdf = (dict: string, data: Buffer) =>
      Buffer.concat([
        Buffer.from(`%PDF-1.7\n1 0 obj\n<< ${dict} /Length ${data.length} >>\nstream\n`),
        data,
        Buffer.from('\nendstream\nendobj\n'),
      ]);
    for (const inner of [Buffer.alloc(100_000, 0x41), Buffer.from('BT /F1 8 Tf (1,234 [7010]) Tj ET\n'.repeat(200))]) {
      const once = deflateSync(inner, { level: 9 });
      for (const [dict, data] of [
        ['/Filter /FlateDecode', once],
        ['/Filter [/FlateDecode /FlateDecode]', deflateSync(once)],
        ['/Filter [/AHx /Fl]', Buffer.from(`${once.toString('hex')}>`)],
      ] as const)
        expect(decodedBound(pdf(dict, data))).toBeGreaterThanOrEqual(decodedSize(pdf(dict, data), 1e12));
    }
    for (const file of [
      'citigroup-2014-11-06-initial.chromium.pdf',
      'citigroup-2013-06-18-amendment.wrapped.pdf',
      'citigroup-2014-11-06-initial.scan.pdf',
    ]) {
      const b = bytesOf(file);
      expect(decodedBound(b)).toBeGreaterThanOrEqual(decodedSize(b, 1e12));
    }
    // A pdf-lib filing needs no inflating before pdf.js (a Chromium printout, with its fonts, still does).
    expect(decodedBound(bytesOf('citigroup-2014-11-06-initial.plain.pdf'))).toBeLessThan(PDF_LIMITS.maxDecodedBytes);
  });

  it('too much text: refused', async () => {
    const e = await expectPdfError(pdfToText(good, { maxTextChars: 500 }), 'bad-pdf');
    expect(e.message).toMatch(/more than 500 characters/);
  });

  it('a page of thousands of tiny pieces of text: stopped at the limit while pdf.js reads it, and the call returns', async () => {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    const page = doc.addPage();
    page.drawText('x', { x: 1, y: 1, size: 1, font });
    const fontRef = page.node.Resources()!.lookup(PDFName.of('Font'), PDFDict).entries()[0][1];
    page.node.Resources()!.set(PDFName.of('Font'), doc.context.obj({ F1: fontRef }));
    const body = `BT /F1 4 Tf 10 700 Td\n${'0 -0.01 Td (a) Tj\n'.repeat(20_000)}ET\n`;
    page.node.set(PDFName.of('Contents'), doc.context.register(doc.context.flateStream(body)));
    const e = await expectPdfError(pdfToText(await doc.save(), { maxTextItems: 1000 }), 'bad-pdf');
    expect(e.message).toBe(
      'the PDF holds more than 2,097,152 characters or 1,000 pieces of text; a daily filing has far fewer',
    );
  });

  it('a deadline: refused once it passes (here: at once)', async () => {
    const e = await expectPdfError(pdfToText(good, { timeoutMs: -1 }), 'bad-pdf');
    expect(e.message).toMatch(/took longer than/);
  });

  it('over the byte limit: refused unread', async () => {
    const e = await expectPdfError(pdfToText(good, { maxBytes: 1000 }), 'bad-pdf');
    expect(e.message).toBe(`the PDF is ${good.length} bytes, over the 1000-byte limit`);
  });

  it('calls at the same time (a batch of records) give what each gives alone', async () => {
    const files = KINDS.flatMap((k) => SAMPLES.map((sm) => `${sm.name}.${k}.pdf`));
    const alone: string[] = [];
    for (const f of files) alone.push(await pdfToText(bytesOf(f)));
    const together = await Promise.all(
      [...files, 'citigroup-2014-11-06-initial.scan.pdf'].map((f) =>
        pdfToText(bytesOf(f)).catch((e: PdfError) => e.code),
      ),
    );
    expect(together).toEqual([...alone, 'no-text-layer']);
  });

  it('leaves the caller its bytes (pdf.js gets a copy)', async () => {
    const b = good.slice();
    await pdfToText(b);
    expect(b.byteLength).toBe(good.byteLength);
    expect(Buffer.from(b).equals(Buffer.from(good))).toBe(true);
  });
});

describe('looksLikePdf', () => {
  it('a %PDF- header at the start or after a little junk; not text, not a header further in', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(looksLikePdf(enc('%PDF-1.7\n'))).toBe(true);
    expect(looksLikePdf(enc('\r\n\uFEFFjunk%PDF-1.4\n'))).toBe(true);
    expect(looksLikePdf(enc('INITIAL\nEnd Date:11/6/2014'))).toBe(false);
    expect(looksLikePdf(enc(`${' '.repeat(2000)}%PDF-1.7`))).toBe(false);
  });
});

describe('pageLines: reading order from items in drawing order', () => {
  const it_ = (str: string, x: number, y: number, width = str.length * 5, size = 10): PlacedText => ({
    str,
    x,
    y,
    width,
    size,
  });

  it('lines top to bottom, items left to right, whatever the drawing order', () => {
    const items = [
      it_('[7315]', 420, 700),
      it_('B. Securities', 50, 688),
      it_('539,548,594', 350, 700),
      it_('A. Cash', 50, 700),
      it_('[7317]', 420, 688),
      it_('242,817,782', 350, 688),
    ];
    expect(pageLines(items)).toEqual(['A. Cash 539,548,594 [7315]', 'B. Securities 242,817,782 [7317]']);
  });

  it('items on one baseline within half a font size are one line (bold, a raised footnote); a line pitch apart are two', () => {
    expect(pageLines([it_('Total', 50, 700), it_('1,234', 300, 700.8), it_('[7180]', 330, 699.6)])).toEqual([
      'Total 1,234 [7180]',
    ]);
    expect(
      pageLines([it_('label part one', 50, 700), it_('5,000 [7355]', 300, 694), it_('part two', 50, 688)]),
    ).toEqual(['label part one', '5,000 [7355]', 'part two']);
  });

  it('a space where items have a gap, none where they touch; spaces from pdf.js kept once', () => {
    expect(pageLines([it_('End', 50, 700, 15), it_('Date:', 65.5, 700, 25), it_('11/6/2014', 95, 700, 40)])).toEqual([
      'EndDate: 11/6/2014',
    ]);
    expect(pageLines([it_('5', 50, 700, 5), it_(',812,672,420', 55, 700, 55)])).toEqual(['5,812,672,420']);
    expect(pageLines([it_('A.', 50, 700, 8), it_(' ', 58, 700, 3), it_('Cash', 61, 700, 20)])).toEqual(['A. Cash']);
    expect(pageLines([it_('A. ', 50, 700, 11), it_('Cash', 61, 700, 20)])).toEqual(['A. Cash']);
  });

  it('letter-spaced text reads letter by letter, runs of spaces folded, blank and control characters dropped', () => {
    const letters = 'WINJAMMER'.split('').map((c, i) => it_(c, 50 + i * 14, 750, 8, 12));
    expect(pageLines(letters)).toEqual(['W I N J A M M E R']);
    expect(
      pageLines([it_('  a   b  ', 50, 700), it_('\u0000', 50, 600), it_('', 50, 500), it_('   ', 50, 400)]),
    ).toEqual(['a b']);
    expect(pageLines([it_('2\u00a0563\u202f559 677 [7010]', 50, 700), it_('\ufb01nal e\ufb00ect', 50, 600)])).toEqual([
      '2 563 559 677 [7010]',
      'final effect',
    ]);
  });

  it('text printed twice a hair apart (overprinted bold) is read once; the same text further along is kept', () => {
    expect(pageLines([it_('5', 300, 700, 5), it_('5', 300.4, 700, 5), it_('[7010]', 310, 700, 30)])).toEqual([
      '5 [7010]',
    ]);
    expect(pageLines([it_('0', 300, 700, 5), it_('0', 310, 700, 5), it_('[8715]', 320, 700, 30)])).toEqual([
      '0 0 [8715]',
    ]);
  });

  it("only text in the page's direction: a diagonal or upside-down stamp adds no letters to a line; a page drawn turned reads in its own direction", () => {
    const stamp = 'DRAFT 2014'.split('').map((c, i) => ({ ...it_(c, 290 + i * 3, 700 - i * 4 + 16, 5), angle: 45 }));
    expect(
      pageLines([
        it_('A. Cash', 50, 700),
        it_('1,234', 320, 700, 25),
        it_('[7010]', 350, 700, 30),
        ...stamp,
        { ...it_('COPY', 300, 700), angle: 180 },
      ]),
    ).toEqual(['A. Cash 1,234 [7010]']);
    // Text running up the page (90 degrees): lines stack from left to right.
    const turned = [
      { ...it_('[7010]', 100, 420, 30), angle: 90 },
      { ...it_('A. Cash', 100, 50), angle: 90 },
      { ...it_('1,234', 100, 380, 25), angle: 90 },
      { ...it_('B. Securities', 112, 50), angle: 90 },
    ];
    expect(pageLines(turned)).toEqual(['A. Cash 1,234 [7010]', 'B. Securities']);
  });

  it('items without a usable position are left out; no items, no lines', () => {
    expect(pageLines([it_('x', Number.NaN, 700), it_('y', 50, 700)])).toEqual(['y']);
    expect(pageLines([])).toEqual([]);
  });
});

/** PDF's LZW encoding with early change (9- to 12-bit codes, clear at the start, EOD at the end): for the decodedSize test. */
function lzwEncode(input: Buffer): Buffer {
  const out: number[] = [];
  let acc = 0;
  let nacc = 0;
  let width = 9;
  const emit = (code: number) => {
    acc = (acc << width) | code;
    nacc += width;
    while (nacc >= 8) {
      out.push((acc >>> (nacc - 8)) & 255);
      nacc -= 8;
    }
    acc &= (1 << nacc) - 1;
  };
  let dict = new Map<string, number>();
  let next = 258;
  const reset = () => {
    dict = new Map(Array.from({ length: 256 }, (_, i) => [String.fromCharCode(i), i]));
    next = 258;
    width = 9;
  };
  reset();
  emit(256);
  let w = '';
  for (const byte of input) {
    const c = String.fromCharCode(byte);
    if (dict.has(w + c)) {
      w += c;
      continue;
    }
    emit(dict.get(w)!);
    dict.set(w + c, next++);
    if (next >= 1 << width && width < 12) width++;
    if (next >= 4095) {
      emit(256);
      reset();
    }
    w = c;
  }
  if (w) emit(dict.get(w)!);
  emit(257);
  if (nacc > 0) out.push((acc << (8 - nacc)) & 255);
  return Buffer.from(out);
}

describe('wrapped firm name in the PDF header', () => {
  const sample = SAMPLES.find((x) => x.name.includes('2014'))!;
  const markup = readFileSync(sample.path, 'utf8').replace(
    /Citigroup Global Markets Inc\./g,
    'Citigroup Global Markets Holdings and Clearing Services Inc.',
  );

  it('a printed form (pdf-lib, header fields wrapped in a narrow column): one name, the id of the name unwrapped', async () => {
    const unwrapped = parseFilingText(markup).filing;
    for (const labelWidth of [120, 160]) {
      const { printed, text } = await pdfToLines(await renderPdf(markup, { labelWidth, wrapHeader: true }));
      // It does wrap: the name's first line ends before its last word.
      expect(printed.some((l) => /^Firm Name:.*[^.]$/.test(l) && !l.includes('Inc.'))).toBe(true);
      const f = parseFilingText(text).filing;
      expect(f.firmName).toBe('Citigroup Global Markets Holdings and Clearing Services Inc.');
      expect(f.firmId).toBe(unwrapped.firmId);
    }
  });

  it('a browser printout (the name wraps inside its value cell, aligned with it): one name', () => {
    const row = (y: number, ...parts: [string, number][]) =>
      parts.map(([str, x]) => ({ str, x, y, width: str.length * 4.5, size: 9, font: 'f1' }));
    const items = [
      ...row(740, ['INITIAL', 33.7]),
      ...row(728, ['End Date:', 33.7], ['11/6/2014', 88.8]),
      ...row(716, ['Firm Name:', 33.7], ['Citigroup Global Markets Holdings', 88.8]),
      ...row(705.5, ['and Clearing Services Inc.', 88.8]),
      ...row(694, ['Form:', 33.7], ['Daily Seg - FOCUS II', 88.8]),
      ...row(682, ['Submit Date: 11/7/2014', 33.7]),
    ];
    const lines = labelOrder([pageRows(items)]);
    expect(lines).toEqual([
      'INITIAL',
      'End Date:\t11/6/2014',
      'Firm Name: Citigroup Global Markets Holdings',
      'and Clearing Services Inc.',
      'Form:\tDaily Seg - FOCUS II',
      'Submit Date: 11/7/2014',
    ]);
    const body = markup.replace(/^[\s\S]*?(?=\*\*Daily Segregation - )/, '');
    const f = parseFilingText(`${lines.join('\n')}\n${body}`).filing;
    expect(f.firmName).toBe('Citigroup Global Markets Holdings and Clearing Services Inc.');
    expect(f.firmId).toBe('citigroup-global-markets-holdings-and-clearing-services-inc');
  });
});

describe('labelOrder: a wrapped label and its amounts, as the parser reads them', () => {
  const at = placed;
  const page = (...lines: PlacedText[][]) => pageRows(lines.flat());

  it('amounts on the first line: the rest of the label moves before them; only label text moves, the amounts stay as printed', () => {
    const p = page(
      [at('4. Net Equity (deficit) (add lines 1, 2,', 36, 700), at('674,807,756', 300, 700), at('[8550]', 350, 700)],
      [at('and 3)', 44, 688.4)],
      [at('5. Accounts liquidating to a deficit', 36, 676.8), at('18,732,938', 300, 676.8), at('[8560]', 350, 676.8)],
      [at('balances - gross amount 12', 44, 665.2)],
      [at('FUNDS IN SEGREGATED ACCOUNTS', 36, 653.6, 'f2')],
    );
    expect(labelOrder([p])).toEqual([
      '4. Net Equity (deficit) (add lines 1, 2, and 3)\t674,807,756 [8550]',
      '5. Accounts liquidating to a deficit balances - gross amount 12\t18,732,938\t[8560]',
      'FUNDS IN SEGREGATED ACCOUNTS',
    ]);
  });

  it("a row whose amount column holds no amount (`—`, `n/a`, `&0`) is left as printed: its label's rest (`30.7`) never ends up before the code, to be read as the amount", () => {
    for (const filed of ['\u2014', 'n/a', '&0', 'USD 0']) {
      const p = page(
        [at('A. Banks located in the United States', 36, 700), at('641,407', 300, 700), at('[7500]', 350, 700)],
        [at('B. Other banks qualified under Regulation', 36, 688.4), at(filed, 300, 688.4), at('[7520]', 350, 688.4)],
        [at('30.7', 44, 676.8)],
        [
          at('1. Cash in banks, a label that wraps', 36, 665.2),
          at('341,368,579', 300, 665.2),
          at('[7530]', 350, 665.2),
        ],
        [at('over two lines', 44, 653.6)],
      );
      const lines = labelOrder([p]);
      expect(lines, filed).toEqual([
        'A. Banks located in the United States\t641,407\t[7500]',
        `B. Other banks qualified under Regulation\t${filed}\t[7520]`,
        '30.7',
        '1. Cash in banks, a label that wraps over two lines\t341,368,579 [7530]',
      ]);
      // 7520 is never 30.7: unreadable, or (`&0`, the mark the label's) 0.
      const cell = scanCells(lines.join('\n')).find((c) => c.code === '7520')!;
      expect(cell.amount === null ? null : cell.amount.toFixed(), filed).toBe(
        filed === '&0' || filed === 'USD 0' ? '0' : null,
      );
    }
  });

  it('amounts on the last line, or a document with both: left as printed', () => {
    const last = page(
      [at('1. Net ledger balance - Foreign', 36, 700)],
      [at('Trading - All Customers', 44, 688.4), at('0', 320, 688.4), at('[7305]', 350, 688.4)],
    );
    expect(labelOrder([last])).toEqual(['1. Net ledger balance - Foreign', 'Trading - All Customers\t0\t[7305]']);
    const both = page(
      [at('1. Net ledger balance - Foreign', 36, 700)],
      [at('Trading - All Customers', 44, 688.4), at('0', 320, 688.4), at('[7305]', 350, 688.4)],
      [at('2. Net unrealized profit', 36, 676.8), at('5', 320, 676.8), at('[7325]', 350, 676.8)],
      [at('on a board of trade', 44, 665.2)],
    );
    expect(labelOrder([both])).toEqual([
      '1. Net ledger balance - Foreign',
      'Trading - All Customers\t0\t[7305]',
      '2. Net unrealized profit\t5\t[7325]',
      'on a board of trade',
    ]);
  });

  it('a row of its own is not a continuation: a marker, another font, another place, too far down', () => {
    const p = page(
      [at('A. Cash', 52, 700), at('1', 320, 700), at('[7010]', 350, 700)],
      [at('securities', 60, 688.4)],
      [at('B. Securities', 52, 676.8), at('2', 320, 676.8), at('[7020]', 350, 676.8)],
      [at('C. Other', 52, 665.2), at('3', 320, 665.2), at('[7030]', 350, 665.2)],
      [at('a heading', 60, 653.6, 'f2')],
      [at('D. More', 52, 642), at('4', 320, 642), at('[7040]', 350, 642)],
      [at('far below', 60, 600)],
    );
    expect(labelOrder([p])).toEqual([
      'A. Cash securities\t1\t[7010]',
      'B. Securities\t2\t[7020]',
      'C. Other\t3\t[7030]',
      'a heading',
      'D. More\t4\t[7040]',
      'far below',
    ]);
  });

  it("across a page break: past the footer and the next page's running header", () => {
    // Page 1 shows how this document wraps (A's label goes on under it); B's label goes on over the page.
    const p1 = page(
      [at('Running header', 36, 750)],
      [at('A. Cash', 52, 111.6), at('1', 320, 111.6), at('[7010]', 350, 111.6)],
      [at('held in banks', 60, 100)],
      [at('B. Add market value purchased on', 52, 88.4), at('2', 320, 88.4), at('[7020]', 350, 88.4)],
      [at('Page 1 of 2', 280, 18)],
    );
    // The running header repeats at the same place on both pages: furniture, never moved, never in the way.
    const p2 = page(
      [at('Running header', 36, 750)],
      [at('a contract market', 60, 738.4)],
      [at('C. Other', 52, 726.8), at('3', 320, 726.8), at('[7030]', 350, 726.8)],
      [at('Page 2 of 2', 280, 18)],
    );
    expect(labelOrder([p1, p2])).toEqual([
      'Running header',
      'A. Cash held in banks\t1\t[7010]',
      'B. Add market value purchased on a contract market\t2\t[7020]',
      'Page 1 of 2',
      'Running header',
      'C. Other\t3\t[7030]',
      'Page 2 of 2',
    ]);
  });
});

// renderPdf is exercised by the fixtures and the property test; one check of its own here.
describe('renderPdf (test/support/pdf.ts)', () => {
  it('draws a markup filing that reads back as its lines', async () => {
    const text = await pdfToText(
      await renderPdf(
        '**INITIAL**\n\n1.\tNet ledger balance\t<u>1,234</u> [7010]\n\tA. Cash\t<u>0</u> [7520] <u>-5</u> [7530]\n',
      ),
    );
    // A tab between items a column apart (label, amount cells), as the text renderings have it.
    expect(text).toBe('INITIAL\n1. Net ledger balance\t1,234 [7010]\nA. Cash\t0 [7520]\t-5 [7530]\nPage 1 of 1\n');
  });
});

describe('a page that ends right after the Firm Name line', () => {
  it("the next page's letter-spaced banner is not the rest of the name", () => {
    // Plain lines, as a PDF's text has them (no `**` to end the name).
    const text = readFileSync(SAMPLES[1].path, 'utf8')
      .replace(/\*\*/g, '\n')
      .replace(/(Firm Name:[^\n]*\n)/, '$1W I N J A M M E R F I L I N G\n');
    expect(text).toContain('Firm Name:Citigroup Global Markets Inc.\nW I N J A M M E R');
    const f = parseFilingText(text).filing;
    expect(f.firmName).toBe('Citigroup Global Markets Inc.');
  });
});
