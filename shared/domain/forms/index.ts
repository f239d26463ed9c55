/**
 * Loads the form definitions (./data.ts), validates them (shape, duplicate codes, items that
 * exist, no cycles, roles that exist) and compiles them into the lookup tables the parser,
 * reconciler, generators and docs share.
 */
import { FORM_SET } from './data';
import { FormSetSchema, STATEMENT_KEYS, type FormSetInput, type StatementKey } from './schema';

export { STATEMENT_KEYS, type StatementKey } from './schema';

export interface Term {
  code: string;
  weight: 1 | -1;
}

export interface LineDef {
  code: string;
  line: string;
  label: string;
  kind: 'input' | 'derived';
  sum?: Term[];
  greaterOf?: string[];
  equals?: string;
  parts?: { id: string; label: string }[];
  optional: boolean;
}

export interface Roles {
  required: string;
  funds: string;
  excess: string;
  target?: string;
  overTarget?: string;
}

export interface Variant {
  id: string;
  statement: StatementKey;
  description: string;
  codeOrder?: '2013' | '2014';
  titles: string[];
  lines: LineDef[];
  byCode: ReadonlyMap<string, LineDef>;
  /** Derived lines in an order where every item comes before the line that uses it. */
  evaluationOrder: LineDef[];
  /** Lines with a cross-page `equals` or uncoded `parts` to check. */
  crossChecks: LineDef[];
  roles: Roles;
}

export interface StatementDef {
  key: StatementKey;
  name: string;
  shortName: string;
  codeRange: [string, string];
  rule: string;
  variants: Variant[];
}

export interface FormSet {
  form: string;
  statements: Record<StatementKey, StatementDef>;
  variants: Variant[];
  variantById: ReadonlyMap<string, Variant>;
  /** Statement owning a code, by the statements' code ranges. */
  statementOfCode(code: string): StatementKey | undefined;
  /** Every code any variant knows, with the labels it carries. */
  knownCodes: ReadonlySet<string>;
}

export class FormDefinitionError extends Error {
  constructor(message: string) {
    super(`form definitions: ${message}`);
    this.name = 'FormDefinitionError';
  }
}

function term(item: string): Term {
  return item.startsWith('-') ? { code: item.slice(1), weight: -1 } : { code: item, weight: 1 };
}

export interface CompileOptions {
  /**
   * Skip the zod shape check: for definitions whose shape is known good (the shipped FORM_SET,
   * which test/unit/forms.test.ts compiles with the check). Every other check still runs.
   */
  shapeChecked?: boolean;
}

/** Validate and compile a set of form definitions; throws FormDefinitionError naming the fault. */
export function compileForms(input: FormSetInput, options: CompileOptions = {}): FormSet {
  let set: FormSetInput;
  if (options.shapeChecked) {
    set = input;
  } else {
    const parsed = FormSetSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new FormDefinitionError(`${issue.path.join('.')}: ${issue.message}`);
    }
    set = parsed.data;
  }
  const statements = {} as Record<StatementKey, StatementDef>;
  for (const s of set.statements) {
    if (statements[s.key]) throw new FormDefinitionError(`statement ${s.key} defined twice`);
    statements[s.key] = { ...s, codeRange: [s.codeRange[0], s.codeRange[1]], variants: [] };
  }
  for (const key of STATEMENT_KEYS)
    if (!statements[key]) throw new FormDefinitionError(`statement ${key} is not defined`);

  const variantById = new Map<string, Variant>();
  const knownCodes = new Set<string>();
  for (const v of set.variants) {
    if (variantById.has(v.id)) throw new FormDefinitionError(`variant ${v.id} defined twice`);
    const st = statements[v.statement];
    const byCode = new Map<string, LineDef>();
    const lines: LineDef[] = v.lines.map((l) => ({
      code: l.code,
      line: l.line,
      label: l.label,
      kind: l.sum || l.greaterOf ? 'derived' : 'input',
      sum: l.sum?.map(term),
      greaterOf: l.greaterOf,
      equals: l.equals,
      parts: l.parts,
      optional: l.optional ?? false,
    }));
    for (const l of lines) {
      if (byCode.has(l.code)) throw new FormDefinitionError(`${v.id}: code ${l.code} appears twice`);
      if (l.code < st.codeRange[0] || l.code > st.codeRange[1])
        throw new FormDefinitionError(
          `${v.id}: code ${l.code} is outside ${v.statement}'s range ${st.codeRange.join('-')}`,
        );
      byCode.set(l.code, l);
      knownCodes.add(l.code);
    }
    const deps = (l: LineDef) => [
      ...(l.sum ?? []).map((t) => t.code),
      ...(l.greaterOf ?? []),
      ...(l.equals ? [l.equals] : []),
    ];
    for (const l of lines) {
      for (const d of deps(l))
        if (!byCode.has(d))
          throw new FormDefinitionError(`${v.id}: line ${l.code} uses ${d}, which the variant does not have`);
      if (l.sum && new Set(l.sum.map((t) => t.code)).size !== l.sum.length)
        throw new FormDefinitionError(`${v.id}: line ${l.code} lists an item twice`);
    }
    for (const [role, c] of Object.entries(v.roles)) {
      if (c !== undefined && !byCode.has(c))
        throw new FormDefinitionError(`${v.id}: role ${role} names ${c}, which the variant does not have`);
    }
    // Topological order of derived lines; a cycle is an error.
    const order: LineDef[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (l: LineDef, path: string[]) => {
      const s = state.get(l.code);
      if (s === 'done') return;
      if (s === 'visiting') throw new FormDefinitionError(`${v.id}: cycle ${[...path, l.code].join(' -> ')}`);
      state.set(l.code, 'visiting');
      for (const d of deps(l)) visit(byCode.get(d)!, [...path, l.code]);
      state.set(l.code, 'done');
      if (l.kind === 'derived') order.push(l);
    };
    for (const l of lines) visit(l, []);
    const variant: Variant = {
      id: v.id,
      statement: v.statement,
      description: v.description,
      codeOrder: v.codeOrder,
      titles: v.titles,
      lines,
      byCode,
      evaluationOrder: order,
      crossChecks: lines.filter((l) => l.equals !== undefined || l.parts !== undefined),
      roles: v.roles,
    };
    variantById.set(v.id, variant);
    st.variants.push(variant);
  }
  for (const key of STATEMENT_KEYS)
    if (statements[key].variants.length === 0) throw new FormDefinitionError(`statement ${key} has no variant`);

  const ranges = STATEMENT_KEYS.map((k) => [k, statements[k].codeRange] as const);
  return {
    form: set.form,
    statements,
    variants: [...variantById.values()],
    variantById,
    knownCodes,
    statementOfCode(c: string) {
      for (const [k, [lo, hi]] of ranges) if (c >= lo && c <= hi) return k;
      return undefined;
    },
  };
}

/**
 * The definitions segwatch ships, compiled (and checked: duplicates, missing items, cycles, roles,
 * code ranges) once when this module loads. Their zod shape check runs in the tests
 * (test/unit/forms.test.ts compiles FORM_SET with it), not in every cold start of a function.
 */
export const FORMS: FormSet = compileForms(FORM_SET, { shapeChecked: true });
