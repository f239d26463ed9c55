/**
 * STORE_ACTIONS (shared/adapters/store-actions.ts) against what each Store method really sends:
 * every public method is called on a recording DynamoDB client, and the commands it sent (with
 * their IndexName) must be exactly its entry. A method that starts to Scan, delete, or query
 * another index fails here; the permission lists are derived from these entries.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, NumberValue, QueryCommand as QueryLike } from '@aws-sdk/lib-dynamodb';
import {
  COMMAND_ACTIONS,
  STORE_ACTIONS,
  type StoreMethod,
  type TableAccess,
} from '../../shared/adapters/store-actions';
import { Store, type HeadItem, type VersionItem } from '../../shared/adapters/store';
import { parseFilingText } from '../../shared/domain/parser';
import { rejectedAlert } from '../../shared/domain/alerts';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
  {
    marshallOptions: { removeUndefinedValues: true },
    unmarshallOptions: { wrapNumbers: true },
  },
);
const store = new Store(doc, 'segwatch-test');

const filing = parseFilingText(
  readFileSync(join(__dirname, '../fixtures/citigroup-2014-11-06-initial.txt'), 'utf8'),
).filing;
const head: HeadItem = {
  firmId: 'f',
  firmName: 'F',
  endDate: '2014-11-06',
  effective: '0#2014-11-07#abc',
  filingType: 'INITIAL',
  submitDate: '2014-11-07',
  status: 'ok',
  statements: {},
  versions: 1,
  late: false,
  basis: '0000000000000000',
  prevBasis: {},
  updatedAt: '2014-11-07T00:00:00.000Z',
};
const at = '2014-11-07T00:00:00.000Z';

const version: Omit<VersionItem, 'state' | 'superseded'> = {
  firmId: filing.firmId,
  firmName: filing.firmName,
  endDate: filing.endDate,
  submitDate: filing.submitDate,
  filingType: filing.filingType,
  versionKey: '0#x#y',
  contentHash: 'h',
  source: { bucket: 'b', key: 'incoming/x.txt', objectId: 'e1' },
  receivedAt: at,
  arrivedAt: at,
  filing,
  unreadable: [],
};
const result = {
  firmId: 'f',
  endDate: '2014-11-06',
  versionKey: '0#x#y',
  statements: {},
  findings: [],
  findingsOmitted: 0,
  errorCount: 0,
  late: false,
  reconciledAt: at,
};

/** Arguments for one call of each public Store method (a new method needs a line here). */
const CALLS: Record<StoreMethod, (s: Store) => Promise<unknown>> = {
  getObjectRecord: (s) => s.getObjectRecord('b', 'incoming/x.txt', 'e1'),
  listObjectRecords: (s) => s.listObjectRecords('b', 'incoming/x.txt'),
  putObjectRecord: (s) =>
    s.putObjectRecord({
      bucket: 'b',
      key: 'incoming/x.txt',
      objectId: 'e1',
      status: 'stored',
      size: 1,
      receivedAt: at,
    }),
  versionItem: async (s) => s.versionItem(version),
  versionItemSize: async (s) => s.versionItemSize(version),
  listVersionMeta: (s) => s.listVersionMeta('f', '2014-11-06'),
  readDay: (s) => s.readDay('f', '2014-11-06'),
  getHeads: (s) => s.getHeads('f', ['2014-11-05', '2014-11-07']),
  lowerArrival: (s) =>
    s.lowerArrival('f', '2014-11-06', '0#x#y', at, { bucket: 'b', key: 'incoming/x.txt', objectId: 'e1' }),
  markEffective: (s) => s.markEffective('f', '2014-11-06', '0#x#y'),
  fitResult: async (s) => s.fitResult(result),
  putHead: (s) => s.putHead(head),
  putRecheck: (s) => s.putRecheck('f', '2014-11-07', { from: '2014-11-06', basis: '0000000000000000' }),
  listAlertsOf: (s) => s.listAlertsOf('FIRM#f#DAY#2014-11-06'),
  markAlertSuppressed: (s) => s.markAlertSuppressed('FIRM#f#DAY#2014-11-06', 'A#1', 'A#2', at),
  putVersion: (s) =>
    s.putVersion({
      firmId: filing.firmId,
      firmName: filing.firmName,
      endDate: filing.endDate,
      submitDate: filing.submitDate,
      filingType: filing.filingType,
      versionKey: '0#x#y',
      contentHash: 'h',
      source: { bucket: 'b', key: 'incoming/x.txt', objectId: 'e1' },
      receivedAt: at,
      arrivedAt: at,
      filing,
      unreadable: [],
    }),
  getVersion: (s) => s.getVersion('f', '2014-11-06', '0#x#y'),
  listVersions: (s) => s.listVersions('f', '2014-11-06'),
  listVersionKeys: (s) => s.listVersionKeys('f', '2014-11-06'),
  markSuperseded: (s) => s.markSuperseded('f', '2014-11-06', '0#x#y', '1#x#z'),
  putResult: (s) => s.putResult(result),
  getResult: (s) => s.getResult('f', '2014-11-06', '0#x#y'),
  getHead: (s) => s.getHead('f', '2014-11-06'),
  advanceHead: (s) => s.advanceHead(head),
  previousHead: (s) => s.previousHead('f', '2014-11-06'),
  firmHistory: (s) => s.firmHistory('f', '2014-11-01', '2014-11-30'),
  firmsOnDay: (s) => s.firmsOnDay('2014-11-06'),
  putFirm: (s) => s.putFirm({ firmId: 'f', firmName: 'F' }),
  listFirms: (s) => s.listFirms(),
  putDeadLetterReason: (s) =>
    s.putDeadLetterReason({ queue: 'ingest', messageId: 'm', receiveCount: 5, reason: 'r', body: '{}', at }),
  putAlert: (s) =>
    s.putAlert(
      rejectedAlert({ bucket: 'b', key: 'incoming/x.txt' }, 'e1', 'empty', 'the file is empty'),
      at,
      '2014-11-07',
    ),
  getAlert: (s) => s.getAlert('OBJ#b/incoming/x.txt', 'A#1'),
  listAlerts: (s) => s.listAlerts('f', '2014-11-06'),
  listObjectAlerts: (s) => s.listObjectAlerts('b', 'incoming/x.txt'),
  alertsByDay: (s) => s.alertsByDay('2014-11-06', 'critical'),
  markAlertSent: (s) => s.markAlertSent('OBJ#b/incoming/x.txt', 'A#1', 'mid', at),
  touchAlert: (s) => s.touchAlert('OBJ#b/incoming/x.txt', 'A#1', at),
  touchVersion: (s) => s.touchVersion('FIRM#f#DAY#2014-11-06', 'V#0#x#y', at),
  putAlertUnder: (s) =>
    s.putAlertUnder(
      'DIGEST',
      rejectedAlert({ bucket: 'b', key: 'incoming/x.txt' }, 'e1', 'empty', 'the file is empty'),
      at,
      '2014-11-07',
    ),
};

/** What a method sent, in the shape of a STORE_ACTIONS entry. */
async function recorded(method: StoreMethod): Promise<TableAccess> {
  ddb.reset();
  ddb.onAnyCommand().resolves({});
  ddb.on(QueryLike).resolves({ Items: [] });
  await CALLS[method](store);
  const table = new Set<string>();
  const indexes: Record<string, Set<string>> = {};
  for (const call of ddb.calls()) {
    const command = call.args[0] as {
      constructor: { name: string };
      input: { IndexName?: string; TableName?: string; RequestItems?: Record<string, unknown> };
    };
    const action = COMMAND_ACTIONS[command.constructor.name];
    expect(action, `${method} sent ${command.constructor.name}, which COMMAND_ACTIONS does not map`).toBeDefined();
    // A batch names its table as the key of RequestItems.
    expect(command.input.TableName ?? Object.keys(command.input.RequestItems ?? {}).join(',')).toBe('segwatch-test');
    if (command.input.IndexName) (indexes[command.input.IndexName] ??= new Set()).add(action!);
    else table.add(action!);
  }
  return {
    ...(table.size ? { table: [...table].sort() as TableAccess['table'] } : {}),
    ...(Object.keys(indexes).length
      ? {
          indexes: Object.fromEntries(
            Object.entries(indexes).map(([k, v]) => [k, [...v].sort()]),
          ) as TableAccess['indexes'],
        }
      : {}),
  };
}

const sorted = (a: TableAccess): TableAccess => ({
  ...(a.table?.length ? { table: [...a.table].sort() } : {}),
  ...(a.indexes && Object.keys(a.indexes).length
    ? { indexes: Object.fromEntries(Object.entries(a.indexes).map(([k, v]) => [k, [...v].sort()])) }
    : {}),
});

describe('STORE_ACTIONS', () => {
  it('has an entry, and a call here, for every public Store method', () => {
    const runtime = Object.getOwnPropertyNames(Store.prototype).filter((m) => m !== 'constructor');
    // Private helpers are on the prototype too; every other method is public and must be listed.
    const privateHelpers = [
      'count',
      'countRead',
      'conditionFailed',
      'putNew',
      'update',
      'get',
      'queryAll',
      'queryPrefix',
    ];
    expect(runtime.filter((m) => !privateHelpers.includes(m)).sort()).toEqual(Object.keys(STORE_ACTIONS).sort());
    expect(Object.keys(CALLS).sort()).toEqual(Object.keys(STORE_ACTIONS).sort());
  });

  for (const method of Object.keys(STORE_ACTIONS) as StoreMethod[]) {
    it(`${method} sends exactly ${JSON.stringify(STORE_ACTIONS[method])}`, async () => {
      expect(await recorded(method)).toEqual(sorted(STORE_ACTIONS[method]));
    });
  }

  it('no Store method deletes, bulk-writes or scans', () => {
    for (const [method, access] of Object.entries(STORE_ACTIONS) as [string, TableAccess][]) {
      const all = [...(access.table ?? []), ...Object.values(access.indexes ?? {}).flat()];
      for (const forbidden of ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:Scan'])
        expect(all, method).not.toContain(forbidden);
    }
  });

  it('a recorded Query names its index (the mock sees what the wire would)', async () => {
    ddb.reset();
    ddb
      .on(QueryLike)
      .resolves({ Items: [{ pk: 'FIRMS', sk: 'FIRM#f', firmId: 'f', firmName: 'F', n: NumberValue.from('1') }] });
    expect(await store.listFirms()).toEqual([{ firmId: 'f', firmName: 'F' }]);
    expect(ddb.commandCalls(QueryLike)[0]!.args[0].input.IndexName).toBeUndefined();
    await store.previousHead('f', '2014-11-06');
    expect(ddb.commandCalls(QueryLike)[1]!.args[0].input.IndexName).toBe('gsi1');
  });
});
