/**
 * The formats a filing reaches segwatch in, for the tests: every rendering of shared/domain/render
 * and every text encoding, and PDF, as the bytes a user would upload. The property tests run over
 * FORMATS; adding a format is adding an entry here.
 */
import { CP1252_80_9F } from '../../shared/domain/formats/text';
import type { Filing } from '../../shared/domain/model';
import { render, RENDERINGS, type Rendering, type RenderOptions } from '../support/render';
import { renderPdf, type PdfRenderOptions } from '../support/pdf';

export const ENCODINGS = ['utf-8', 'utf-8-bom', 'utf-16le-bom', 'utf-16be-bom', 'windows-1252'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** Windows-1252 bytes of the characters 0x80-0x9F map to (formats/text.ts's table, held to known bytes in formats.test.ts). */
const CP1252_HIGH = new Map(
  [...CP1252_80_9F].map((ch, i) => [ch, 0x80 + i] as const).filter(([ch]) => ch.charCodeAt(0) > 0x9f),
);

/** Whether every character of `text` has a Windows-1252 byte. */
export function fitsCp1252(text: string): boolean {
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80 || (c >= 0xa0 && c <= 0xff)) continue;
    if (!CP1252_HIGH.has(ch)) return false;
  }
  return true;
}

/** `text` as bytes in an encoding (Windows-1252: every character must fit, see fitsCp1252). */
export function encode(text: string, encoding: Encoding): Uint8Array {
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf-16le-bom':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf-16be-bom': {
      const le = Buffer.from(text, 'utf16le');
      for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1], le[i]];
      return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
    }
    case 'windows-1252': {
      const out: number[] = [];
      for (const ch of text) {
        const c = ch.codePointAt(0)!;
        if (c < 0x80 || (c >= 0xa0 && c <= 0xff)) out.push(c);
        else {
          const b = CP1252_HIGH.get(ch);
          if (b === undefined) throw new Error(`U+${c.toString(16)} has no Windows-1252 byte`);
          out.push(b);
        }
      }
      return Uint8Array.from(out);
    }
  }
}

export interface Format {
  name: string;
  /** The bytes of a filing in this format; `opts` varies how it is written without changing what it says. */
  bytes(filing: Filing, opts: RenderOptions, encoding: Encoding): Uint8Array | Promise<Uint8Array>;
  /** Encodings this format comes in (a PDF is bytes of its own). */
  encodings: readonly Encoding[];
}

const textFormat = (rendering: Rendering): Format => ({
  name: rendering,
  bytes: (filing, opts, encoding) => {
    const text = render(filing, rendering, opts);
    return encode(text, encoding === 'windows-1252' && !fitsCp1252(text) ? 'utf-8' : encoding);
  },
  encodings: ENCODINGS,
});

/**
 * The PDF layouts the property tests draw, chosen by the style's seed: amounts on the first or the
 * last line of wrapped labels, the header's firm name wrapped, the letter-spaced banner, page
 * sizes and fonts (pages break wherever they fill, inside statements too).
 */
export function pdfLayout(seed: number): PdfRenderOptions {
  const pick = <T>(xs: readonly T[], salt: number): T =>
    xs[Math.abs(Math.imul(seed + salt, 2654435761) >>> 7) % xs.length];
  return {
    pageSize: pick<[number, number]>(
      [
        [612, 792],
        [792, 612],
        [595, 842],
      ],
      1,
    ),
    fontSize: pick([6, 7, 8, 9], 2),
    labelWidth: pick([150, 200, 260, 1000], 3),
    amountsOn: pick(['first', 'last'] as const, 4),
    wrapHeader: pick([false, true], 5),
    banner: pick([undefined, 'WINJAMMER FILING'], 6),
    pageNumbers: pick([true, false], 7),
  };
}

/**
 * PDF: the markup rendering (its grouping, signs and `$` as the style says) drawn as a PDF by
 * test/support/pdf.ts (pdf-lib), the generator the fixtures and the bench use; the PDF wraps
 * labels and the firm name and prints the banner itself (pdfLayout), so the text's own wrapping
 * and banner are left out. pdfMarkup is the text drawn, pdfOfMarkup draws it (the damage property
 * damages the text in between, as a filing printed with a wrong digit).
 */
export function pdfMarkup(filing: Filing, opts: RenderOptions): string {
  return (
    // Thousands grouped by spaces too: pdfToText puts a tab between values a column apart, so two
    // side by side (`c. ... 403 849,418` on the cover page) keep the boundary between them.
    render(filing, 'markup', {
      ...opts,
      wrapLabels: 0,
      wrapFirm: false,
      banner: false,
    })
      // The standard fonts pdf-lib draws with (WinAnsi) have no thin spaces or U+2212: a printout with them groups by a no-break space and signs with a hyphen.
      .replace(/[\u2009\u202f]/g, '\u00a0')
      .replace(/\u2212/g, '-')
  );
}

/** The PDF of a markup text, in the layout the style's seed picks (pdfLayout). */
export function pdfOfMarkup(markup: string, opts: RenderOptions): Promise<Uint8Array> {
  return renderPdf(markup, pdfLayout(opts.seed ?? 0));
}

const pdfFormat: Format = {
  name: 'pdf',
  bytes: (filing, opts) => pdfOfMarkup(pdfMarkup(filing, opts), opts),
  encodings: ['utf-8'],
};

/** The PDF format (in FORMATS too). */
export const PDF_FORMAT: Format = pdfFormat;

/** Every format the property tests cover: each rendering of render.ts (RENDERINGS) as bytes in each encoding, and PDF. */
export const FORMATS: Format[] = [...RENDERINGS.map(textFormat), PDF_FORMAT];
