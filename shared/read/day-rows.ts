/**
 * Day rows: a firm's effective days kept a second time, compactly, for reading history fast.
 *
 * Every head write (Store.putHead) first writes the day's row into the firm's half-month bucket
 * item (`FIRM#<firmId>#ROWS` / `B#<YYYY-MM>#<1|2>`, one attribute `d<DD>` per day), so twelve
 * months of history is one Query of about 24 small items instead of about 250 heads (DynamoDB
 * bills and serves a query by items and bytes; shared/read/store-source.ts firmDays). A row holds
 * exactly what the read model reads of a head (shared/read/model.ts DayRecord), amounts as decimal
 * strings: decoding a row gives the same record as reading the head (test/unit/day-rows.test.ts).
 *
 * A row is a JSON array, versioned by its first element:
 *   [1, firmName, effective, "I"|"A", submitDate, status|null, versions|null, late 0|1|null,
 *    segregation, secured, clearedSwaps]
 * each statement null (not filed) or [required, funds, excess, target, status, targetSource]
 * (amounts decimal strings or null; targetSource "statement" | "cover-page" | null).
 * A row that is not exactly this is refused (DayRowError), never read as something else.
 *
 * The same row goes, second, into the day's board shard (`DAY#<endDate>#ROWS` / `S#<n>`, one
 * attribute `f:<firmId>` per firm, the firm's shard n = a hash of its id mod DAY_BOARD_SHARDS), so
 * the board of a day (every firm on it) is one Query of DAY_BOARD_SHARDS small items instead of one
 * head per firm. Shards keep each item, and so each write, small (a write is billed by the size of
 * the item it changes): 60 firms make about 8 rows, 2 KB, a shard.
 * Pure: no AWS imports.
 */
import * as z from '../zod';
import { dec, str, type Decimal } from '../domain/money';
import { STATEMENT_KEYS } from '../domain/forms';
import type { DayRecord, StatementRecord } from './model';

export const DAY_ROW_FORMAT = 1;

export class DayRowError extends Error {}

/** The bucket of a day: its month and half (days 1-15, 16-31): at most 11 filing days, about 3 KB. */
export function dayRowBucket(endDate: string): string {
  return `B#${endDate.slice(0, 7)}#${endDate.slice(8, 10) <= '15' ? 1 : 2}`;
}

/** Board shards per day (a firm's shard: dayBoardShard). Changing it moves every firm: data to rebuild. */
export const DAY_BOARD_SHARDS = 8;

/** A firm's shard of a day's board: FNV-1a of its id, mod DAY_BOARD_SHARDS. */
export function dayBoardShard(firmId: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < firmId.length; i++) {
    h ^= firmId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `S#${h % DAY_BOARD_SHARDS}`;
}

/** The attribute of a firm in its board shard. */
export function dayBoardAttribute(firmId: string): string {
  return `f:${firmId}`;
}

/** The days of one board shard item (its `f:<firmId>` attributes) on `endDate`, by firm id. */
export function daysOfShard(endDate: string, item: Record<string, unknown>): DayRecord[] {
  const out: DayRecord[] = [];
  for (const name of Object.keys(item)) {
    if (!name.startsWith('f:')) continue;
    const firmId = name.slice(2);
    const text = item[name];
    if (typeof text !== 'string') throw new DayRowError(`the board row of ${firmId} ${endDate} is not a string`);
    out.push(decodeDayRow(firmId, endDate, text));
  }
  return out;
}

/** The attribute of a day in its bucket. */
export function dayRowAttribute(endDate: string): string {
  return `d${endDate.slice(8, 10)}`;
}

const amount = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .nullable();
const statement = z
  .tuple([amount, amount, amount, amount, z.string(), z.enum(['statement', 'cover-page']).nullable()])
  .nullable();
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
    return x ? [s(x.required), s(x.funds), s(x.excess), s(x.target), x.status, x.targetSource ?? null] : null;
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

/**
 * The days of one bucket item (its `d<DD>` attributes, each a row string) between `from` and `to`
 * inclusive, oldest first. `month` is the bucket's `YYYY-MM`.
 */
export function daysOfBucket(
  firmId: string,
  month: string,
  item: Record<string, unknown>,
  from: string,
  to: string,
): DayRecord[] {
  const out: DayRecord[] = [];
  for (const name of Object.keys(item).sort()) {
    if (!/^d\d\d$/.test(name)) continue;
    const endDate = `${month}-${name.slice(1)}`;
    if (endDate < from || endDate > to) continue;
    const text = item[name];
    if (typeof text !== 'string') throw new DayRowError(`the day row of ${firmId} ${endDate} is not a string`);
    out.push(decodeDayRow(firmId, endDate, text));
  }
  return out;
}
