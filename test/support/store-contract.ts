/**
 * The Store contract: one suite of cases, run on the in-memory fake (test/support/mock-dynamodb.ts,
 * test/unit/store-contract.fake.test.ts) and on DynamoDB Local (test/integration/store-contract.test.ts).
 * Each case writes through the real Store (shared/adapters/store.ts), or through the raw document
 * client where it checks the engine itself (numbers, sizes, conditions, paging, validation), and
 * asserts what a caller observes: returned values, and the name of the error thrown. The fake is
 * trusted by the handler, fault and property tests; wherever it answered otherwise than the real
 * engine, the fake was fixed (see its header).
 * Every case uses keys of its own (its own firm id), so the cases share one table per file.
 */
import { readFileSync } from 'node:fs';
import {
  BatchGetCommand,
  GetCommand,
  NumberValue,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dayFromItem, StoreSource } from '../../shared/read/store-source';
import {
  ItemTooLargeError,
  keys,
  type Store,
  type HeadItem,
  type ObjectRecord,
  type ResultItem,
  type VersionItem,
} from '../../shared/adapters/store';
import { DYNAMODB_ITEM_LIMIT } from '../../shared/adapters/item-size';
import { alertId, rejectedAlert, type AlertRecord } from '../../shared/domain/alerts';
import { dec, Decimal, str } from '../../shared/domain/money';
import { filingToJson } from '../../shared/domain/model';
import { parseFilingText } from '../../shared/domain/parser';
import { MAX_STORED_FINDINGS } from '../../shared/domain/limits';
import { RESERVED_WORDS } from './dynamodb-reserved';
import type { Finding } from '../../shared/domain/reconcile';

export interface ContractTarget {
  store: Store;
  /** The document client the store uses (raw requests). */
  doc: DynamoDBDocumentClient;
  table: string;
}

const FILING = parseFilingText(readFileSync('test/fixtures/citigroup-2014-11-06-initial.txt', 'utf8')).filing;
const AMENDMENT = parseFilingText(
  readFileSync('test/fixtures/citigroup-2014-11-06-initial.txt', 'utf8')
    .replaceAll('**INITIAL**', '**AMENDMENT**')
    .replaceAll('Submit Date:11/7/2014', 'Submit Date:11/10/2014'),
).filing;
const AT = '2014-11-07T10:00:00.000Z';
const DAY = '2014-11-06';

/** Error name of a rejected promise ('' when it resolves). */
async function errorName(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return '';
  } catch (e) {
    return (e as Error).name;
  }
}

const nv = (v: unknown) => (v instanceof NumberValue ? `N:${v.value}` : v);
const isDecimal = (v: unknown): v is { toFixed(): string } =>
  !!v && typeof v === 'object' && v.constructor?.name === 'Decimal';
/** A native item with NumberValue shown as `N:<digits>`, comparable with toEqual. */
function plain(v: unknown): unknown {
  if (v instanceof NumberValue) return nv(v);
  if (isDecimal(v)) return `D:${v.toFixed()}`;
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function version(
  firmId: string,
  versionKey: string,
  over: Partial<Omit<VersionItem, 'state' | 'superseded'>> = {},
): Omit<VersionItem, 'state' | 'superseded'> {
  const f = over.filingType === 'AMENDMENT' ? AMENDMENT : FILING;
  return {
    firmId,
    firmName: 'Contract Clearing LLC',
    endDate: DAY,
    submitDate: f.submitDate,
    filingType: f.filingType,
    versionKey,
    contentHash: `h-${versionKey}`,
    source: { bucket: 'filings', key: `incoming/${firmId}-${versionKey}.txt`, objectId: `e-${versionKey}` },
    receivedAt: AT,
    arrivedAt: AT,
    filing: { ...f, firmId, firmName: 'Contract Clearing LLC' },
    unreadable: [],
    ...over,
  };
}

function head(firmId: string, endDate: string, over: Partial<HeadItem> = {}): HeadItem {
  return {
    firmId,
    firmName: 'Contract Clearing LLC',
    endDate,
    effective: `0#${endDate}#abc`,
    filingType: 'INITIAL',
    submitDate: endDate,
    status: 'ok',
    statements: {
      segregation: {
        required: dec('1234567890123.45'),
        funds: dec('1234567890124.46'),
        excess: dec('1.01'),
        target: dec('0.50'),
        targetSource: 'statement',
        status: 'ok',
      },
      clearedSwaps: {
        required: dec('0'),
        funds: dec('-0.01'),
        excess: dec('-0.01'),
        target: null,
        targetSource: null,
        status: 'deficiency',
      },
    },
    versions: 1,
    late: false,
    basis: 'b'.repeat(16),
    prevBasis: {},
    updatedAt: AT,
    ...over,
  };
}

function alert(firmId: string, n: number, over: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id: alertId('contract', firmId, String(n)),
    kind: 'deficiency',
    severity: 'critical',
    firmId,
    firmName: 'Contract Clearing LLC',
    endDate: DAY,
    submitDate: '2014-11-07',
    filingType: 'INITIAL',
    versionKey: '0#2014-11-07#abc',
    statement: 'clearedSwaps',
    excess: dec('-62191464.07'),
    target: dec('99999999999999999999999999999999.99'),
    targetSource: 'statement',
    shortfall: dec('62191464.07'),
    previousExcess: null,
    previousDate: null,
    detail: 'short',
    source: { bucket: 'filings', key: `incoming/${firmId}.txt` },
    channel: 'shortfall:clearedSwaps',
    seq: n,
    resolves: null,
    ...over,
  };
}

export function storeContract(name: string, setup: () => Promise<ContractTarget>): void {
  describe(`Store contract on ${name}`, () => {
    let store: Store;
    let doc: DynamoDBDocumentClient;
    let table: string;
    beforeAll(async () => {
      ({ store, doc, table } = await setup());
    });
    const rawGet = async (pk: string, sk: string) =>
      (await doc.send(new GetCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true }))).Item;
    const rawPut = (Item: Record<string, unknown>, ConditionExpression?: string) =>
      doc.send(new PutCommand({ TableName: table, Item, ConditionExpression }));

    // ---- object records ------------------------------------------------------------------------

    it('object records: put once (a second put of the same object is refused), read back exactly, listed in sk order', async () => {
      const base = { bucket: 'filings', key: 'incoming/obj contract+1.txt', receivedAt: AT } as const;
      const stored: ObjectRecord = {
        ...base,
        objectId: 'etag-b',
        status: 'stored',
        size: 123456789,
        arrivedAt: AT,
        firmId: 'obj-firm',
        endDate: DAY,
        versionKey: '0#x#y',
        duplicate: false,
      };
      const rejected: ObjectRecord = {
        ...base,
        objectId: 'etag-a',
        status: 'rejected',
        size: 0,
        reasonCode: 'not-a-filing',
        reason: 'x'.repeat(2500),
        alertId: 'a1',
      };
      expect(await store.putObjectRecord(stored)).toBe(true);
      expect(await store.putObjectRecord({ ...stored, size: 1 })).toBe(false);
      expect(await store.putObjectRecord(rejected)).toBe(true);
      expect(await store.getObjectRecord(base.bucket, base.key, 'etag-b')).toEqual(stored);
      // The reason is cut to 2000 characters; optional attributes never set stay absent.
      expect(await store.getObjectRecord(base.bucket, base.key, 'etag-a')).toEqual({
        ...rejected,
        reason: 'x'.repeat(2000),
      });
      expect(await store.getObjectRecord(base.bucket, base.key, 'etag-none')).toBeUndefined();
      expect((await store.listObjectRecords(base.bucket, base.key)).map((r) => r.objectId)).toEqual([
        'etag-a',
        'etag-b',
      ]);
      expect(await store.listObjectRecords(base.bucket, 'incoming/none.txt')).toEqual([]);
    });

    // ---- versions ------------------------------------------------------------------------------

    it('versions: put once (a second claim of the same version is refused), every amount read back exactly', async () => {
      const v = version('ver-firm', '0#2014-11-07#aaa');
      expect(await store.putVersion(v)).toBe(true);
      expect(await store.putVersion({ ...v, receivedAt: '2099-01-01T00:00:00.000Z' })).toBe(false);
      const got = await store.getVersion('ver-firm', DAY, '0#2014-11-07#aaa');
      expect(got).toBeDefined();
      expect(filingToJson(got!.filing)).toEqual(filingToJson(v.filing));
      const { filing: _f, ...meta } = got!;
      const { filing: _g, ...want } = v;
      expect(meta).toEqual({ ...want, state: 'pending', superseded: false });
      expect(await store.getVersion('ver-firm', DAY, '9#none')).toBeUndefined();
      // unreadable: absent when empty, a list when not.
      expect(await store.putVersion(version('ver-firm', '0#2014-11-07#bbb', { unreadable: ['7010', '8500'] }))).toBe(
        true,
      );
      expect((await store.getVersion('ver-firm', DAY, '0#2014-11-07#bbb'))!.unreadable).toEqual(['7010', '8500']);
      expect(
        (await rawGet(keys.firmDay('ver-firm', DAY), keys.version('0#2014-11-07#aaa')))!.unreadable,
      ).toBeUndefined();
      // notes (how the file was read): absent when none, read back as written when there are.
      const notes = [
        { rule: 'file-encoding' as const, message: 'read as Windows-1252' },
        { rule: 'firm-name-page-break' as const, message: 'the Firm Name "Smith & Co" is the last line of its page' },
      ];
      expect(await store.putVersion(version('ver-firm', '0#2014-11-07#ccc', { notes }))).toBe(true);
      expect((await store.getVersion('ver-firm', DAY, '0#2014-11-07#ccc'))!.notes).toEqual(notes);
      expect((await store.getVersion('ver-firm', DAY, '0#2014-11-07#aaa'))!.notes).toBeUndefined();
    });

    it('versions: listed in effective order; meta, keys; lowerArrival only to an earlier time; superseded / effective marks once each', async () => {
      const f = 'order-firm';
      const initial = version(f, '0#2014-11-07#aaa');
      const amendment = version(f, '1#2014-11-10#bbb', { filingType: 'AMENDMENT', submitDate: '2014-11-10' });
      expect(await store.putVersion(amendment)).toBe(true);
      expect(await store.putVersion(initial)).toBe(true);
      expect((await store.listVersions(f, DAY)).map((x) => x.versionKey)).toEqual([
        '0#2014-11-07#aaa',
        '1#2014-11-10#bbb',
      ]);
      expect(await store.listVersionKeys(f, DAY)).toEqual(['0#2014-11-07#aaa', '1#2014-11-10#bbb']);
      expect(await store.listVersionMeta(f, DAY)).toEqual([
        {
          versionKey: '0#2014-11-07#aaa',
          filingType: 'INITIAL',
          submitDate: '2014-11-07',
          arrivedAt: AT,
          firmName: 'Contract Clearing LLC',
          source: initial.source,
          state: 'pending',
          superseded: false,
        },
        {
          versionKey: '1#2014-11-10#bbb',
          filingType: 'AMENDMENT',
          submitDate: '2014-11-10',
          arrivedAt: AT,
          firmName: 'Contract Clearing LLC',
          source: amendment.source,
          state: 'pending',
          superseded: false,
        },
      ]);
      const earlier = '2014-11-07T09:00:00.000Z';
      const src = { bucket: 'filings', key: 'incoming/first.txt', objectId: 'e0' };
      expect(await store.lowerArrival(f, DAY, '0#2014-11-07#aaa', '2014-11-07T11:00:00.000Z', src)).toBe(false);
      expect(await store.lowerArrival(f, DAY, '0#2014-11-07#aaa', AT, src)).toBe(false);
      expect(await store.lowerArrival(f, DAY, '0#2014-11-07#aaa', earlier, src)).toBe(true);
      expect(await store.lowerArrival(f, DAY, '9#none', earlier, src)).toBe(false);
      const lowered = await store.getVersion(f, DAY, '0#2014-11-07#aaa');
      expect([lowered!.arrivedAt, lowered!.source, lowered!.state]).toEqual([earlier, src, 'pending']);

      expect(await store.markEffective(f, DAY, '0#2014-11-07#aaa')).toBe(false); // not superseded
      expect(await store.markSuperseded(f, DAY, '0#2014-11-07#aaa', '1#2014-11-10#bbb')).toBe(true);
      expect(await store.markSuperseded(f, DAY, '0#2014-11-07#aaa', '1#2014-11-10#bbb')).toBe(false);
      expect(await store.markSuperseded(f, DAY, '0#2014-11-07#aaa', '2#other')).toBe(true);
      expect(await store.markSuperseded(f, DAY, '9#none', '1#2014-11-10#bbb')).toBe(false);
      const sup = await store.getVersion(f, DAY, '0#2014-11-07#aaa');
      expect([sup!.superseded, sup!.supersededBy, sup!.state]).toEqual([true, '2#other', 'done']);
      expect(await store.markEffective(f, DAY, '0#2014-11-07#aaa')).toBe(true);
      expect(await store.markEffective(f, DAY, '0#2014-11-07#aaa')).toBe(false);
      expect(await store.markEffective(f, DAY, '9#none')).toBe(false);
      const eff = await store.getVersion(f, DAY, '0#2014-11-07#aaa');
      expect([eff!.superseded, 'supersededBy' in eff!, eff!.state]).toEqual([false, false, 'done']);
    });

    it('versions: an item over 400 KB is refused by the store before it is sent (ItemTooLargeError), nothing written', async () => {
      const v = version('big-firm', '0#2014-11-07#big', {
        unreadable: Array.from({ length: 50_000 }, (_, i) => `code-${i}`),
      });
      expect(store.versionItemSize(v)).toBeGreaterThan(DYNAMODB_ITEM_LIMIT);
      await expect(store.putVersion(v)).rejects.toBeInstanceOf(ItemTooLargeError);
      expect(await store.getVersion('big-firm', DAY, '0#2014-11-07#big')).toBeUndefined();
    });

    // ---- results -------------------------------------------------------------------------------

    it('results: put once, statements (large values, cents, negatives, nulls), findings and counts read back exactly', async () => {
      const r: ResultItem = {
        firmId: 'res-firm',
        endDate: DAY,
        versionKey: '0#2014-11-07#aaa',
        statements: {
          segregation: {
            required: dec('12345678901234567890123456.78'),
            funds: dec('12345678901234567890123457.79'),
            excess: dec('1.01'),
            target: dec('0.1'),
            targetSource: 'cover-page',
            status: 'ok',
            title: 'Segregation Statement',
            variant: 'segregation-2014-target',
          },
          clearedSwaps: {
            required: dec('100'),
            funds: dec('99.99'),
            excess: dec('-0.01'),
            target: null,
            targetSource: null,
            status: 'unreconciled',
            title: 'Cleared Swaps',
            variant: 'cleared-swaps',
            filedExcess: dec('-0.01'),
            computedExcess: null,
            failingLines: ['8720'],
          },
        },
        findings: [
          {
            ruleId: 'SW110',
            severity: 'error',
            statement: 'clearedSwaps',
            line: '8720',
            label: 'Total',
            expected: '99.99',
            actual: '100.00',
            message: 'sum',
          },
        ],
        findingsOmitted: 0,
        errorCount: 1,
        late: true,
        reconciledAt: AT,
      };
      expect(await store.putResult(r)).toBe(true);
      expect(await store.putResult({ ...r, errorCount: 7 })).toBe(false);
      const got = await store.getResult('res-firm', DAY, '0#2014-11-07#aaa');
      expect(plain(got)).toEqual(plain(r));
      for (const k of ['segregation', 'clearedSwaps'] as const)
        expect(str(got!.statements[k]!.required!)).toBe(str(r.statements[k]!.required!));
      expect(await store.getResult('res-firm', DAY, '9#none')).toBeUndefined();
    });

    it('results: too many or too large findings are fitted under the limit, and the real item is accepted', async () => {
      const finding = (i: number): Finding => ({
        ruleId: 'SW140',
        severity: 'info',
        statement: null,
        line: String(i),
        label: 'é'.repeat(400),
        expected: null,
        actual: null,
        message: 'm'.repeat(400),
      });
      const r: ResultItem = {
        firmId: 'fit-firm',
        endDate: DAY,
        versionKey: '0#a',
        statements: {},
        findings: Array.from({ length: MAX_STORED_FINDINGS + 500 }, (_, i) => finding(i)),
        findingsOmitted: 3,
        errorCount: 0,
        late: false,
        reconciledAt: AT,
      };
      const fitted = store.fitResult(r);
      expect(fitted.findings.length).toBeLessThan(r.findings.length);
      expect(fitted.findings.length + fitted.findingsOmitted).toBe(r.findings.length + 3);
      expect(await store.putResult(r)).toBe(true);
      const got = await store.getResult('fit-firm', DAY, '0#a');
      expect([got!.findings.length, got!.findingsOmitted]).toEqual([fitted.findings.length, fitted.findingsOmitted]);
    });

    // ---- heads ---------------------------------------------------------------------------------

    it('heads: putHead / getHead round trip (amounts exact, empty prevBasis map), overwritten by the next putHead', async () => {
      const h = head('head-firm', DAY);
      await store.putHead(h);
      expect(plain(await store.getHead('head-firm', DAY))).toEqual(
        plain({
          ...h,
          statements: {
            segregation: { ...h.statements.segregation, title: '', variant: '' },
            clearedSwaps: { ...h.statements.clearedSwaps, title: '', variant: '' },
          },
        }),
      );
      await store.putHead({
        ...h,
        status: 'deficiency',
        versions: 2,
        late: true,
        prevBasis: { '2014-11-05': 'none', '2014-11-04': 'c'.repeat(16) },
        statements: {},
      });
      const again = await store.getHead('head-firm', DAY);
      expect([again!.status, again!.versions, again!.late, again!.prevBasis, again!.statements]).toEqual([
        'deficiency',
        2,
        true,
        { '2014-11-05': 'none', '2014-11-04': 'c'.repeat(16) },
        {},
      ]);
      expect(await store.getHead('head-firm', '2014-11-07')).toBeUndefined();
      // No statements: the head's row says so (there is no statements map on a head any more).
      const raw = (await rawGet(keys.firmDay('head-firm', DAY), keys.head))!;
      expect([raw.statements, dayFromItem(raw).statements]).toEqual([undefined, {}]);
    });

    it('heads: advanceHead fills the defaults; getHeads reads several days in one request, a day without a head absent', async () => {
      const f = 'heads-firm';
      await store.advanceHead({
        firmId: f,
        firmName: 'H',
        endDate: '2014-11-03',
        effective: 'e',
        filingType: 'INITIAL',
        submitDate: '2014-11-04',
        status: 'ok',
        statements: {
          segregation: { required: dec('1'), funds: dec('2'), excess: dec('1'), target: dec('0.5'), status: 'ok' },
        },
        updatedAt: AT,
      });
      const h = await store.getHead(f, '2014-11-03');
      expect([
        h!.versions,
        h!.late,
        h!.prevBasis,
        h!.statements.segregation!.targetSource,
        h!.basis.length > 0,
      ]).toEqual([1, false, {}, 'statement', true]);
      await store.putHead(head(f, '2014-11-05'));
      const heads = await store.getHeads(f, ['2014-11-03', '2014-11-04', '2014-11-05', '2014-11-05']);
      expect([...heads.keys()].sort()).toEqual(['2014-11-03', '2014-11-05']);
      expect(str(heads.get('2014-11-05')!.statements.segregation!.required!)).toBe('1234567890123.45');
      expect((await store.getHeads(f, [])).size).toBe(0);
    });

    it('heads on gsi1: previousHead (the last day before, descending, Limit 1), firmHistory (between, inclusive, all pages)', async () => {
      const f = 'hist-firm';
      const days = ['2014-10-27', '2014-10-28', '2014-10-29', '2014-10-30', '2014-10-31', '2014-11-03', '2014-11-04'];
      for (const d of days) await store.putHead(head(f, d));
      await store.putHead(head('hist-firm-2', '2014-10-30')); // another firm: never in hist-firm's answers
      expect((await store.previousHead(f, '2014-11-03'))!.endDate).toBe('2014-10-31');
      expect((await store.previousHead(f, '2014-11-05'))!.endDate).toBe('2014-11-04');
      expect(await store.previousHead(f, '2014-10-27')).toBeUndefined();
      expect((await store.firmHistory(f, '2014-10-28', '2014-11-03')).map((x) => x.endDate)).toEqual([
        '2014-10-28',
        '2014-10-29',
        '2014-10-30',
        '2014-10-31',
        '2014-11-03',
      ]);
      expect((await store.firmHistory(f, '2014-01-01', '2014-12-31')).map((x) => x.endDate)).toEqual(days);
      expect(await store.firmHistory(f, '2014-12-01', '2014-12-31')).toEqual([]);
    });

    // ---- heads' rows (shared/read/day-rows.ts) -------------------------------------------------

    /** The day the read model should read of a head written with `h`. */
    const dayOf = (h: HeadItem) => {
      const statements: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(h.statements))
        if (x)
          statements[k] = {
            required: x.required,
            funds: x.funds,
            excess: x.excess,
            target: x.target,
            status: x.status,
            ...(x.targetSource ? { targetSource: x.targetSource } : {}),
          };
      const { firmId, firmName, endDate, effective, filingType, submitDate, status, versions, late } = h;
      return { firmId, firmName, endDate, effective, filingType, submitDate, status, versions, late, statements };
    };
    const amount = fc.oneof(
      fc.constant(null),
      fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }).map((n) => dec(n.toString())),
      fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }).map((n) => dec(n.toString()).div(100)),
    );
    const statementArb = fc.option(
      fc.record({
        required: amount,
        funds: amount,
        excess: amount,
        target: amount,
        targetSource: fc.constantFrom('statement' as const, 'cover-page' as const, null),
        status: fc.constantFrom('ok' as const, 'below-target' as const, 'deficiency' as const, 'unreconciled' as const),
      }),
      { nil: undefined },
    );
    const headWrite = fc.record({
      firm: fc.integer({ min: 0, max: 3 }),
      day: fc.constantFrom('2013-10-14', '2013-10-15', '2013-10-31', '2013-11-01', '2013-11-04'),
      name: fc.constantFrom('Contract Clearing LLC', 'Smith & Co <b>', 'Ünïcode "Quoted" Firm'),
      amendment: fc.boolean(),
      versions: fc.integer({ min: 1, max: 4 }),
      late: fc.boolean(),
      segregation: statementArb,
      secured: statementArb,
      clearedSwaps: statementArb,
    });

    it("heads' rows: whatever order heads are written in, and however often, a firm's history, a day's board and getHead read exactly the last head written", async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(headWrite, { minLength: 1, maxLength: 14 }), async (writes) => {
          run++;
          const last = new Map<string, HeadItem>();
          for (const w of writes) {
            const statements: HeadItem['statements'] = {};
            for (const k of ['segregation', 'secured', 'clearedSwaps'] as const) if (w[k]) statements[k] = w[k];
            const firmId = `rows-${run}-${w.firm}`;
            // Each run on days of its own year, so one run's board holds only its own firms.
            const day = `${2000 + run}${w.day.slice(4)}`;
            const h = head(firmId, day, {
              firmName: w.name,
              filingType: w.amendment ? 'AMENDMENT' : 'INITIAL',
              effective: `${w.amendment ? 1 : 0}#${day}#${run}`,
              versions: w.versions,
              late: w.late,
              statements,
            });
            await store.putHead(h);
            last.set(`${firmId} ${day}`, h);
          }
          const source = new StoreSource(doc, table);
          const heads = [...last.values()];
          for (const f of new Set(heads.map((h) => h.firmId))) {
            const want = heads.filter((h) => h.firmId === f).sort((x, y) => (x.endDate < y.endDate ? -1 : 1));
            expect(plain(await source.firmDays(f, '2000-01-01', '2030-12-31'))).toEqual(plain(want.map(dayOf)));
            for (const h of want)
              expect(plain(await store.getHead(f, h.endDate))).toEqual(
                plain({
                  ...h,
                  statements: Object.fromEntries(
                    Object.entries(h.statements).map(([k, x]) => [k, { ...x, title: '', variant: '' }]),
                  ),
                }),
              );
          }
          for (const d of new Set(heads.map((h) => h.endDate))) {
            const want = heads.filter((h) => h.endDate === d).sort((x, y) => (x.firmId < y.firmId ? -1 : 1));
            expect(plain(await source.daysOn(d))).toEqual(plain(want.map(dayOf)));
          }
        }),
        { numRuns: 10 },
      );
    });

    it("heads' rows: a head written before heads had a row (statements as a map) reads the same; written again, its map gives way to the row", async () => {
      const f = 'rows-legacy';
      const h = head(f, '2014-10-30');
      await store.putHead(h);
      const written = (await rawGet(keys.firmDay(f, '2014-10-30'), keys.head))!;
      expect(typeof written.row).toBe('string');
      expect(written.statements).toBeUndefined();
      // The same head as an older store wrote it: the statements as a map, no row.
      const { row: _row, ...rest } = written;
      const map = {
        segregation: {
          required: NumberValue.from('1234567890123.45'),
          funds: NumberValue.from('1234567890124.46'),
          excess: NumberValue.from('1.01'),
          target: NumberValue.from('0.5'),
          targetSource: 'statement',
          status: 'ok',
        },
        clearedSwaps: {
          required: NumberValue.from('0'),
          funds: NumberValue.from('-0.01'),
          excess: NumberValue.from('-0.01'),
          status: 'deficiency',
        },
      };
      await rawPut({ ...rest, statements: map });
      const source = new StoreSource(doc, table);
      expect(plain(await source.firmDays(f, '2014-10-01', '2014-10-31'))).toEqual(plain([dayOf(h)]));
      // Beside a head with a row (the read falls back to every attribute for the whole range), and by the other reads.
      const later = head(f, '2014-10-31');
      await store.putHead(later);
      expect(plain(await source.firmDays(f, '2014-10-01', '2014-10-31'))).toEqual(plain([dayOf(h), dayOf(later)]));
      expect(plain(await source.latestFirmDay(f, '2014-10-30'))).toEqual(plain(dayOf(h)));
      expect(plain(await source.latestFirmDay(f))).toEqual(plain(dayOf(later)));
      expect(plain((await source.daysOn('2014-10-30')).filter((d) => d.firmId === f))).toEqual(plain([dayOf(h)]));
      expect(plain((await store.getHead(f, '2014-10-30'))!.statements.segregation)).toEqual(
        plain({ ...h.statements.segregation, title: '', variant: '' }),
      );
      await store.putHead({ ...h, status: 'deficiency' });
      const again = (await rawGet(keys.firmDay(f, '2014-10-30'), keys.head))!;
      expect([typeof again.row, again.statements]).toEqual(['string', undefined]);
      expect((await source.firmDays(f, '2014-10-01', '2014-10-31'))[0].status).toBe('deficiency');
    });

    it('heads and alerts on gsi2: firmsOnDay lists every firm of the day (all pages), not the alerts of that day', async () => {
      const day = '2013-02-14';
      const firms = ['gsi2-a', 'gsi2-b', 'gsi2-c', 'gsi2-d', 'gsi2-e'];
      for (const f of [...firms].reverse()) await store.putHead(head(f, day));
      expect(await store.putAlert(alert('gsi2-a', 1, { endDate: day }), AT, day)).toBe(true);
      expect((await store.firmsOnDay(day)).map((x) => x.firmId)).toEqual(firms);
      expect(await store.firmsOnDay('2013-02-15')).toEqual([]);
    });

    it('readDay: one query of the day: versions in effective order, results by version, head and outbox', async () => {
      const f = 'day-firm';
      await store.putVersion(version(f, '1#2014-11-10#bbb', { filingType: 'AMENDMENT', submitDate: '2014-11-10' }));
      await store.putVersion(version(f, '0#2014-11-07#aaa'));
      await store.putResult({
        firmId: f,
        endDate: DAY,
        versionKey: '0#2014-11-07#aaa',
        statements: {},
        findings: [],
        findingsOmitted: 0,
        errorCount: 0,
        late: false,
        reconciledAt: AT,
      });
      await store.putHead(head(f, DAY));
      await store.putAlert(alert(f, 1), AT, DAY);
      await store.putAlert(alert(f, 2), AT, DAY);
      await store.putRecheck(f, DAY, { from: '2014-11-05', basis: 'x' });
      const d = await store.readDay(f, DAY);
      expect(d.versions.map((v) => v.versionKey)).toEqual(['0#2014-11-07#aaa', '1#2014-11-10#bbb']);
      expect([...d.results.keys()]).toEqual(['0#2014-11-07#aaa']);
      expect(d.head?.effective).toBe(`0#${DAY}#abc`);
      expect(d.alerts.map((a) => a.seq).sort()).toEqual([1, 2]);
      const empty = await store.readDay(f, '2014-11-07');
      expect([empty.versions, [...empty.results], empty.head, empty.alerts]).toEqual([[], [], undefined, []]);
    });

    it('recheck and touchVersion: a recheck item is written; touchVersion sets a filing or recheck pending, refuses others and missing items', async () => {
      const f = 'touch-firm';
      await store.putRecheck(f, DAY, { from: '2014-11-05', basis: 'abc' });
      expect(plain(await rawGet(keys.firmDay(f, DAY), keys.recheck))).toEqual({
        pk: keys.firmDay(f, DAY),
        sk: 'RECHECK',
        type: 'recheck',
        state: 'pending',
        firmId: f,
        endDate: DAY,
        from: '2014-11-05',
        basis: 'abc',
      });
      await store.putVersion(version(f, '0#a'));
      await store.markSuperseded(f, DAY, '0#a', '1#b');
      await store.putHead(head(f, DAY));
      expect(await store.touchVersion(keys.firmDay(f, DAY), keys.version('0#a'), '2014-12-01T00:00:00.000Z')).toBe(
        true,
      );
      expect((await store.getVersion(f, DAY, '0#a'))!.state).toBe('pending');
      expect(await store.touchVersion(keys.firmDay(f, DAY), keys.recheck, '2014-12-01T00:00:00.000Z')).toBe(true);
      expect(await store.touchVersion(keys.firmDay(f, DAY), keys.head, '2014-12-01T00:00:00.000Z')).toBe(false);
      expect(await store.touchVersion(keys.firmDay(f, DAY), keys.version('9#none'), '2014-12-01T00:00:00.000Z')).toBe(
        false,
      );
      expect(await rawGet(keys.firmDay(f, DAY), keys.version('9#none'))).toBeUndefined();
    });

    // ---- alerts and the outbox -----------------------------------------------------------------

    it('alerts: put once (a second claim of the same alert is refused), read back with nulls for absent attributes and exact amounts', async () => {
      const f = 'alert-firm';
      const a = alert(f, 7);
      expect(await store.putAlert(a, AT, DAY)).toBe(true);
      expect(await store.putAlert({ ...a, detail: 'other' }, '2099-01-01T00:00:00.000Z', DAY)).toBe(false);
      const pk = keys.firmDay(f, DAY);
      const got = await store.getAlert(pk, keys.alert(a.id));
      expect(plain(got)).toEqual(
        plain({
          ...a,
          state: 'pending',
          raisedAt: AT,
          sentAt: undefined,
          messageId: undefined,
          attempts: 0,
          pk,
          sk: keys.alert(a.id),
        }),
      );
      expect(str(got!.target!)).toBe('99999999999999999999999999999999.99');
      expect(await store.getAlert(pk, keys.alert('none'))).toBeUndefined();
      expect((await store.listAlerts(f, DAY)).map((x) => x.id)).toEqual([a.id]);
      expect(await store.listAlerts(f, '2014-11-07')).toEqual([]);
    });

    it('alerts: the outbox state changes: sent once, suppressed only while pending, touched only while pending (attempts counted)', async () => {
      const f = 'outbox-firm';
      const [a, b] = [alert(f, 1), alert(f, 2)];
      await store.putAlert(a, AT, DAY);
      await store.putAlert(b, AT, DAY);
      const pk = keys.firmDay(f, DAY);
      expect(await store.touchAlert(pk, keys.alert(a.id), AT)).toBe(true);
      expect(await store.touchAlert(pk, keys.alert(a.id), AT)).toBe(true);
      expect((await store.getAlert(pk, keys.alert(a.id)))!.attempts).toBe(2);
      expect(await store.markAlertSent(pk, keys.alert(a.id), 'msg-1', '2014-11-07T10:00:01.000Z')).toBe(true);
      expect(await store.markAlertSent(pk, keys.alert(a.id), 'msg-2', '2014-11-07T10:00:02.000Z')).toBe(false);
      const sent = await store.getAlert(pk, keys.alert(a.id));
      expect([sent!.state, sent!.messageId, sent!.sentAt, sent!.suppressed]).toEqual([
        'sent',
        'msg-1',
        '2014-11-07T10:00:01.000Z',
        undefined,
      ]);
      expect(await store.markAlertSuppressed(pk, keys.alert(a.id), keys.alert(b.id), AT)).toBe(false);
      expect(await store.touchAlert(pk, keys.alert(a.id), AT)).toBe(false);
      expect(await store.markAlertSuppressed(pk, keys.alert(b.id), keys.alert(a.id), AT)).toBe(true);
      expect(await store.markAlertSent(pk, keys.alert(b.id), 'msg-3', AT)).toBe(false);
      const sup = await store.getAlert(pk, keys.alert(b.id));
      expect([sup!.state, sup!.suppressed, sup!.messageId]).toEqual(['sent', true, undefined]);
      for (const call of [
        store.markAlertSent(pk, 'A#none', 'm', AT),
        store.markAlertSuppressed(pk, 'A#none', 'x', AT),
        store.touchAlert(pk, 'A#none', AT),
      ])
        expect(await call).toBe(false);
      expect(await rawGet(pk, 'A#none')).toBeUndefined();
    });

    it('alerts by day on gsi2 (all pages, by severity), rejected-file alerts under the object, alerts under another partition', async () => {
      const day = '2013-03-01';
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const a = alert(`byday-${i}`, i, {
          endDate: day,
          severity: i % 2 ? 'warning' : 'critical',
          kind: i % 2 ? 'below-target' : 'deficiency',
        });
        ids.push(a.id);
        expect(await store.putAlert(a, AT, day)).toBe(true);
      }
      const src = { bucket: 'filings', key: 'incoming/not a filing.txt' };
      const rej = rejectedAlert(src, 'etag-r', 'not-a-filing', 'no header');
      expect(await store.putAlert(rej, AT, day)).toBe(true);
      expect(await store.putAlert(rej, AT, day)).toBe(false);
      const digest = {
        ...rejectedAlert(src, 'd', 'x', 'y'),
        id: alertId('digest', day),
        kind: 'digest' as const,
        severity: 'info' as const,
        detail: 'all clear',
      };
      expect(await store.putAlertUnder(`DIGEST#${day}`, digest, AT, day)).toBe(true);
      expect(await store.putAlertUnder(`DIGEST#${day}`, digest, AT, day)).toBe(false);
      await store.putHead(head('byday-0', day)); // a head on the same gsi2 partition is not an alert
      const all = await store.alertsByDay(day);
      expect(all.map((a) => a.id).sort()).toEqual([...ids, rej.id, digest.id].sort());
      expect((await store.alertsByDay(day, 'critical')).map((a) => a.id).sort()).toEqual(
        [ids[0], ids[2], ids[4]].sort(),
      );
      expect((await store.alertsByDay(day, 'info')).map((a) => a.id)).toEqual([digest.id]);
      const objAlerts = await store.listObjectAlerts(src.bucket, src.key);
      expect(objAlerts.map((a) => [a.id, a.kind, a.firmId, a.endDate, a.excess, a.seq, a.channel])).toEqual([
        [rej.id, 'rejected', null, null, null, null, null],
      ]);
      expect((await store.listAlertsOf(`DIGEST#${day}`)).map((a) => a.detail)).toEqual(['all clear']);
    });

    // ---- firms registry, dead letters ------------------------------------------------------------

    it('firms: registered once (a second put keeps the first name), listed by firm id across pages', async () => {
      const ids = ['reg-e', 'reg-a', 'reg-d', 'reg-b', 'reg-c'];
      for (const id of ids) expect(await store.putFirm({ firmId: id, firmName: `Firm ${id}` })).toBe(true);
      expect(await store.putFirm({ firmId: 'reg-a', firmName: 'Renamed' })).toBe(false);
      const listed = (await store.listFirms()).filter((x) => x.firmId.startsWith('reg-'));
      expect(listed).toEqual([...ids].sort().map((id) => ({ firmId: id, firmName: `Firm ${id}` })));
    });

    it('dead letters: the reason item is written (and overwritten), texts cut to their limits', async () => {
      await store.putDeadLetterReason({
        queue: 'ingest',
        messageId: 'm-1',
        receiveCount: 5,
        reason: 'r'.repeat(3000),
        body: 'b',
        at: AT,
      });
      await store.putDeadLetterReason({
        queue: 'ingest',
        messageId: 'm-1',
        receiveCount: 6,
        reason: 'again',
        body: 'b'.repeat(30000),
        at: AT,
      });
      const item = await rawGet('DLQ#ingest', 'm-1');
      expect([nv(item!.receiveCount), item!.reason, (item!.body as string).length]).toEqual(['N:6', 'again', 20000]);
    });

    // ---- the engine under the store: numbers, empty values, sizes, conditions, paging ----------

    it('numbers: decimal strings round-trip exactly (38 digits, cents, negatives, in lists and maps); the store writes them canonical', async () => {
      const values = [
        '0',
        '0.01',
        '-0.01',
        '12345678901234567890123456789012345678',
        '-99999999999999999999999999999999999.99',
        '0.000000000000000000000000000000000001',
        '1234567890123456789.01',
      ];
      const item: Record<string, unknown> = { pk: 'NUM#1', sk: 'x' };
      values.forEach((v, i) => (item[`n${i}`] = NumberValue.from(v)));
      item.list = values.map((v) => NumberValue.from(v));
      item.map = { a: NumberValue.from('1234567890123456789.01') };
      await rawPut(item);
      const got = (await rawGet('NUM#1', 'x'))!;
      expect(values.map((_, i) => nv(got[`n${i}`]))).toEqual(values.map((w) => `N:${w}`));
      expect(plain(got.list)).toEqual(values.map((w) => `N:${w}`));
      expect(plain(got.map)).toEqual({ a: 'N:1234567890123456789.01' });
      // DynamoDB (the service) normalizes a number ('1.50' is read back '1.5'); DynamoDB Local and the
      // fake give the string back as written. Either way the value is the same, and the store only
      // writes canonical strings (decimal.js toFixed: no trailing zeros, no exponent, no '-0').
      const odd = ['1.50', '007', '-0', '100.00', '1E+3', '1.2300E-2'];
      await rawPut({ pk: 'NUM#1', sk: 'odd', l: odd.map((v) => NumberValue.from(v)) });
      const back = ((await rawGet('NUM#1', 'odd'))!.l as NumberValue[]).map((v) => new Decimal(v.value));
      expect(back.map((d, i) => d.eq(new Decimal(odd[i])))).toEqual(odd.map(() => true));
      expect(odd.map((v) => str(new Decimal(v)))).toEqual(['1.5', '7', '0', '100', '1000', '0.0123']);
    });

    it('numbers: more than 38 significant digits, or out of range, is a ValidationException (nothing written)', async () => {
      for (const [i, v] of [
        '123456789012345678901234567890123456789',
        '1.23456789012345678901234567890123456789',
        '1E+126',
        '1E-131',
      ].entries()) {
        expect(await errorName(rawPut({ pk: 'NUM#2', sk: `x${i}`, n: NumberValue.from(v) }))).toBe(
          'ValidationException',
        );
        expect(await rawGet('NUM#2', `x${i}`)).toBeUndefined();
      }
      // Trailing zeros do not count: 38 significant digits and then zeros fit.
      await rawPut({ pk: 'NUM#2', sk: 'ok', n: NumberValue.from('12345678901234567890123456789012345678000') });
      expect(nv((await rawGet('NUM#2', 'ok'))!.n)).toBe('N:12345678901234567890123456789012345678000');
    });

    it('empty values: empty map, empty list, empty string and nested empties kept; undefined attributes absent', async () => {
      await rawPut({
        pk: 'EMPTY#1',
        sk: 'x',
        m: {},
        l: [],
        s: '',
        nested: { m: {}, l: [[]], s: '' },
        gone: undefined,
        f: false,
        z: null,
      });
      expect(plain(await rawGet('EMPTY#1', 'x'))).toEqual({
        pk: 'EMPTY#1',
        sk: 'x',
        m: {},
        l: [],
        s: '',
        nested: { m: {}, l: [[]], s: '' },
        f: false,
        z: null,
      });
      // An empty string is not a key.
      expect(await errorName(rawPut({ pk: 'EMPTY#1', sk: '' }))).toBe('ValidationException');
      // And not an index key either (an index key must be a non-empty string when present).
      expect(await errorName(rawPut({ pk: 'EMPTY#1', sk: 'y', gsi1pk: '', gsi1sk: 'a' }))).toBe('ValidationException');
      expect(await errorName(rawPut({ pk: 'EMPTY#1', sk: 'z', gsi1pk: 'a', gsi1sk: NumberValue.from('1') }))).toBe(
        'ValidationException',
      );
    });

    it('item size: 400 KB exactly (names and values) is accepted, one byte more is a ValidationException, by put and by update', async () => {
      const base = { pk: 'SIZE#1', sk: 'x' };
      const fixed = 'pk'.length + 'SIZE#1'.length + 'sk'.length + 1 + 'data'.length;
      await rawPut({ ...base, data: 'a'.repeat(DYNAMODB_ITEM_LIMIT - fixed) });
      expect(((await rawGet('SIZE#1', 'x'))!.data as string).length).toBe(DYNAMODB_ITEM_LIMIT - fixed);
      expect(await errorName(rawPut({ ...base, sk: 'y', data: 'a'.repeat(DYNAMODB_ITEM_LIMIT - fixed + 1) }))).toBe(
        'ValidationException',
      );
      expect(await rawGet('SIZE#1', 'y')).toBeUndefined();
      // Multi-byte characters count by their UTF-8 bytes.
      expect(
        await errorName(rawPut({ ...base, sk: 'y', data: 'é'.repeat((DYNAMODB_ITEM_LIMIT - fixed) / 2 + 1) })),
      ).toBe('ValidationException');
      // An update that would make the item too large is refused and leaves it as it was.
      await rawPut({ ...base, sk: 'z', data: 'a'.repeat(DYNAMODB_ITEM_LIMIT - fixed - 1000) });
      const upd = doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: 'SIZE#1', sk: 'z' },
          UpdateExpression: 'SET more = :m',
          ExpressionAttributeValues: { ':m': 'b'.repeat(2000) },
        }),
      );
      expect(await errorName(upd)).toBe('ValidationException');
      expect((await rawGet('SIZE#1', 'z'))!.more).toBeUndefined();
    });

    it('conditions: ConditionalCheckFailedException on a failed condition; comparisons with a missing attribute or another type', async () => {
      await rawPut({ pk: 'COND#1', sk: 'x', n: NumberValue.from('10'), s: 'abc', b: true });
      expect(await errorName(rawPut({ pk: 'COND#1', sk: 'x' }, 'attribute_not_exists(pk)'))).toBe(
        'ConditionalCheckFailedException',
      );
      const holds = async (cond: string, values: Record<string, unknown> = {}, names?: Record<string, string>) => {
        const name = await errorName(
          doc.send(
            new UpdateCommand({
              TableName: table,
              Key: { pk: 'COND#1', sk: 'x' },
              UpdateExpression: 'SET touched = :one',
              ConditionExpression: cond,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ':one': NumberValue.from('1'), ...values },
            }),
          ),
        );
        if (name && name !== 'ConditionalCheckFailedException') throw new Error(`${cond}: ${name}`);
        return name === '';
      };
      expect(await holds('n = :v', { ':v': NumberValue.from('10.000') })).toBe(true);
      expect(await holds('n < :v', { ':v': NumberValue.from('9.99') })).toBe(false);
      expect(await holds('n BETWEEN :a AND :b', { ':a': NumberValue.from('-1'), ':b': NumberValue.from('10') })).toBe(
        true,
      );
      expect(await holds('n = :v', { ':v': '10' })).toBe(false); // a number is never equal to a string
      expect(await holds('n <> :v', { ':v': '10' })).toBe(true);
      expect(await holds('n < :v', { ':v': 'zzz' })).toBe(false);
      expect(await holds('absentAttr = :v', { ':v': 'abc' })).toBe(false);
      expect(await holds('absentAttr <> :v', { ':v': 'abc' })).toBe(true);
      expect(await holds('absentAttr < :v', { ':v': 'abc' })).toBe(false);
      expect(await holds('NOT (absentAttr = :v)', { ':v': 'abc' })).toBe(true);
      expect(await holds('begins_with(s, :p) AND NOT b = :f', { ':p': 'ab', ':f': false })).toBe(true);
      expect(await holds('begins_with(n, :p)', { ':p': '1' })).toBe(false);
      expect(await holds('#s > :v OR attribute_not_exists(pk)', { ':v': 'abd' }, { '#s': 's' })).toBe(false);
      expect(await holds('s > :v', { ':v': 'ab' })).toBe(true);
      // A condition on an item that does not exist sees no attributes.
      const absent = doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: 'COND#1', sk: 'none' },
          UpdateExpression: 'SET a = :v',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':v': 'x' },
        }),
      );
      expect(await errorName(absent)).toBe('ConditionalCheckFailedException');
      expect(await rawGet('COND#1', 'none')).toBeUndefined();
      // An update of a missing item without a condition creates it, with its keys.
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: 'COND#1', sk: 'new' },
          UpdateExpression: 'SET a = if_not_exists(a, :z) + :one',
          ExpressionAttributeValues: { ':z': NumberValue.from('0'), ':one': NumberValue.from('1.5') },
        }),
      );
      expect(plain(await rawGet('COND#1', 'new'))).toEqual({ pk: 'COND#1', sk: 'new', a: 'N:1.5' });
    });

    it('requests the engine refuses: unused expression values or names, a consistent read of a GSI, duplicate or over 100 BatchGet keys', async () => {
      const unusedValue = doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: 'REQ#1', sk: 'x' },
          UpdateExpression: 'SET a = :a',
          ExpressionAttributeValues: { ':a': 'x', ':b': 'y' },
        }),
      );
      expect(await errorName(unusedValue)).toBe('ValidationException');
      const unusedName = doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: 'REQ#1', sk: 'x' },
          UpdateExpression: 'SET a = :a',
          ExpressionAttributeNames: { '#n': 'n' },
          ExpressionAttributeValues: { ':a': 'x' },
        }),
      );
      expect(await errorName(unusedName)).toBe('ValidationException');
      expect(await rawGet('REQ#1', 'x')).toBeUndefined();
      const consistentGsi = doc.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :f',
          ExpressionAttributeValues: { ':f': 'FIRM#x' },
          ConsistentRead: true,
        }),
      );
      expect(await errorName(consistentGsi)).toBe('ValidationException');
      const dup = doc.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: [
                { pk: 'a', sk: 'b' },
                { pk: 'a', sk: 'b' },
              ],
            },
          },
        }),
      );
      expect(await errorName(dup)).toBe('ValidationException');
      const many = doc.send(
        new BatchGetCommand({
          RequestItems: { [table]: { Keys: Array.from({ length: 101 }, (_, i) => ({ pk: 'a', sk: String(i) })) } },
        }),
      );
      expect(await errorName(many)).toBe('ValidationException');
    });

    it('reserved words: each is refused as an attribute name in an expression (any case), accepted through a #name', async () => {
      await rawPut({ pk: 'RES#1', sk: 'x', state: 'pending' });
      const cond = (expr: string, names?: Record<string, string>) =>
        errorName(
          doc.send(
            new UpdateCommand({
              TableName: table,
              Key: { pk: 'RES#1', sk: 'x' },
              UpdateExpression: 'SET touchedAt = :v',
              ConditionExpression: expr,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ':v': 'x' },
            }),
          ),
        );
      const words = [...RESERVED_WORDS];
      const refused: string[] = [];
      for (let i = 0; i < words.length; i += 50)
        refused.push(
          ...(await Promise.all(
            words
              .slice(i, i + 50)
              .map(async (w, j) =>
                (await cond(`${(i + j) % 2 ? w.toLowerCase() : w} = :v`)) === 'ValidationException'
                  ? w
                  : `${w}: accepted`,
              ),
          )),
        );
      expect(refused).toEqual(words);
      expect(await cond('attribute_exists(#s)', { '#s': 'state' })).toBe('');
      const projection = doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :p',
          ProjectionExpression: 'sk, status',
          ExpressionAttributeValues: { ':p': 'RES#1' },
        }),
      );
      expect(await errorName(projection)).toBe('ValidationException');
      expect(
        await errorName(
          doc.send(
            new UpdateCommand({
              TableName: table,
              Key: { pk: 'RES#1', sk: 'x' },
              UpdateExpression: 'SET status = :v',
              ExpressionAttributeValues: { ':v': 'x' },
            }),
          ),
        ),
      ).toBe('ValidationException');
      // Words of the store's items that are not reserved are used as they are.
      expect(
        await cond('attribute_exists(superseded) OR attribute_not_exists(firmId) OR attribute_exists(attempts)'),
      ).toBe('');
    });

    it('query paging with Limit: LastEvaluatedKey when the limit is reached (table: its keys; GSI: its keys and the index keys), continued exactly', async () => {
      for (let i = 0; i < 4; i++)
        await rawPut({
          pk: 'PAGE#1',
          sk: `s${i}`,
          gsi1pk: 'PAGE#G',
          gsi1sk: `g${3 - i}`,
          i: NumberValue.from(String(i)),
        });
      const page = async (input: {
        IndexName?: string;
        Limit?: number;
        ExclusiveStartKey?: Record<string, unknown>;
      }) => {
        const index = input.IndexName === 'gsi1';
        const out = await doc.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: index ? 'gsi1pk = :p' : 'pk = :p',
            ExpressionAttributeValues: { ':p': index ? 'PAGE#G' : 'PAGE#1' },
            ...input,
          }),
        );
        return { sks: (out.Items ?? []).map((x) => x.sk), count: out.Count, last: out.LastEvaluatedKey };
      };
      const p1 = await page({ Limit: 2 });
      expect([p1.sks, p1.count, p1.last]).toEqual([['s0', 's1'], 2, { pk: 'PAGE#1', sk: 's1' }]);
      const p2 = await page({ Limit: 2, ExclusiveStartKey: p1.last });
      // The limit is reached with the last item: DynamoDB still says where it stopped.
      expect([p2.sks, p2.last]).toEqual([['s2', 's3'], { pk: 'PAGE#1', sk: 's3' }]);
      const p3 = await page({ Limit: 2, ExclusiveStartKey: p2.last });
      expect([p3.sks, p3.count, p3.last]).toEqual([[], 0, undefined]);
      // A Limit above what is left: every item, over however many pages the engine makes (the fake's are 3 items).
      const all: unknown[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const p = await page({ Limit: 5, ExclusiveStartKey: start });
        all.push(...p.sks);
        start = p.last;
      } while (start);
      expect(all).toEqual(['s0', 's1', 's2', 's3']);
      const g1 = await page({ IndexName: 'gsi1', Limit: 3 });
      expect([g1.sks, g1.last]).toEqual([
        ['s3', 's2', 's1'],
        { pk: 'PAGE#1', sk: 's1', gsi1pk: 'PAGE#G', gsi1sk: 'g2' },
      ]);
      const g2 = await page({ IndexName: 'gsi1', Limit: 3, ExclusiveStartKey: g1.last });
      expect([g2.sks, g2.last]).toEqual([['s0'], undefined]);
    });
  });
}
