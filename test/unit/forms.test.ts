import { describe, expect, it } from 'vitest';
import { FORM_SET } from '../../shared/domain/forms/data';
import { compileForms, FormDefinitionError, FORMS } from '../../shared/domain/forms';
import type { FormSetInput, VariantInput } from '../../shared/domain/forms/schema';

/** A copy of the shipped definitions with one variant changed. */
function withVariant(id: string, change: (v: VariantInput) => void): FormSetInput {
  const set: FormSetInput = structuredClone(FORM_SET);
  const variant = set.variants.find((v) => v.id === id)!;
  // Variants share line objects (and structuredClone keeps the sharing): give this one its own.
  variant.lines = variant.lines.map((l) => ({ ...l }));
  change(variant);
  return set;
}

describe('compileForms', () => {
  it('accepts the shipped definitions, with every item evaluated before the line that uses it', () => {
    const forms = compileForms(FORM_SET);
    expect(forms.variants.map((v) => v.id)).toEqual(FORMS.variants.map((v) => v.id));
    for (const v of forms.variants) {
      const seen = new Set(v.lines.filter((l) => l.kind === 'input' && !l.equals).map((l) => l.code));
      for (const l of v.evaluationOrder) {
        for (const t of l.sum ?? [])
          expect(
            seen.has(t.code) || v.byCode.get(t.code)!.equals !== undefined,
            `${v.id} ${l.code} uses ${t.code}`,
          ).toBe(true);
        seen.add(l.code);
      }
      expect(v.evaluationOrder.map((l) => l.code).sort()).toEqual(
        v.lines
          .filter((l) => l.kind === 'derived')
          .map((l) => l.code)
          .sort(),
      );
    }
  });

  it('rejects a code that appears twice in a variant', () => {
    const set = withVariant('cleared-swaps', (v) =>
      v.lines.push({ code: '8500', line: '1A', label: 'Net ledger balance - Cash, again' }),
    );
    expect(() => compileForms(set)).toThrow(FormDefinitionError);
    expect(() => compileForms(set)).toThrow('cleared-swaps: code 8500 appears twice');
  });

  it('rejects an item that does not exist in the variant', () => {
    const set = withVariant('segregation-2014', (v) => {
      v.lines.find((l) => l.code === '7040')!.sum = ['7010', '7020', '7031'];
    });
    expect(() => compileForms(set)).toThrow('segregation-2014: line 7040 uses 7031, which the variant does not have');
  });

  it('rejects a cycle', () => {
    const set = withVariant('segregation-2014', (v) => {
      v.lines.find((l) => l.code === '7010')!.sum = ['7060'];
    });
    expect(() => compileForms(set)).toThrow(/segregation-2014: cycle .*7060 -> .*7010/);
  });

  it('rejects a role naming a code the variant does not have', () => {
    const set = withVariant('secured-summary', (v) => {
      v.roles = { ...v.roles, funds: '7770', excess: '7385' };
    });
    expect(() => compileForms(set)).toThrow('secured-summary: role excess names 7385, which the variant does not have');
  });
});
