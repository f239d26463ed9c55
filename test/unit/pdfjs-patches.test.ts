/**
 * The pdf.js speed patches (infra/pdfjs-patches.ts): installed, applied once and only to the
 * text they were made for, and changing nothing pdf.js reads. The last is the property that
 * would catch a patch lying: patched and unpatched pdf.js, each in a process of its own, read
 * the committed PDFs, generated filings in every layout, and generated pages that drive the
 * text state through everything the patched code touches (fonts and sizes, Type3 glyphs with
 * their own font matrix, character and word spacing, horizontal scaling, rise, leading, text
 * and transformation matrices with rotations, skew and mirroring, nested q/Q, TJ adjustments),
 * and every text item and style must be the same, every number to the last bit.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  PDFDocument,
  PDFName,
  PDFOperator,
  PDFString,
  StandardFonts,
  beginText,
  concatTransformationMatrix,
  endText,
  moveText,
  nextLine,
  popGraphicsState,
  pushGraphicsState,
  setCharacterSpacing,
  setCharacterSqueeze,
  setFontAndSize,
  setLineHeight,
  setTextMatrix,
  setTextRise,
  setWordSpacing,
  showText,
  type PDFHexString,
  type PDFFont,
} from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyPatches,
  PatchError,
  PDFJS_PATCHES,
  patchInstalled,
  pdfjsFile,
  removePatches,
  UNPDF_VERSION,
} from '../../infra/pdfjs-patches';
import { PDFJS_DOCUMENT_OPTIONS, PDFJS_TEXT_OPTIONS } from '../../shared/domain/formats/pdf';
import { generateFilings } from '../support/generate';
import { renderPdf } from '../support/pdf';
import { render } from '../support/render';
import { LAYOUTS } from '../../bench/pdf-bench';

const FIXTURES = join(__dirname, '..', 'fixtures', 'renderings');
const RUNNER = join(__dirname, '..', 'support', 'pdfjs-items.mjs');

describe('the patches as installed', () => {
  it(`node_modules' pdf.js (unpdf ${UNPDF_VERSION}) carries every patch once and none of the text they replace`, () => {
    const source = readFileSync(pdfjsFile(), 'utf8');
    for (const p of PDFJS_PATCHES) {
      expect(source.split(p.replace).length - 1, p.id).toBe(1);
      expect(source.includes(p.find), p.id).toBe(false);
    }
    // Installing again changes nothing.
    const again = patchInstalled();
    expect(again.applied).toEqual([]);
    expect(again.already).toEqual(PDFJS_PATCHES.map((p) => p.id));
  });

  it("the install step (package.json's postinstall) runs it and says so; loading the module alone patches nothing", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.postinstall).toBe('tsx infra/patch-pdfjs.ts');
    const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const root = join(__dirname, '..', '..');
    const out = execFileSync(tsx, ['infra/patch-pdfjs.ts'], { cwd: root, encoding: 'utf8' });
    expect(out).toBe(
      `segwatch: pdf.js speed patches (unpdf ${UNPDF_VERSION}): already in: ${PDFJS_PATCHES.map((p) => p.id).join(', ')}\n`,
    );
    // The library module is imported by infra/bundling.ts, so by whatever bundles it: as a
    // program of its own it must do nothing (no output, no install).
    const lib = execFileSync(tsx, ['infra/pdfjs-patches.ts'], { cwd: root, encoding: 'utf8' });
    expect(lib).toBe('');
  });

  it('applies each patch once, takes them back out exactly, and refuses text that is missing or there twice', () => {
    const original = `head ${PDFJS_PATCHES.map((p) => `[${p.find}]`).join(' middle ')} tail`;
    const patched = applyPatches(original);
    expect(patched.applied).toEqual(PDFJS_PATCHES.map((p) => p.id));
    expect(applyPatches(patched.source)).toEqual({ source: patched.source, applied: [], already: patched.applied });
    expect(removePatches(patched.source)).toBe(original);
    const first = PDFJS_PATCHES[0];
    expect(() => applyPatches(original.replace(first.find, 'something else'))).toThrow(
      new PatchError(
        `pdf.js patch ${first.id}: its text is in the file 0 times (patched: 0), not once; the patches are for unpdf ${UNPDF_VERSION} (infra/pdfjs-patches.ts)`,
      ),
    );
    expect(() => applyPatches(`${original} ${first.find}`)).toThrow(/text-transform: its text is in the file 2 times/);
    expect(() => applyPatches(`${patched.source} ${first.find}`)).toThrow(/in the file 1 times \(patched: 1\)/);
    expect(() => removePatches(original)).toThrow(/cannot be taken out/);
    // No patch's text holds another's, so the order they are applied in cannot matter.
    for (const a of PDFJS_PATCHES)
      for (const b of PDFJS_PATCHES)
        if (a !== b) expect(a.replace.includes(b.find) || a.find.includes(b.find)).toBe(false);
  });
});

// ---- generated pages that exercise the text state ------------------------------------------------

type Op =
  | { op: 'font'; font: number; size: number }
  | { op: keyof typeof SET_TEXT_STATE; value: number }
  | { op: 'Tm'; angle: number; sx: number; sy: number; skew: number; x: number; y: number }
  | { op: 'Td'; x: number; y: number }
  | { op: 'T*' }
  | { op: 'Tj'; text: string }
  | { op: 'TJ'; parts: (string | number)[] }
  | { op: 'q' }
  | { op: 'Q' }
  | { op: 'cm'; angle: number; scale: number; x: number; y: number };

const small = (min: number, max: number) =>
  fc.oneof(
    fc.integer({ min: Math.ceil(min), max: Math.floor(max) }),
    fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
  );
const text = fc.string({
  unit: fc.constantFrom(...'ab cdefg 0123456789,.()$-[]ÉéüAB  xyz'.split('')),
  minLength: 0,
  maxLength: 24,
});
const inText: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('font' as const),
      font: fc.nat(4),
      size: fc.oneof(small(0, 2), small(2, 30)),
    }),
  },
  fc.record({ op: fc.constantFrom('Tc' as const, 'Tw' as const, 'Ts' as const, 'TL' as const), value: small(-6, 12) }),
  fc.record({ op: fc.constant('Tz' as const), value: small(30, 250) }),
  fc.record({
    op: fc.constant('Tm' as const),
    angle: fc.oneof(fc.constantFrom(0, 90, 180, 270, -90), small(-360, 360)),
    sx: fc.oneof(fc.constant(1), small(-3, 3)),
    sy: fc.oneof(fc.constant(1), small(-3, 3)),
    skew: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, small(-1, 1)),
    x: small(0, 600),
    y: small(0, 780),
  }),
  fc.record({ op: fc.constant('Td' as const), x: small(-50, 200), y: small(-30, 30) }),
  fc.constant({ op: 'T*' as const }),
  { weight: 4, arbitrary: fc.record({ op: fc.constant('Tj' as const), text }) },
  fc.record({ op: fc.constant('TJ' as const), parts: fc.array(fc.oneof(text, small(-900, 900)), { maxLength: 6 }) }),
);
const outsideText: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ op: 'q' as const }),
  fc.constant({ op: 'Q' as const }),
  fc.record({
    op: fc.constant('cm' as const),
    angle: fc.oneof(fc.constantFrom(0, 90, 180), small(-180, 180)),
    scale: small(0.25, 3),
    x: small(-100, 300),
    y: small(-100, 300),
  }),
);
/** A page: blocks of text (BT ... ET), with graphics state changes between them. */
const page = fc.array(
  fc.tuple(fc.array(outsideText, { maxLength: 3 }), fc.array(inText, { minLength: 1, maxLength: 14 })),
  {
    minLength: 1,
    maxLength: 6,
  },
);

const rad = (deg: number) => (deg * Math.PI) / 180;

/** A Type3 font of two glyphs (a, b), with a font matrix that is not the identity and d1 (char bbox) glyphs. */
function type3Font(doc: PDFDocument) {
  const ctx = doc.context;
  const glyph = (w: number) => ctx.register(ctx.flateStream(`${w} 0 0 0 ${w} 800 d1 0 0 ${w} 800 re f`));
  return ctx.register(
    ctx.obj({
      Type: 'Font',
      Subtype: 'Type3',
      FontBBox: [0, -100, 900, 800],
      FontMatrix: [0.01, 0, 0, 0.01, 0, 0],
      CharProcs: { a: glyph(600), b: glyph(450) },
      Encoding: { Type: 'Encoding', Differences: [97, PDFName.of('a'), PDFName.of('b')] },
      FirstChar: 97,
      LastChar: 98,
      Widths: [60, 45],
      Resources: {},
    }),
  );
}

/** The text state operators that take one number, as pdf-lib writes them. */
const SET_TEXT_STATE = {
  Tc: setCharacterSpacing,
  Tw: setWordSpacing,
  Ts: setTextRise,
  TL: setLineHeight,
  Tz: setCharacterSqueeze,
} as const;

/** A page: blocks of text, each with the graphics state changes before it. */
type Blocks = [outside: Op[], inside: Op[]][];

async function drawPages(pages: Blocks[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setCreationDate(new Date(0));
  doc.setModificationDate(new Date(0));
  const standard: PDFFont[] = [];
  for (const f of [
    StandardFonts.Helvetica,
    StandardFonts.TimesRoman,
    StandardFonts.CourierBold,
    StandardFonts.HelveticaOblique,
  ])
    standard.push(await doc.embedFont(f));
  const t3 = type3Font(doc);
  for (const blocks of pages) {
    const p = doc.addPage([612, 792]);
    const keys = standard.map((f) => p.node.newFontDictionary(f.name, f.ref));
    keys.push(p.node.newFontDictionary('T3', t3));
    let depth = 0;
    const ops: PDFOperator[] = [];
    for (const [outside, inside] of blocks) {
      for (const o of outside) {
        if (o.op === 'q') {
          ops.push(pushGraphicsState());
          depth++;
        } else if (o.op === 'Q' && depth > 0) {
          ops.push(popGraphicsState());
          depth--;
        } else if (o.op === 'cm') {
          const a = rad(o.angle);
          ops.push(
            concatTransformationMatrix(
              o.scale * Math.cos(a),
              o.scale * Math.sin(a),
              -o.scale * Math.sin(a),
              o.scale * Math.cos(a),
              o.x,
              o.y,
            ),
          );
        }
      }
      ops.push(beginText());
      let font = 0;
      ops.push(setFontAndSize(keys[0], 10));
      const encode = (s: string): PDFHexString | PDFString =>
        font < standard.length ? standard[font].encodeText(s) : PDFString.of(s.replace(/[^ab]/g, 'a'));
      for (const o of inside) {
        switch (o.op) {
          case 'font':
            font = o.font;
            ops.push(setFontAndSize(keys[font], o.size));
            break;
          case 'Tc':
          case 'Tw':
          case 'Ts':
          case 'TL':
          case 'Tz':
            ops.push(SET_TEXT_STATE[o.op](o.value));
            break;
          case 'Tm': {
            const a = rad(o.angle);
            ops.push(
              setTextMatrix(
                o.sx * Math.cos(a),
                o.sx * Math.sin(a),
                -o.sy * Math.sin(a) + o.skew,
                o.sy * Math.cos(a),
                o.x,
                o.y,
              ),
            );
            break;
          }
          case 'Td':
            ops.push(moveText(o.x, o.y));
            break;
          case 'T*':
            ops.push(nextLine());
            break;
          case 'Tj':
            ops.push(showText(encode(o.text) as PDFHexString));
            break;
          case 'TJ': {
            const parts = o.parts.map((x) => (typeof x === 'number' ? x : encode(x)));
            ops.push(PDFOperator.of('TJ' as never, [doc.context.obj(parts as never) as never]));
            break;
          }
        }
      }
      ops.push(endText());
    }
    while (depth-- > 0) ops.push(popGraphicsState());
    p.pushOperators(...ops);
  }
  return doc.save({ useObjectStreams: false });
}

// ---- the comparison -------------------------------------------------------------------------------

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'segwatch-pdfjs-patches-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One JSON line per file, as the runner read them with the pdf.js module at `module`. */
function itemsWith(module: string, files: string[]): string[] {
  const options = JSON.stringify({ document: PDFJS_DOCUMENT_OPTIONS, text: PDFJS_TEXT_OPTIONS });
  const out = execFileSync(process.execPath, [RUNNER, module, options, ...files], {
    maxBuffer: 1 << 28,
    encoding: 'utf8',
  });
  return out.trimEnd().split('\n');
}

describe('patched pdf.js reads what pdf.js reads', () => {
  it('every text item and style, to the last bit, in committed, generated and text-state-stressing PDFs', async () => {
    const seed = Number(process.env.SEGWATCH_SEED ?? Date.now() % 2 ** 31);
    const files: string[] = [];
    for (const f of readdirSync(FIXTURES).sort()) if (f.endsWith('.pdf')) files.push(join(FIXTURES, f));
    // Generated filings in each layout the bench draws.
    const filings = generateFilings(8, seed);
    const layouts = Object.values(LAYOUTS);
    for (let i = 0; i < filings.length; i++) {
      const file = join(dir, `filing-${i}.pdf`);
      writeFileSync(
        file,
        await renderPdf(render(filings[i], 'markup', { seed: seed + i }), layouts[i % layouts.length]),
      );
      files.push(file);
    }
    // Pages that put the text state through its paces.
    const docs = fc.sample(fc.array(page, { minLength: 1, maxLength: 3 }), { seed, numRuns: 60 });
    for (let i = 0; i < docs.length; i++) {
      const file = join(dir, `state-${i}.pdf`);
      writeFileSync(file, await drawPages(docs[i]));
      files.push(file);
    }

    const unpatched = join(dir, 'pdfjs.mjs');
    writeFileSync(unpatched, removePatches(readFileSync(pdfjsFile(), 'utf8')));
    const before = itemsWith(unpatched, files);
    const after = itemsWith(pdfjsFile(), files);
    expect(after.length).toBe(files.length);
    // Text items and their characters in the generated text-state documents.
    let items = 0;
    let glyphs = 0;
    for (let i = 0; i < files.length; i++) {
      const parsed = JSON.parse(after[i]) as {
        file: string;
        error?: string;
        pages?: { ours: { items: { str: string }[] } }[];
      };
      expect(parsed.file).toBe(files[i]);
      // (Every file is a readable PDF with text: a comparison of two errors would prove nothing.)
      expect(parsed.error, `${files[i]} (seed ${seed})`).toBeUndefined();
      if (/state-\d+\.pdf$/.test(files[i]))
        for (const p of parsed.pages ?? []) {
          items += p.ours.items.length;
          for (const it of p.ours.items) glyphs += it.str.length;
        }
      expect(after[i], `${files[i]} (seed ${seed})`).toBe(before[i]);
    }
    // The generated documents are not empty: there was text to compare (690-964 items and
    // 2,994-3,886 characters in three runs).
    expect(items).toBeGreaterThan(300);
    expect(glyphs).toBeGreaterThan(1_500);
  }, 120_000);
});
