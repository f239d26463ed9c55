/**
 * The parser's hand-written fast paths held to the regular expressions they replace.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanLabel, scanCells, CODE_RE, partMatches, PART_RE } from '../../shared/domain/parser';
import { Decimal, decimalFromLimbs } from '../../shared/domain/money';
import { FORMS, STATEMENT_KEYS } from '../../shared/domain/forms';
import { compiled } from '../../shared/domain/parser/variant';
import { startsAt } from '../../shared/domain/parser/chars';

const reference = (raw: string) =>
  raw
    .slice(-400)
    .replace(/<[^>]*>/g, ' ')
    .replace(/\*\*|##/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

const piece = fc.constantFrom(
  '<u>',
  '</b>',
  '<',
  '>',
  '**',
  '*',
  '#',
  '##',
  ' ',
  '\t',
  '\r\n',
  '\u00a0',
  '\u2003',
  '\ufeff',
  'a',
  'Cash',
  '7150',
  '12.',
  'é',
  '<b><u>',
  '<a<b>',
  '***',
  '(',
  ')',
);
const labelText = fc.array(piece, { maxLength: 60 }).map((xs) => xs.join(''));

describe('cleanLabel', () => {
  it('equals the regular-expression version', () => {
    fc.assert(
      fc.property(
        fc.oneof(labelText, fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 })),
        (raw) => {
          expect(cleanLabel(raw)).toBe(reference(raw));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('keeps the last 400 characters', () => {
    const raw = `${'x'.repeat(500)} <u>tail</u>`;
    expect(cleanLabel(raw)).toBe(reference(raw));
    expect(cleanLabel(`${'<'.repeat(300)}a>${'b'.repeat(200)}`)).toBe(
      reference(`${'<'.repeat(300)}a>${'b'.repeat(200)}`),
    );
  });
});

describe('scanCells', () => {
  it('finds exactly the codes CODE_RE finds', () => {
    const chunk = fc.constantFrom(
      '[',
      ']',
      '[7010]',
      '[701]',
      '[70100]',
      '[[7020]',
      '[7030]]',
      '1,234',
      ' ',
      'x',
      '(5)',
      '-',
      '0',
      '9',
      '[a123]',
    );
    fc.assert(
      fc.property(
        fc.array(chunk, { maxLength: 40 }).map((xs) => xs.join('')),
        (text) => {
          const want = [...text.matchAll(new RegExp(CODE_RE.source, 'g'))].map((m) => [m[1], m.index + m[0].length]);
          expect(scanCells(text).map((c) => [c.code, c.end])).toEqual(want);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('decimalFromLimbs', () => {
  it('equals new Decimal of the same digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,35}$/), fc.boolean(), (digits, negative) => {
        const limbs: number[] = [];
        for (let end = digits.length; end > 0; end -= 7)
          limbs.push(Number.parseInt(digits.slice(Math.max(0, end - 7), end), 10));
        const d = decimalFromLimbs(limbs, limbs.length, negative);
        const want = new Decimal(digits);
        expect(d.toFixed()).toBe((negative && !want.isZero() ? want.negated() : want).toFixed());
        expect(d.plus(want).toFixed()).toBe((negative ? new Decimal(0) : want.times(2)).toFixed());
      }),
      { numRuns: 1000 },
    );
  });
});

describe('partMatches', () => {
  it('finds exactly the matches of PART_RE with matchAll', () => {
    const chunk = fc.constantFrom(
      'A.',
      'B.',
      'C.',
      'a.',
      'AB.',
      ' ',
      '\t',
      '\n',
      '\u00a0',
      'Cash',
      '1,234',
      '(5)',
      '-7',
      '0',
      '12',
      '.',
      'x',
      'A.B.',
      '\u2003',
    );
    fc.assert(
      fc.property(
        fc.array(chunk, { maxLength: 40 }).map((xs) => xs.join('')),
        (text) => {
          const want = [...text.matchAll(new RegExp(PART_RE.source, 'gs'))].map((m) => [
            m.index,
            m[0],
            m[1],
            m[2],
            m[3],
          ]);
          expect(partMatches(text).map((m) => [m.index, m[0], m[1], m[2], m[3]])).toEqual(want);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('packed variant counts (variant.ts count)', () => {
  it("each code's packed bytes say what its member says, and a statement's codes cannot carry a byte into the next", () => {
    const c = compiled(FORMS);
    let packedCodes = 0;
    for (const info of c.codeByNum) {
      if (!info) continue;
      const variants = FORMS.statements[info.key].variants.length;
      if (variants > 4) {
        expect(info.presentBits).toBe(-1);
        continue;
      }
      packedCodes++;
      for (let i = 0; i < variants; i++) {
        expect((info.presentBits >>> (8 * i)) & 255, `${info.code} variant ${i}`).toBe(info.member[i] >= 1 ? 1 : 0);
        expect((info.requiredBits >>> (8 * i)) & 255, `${info.code} variant ${i}`).toBe(info.member[i] === 2 ? 1 : 0);
      }
    }
    expect(packedCodes).toBeGreaterThan(90);
    // Each code is counted once per parse: a byte holds at most the statement's number of codes.
    for (const key of STATEMENT_KEYS) {
      const codes = c.codeByNum.filter((x) => x?.key === key).length;
      expect(codes, key).toBeLessThan(256);
    }
  });
});

describe('startsAt', () => {
  it('says what startsWith says, for any position from 0 past the end', () => {
    const str = fc.array(fc.constantFrom('a', 'b', 'A', ' ', '\u00a0', '1'), { maxLength: 12 }).map((x) => x.join(''));
    fc.assert(
      fc.property(str, str, fc.nat(20), (t, s, at) => {
        expect(startsAt(t, s, at)).toBe(t.startsWith(s, at));
      }),
      { numRuns: 5000 },
    );
  });
});
