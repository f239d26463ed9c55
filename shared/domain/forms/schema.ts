/** The shape of a form definition, checked with zod when the definitions are loaded. */
import * as z from '../../zod';

export const STATEMENT_KEYS = ['segregation', 'secured', 'clearedSwaps'] as const;
export type StatementKey = (typeof STATEMENT_KEYS)[number];

const code = z.string().regex(/^\d{4}$/, 'a line code is four digits');
/** "7010" adds the item, "-7060" subtracts it. */
const item = z.string().regex(/^-?\d{4}$/, 'an item is a code, optionally with a leading "-"');

export const LineSchema = z
  .object({
    code,
    line: z.string(),
    label: z.string().min(1),
    sum: z.array(item).min(1).optional(),
    greaterOf: z.array(code).min(2).optional(),
    equals: code.optional(),
    parts: z
      .array(z.object({ id: z.string().min(1), label: z.string().min(1) }))
      .min(1)
      .optional(),
    optional: z.boolean().optional(),
  })
  .strict()
  .refine((l) => [l.sum, l.greaterOf].filter(Boolean).length <= 1, 'a line is either a sum or a greater-of, not both');

export const RolesSchema = z
  .object({ required: code, funds: code, excess: code, target: code.optional(), overTarget: code.optional() })
  .strict()
  .refine((r) => (r.target === undefined) === (r.overTarget === undefined), 'target and overTarget come together');

export const VariantSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    statement: z.enum(STATEMENT_KEYS),
    description: z.string().min(1),
    codeOrder: z.enum(['2013', '2014']).optional(),
    titles: z.array(z.string().min(1)).min(1),
    lines: z.array(LineSchema).min(1),
    roles: RolesSchema,
  })
  .strict();

export const StatementSchema = z
  .object({
    key: z.enum(STATEMENT_KEYS),
    name: z.string().min(1),
    shortName: z.string().min(1),
    codeRange: z.tuple([code, code]),
    rule: z.string().min(1),
  })
  .strict();

export const FormSetSchema = z
  .object({
    form: z.string().min(1),
    statements: z.array(StatementSchema).min(1),
    variants: z.array(VariantSchema).min(1),
  })
  .strict();

export type LineInput = z.input<typeof LineSchema>;
export type VariantInput = z.input<typeof VariantSchema>;
export type FormSetInput = z.input<typeof FormSetSchema>;
