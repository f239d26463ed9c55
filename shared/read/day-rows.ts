/**
 * Day rows: what the read model reads of a firm's effective day (shared/read/model.ts DayRecord),
 * compactly, as the head item holds its statements (Store.putHead writes the `row` attribute).
 *
 * A Query of a year of one firm reads about 250 heads; DynamoDB serves (and bills) it by items and
 * bytes, and a head whose statements were a map of maps took about 40 ms of DynamoDB Local's time
 * per 250 (every attribute parsed and projected): a row is one short string per head instead.
 * Decoding a row gives exactly the record it was made from (test/unit/day-rows.test.ts).
 *
 * A row is a JSON array, versioned by its first element:
 *   [1, firmName, effective, "I"|"A", submitDate, status|null, versions|null, late 0|1|null,
 *    segregation, secured, clearedSwaps]
 * each statement null (not filed) or [required, funds, excess, target, status, targetSource] and,
 * on a statement that does not reconcile, a seventh element: its excess line as filed (null when
 * unreadable or missing; model.ts StatementRecord.filedExcess). Amounts are decimal strings or
 * null; targetSource "statement" | "cover-page" | null. Rows written before the seventh element
 * have six.
 * A row that is not exactly this is refused (DayRowError), never read as something else.
 * Pure: no AWS imports.
 */
import * as z from '../zod';
import { dec, str, type Decimal } from '../domain/money';
import { STATEMENT_KEYS } from '../domain/forms';
import type { DayRecord, StatementRecord } from './model';

export const DAY_ROW_FORMAT = 1;

export class DayRowError extends Error {}

const amount = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .nullable();
const figures = [amount, amount, amount, amount, z.string(), z.enum(['statement', 'cover-page']).nullable()] as const;
const statement = z.union([z.tuple([...figures]), z.tuple([...figures, amount])]).nullable();
const row = z.tuple([
  z.literal(DAY_ROW_FORMAT),
  z.string(),
  z.string(),
  z.enum(['I', 'A']),
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  z.string().nullable(),
  z.number().int().min(0).nullable(),
  z.union([z.literal(0), z.literal(1)]).nullable(),
  statement,
  statement,
  statement,
]);

const s = (d: Decimal | null) => (d === null ? null : str(d));
const d = (x: string | null) => (x === null ? null : dec(x));

/** The row of a day (its firm id and end date are the row's place, not in it). */
export function encodeDayRow(day: DayRecord): string {
  const statements = STATEMENT_KEYS.map((k) => {
    const x = day.statements[k];
    if (!x) return null;
    const figures = [s(x.required), s(x.funds), s(x.excess), s(x.target), x.status, x.targetSource ?? null];
    return x.filedExcess === undefined ? figures : [...figures, s(x.filedExcess)];
  });
  return JSON.stringify([
    DAY_ROW_FORMAT,
    day.firmName,
    day.effective,
    day.filingType === 'AMENDMENT' ? 'A' : 'I',
    day.submitDate,
    day.status ?? null,
    day.versions ?? null,
    day.late === undefined ? null : day.late ? 1 : 0,
    ...statements,
  ]);
}

/** The day a row holds; a row that is not well formed is a DayRowError. */
export function decodeDayRow(firmId: string, endDate: string, text: string): DayRecord {
  let parsed: z.infer<typeof row>;
  try {
    parsed = row.parse(JSON.parse(text));
  } catch {
    throw new DayRowError(`the day row of ${firmId} ${endDate} is not well formed: ${text.slice(0, 80)}`);
  }
  const [, firmName, effective, type, submitDate, status, versions, late, ...stms] = parsed;
  const statements: DayRecord['statements'] = {};
  STATEMENT_KEYS.forEach((k, i) => {
    const x = stms[i];
    if (!x) return;
    const rec: StatementRecord = { required: d(x[0]), funds: d(x[1]), excess: d(x[2]), target: d(x[3]), status: x[4] };
    if (x[5] !== null) rec.targetSource = x[5];
    if (x.length === 7) rec.filedExcess = d(x[6]);
    statements[k] = rec;
  });
  const day: DayRecord = {
    firmId,
    firmName,
    endDate,
    effective,
    filingType: type === 'A' ? 'AMENDMENT' : 'INITIAL',
    submitDate,
    status: status ?? undefined,
    statements,
  };
  if (versions !== null) day.versions = versions;
  if (late !== null) day.late = late === 1;
  return day;
}
