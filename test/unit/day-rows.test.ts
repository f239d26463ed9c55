/**
 * Day rows (shared/read/day-rows.ts): a row decodes to exactly the day it was made from (every
 * amount, null, absent field), and a row that is not exactly the format is refused. The store's
 * side (heads written with their rows, read back as written; heads written before rows) is in the
 * Store contract (test/support/store-contract.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dec } from '../../shared/domain/money';
import { DayRowError, decodeDayRow, encodeDayRow } from '../../shared/read/day-rows';
import type { DayRecord, StatementRecord } from '../../shared/read/model';

const amount = fc.oneof(
  fc.constant(null),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((n) => dec(n.toString())),
  fc
    .tuple(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.integer({ min: 1, max: 6 }))
    .map(([n, places]) => dec(n.toString()).div(10 ** places)),
);
const statement: fc.Arbitrary<StatementRecord> = fc
  .record({
    required: amount,
    funds: amount,
    excess: amount,
    target: amount,
    status: fc.constantFrom('ok', 'below-target', 'deficiency', 'error', 'unreconciled'),
    targetSource: fc.constantFrom('statement' as const, 'cover-page' as const, undefined),
    // An unreconciled statement's excess line as filed (null: unreadable or missing); absent otherwise.
    filedExcess: fc.option(amount, { nil: undefined }),
  })
  .map(({ targetSource, filedExcess, ...x }) => ({
    ...x,
    ...(targetSource ? { targetSource } : {}),
    ...(filedExcess !== undefined ? { filedExcess } : {}),
  }));
const day: fc.Arbitrary<DayRecord> = fc
  .record({
    firmName: fc.string({ maxLength: 40 }),
    effective: fc.string({ maxLength: 40 }),
    filingType: fc.constantFrom('INITIAL' as const, 'AMENDMENT' as const),
    submitDate: fc.date({ min: new Date('2012-01-01'), max: new Date('2027-12-31'), noInvalidDate: true }),
    status: fc.option(fc.constantFrom('ok', 'below-target', 'deficiency', 'error'), { nil: undefined }),
    versions: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
    late: fc.option(fc.boolean(), { nil: undefined }),
    segregation: fc.option(statement, { nil: undefined }),
    secured: fc.option(statement, { nil: undefined }),
    clearedSwaps: fc.option(statement, { nil: undefined }),
  })
  .map(({ segregation, secured, clearedSwaps, submitDate, versions, late, ...r }) => {
    const d: DayRecord = {
      firmId: 'f',
      endDate: '2014-11-06',
      ...r,
      submitDate: submitDate.toISOString().slice(0, 10),
      statements: {},
    };
    if (segregation) d.statements.segregation = segregation;
    if (secured) d.statements.secured = secured;
    if (clearedSwaps) d.statements.clearedSwaps = clearedSwaps;
    if (versions !== undefined) d.versions = versions;
    if (late !== undefined) d.late = late;
    return d;
  });

/** Amounts as their exact decimal strings, so toEqual compares them digit for digit. */
const exact = (v: unknown): unknown =>
  v && typeof v === 'object' && v.constructor?.name === 'Decimal'
    ? `D:${(v as { toFixed(): string }).toFixed()}`
    : Array.isArray(v)
      ? v.map(exact)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .filter(([, x]) => x !== undefined)
              .map(([k, x]) => [k, exact(x)]),
          )
        : v;

/** A day of one firm whose filing has a segregation statement only. */
const dayOf = (segregation: StatementRecord): DayRecord => ({
  firmId: 'f',
  firmName: 'F',
  endDate: '2014-11-06',
  effective: 'e',
  filingType: 'INITIAL',
  submitDate: '2014-11-07',
  statements: { segregation },
});

describe('day rows', () => {
  it('decode(encode(day)) is the day: every amount exact, nulls null, absent fields absent', () => {
    fc.assert(
      fc.property(day, (d) => {
        expect(exact(decodeDayRow(d.firmId, d.endDate, encodeDayRow(d)))).toEqual(exact(d));
      }),
      { numRuns: 500 },
    );
  });

  it("keeps an unreconciled statement's excess line as filed, a null one as null, and rows of six elements read as before", () => {
    const base = { required: dec('1000'), funds: dec('1750'), excess: dec('750'), target: null, status: 'error' };
    const back = (r: StatementRecord) =>
      decodeDayRow('f', '2014-11-06', encodeDayRow(dayOf(r))).statements.segregation!;
    expect(back({ ...base, filedExcess: null })).toHaveProperty('filedExcess', null);
    expect(back({ ...base, filedExcess: dec('800') }).filedExcess?.toFixed()).toBe('800');
    expect(back(base)).not.toHaveProperty('filedExcess');
    expect(JSON.parse(encodeDayRow(dayOf(base)))[8]).toHaveLength(6);
  });

  it('a row stays small: a day of three statements with 13-digit amounts is under 300 bytes', () => {
    const st = {
      required: dec('1234567890123'),
      funds: dec('1234567890124'),
      excess: dec('1'),
      target: dec('1'),
      status: 'ok',
    };
    const d: DayRecord = {
      firmId: 'f',
      firmName: 'Cobalt Securities LLC',
      endDate: '2024-01-02',
      effective: '0#2024-01-03#95e38a6640dc5cc4',
      filingType: 'INITIAL',
      submitDate: '2024-01-03',
      status: 'ok',
      versions: 1,
      late: false,
      statements: { segregation: { ...st, targetSource: 'statement' }, secured: st, clearedSwaps: st },
    };
    expect(Buffer.byteLength(encodeDayRow(d))).toBeLessThan(300);
  });

  it('refuses a row that is not exactly the format (never reads it as something else)', () => {
    const good = JSON.parse(
      encodeDayRow(dayOf({ required: dec('1'), funds: dec('2'), excess: dec('1'), target: null, status: 'ok' })),
    );
    const variants: unknown[] = [
      [2, ...good.slice(1)], // another format
      good.slice(0, -1), // a statement short
      [...good, null], // one too many
      good.map((x: unknown, i: number) => (i === 8 ? [1, '2', '1', null, 'ok', null] : x)), // an amount as a JSON number
      good.map((x: unknown, i: number) => (i === 8 ? ['1e3', '2', '1', null, 'ok', null] : x)), // an exponent
      good.map((x: unknown, i: number) => (i === 8 ? ['1,000', '2', '1', null, 'ok', null] : x)), // grouped
      good.map((x: unknown, i: number) => (i === 8 ? ['1', '2', '1', null, 'error', null, 1] : x)), // a filed excess as a JSON number
      good.map((x: unknown, i: number) => (i === 8 ? ['1', '2', '1', null, 'error', null, '1', null] : x)), // an eighth element
      good.map((x: unknown, i: number) => (i === 3 ? 'X' : x)), // a filing type
      good.map((x: unknown, i: number) => (i === 4 ? '11/7/2014' : x)), // a date
    ];
    for (const v of variants) expect(() => decodeDayRow('f', '2014-11-06', JSON.stringify(v))).toThrow(DayRowError);
    expect(() => decodeDayRow('f', '2014-11-06', '{not json')).toThrow(DayRowError);
  });
});
