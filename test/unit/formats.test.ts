/**
 * The format seam (shared/domain/formats): bytes -> text -> the parser. Encodings (UTF-8 with or
 * without BOM, UTF-16 LE/BE with BOM, Windows-1252 with an info finding, binary refused), HTML
 * (any tags with any attributes, entities, `&nbsp;`, header fields split across cells), and PDF
 * (handed to formats/pdf.ts, loaded only then; its errors become one-line reasons).
 */
import { describe, expect, it, vi } from 'vitest';
import { analyze } from '../../shared/domain/check';
import { filingText } from '../../shared/domain/formats';
import { htmlToText, looksLikeHtml } from '../../shared/domain/formats/html';
import { decodeText } from '../../shared/domain/formats/text';
import { filingToJson } from '../../shared/domain/model';
import { FilingError, parseFiling, parseFilingText } from '../../shared/domain/parser';
import { render } from '../support/render';
import { encode, ENCODINGS } from './formats';
import { SAMPLES, SAMPLE_2014, sampleText } from './samples';

const pdf = vi.hoisted(() => ({ text: '', error: undefined as undefined | 'no-text-layer' | 'bad-pdf', calls: 0 }));
vi.mock('../../shared/domain/formats/pdf', async (original) => {
  const real = await original<typeof import('../../shared/domain/formats/pdf')>();
  return {
    ...real,
    pdfToText: async () => {
      pdf.calls++;
      if (pdf.error)
        throw new real.PdfError(
          pdf.error,
          pdf.error === 'no-text-layer' ? 'no text on any page' : 'the cross-reference table is damaged',
        );
      return pdf.text;
    },
  };
});

const reason = async (bytes: Uint8Array) => {
  try {
    await parseFiling(bytes);
    return 'parsed';
  } catch (e) {
    if (e instanceof FilingError) return `${e.code}: ${e.message}`;
    throw e;
  }
};

describe('encodings', () => {
  const text = sampleText(SAMPLE_2014).replace(
    /Citigroup Global Markets Inc\./g,
    'Soci\u00e9t\u00e9 G\u00e9n\u00e9rale \u2013 Citigroup Inc.',
  );
  const want = filingToJson(parseFilingText(text).filing);

  it.each(ENCODINGS)('%s gives the same filing', async (encoding) => {
    const r = await parseFiling(encode(text, encoding));
    expect(filingToJson(r.filing)).toEqual(want);
    expect(r.filing.firmName).toBe('Soci\u00e9t\u00e9 G\u00e9n\u00e9rale \u2013 Citigroup Inc.');
    expect(r.notes.map((n) => n.rule)).toEqual(encoding === 'windows-1252' ? ['file-encoding'] : []);
  });

  it('Windows-1252 is said in an info finding (SW106); UTF-8 is not', async () => {
    const o = await analyze(encode(text, 'windows-1252'));
    expect(
      o.ok &&
        o.analysis.reconciliation.findings.filter((f) => f.ruleId === 'SW106').map((f) => [f.severity, f.message]),
    ).toEqual([
      ['info', 'the file is not valid UTF-8; it was read as Windows-1252 (check any accented or special characters)'],
    ]);
  });

  it('Windows-1252 bytes 0x80-0x9F are the characters the encoding standard gives them (not ISO-8859-1 controls)', () => {
    const { text: t, encoding } = decodeText(
      Uint8Array.from([0x80, 0x20, 0x93, 0x41, 0x94, 0x20, 0x96, 0x20, 0x97, 0x20, 0x99, 0x20, 0xe9]),
    );
    expect([t, encoding]).toEqual(['\u20ac \u201cA\u201d \u2013 \u2014 \u2122 \u00e9', 'windows-1252']);
  });

  it('a byte-order mark is not part of the text', () => {
    expect(decodeText(encode('**INITIAL**', 'utf-8-bom'))).toEqual({ text: '**INITIAL**', encoding: 'utf-8' });
    expect(decodeText(encode('**INITIAL**', 'utf-16le-bom'))).toEqual({ text: '**INITIAL**', encoding: 'utf-16le' });
    expect(decodeText(encode('**INITIAL**', 'utf-16be-bom'))).toEqual({ text: '**INITIAL**', encoding: 'utf-16be' });
  });

  it.each([
    [
      'NUL bytes',
      Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 1, 2, 0, 0xff]),
      'binary: the file is binary (it contains NUL bytes), not a text filing',
    ],
    [
      'UTF-16 without a byte-order mark',
      Buffer.from('**INITIAL**\n**End Date:11/6/2014**\n', 'utf16le'),
      'binary: the file looks like UTF-16 without a byte-order mark; save it as UTF-8, or as UTF-16 with a byte-order mark',
    ],
    [
      'control characters',
      Uint8Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? 0x01 : 0x41 + (i % 20))),
      'binary: the file is binary (control characters), not a text filing',
    ],
    [
      'UTF-32',
      Uint8Array.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]),
      'binary: the file is UTF-32, not a text filing segwatch reads (UTF-8, UTF-16 or Windows-1252)',
    ],
    [
      'a UTF-16 byte-order mark with an odd byte out',
      Uint8Array.from([0xfe, 0xff, 0, 0x41, 0]),
      'binary: the file starts with a UTF-16 BE byte-order mark but is not valid UTF-16',
    ],
    [
      'random high bytes',
      Uint8Array.from({ length: 400 }, (_, i) => 0x80 + ((i * 7) % 32)),
      'binary: the file is binary (control characters), not a text filing',
    ],
  ])('%s: refused', async (_, bytes, want) => {
    expect(await reason(bytes)).toBe(want);
  });
});

describe('HTML', () => {
  it('looks like HTML only when a structural tag comes first (the markup has <u> and <b> inside its text)', () => {
    expect(looksLikeHtml('<!DOCTYPE html><html>')).toBe(true);
    expect(looksLikeHtml('\n  <TABLE border=1>')).toBe(true);
    expect(looksLikeHtml('\ufeff<html>')).toBe(true);
    expect(looksLikeHtml('<u>1,234</u> [7010]')).toBe(false);
    expect(looksLikeHtml('<b><u>0</u></b> [8715]')).toBe(false);
    expect(looksLikeHtml('**INITIAL**\n<table>')).toBe(false);
  });

  it('any tags with any attributes, entities decoded, cells and rows laid out as text', () => {
    const html = `<html><head><title>x 9 [7010]</title><style>td { x: "1 [7010]" }</style></head><body>
      <!-- 5 [7010] --><TABLE class="hdr" data-x='a > b'>
      <tr><TD class="lbl" style="font-weight:bold">End Date:</td><td>11/6/2014</td></tr>
      <tr><td>Firm Name:</td><td>Smith &amp; Co&nbsp;LLC &#x2014; O&#39;Brien &amp</td></tr>
      <tr><td class=num>1.</td><td>A. Cash<br/>(wrapped)</td><td class="amt" align=right><u>2&nbsp;563&nbsp;559&nbsp;677</u></td><td>[7010]</td></tr>
      </table><script>document.write("1 [7020]")</script></body></html>`;
    expect(htmlToText(html)).toBe(
      "End Date:\t11/6/2014\nFirm Name:\tSmith & Co\u00a0LLC \u2014 O'Brien &\n1.\tA. Cash\n(wrapped)\t2\u00a0563\u00a0559\u00a0677\t[7010]\n",
    );
  });

  it('a superscript stands apart from the amount before it (a footnote mark is not more digits)', () => {
    const cell = (inner: string) => htmlToText(`<table><tr><td class="amt">${inner}</td><td>[7045]</td></tr></table>`);
    expect(cell('<u>0<sup>1</sup></u>')).toBe('0 1\t[7045]\n');
    expect(cell('252,400,000<SUB class="n">(2)</SUB>')).toBe('252,400,000 (2)\t[7045]\n');
    expect(cell('<u>2<span>5</span>2,400</u>')).toBe('252,400\t[7045]\n');
  });

  it.each(SAMPLES)(
    'the saved web page of $name (render.ts html, every layout seed) parses to the same filing as its text',
    (sample) => {
      const original = parseFilingText(sampleText(sample)).filing;
      for (const seed of [1, 2, 3, 4, 5, 6]) {
        const html = render(original, 'html', {
          seed,
          wrapFirm: seed % 2 === 0,
          wrapLabels: seed % 3 === 0 ? 40 : 0,
          grouping: seed === 5 ? '\u00a0' : ',',
        });
        expect(html).toMatch(/<td class="lbl">End Date:<\/td>|<TD class="lbl">End Date:<\/TD>/);
        expect(filingToJson(parseFilingText(html).filing)).toEqual(filingToJson(original));
      }
    },
  );

  it('the issue\'s "Smith &amp; Co" is Smith & Co: one firm, one id, in HTML and in text', async () => {
    const text = sampleText(SAMPLE_2014).replace(/Citigroup Global Markets Inc\./g, 'Smith & Co');
    const f = parseFilingText(text).filing;
    const html = render(f, 'html');
    expect(html).toContain('Smith &amp; Co');
    const fromHtml = (await parseFiling(Buffer.from(html))).filing;
    const fromEntityText = parseFilingText(text.replace(/Smith & Co/g, 'Smith &amp; Co')).filing;
    expect([fromHtml.firmName, fromHtml.firmId]).toEqual(['Smith & Co', 'smith-and-co']);
    expect([fromEntityText.firmName, fromEntityText.firmId]).toEqual(['Smith & Co', 'smith-and-co']);
    expect(filingToJson(fromHtml)).toEqual(filingToJson(f));
  });
});

describe('PDF', () => {
  const bytes = Buffer.from('%PDF-1.7\n%\u00e2\u00e3\n1 0 obj << >> endobj\n%%EOF\n', 'latin1');

  it('is handed to formats/pdf.ts, and its text goes through the same parser', async () => {
    pdf.error = undefined;
    pdf.text = `W I N J A M M E R F I L I N G\n${sampleText(SAMPLE_2014).replace(/<\/?[bu]>|\*\*/g, '')}\nPage 1 of 1\n`;
    const before = pdf.calls;
    const r = await filingText(bytes);
    expect(pdf.calls).toBe(before + 1);
    expect(r.format).toBe('pdf');
    const parsed = await parseFiling(bytes);
    expect(filingToJson(parsed.filing)).toEqual(filingToJson(parseFilingText(sampleText(SAMPLE_2014)).filing));
  });

  it('a scan (no text layer) is refused with that reason; a damaged PDF with its own', async () => {
    pdf.error = 'no-text-layer';
    expect(await reason(bytes)).toBe('no-text-layer: the PDF has no text layer; scanned PDFs are not supported');
    pdf.error = 'bad-pdf';
    expect(await reason(bytes)).toBe('bad-pdf: the PDF cannot be read: the cross-reference table is damaged');
  });

  it('text that is not a PDF never loads the PDF code', async () => {
    const before = pdf.calls;
    await parseFiling(Buffer.from(sampleText(SAMPLE_2014)));
    expect(pdf.calls).toBe(before);
  });
});
