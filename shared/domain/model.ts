/**
 * The parsed filing, inside (Decimal amounts) and at the boundary (decimal strings), with the zod
 * schemas that check the boundary shape.
 */
import { z } from 'zod';
import { dec, str, type Decimal } from './money';
import { STATEMENT_KEYS, type StatementKey } from './forms';

export type FilingType = 'INITIAL' | 'AMENDMENT';

export interface UncodedLine {
  /** The sub-line id from the form definition ("12A"), or its letter as found. */
  id: string;
  /** The code whose total it is part of ("8715"). */
  partOf: string;
  label: string;
  amount: Decimal;
}

export interface Statement {
  key: StatementKey;
  /** Title as printed ("Daily Segregation - Swaps Statement"), or the definition's name. */
  title: string;
  /** Id of the form variant the statement matched. */
  variant: string;
  /** Every bracketed code of this statement's range found in the file, keyed by the code as filed. */
  lines: Record<string, Decimal>;
  /** Labels as found before each amount (whitespace collapsed); used to tell 11B/11C/12 apart. */
  labels: Record<string, string>;
  uncoded: UncodedLine[];
  /** Codes filed twice with different amounts (the first is kept in `lines`). */
  conflicts: { code: string; amounts: Decimal[] }[];
}

export interface Filing {
  filingType: FilingType;
  /** ISO date, the business day computed. */
  endDate: string;
  /** ISO date the filing was submitted. */
  submitDate: string;
  firmName: string;
  firmId: string;
  form: string;
  statements: Partial<Record<StatementKey, Statement>>;
  /** Bracketed codes no statement definition knows (kept, and reported as info). */
  unknownCodes: { code: string; amount: Decimal }[];
}

// ---- boundary (JSON) shape ----------------------------------------------------------------

export const DecimalString = z.string().regex(/^-?\d+(?:\.\d+)?$/, 'a decimal string');

export const StatementJsonSchema = z.object({
  title: z.string(),
  variant: z.string(),
  lines: z.record(z.string().regex(/^\d{4}$/), DecimalString),
  uncoded: z.array(z.object({ id: z.string(), partOf: z.string(), label: z.string(), amount: DecimalString })),
  conflicts: z.array(z.object({ code: z.string(), amounts: z.array(DecimalString) })),
});

export const FilingJsonSchema = z.object({
  filingType: z.enum(['INITIAL', 'AMENDMENT']),
  endDate: z.iso.date(),
  submitDate: z.iso.date(),
  firmName: z.string().min(1),
  firmId: z.string().regex(/^[a-z0-9-]+$/),
  form: z.string(),
  statements: z.object({
    segregation: StatementJsonSchema.optional(),
    secured: StatementJsonSchema.optional(),
    clearedSwaps: StatementJsonSchema.optional(),
  }),
  unknownCodes: z.array(z.object({ code: z.string(), amount: DecimalString })),
});
export type FilingJson = z.infer<typeof FilingJsonSchema>;
export type StatementJson = z.infer<typeof StatementJsonSchema>;

function mapValues<A, B>(o: Record<string, A>, f: (a: A) => B): Record<string, B> {
  const out: Record<string, B> = {};
  for (const k of Object.keys(o)) out[k] = f(o[k]);
  return out;
}

export function filingToJson(f: Filing): FilingJson {
  const statements: FilingJson['statements'] = {};
  for (const key of STATEMENT_KEYS) {
    const s = f.statements[key];
    if (!s) continue;
    statements[key] = {
      title: s.title,
      variant: s.variant,
      lines: mapValues(s.lines, str),
      uncoded: s.uncoded.map((u) => ({ id: u.id, partOf: u.partOf, label: u.label, amount: str(u.amount) })),
      conflicts: s.conflicts.map((c) => ({ code: c.code, amounts: c.amounts.map(str) })),
    };
  }
  return {
    filingType: f.filingType,
    endDate: f.endDate,
    submitDate: f.submitDate,
    firmName: f.firmName,
    firmId: f.firmId,
    form: f.form,
    statements,
    unknownCodes: f.unknownCodes.map((u) => ({ code: u.code, amount: str(u.amount) })),
  };
}

/** Read a filing back from its JSON form (validated). */
export function filingFromJson(json: unknown): Filing {
  const j = FilingJsonSchema.parse(json);
  const statements: Filing['statements'] = {};
  for (const key of STATEMENT_KEYS) {
    const s = j.statements[key];
    if (!s) continue;
    statements[key] = {
      key,
      title: s.title,
      variant: s.variant,
      lines: mapValues(s.lines, dec),
      labels: {},
      uncoded: s.uncoded.map((u) => ({ ...u, amount: dec(u.amount) })),
      conflicts: s.conflicts.map((c) => ({ code: c.code, amounts: c.amounts.map(dec) })),
    };
  }
  return { ...j, statements, unknownCodes: j.unknownCodes.map((u) => ({ code: u.code, amount: dec(u.amount) })) };
}
