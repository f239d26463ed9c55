/**
 * "Never a wrong number": consistent filings generated from the form definitions, in every format
 * (test/unit/formats.ts: each rendering, each encoding, and PDF: the markup drawn by pdf-lib in
 * layouts of several page sizes, fonts, wrapped labels and firm names, banner, page numbers),
 * through the bytes -> parse -> reconcile seam users meet (analyze). About one case in five is a
 * PDF (tens of milliseconds each: render and extract).
 *
 * - Written differently but saying the same (thousands grouped by commas or spaces of four kinds,
 *   negatives as -1,234, (1,234), -$1,234, $-1,234 or - 1,234, `$`, entities, wrapped labels and
 *   firm names, the PDF banner, UTF-8 with and without BOM, UTF-16 LE/BE, Windows-1252): the very
 *   same filing JSON (every amount, the cover page), no error or warning, no alert.
 * - Damaged (a digit dropped, doubled or changed, a space or a punctuation mark put into an amount
 *   (a mark: that line reads as filed or not at all), a cell cut, the file
 *   cut inside a cell; for a PDF, in the text it is drawn from): every amount reported is the filed one, or its statement does not reconcile
 *   and the line is flagged (a failing line, or an item of one); and no deficiency or below-target
 *   alert is raised that the undamaged filing does not have.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../shared/domain/check';
import { FORMS, STATEMENT_KEYS, type StatementKey } from '../../shared/domain/forms';
import { filingArb } from '../support/generate';
import { filingFromJson, filingToJson, type Filing } from '../../shared/domain/model';
import type { Decimal } from '../../shared/domain/money';
import { reconcile } from '../../shared/domain/reconcile';
import { GROUPINGS, NEGATIVES, render, RENDERINGS, type RenderOptions } from '../support/render';
import { encode, FORMATS, pdfMarkup, pdfOfMarkup } from './formats';

/** How many generated cases each property runs (the report counts them). */
export const MEANING_CASES = 400;
export const DAMAGE_CASES = 600;

const styleArb: fc.Arbitrary<RenderOptions> = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  grouping: fc.constantFrom(...GROUPINGS),
  negative: fc.constantFrom(...NEGATIVES),
  dollar: fc.boolean(),
  wrapLabels: fc.constantFrom(0, 0, 30, 55),
  wrapFirm: fc.boolean(),
  banner: fc.boolean(),
});

describe('a filing written differently but saying the same', () => {
  it(`parses to the identical filing, with no error, warning or alert, in every format and encoding (${MEANING_CASES} cases)`, async () => {
    const formatArb = fc
      .constantFrom(...FORMATS)
      .chain((format) => fc.tuple(fc.constant(format), fc.constantFrom(...format.encodings)));
    await fc.assert(
      fc.asyncProperty(
        filingArb({ coverPercent: 40 }),
        formatArb,
        styleArb,
        async (filing, [format, encoding], style) => {
          const bytes = await format.bytes(filing, style, encoding);
          const outcome = await analyze(bytes);
          if (!outcome.ok) throw new Error(`${format.name}/${encoding}: ${outcome.error.message}`);
          const { filing: parsed, reconciliation } = outcome.analysis;
          // A PDF too: every amount, header field, title, label of the uncoded sub-lines (12A-12C,
          // wrapped or broken by a page break) and the cover page the same.
          expect(filingToJson(parsed)).toEqual(filingToJson(filing));
          expect(reconciliation.findings.filter((f) => f.severity !== 'info')).toEqual([]);
          // The only info findings: the code order, Windows-1252 when the bytes are not UTF-8, and
          // (SW105) a space-grouped amount right after a word (`Cash 2 563 559 677`), whose first
          // group could be the label's: read as the identities of its line say, and said so.
          expect(new Set(reconciliation.findings.map((f) => f.ruleId)).size).toBeLessThanOrEqual(3);
          for (const f of reconciliation.findings) expect(['SW141', 'SW106', 'SW105']).toContain(f.ruleId);
          expect(reconciliation.alerts).toEqual([]);
        },
      ),
      // endOnFailure: a failure prints its seed and path to replay it; shrinking through PDFs takes minutes.
      { numRuns: MEANING_CASES, endOnFailure: true },
    );
  }, 600_000);
});

// ---- damage ----------------------------------------------------------------------------------

/** Where each cell's amount is in a rendered text: the digits before each `[dddd]`, as [from, to). */
function amountSpans(text: string): { code: string; from: number; to: number }[] {
  const out: { code: string; from: number; to: number }[] = [];
  for (const m of text.matchAll(/\[(\d{4})\]/g)) {
    let j = m.index - 1;
    for (;;) {
      while (j >= 0 && /\s/.test(text[j])) j--;
      if (text[j] === '>') {
        const open = text.lastIndexOf('<', j);
        if (open < 0) break;
        j = open - 1;
        continue;
      }
      break;
    }
    const to = j + 1;
    let from = to;
    for (;;) {
      const c = text[from - 1];
      if (c !== undefined && /[\d,.()$\-\u00a0\u202f\u2009 ]/.test(c)) from--;
      else if (c === ';' && /&(?:nbsp|thinsp|#8239);$/.test(text.slice(Math.max(0, from - 8), from)))
        from = text.lastIndexOf('&', from);
      else break;
    }
    if (/\d/.test(text.slice(from, to))) out.push({ code: m[1], from, to });
  }
  return [...out, ...subLineSpans(text)];
}

/**
 * The amounts of Cleared Swaps' uncoded sub-lines 12A and 12B (12C shares the cell of [8715], a
 * span above), between the cells of [8710] and [8715] of a text rendering or a PDF's markup: from the first digit after the sub-line's
 * letter (their labels hold none), back over a sign, `$` or `(`, forward over the amount's
 * characters and HTML's space entities; `code` is the sub-line's id.
 */
function subLineSpans(text: string): { code: string; from: number; to: number }[] {
  const start = text.indexOf('[8710]');
  const end = text.indexOf('[8715]', start);
  // (Not in HTML, whose entities put digits in the labels: `customers&#39; funds`.)
  if (start < 0 || end < 0 || text.includes('<td')) return [];
  const out: { code: string; from: number; to: number }[] = [];
  const region = text.slice(start, end);
  for (const m of region.matchAll(/(?<=^|[\s>])([AB])\.\s/g)) {
    const digit = region.slice(m.index).search(/\d/);
    if (digit < 0) continue;
    let from = start + m.index + digit;
    while (
      /[-\u2212$(]/.test(text[from - 1] ?? '') ||
      (text[from - 1] === ' ' && /[-\u2212$(]/.test(text[from - 2] ?? ''))
    )
      from--;
    let to = start + m.index + digit;
    for (;;) {
      const rest = text.slice(to, to + 8);
      if (/^[\d,.)]/.test(rest) || /^[ \u00a0\u202f\u2009]\d/.test(rest)) to++;
      else if (/^&(?:nbsp|thinsp|#8239);\d/.test(rest)) to = text.indexOf(';', to) + 1;
      else break;
    }
    out.push({ code: `12${m[1]}`, from, to });
  }
  return out;
}

type Damage = 'drop' | 'double' | 'change' | 'space' | 'glue' | 'exponent' | 'footnote' | 'cut' | 'truncate';
const DAMAGES: Damage[] = ['drop', 'double', 'change', 'space', 'glue', 'exponent', 'footnote', 'cut', 'truncate'];
/** Damage after which the line must read as filed or not at all (never as a part of what was written). */
const STRICT_DAMAGES: readonly Damage[] = ['glue', 'exponent', 'footnote'];
/** The totals whose cell may hold their last sub-line's amount too (Cleared Swaps 8715). */
const CODES_WITH_PARTS = new Set(FORMS.variants.flatMap((v) => v.lines.filter((l) => l.parts).map((l) => l.code)));
/** A footnote's mark put after an amount, before its code; in a tag of its own only in text (the test's PDF printer draws such tags as text, a column apart). */
const FOOTNOTES = [' (1)', ' 2', '(12)', ' *', ' (a)'];
const TAGGED_FOOTNOTES = ['<sup>1</sup>', '</u> <sup>3</sup><u>'];
/** How a spreadsheet writes an exponent (`2.56356E+09`, `2.56356e+9`, `2.56356E9`). */
const EXPONENTS = [(n: number) => `E+${String(n).padStart(2, '0')}`, (n: number) => `e+${n}`, (n: number) => `E${n}`];
/** Punctuation a damaged or foreign rendering may put between an amount's digits (`3'309'126`, `3*309`, an en dash). */
const GLUE_MARKS = [...'\'*:;/#|%+=!?@&~^`"\\[]{}\u2013'];

/** The code whose amount `damage` changes for `pick`. */
function damagedCode(text: string, pick: number): string | undefined {
  const spans = amountSpans(text);
  return spans.length === 0 ? undefined : spans[pick % spans.length].code;
}

function damage(text: string, kind: Damage, pick: number, pick2: number, pdf = false): string {
  const spans = amountSpans(text);
  if (spans.length === 0) return text;
  const s = spans[pick % spans.length];
  const digits: number[] = [];
  for (let i = s.from; i < s.to; i++) if (/\d/.test(text[i])) digits.push(i);
  const at = digits[pick2 % digits.length];
  const d = text[at];
  switch (kind) {
    case 'drop':
      return text.slice(0, at) + text.slice(at + 1);
    case 'double':
      return text.slice(0, at) + d + text.slice(at);
    case 'change':
      return text.slice(0, at) + String((Number.parseInt(d, 10) + 1 + (pick2 % 9)) % 10) + text.slice(at + 1);
    case 'space':
      return `${text.slice(0, at)} ${text.slice(at)}`;
    case 'glue': {
      // A mark between two digits of the amount where it has two (else before its only digit).
      const i = digits.length > 1 ? digits[1 + (pick2 % (digits.length - 1))] : at;
      return text.slice(0, i) + GLUE_MARKS[pick % GLUE_MARKS.length] + text.slice(i);
    }
    case 'exponent': {
      // The amount as a spreadsheet shows a number too wide for its cell: `-2.56356E+09`, with
      // 1 to 9 digits after the point (the rest lost), the sign kept.
      // (From the amount's first sign, `$` or digit: a space before it stays.)
      const from = s.from + Math.max(0, text.slice(s.from, s.to).search(/[\d\-($\u2212]/));
      const written = text.slice(from, s.to);
      const all = digits
        .map((i) => text[i])
        .join('')
        .replace(/^0+(?=\d)/, '');
      const sign = /[-(\u2212]/.test(written) ? '-' : '';
      const mantissa = `${all[0]}.${all.slice(1, 2 + (pick2 % 9)) || '0'}`;
      const exponent = EXPONENTS[pick % EXPONENTS.length](all.length - 1);
      return `${text.slice(0, from)}${sign}${mantissa}${exponent}${text.slice(s.to)}`;
    }
    case 'footnote': {
      const marks = pdf ? FOOTNOTES : [...FOOTNOTES, ...TAGGED_FOOTNOTES];
      return text.slice(0, s.to) + marks[pick2 % marks.length] + text.slice(s.to);
    }
    case 'cut': {
      // From inside the amount into its code: `5,81 [8720]` -> `5,8720]`.
      const code = text.indexOf(`[${s.code}]`, s.to);
      return text.slice(0, at) + text.slice(code + 1 + (pick2 % 5));
    }
    case 'truncate':
      return text.slice(0, at);
  }
}

/** Whether `code` is flagged in a statement that does not reconcile: a failing line, or an item of one. */
function flagged(variant: string, failing: readonly string[], code: string): boolean {
  if (failing.includes(code)) return true;
  const v = FORMS.variantById.get(variant)!;
  return failing.some((f) => {
    const l = v.byCode.get(f);
    return (
      !!l && ((l.sum ?? []).some((t) => t.code === code) || (l.greaterOf ?? []).includes(code) || l.equals === code)
    );
  });
}

/** A change the arithmetic cannot see: the filing with `code` set to `amount` still reconciles (7305 below 7355 under the greater-of). */
function invisible(original: Filing, key: StatementKey, code: string, amount: Decimal): boolean {
  const f = filingFromJson(filingToJson(original));
  f.statements[key]!.lines.set(code, amount);
  return !reconcile(f).findings.some((x) => x.severity === 'error' && x.statement === key);
}

/** Filings with no alert, and with a deficiency or a shortfall against the target (which damage must not add elsewhere). */
const alertsArb = fc.constantFrom<Partial<Record<StatementKey, 'deficiency' | 'below-target'>>>(
  {},
  {},
  { segregation: 'deficiency' },
  { clearedSwaps: 'below-target' },
);
/** The text renderings, and PDF (its markup damaged, then drawn: a filing printed with the damage). */
const DAMAGED_FORMATS = [...RENDERINGS, 'pdf'] as const;
const damagedArb = (count: { minLength: number; maxLength: number }) =>
  fc.record({
    filing: alertsArb.chain((a) => filingArb({ coverPercent: 30, alerts: a })),
    rendering: fc.constantFrom(...DAMAGED_FORMATS),
    style: styleArb,
    damages: fc.array(fc.record({ kind: fc.constantFrom(...DAMAGES), pick: fc.nat(), pick2: fc.nat() }), count),
  });

/** The text the damage is done to: the rendering, or for a PDF the markup it is drawn from. */
function undamagedText(c: { filing: Filing; rendering: (typeof DAMAGED_FORMATS)[number]; style: RenderOptions }) {
  return c.rendering === 'pdf' ? pdfMarkup(c.filing, c.style) : render(c.filing, c.rendering, c.style);
}

async function analyzeDamaged(c: {
  filing: Filing;
  rendering: (typeof DAMAGED_FORMATS)[number];
  style: RenderOptions;
  damages: { kind: Damage; pick: number; pick2: number }[];
}) {
  const r = c.rendering;
  return analyze(r === 'pdf' ? await pdfOfMarkup(damagedText(c), c.style) : encode(damagedText(c), 'utf-8'));
}

function damagedText(
  c: Parameters<typeof undamagedText>[0] & { damages: { kind: Damage; pick: number; pick2: number }[] },
) {
  let text = undamagedText(c);
  for (const d of c.damages) text = damage(text, d.kind, d.pick, d.pick2, c.rendering === 'pdf');
  return text;
}

/** The damaged text around a code's cell, for a failure message. */
function around(text: string, code: string): string {
  const at = text.indexOf(`[${code}]`);
  return JSON.stringify(text.slice(Math.max(0, at - 60), at + 6));
}

/** Every deficiency or below-target alert of `got` is one the undamaged filing raises too. */
function noNewAlerts(original: Filing, got: { statement: string; kind: string }[]): void {
  const before = reconcile(original).alerts.map((a) => `${a.statement} ${a.kind}`);
  for (const a of got)
    expect(before, `${a.statement} ${a.kind} raised by the damage`).toContain(`${a.statement} ${a.kind}`);
}

describe('a damaged filing', () => {
  it(`reports every amount as filed or flags its line, and raises no deficiency or below-target alert the undamaged filing lacks (${DAMAGE_CASES} cases)`, async () => {
    let reported = 0;
    let wrong = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(damagedArb({ minLength: 1, maxLength: 1 }), async (c) => {
        const { filing } = c;
        const outcome = await analyzeDamaged(c);
        if (!outcome.ok) {
          refused++;
          return;
        }
        const { filing: got, reconciliation: rec } = outcome.analysis;
        // A mark put between an amount's digits (`3'309'126`), the amount written with an exponent
        // (`2.56356E+09`), or a footnote's mark after it (`1,234 (1)`): that line reads as filed or
        // not at all. What follows the mark (`309'126` -> 126, `E+09` -> 9, `(1)` -> -1) is never
        // taken, not even in a line that then fails.
        // (A footnote's mark after a total printed in one cell with its last sub-line, `0 0 (1)
        // [8715]`, is one more number in that cell: the split that leaves the sub-lines there is
        // read, and its total flagged when they do not add up, as for any such cell.)
        const kind = c.damages[0].kind;
        const code = STRICT_DAMAGES.includes(kind) ? damagedCode(undamagedText(c), c.damages[0].pick) : undefined;
        const glued = code !== undefined && !(kind === 'footnote' && CODES_WITH_PARTS.has(code)) ? code : undefined;
        for (const key of STATEMENT_KEYS) {
          const st = got.statements[key];
          const orig = filing.statements[key];
          if (!st || !orig) continue;
          const res = rec.statements[key]!;
          const where = `${c.rendering} ${JSON.stringify(c.style)} ${JSON.stringify(c.damages)} ${key}`;
          for (const [code, amount] of st.lines) {
            reported++;
            const want = orig.lines.get(code);
            if (want !== undefined && amount.eq(want)) continue;
            expect(
              code === glued,
              `${where} [${code}] ${c.damages[0].kind}, reported ${amount.toFixed()}, filed ${want?.toFixed()}: ${code === glued ? around(damagedText(c), code) : ''}`,
            ).toBe(false);
            wrong++;
            const ok =
              (res.status === 'unreconciled' && flagged(st.variant, res.failingLines, code)) ||
              (want !== undefined && invisible(filing, key, code, amount));
            expect(
              ok,
              `${where} [${code}] reported ${amount.toFixed()}, filed ${want?.toFixed()}, status ${res.status}, failing ${res.failingLines.join(',')}`,
            ).toBe(true);
          }
          for (const u of st.uncoded) {
            const want = orig.uncoded.find((x) => x.id === u.id)?.amount;
            if (want !== undefined && u.amount.eq(want)) continue;
            wrong++;
            expect(
              res.status === 'unreconciled' && flagged(st.variant, res.failingLines, u.partOf),
              `${where} ${u.id} reported ${u.amount.toFixed()}, filed ${want?.toFixed()}`,
            ).toBe(true);
          }
        }
        noNewAlerts(filing, rec.alerts);
      }),
      { numRuns: DAMAGE_CASES, endOnFailure: true },
    );
    // The damage reached the amounts: most damaged files still parse, amounts were checked, and some read otherwise than filed.
    expect(reported).toBeGreaterThan(DAMAGE_CASES * 20);
    expect(wrong).toBeGreaterThan(DAMAGE_CASES / 10);
    expect(refused).toBeLessThan(DAMAGE_CASES / 2);
  });

  it(`with two or three damages at once, raises no deficiency or below-target alert the undamaged filing lacks (${DAMAGE_CASES / 2} cases)`, async () => {
    // (Two damages can cancel out in one total, +200 and -200: no arithmetic sees that, so only the alerts are held here.)
    await fc.assert(
      fc.asyncProperty(damagedArb({ minLength: 2, maxLength: 3 }), async (c) => {
        const outcome = await analyzeDamaged(c);
        if (outcome.ok) noNewAlerts(c.filing, outcome.analysis.reconciliation.alerts);
      }),
      { numRuns: DAMAGE_CASES / 2, endOnFailure: true },
    );
  });
});
