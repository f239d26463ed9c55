/**
 * Lines, the sorted code -> amount map a statement keeps, held to a Map kept in code order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../shared/domain/money';
import { Lines, linesFromJson, linesToJson } from '../../shared/domain/model';

const code = fc.integer({ min: 7000, max: 7020 }).map(String);
const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), code, amount: fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }) }),
  fc.record({ kind: fc.constant('delete' as const), code }),
);

describe('Lines', () => {
  it('behaves as a Map kept in ascending code order', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const lines = new Lines();
        const ref = new Map<string, string>();
        for (const o of ops) {
          if (o.kind === 'set') {
            lines.set(o.code, new Decimal(o.amount.toString()));
            ref.set(o.code, o.amount.toString());
          } else {
            expect(lines.delete(o.code)).toBe(ref.delete(o.code));
          }
        }
        const want = [...ref].sort(([a], [b]) => (a < b ? -1 : 1));
        expect([...lines].map(([c, d]) => [c, d.toFixed()])).toEqual(want);
        expect(lines.size).toBe(ref.size);
        expect([...lines.keys()]).toEqual(want.map(([c]) => c));
        for (let c = 7000; c <= 7020; c++) {
          expect(lines.has(String(c))).toBe(ref.has(String(c)));
          expect(lines.get(String(c))?.toFixed()).toBe(ref.get(String(c)));
        }
        want.forEach(([c, a], i) => {
          expect(lines.codeAt(i)).toBe(c);
          expect(lines.amountAt(i).toFixed()).toBe(a);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('goes to JSON and back exactly, in code order', () => {
    const lines = Lines.from([
      ['8770', new Decimal('-5')],
      ['7010', new Decimal('123456789012345678901234567890')],
      ['7305', new Decimal('0')],
    ]);
    const json = linesToJson(lines);
    expect(json).toEqual({ '7010': '123456789012345678901234567890', '7305': '0', '8770': '-5' });
    const back = linesFromJson(json);
    expect([...back.keys()]).toEqual(['7010', '7305', '8770']);
    expect(back.get('7010')!.toFixed()).toBe('123456789012345678901234567890');
    expect(back).toEqual(lines);
  });
});
