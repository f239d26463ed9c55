/**
 * The parsed filing, inside (Decimal amounts) and at the boundary (decimal strings), with the zod
 * schemas that check the boundary shape.
 */
import * as z from '../zod';
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

/**
 * A statement's amounts by line code ("7010"), in ascending code order: a small sorted map over
 * two arrays. The parser hands its codes over already sorted and the reconciler reads them in one
 * merge walk against the form's lines; no hashing. (An object keyed by four-digit codes has V8
 * dictionary elements, slow to fill and read; a Map hashes on every operation. The benchmark's
 * profile showed both.)
 */
export class Lines implements Iterable<[string, Decimal]> {
  private readonly codes: string[];
  private readonly amounts: Decimal[];

  /** `codes` must be ascending and distinct, `amounts` the same length (the parser's fast path); otherwise use Lines.from. */
  constructor(codes: string[] = [], amounts: Decimal[] = []) {
    this.codes = codes;
    this.amounts = amounts;
  }

  static from(entries: Iterable<readonly [string, Decimal]>): Lines {
    const out = new Lines();
    for (const [code, amount] of entries) out.set(code, amount);
    return out;
  }

  get size(): number {
    return this.codes.length;
  }

  /** Index of `code`, or -(insertion point) - 1. */
  private find(code: string): number {
    const c = this.codes;
    let lo = 0;
    let hi = c.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = c[mid];
      if (m < code) lo = mid + 1;
      else if (m > code) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  get(code: string): Decimal | undefined {
    const i = this.find(code);
    return i >= 0 ? this.amounts[i] : undefined;
  }

  has(code: string): boolean {
    return this.find(code) >= 0;
  }

  set(code: string, amount: Decimal): this {
    const i = this.find(code);
    if (i >= 0) this.amounts[i] = amount;
    else {
      this.codes.splice(-i - 1, 0, code);
      this.amounts.splice(-i - 1, 0, amount);
    }
    return this;
  }

  delete(code: string): boolean {
    const i = this.find(code);
    if (i < 0) return false;
    this.codes.splice(i, 1);
    this.amounts.splice(i, 1);
    return true;
  }

  /** The i-th code and amount in code order (0 <= i < size). */
  codeAt(i: number): string {
    return this.codes[i];
  }
  amountAt(i: number): Decimal {
    return this.amounts[i];
  }

  *keys(): IterableIterator<string> {
    yield* this.codes;
  }
  *values(): IterableIterator<Decimal> {
    yield* this.amounts;
  }
  *entries(): IterableIterator<[string, Decimal]> {
    for (let i = 0; i < this.codes.length; i++) yield [this.codes[i], this.amounts[i]];
  }
  [Symbol.iterator](): IterableIterator<[string, Decimal]> {
    return this.entries();
  }
}

export interface Statement {
  key: StatementKey;
  /** Title as printed ("Daily Segregation - Swaps Statement"), or the definition's name. */
  title: string;
  /** Id of the form variant the statement matched. */
  variant: string;
  /** Every bracketed code of this statement's range found in the file, by the code as filed, in code order. */
  lines: Lines;
  /** Labels as found before each amount (whitespace collapsed); used to tell 11B/11C/12 apart. */
  labels: Map<string, string>;
  uncoded: UncodedLine[];
  /** Codes filed twice with different amounts (the first is kept in `lines`). */
  conflicts: { code: string; amounts: Decimal[] }[];
  /**
   * Amounts filed as a token that is not one well-formed number (`5 812,672,420`), read as the
   * only candidate with which every identity of the line holds: the token as filed and the
   * amount taken (also in `lines`). Absent when there are none.
   */
  readings?: AmountReading[];
  /**
   * Tokens that are not one well-formed number and that no reading settled (`-3*309,125`): the
   * token as filed, for the finding that says the line is unreadable (SW103). Absent when none.
   */
  unsettled?: { code: string; filed: string }[];
  /**
   * Codes whose amount is no number at all (`n/a`, `2.56E+09`, `2,563,559,677 CR`): what was filed
   * before the code ('' when nothing was), for the finding that says the line is unreadable (SW103).
   * Absent when none.
   */
  unread?: { code: string; filed: string }[];
  /**
   * Uncoded sub-lines (12A-12C) that are there, their letter and label, but whose amount cannot be
   * read (`n/a`, `5 00`): what stands where the amount should be, for the finding that says so
   * (SW114). Absent when none.
   */
  unreadParts?: UnreadPart[];
}

/** An uncoded sub-line that is there (its letter and label) but whose amount cannot be read: what stands where it should be. */
export interface UnreadPart {
  id: string;
  partOf: string;
  filed: string;
}

export interface AmountReading {
  code: string;
  /** The token as filed. */
  filed: string;
  amount: Decimal;
}

/** The residual interest target types of the Cover Page (a-d), in its order. */
export const COVER_TARGET_TYPES = ['minimum-dollar', 'minimum-percent', 'dollar-range', 'percent-range'] as const;
export type CoverTargetType = (typeof COVER_TARGET_TYPES)[number];

/**
 * One account class's residual interest target on the Cover Page: the choice made (a-d), its
 * values as filed (dollars, or percentages of the statement's requirement; null where a value
 * cannot be read), and the target in dollars it sets: (a) the amount, (b) the percentage of the
 * requirement, (c) the lower bound, (d) the lower percentage of the requirement. Exact: a
 * percentage gives cents (or less) as they fall. Null when it cannot be worked out (a value that
 * cannot be read, no requirement line, more than one choice filled).
 */
export interface CoverTarget {
  type: CoverTargetType;
  values: (Decimal | null)[];
  effectiveTarget: Decimal | null;
}
export type CoverPage = Partial<Record<StatementKey, CoverTarget>>;

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
  /** The Cover Page's residual interest targets, when the filing has a cover page (absent otherwise). */
  coverPage?: CoverPage;
}

// ---- boundary (JSON) shape ----------------------------------------------------------------

export const DecimalString = z.string().regex(/^-?\d+(?:\.\d+)?$/, 'a decimal string');

export const StatementJsonSchema = z.object({
  title: z.string(),
  variant: z.string(),
  lines: z.record(z.string().regex(/^\d{4}$/), DecimalString),
  uncoded: z.array(z.object({ id: z.string(), partOf: z.string(), label: z.string(), amount: DecimalString })),
  conflicts: z.array(z.object({ code: z.string(), amounts: z.array(DecimalString) })),
  readings: z
    .array(z.object({ code: z.string().regex(/^\d{4}$/), filed: z.string(), amount: DecimalString }))
    .optional(),
  unsettled: z.array(z.object({ code: z.string().regex(/^\d{4}$/), filed: z.string() })).optional(),
  unread: z.array(z.object({ code: z.string().regex(/^\d{4}$/), filed: z.string() })).optional(),
  unreadParts: z.array(z.object({ id: z.string(), partOf: z.string().regex(/^\d{4}$/), filed: z.string() })).optional(),
});

export const CoverTargetJsonSchema = z.object({
  type: z.enum(COVER_TARGET_TYPES),
  values: z.array(DecimalString.nullable()),
  effectiveTarget: DecimalString.nullable(),
});
export const CoverPageJsonSchema = z.object({
  segregation: CoverTargetJsonSchema.optional(),
  secured: CoverTargetJsonSchema.optional(),
  clearedSwaps: CoverTargetJsonSchema.optional(),
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
  coverPage: CoverPageJsonSchema.optional(),
});
export type FilingJson = z.infer<typeof FilingJsonSchema>;
export type StatementJson = z.infer<typeof StatementJsonSchema>;

/** A statement's lines as an object, code -> `amount(d)` (JSON and DynamoDB order such keys ascending). */
export function linesTo<T>(lines: Lines, amount: (d: Decimal) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [code, d] of lines) out[code] = amount(d);
  return out;
}

/** A statement's lines as a JSON object (code -> decimal string). */
export function linesToJson(lines: Lines): Record<string, string> {
  return linesTo(lines, str);
}

/** A statement's lines from their JSON object, in ascending code order. */
export function linesFromJson(lines: Record<string, string>): Lines {
  const codes = Object.keys(lines).sort();
  return new Lines(
    codes,
    codes.map((code) => dec(lines[code])),
  );
}

/** The statements of the boundary shape, each amount written by `amount`. */
type StatementsOut<T> = Partial<
  Record<
    StatementKey,
    {
      title: string;
      variant: string;
      lines: Record<string, T>;
      uncoded: { id: string; partOf: string; label: string; amount: T }[];
      conflicts: { code: string; amounts: T[] }[];
      readings?: { code: string; filed: string; amount: T }[];
      unsettled?: { code: string; filed: string }[];
      unread?: { code: string; filed: string }[];
      unreadParts?: UnreadPart[];
    }
  >
>;
type CoverPageOut<T> = Partial<
  Record<StatementKey, { type: CoverTargetType; values: (T | null)[]; effectiveTarget: T | null }>
>;

/**
 * The parts of a filing that hold amounts (statements, unknown codes, the cover page), each
 * amount written by `amount`: decimal strings for JSON (filingToJson), DynamoDB numbers for the
 * table (the store). `readings`, `unsettled`, `unread`, `unreadParts` and `coverPage` appear only when there are
 * any, so a filing without them has the shape (and content hash) it always had. `readings` (how a
 * token that was not one number was read), `unsettled` (such a token no reading settled) and
 * `unread` (what stood where an amount is no number at all) are kept with the stored version, for
 * its findings, but are not part of the filing's JSON: the same filing in a rendering that needed
 * one (a PDF transcription's stray space) is the same filing, with the same content hash.
 */
export function filingAmounts<T>(
  f: Filing,
  amount: (d: Decimal) => T,
  options: { readings?: boolean } = {},
): { statements: StatementsOut<T>; unknownCodes: { code: string; amount: T }[]; coverPage?: CoverPageOut<T> } {
  const withReadings = options.readings ?? true;
  const statements: StatementsOut<T> = {};
  for (const key of STATEMENT_KEYS) {
    const s = f.statements[key];
    if (!s) continue;
    statements[key] = {
      title: s.title,
      variant: s.variant,
      lines: linesTo(s.lines, amount),
      uncoded: s.uncoded.map((u) => ({ id: u.id, partOf: u.partOf, label: u.label, amount: amount(u.amount) })),
      conflicts: s.conflicts.map((c) => ({ code: c.code, amounts: c.amounts.map(amount) })),
    };
    if (withReadings && s.readings?.length)
      statements[key].readings = s.readings.map((r) => ({ code: r.code, filed: r.filed, amount: amount(r.amount) }));
    if (withReadings && s.unsettled?.length)
      statements[key].unsettled = s.unsettled.map((u) => ({ code: u.code, filed: u.filed }));
    if (withReadings && s.unread?.length)
      statements[key].unread = s.unread.map((u) => ({ code: u.code, filed: u.filed }));
    if (withReadings && s.unreadParts?.length)
      statements[key].unreadParts = s.unreadParts.map((u) => ({ id: u.id, partOf: u.partOf, filed: u.filed }));
  }
  const out: {
    statements: StatementsOut<T>;
    unknownCodes: { code: string; amount: T }[];
    coverPage?: CoverPageOut<T>;
  } = {
    statements,
    unknownCodes: f.unknownCodes.map((u) => ({ code: u.code, amount: amount(u.amount) })),
  };
  if (f.coverPage) {
    const cover: CoverPageOut<T> = {};
    for (const key of STATEMENT_KEYS) {
      const t = f.coverPage[key];
      if (t)
        cover[key] = {
          type: t.type,
          values: t.values.map((v) => (v === null ? null : amount(v))),
          effectiveTarget: t.effectiveTarget === null ? null : amount(t.effectiveTarget),
        };
    }
    out.coverPage = cover;
  }
  return out;
}

export function filingToJson(f: Filing): FilingJson {
  return {
    filingType: f.filingType,
    endDate: f.endDate,
    submitDate: f.submitDate,
    firmName: f.firmName,
    firmId: f.firmId,
    form: f.form,
    ...filingAmounts(f, str, { readings: false }),
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
      lines: linesFromJson(s.lines),
      labels: new Map(),
      uncoded: s.uncoded.map((u) => ({ ...u, amount: dec(u.amount) })),
      conflicts: s.conflicts.map((c) => ({ code: c.code, amounts: c.amounts.map(dec) })),
    };
    if (s.readings?.length)
      statements[key].readings = s.readings.map((r) => ({ code: r.code, filed: r.filed, amount: dec(r.amount) }));
    if (s.unsettled?.length) statements[key].unsettled = s.unsettled.map((u) => ({ code: u.code, filed: u.filed }));
    if (s.unread?.length) statements[key].unread = s.unread.map((u) => ({ code: u.code, filed: u.filed }));
    if (s.unreadParts?.length)
      statements[key].unreadParts = s.unreadParts.map((u) => ({ id: u.id, partOf: u.partOf, filed: u.filed }));
  }
  const { coverPage: coverJson, ...rest } = j;
  const filing: Filing = {
    ...rest,
    statements,
    unknownCodes: j.unknownCodes.map((u) => ({ code: u.code, amount: dec(u.amount) })),
  };
  if (coverJson) {
    const cover: CoverPage = {};
    for (const key of STATEMENT_KEYS) {
      const t = coverJson[key];
      if (t)
        cover[key] = {
          type: t.type,
          values: t.values.map((v) => (v === null ? null : dec(v))),
          effectiveTarget: t.effectiveTarget === null ? null : dec(t.effectiveTarget),
        };
    }
    filing.coverPage = cover;
  }
  return filing;
}
