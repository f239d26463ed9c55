/**
 * The read port (shared/read/source.ts) on the DynamoDB table: every read a Query on the table's
 * keys or one of its indexes (README "DynamoDB: one table"), never a Scan, each followed through
 * every page (LastEvaluatedKey). Amounts come back as NumberValue (the document client must be
 * created with `wrapNumbers`) and become Decimals without passing through a JS number.
 *
 * Reads what the head item holds today and what the store adds to it (`versions`, `late`, per
 * statement `targetSource`, a version's `arrivedAt`) where present.
 */
import { NumberValue, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { STATEMENT_KEYS } from '../domain/forms';
import { filingToJson } from '../domain/model';
import type { Finding } from '../domain/reconcile';
import { alertFromItem, amountOf, keys, versionFromItem } from '../adapters/store';
import type { DayRecord, StatementRecord, VersionSummary } from './model';
import type { AlertFilter, AlertView, FirmDayView, FirmRef, ReadSource, ResultView, VersionView } from './source';
import type { TargetSource } from './types';
import type { TableAccess } from '../adapters/store-actions';
import { decodeDayRow } from './day-rows';

type Item = Record<string, unknown>;

/**
 * Every DynamoDB action this source sends, on the table and which index: what a role that reads
 * through it needs (the dashboard's API function; a person running `segwatch ... --aws` also needs
 * cloudformation:DescribeStacks on the stack). Held to the requests it really makes in
 * test/unit/read-queries.test.ts.
 */
export const READ_SOURCE_ACTIONS = {
  table: ['dynamodb:Query'],
  indexes: { gsi1: ['dynamodb:Query'], gsi2: ['dynamodb:Query'] },
} as const satisfies TableAccess;

const intOf = (v: unknown): number | undefined =>
  v instanceof NumberValue
    ? Number.parseInt(v.value, 10)
    : typeof v === 'number'
      ? v
      : typeof v === 'string' && /^\d+$/.test(v)
        ? Number.parseInt(v, 10)
        : undefined;

function statementFromItem(x: Record<string, unknown>): StatementRecord {
  const out: StatementRecord = {
    required: amountOf(x.required),
    funds: amountOf(x.funds),
    excess: amountOf(x.excess),
    target: amountOf(x.target),
    status: String(x.status ?? 'error'),
  };
  if ('targetSource' in x) out.targetSource = (x.targetSource ?? null) as TargetSource | null;
  // Written with the failing lines (an unreconciled statement): its excess line as filed.
  if (x.failingLines !== undefined) out.filedExcess = amountOf(x.filedExcess);
  return out;
}

/** A head as the read model reads it: from its row (shared/read/day-rows.ts), or, written before heads had one, from its attributes. */
export function dayFromItem(item: Item): DayRecord {
  if (typeof item.row === 'string') return decodeDayRow(item.firmId as string, item.endDate as string, item.row);
  const statements: DayRecord['statements'] = {};
  const o = (item.statements ?? {}) as Record<string, Record<string, unknown> | undefined>;
  for (const k of STATEMENT_KEYS) {
    const x = o[k];
    if (x) statements[k] = statementFromItem(x);
  }
  const day: DayRecord = {
    firmId: item.firmId as string,
    firmName: item.firmName as string,
    endDate: item.endDate as string,
    effective: item.effective as string,
    filingType: item.filingType as DayRecord['filingType'],
    submitDate: item.submitDate as string,
    status: item.status as string | undefined,
    statements,
  };
  const versions = intOf(item.versions);
  if (versions !== undefined) day.versions = versions;
  if (typeof item.late === 'boolean') day.late = item.late;
  return day;
}

function alertViewFromItem(item: Item): AlertView {
  const a = alertFromItem(item);
  const view: AlertView = { ...a, sentAt: a.sentAt };
  if (item.previousTarget !== undefined) view.previousTarget = amountOf(item.previousTarget);
  return view;
}

function versionViewFromItem(item: Item): VersionView {
  const v = versionFromItem(item);
  return {
    versionKey: v.versionKey,
    filingType: v.filingType,
    submitDate: v.submitDate,
    arrivedAt: (item.arrivedAt as string | undefined) ?? v.receivedAt,
    source: { bucket: v.source.bucket, key: v.source.key },
    superseded: v.superseded,
    supersededBy: item.supersededBy as string | undefined,
    filing: filingToJson(v.filing),
  };
}

function resultViewFromItem(item: Item): ResultView {
  return {
    versionKey: item.versionKey as string,
    findings: (item.findings as Finding[] | undefined) ?? [],
    errorCount: intOf(item.errorCount) ?? 0,
    reconciledAt: item.reconciledAt as string,
  };
}

/**
 * The attributes of a head the read model uses (a projection: less to send and to parse than the
 * whole item, which also carries index keys and, with issue 10, the figures later days compare
 * with). Every name aliased: several are DynamoDB reserved words.
 */
const HEAD_FIELDS = [
  'firmId',
  'firmName',
  'endDate',
  'effective',
  'filingType',
  'submitDate',
  'status',
  'versions',
  'late',
  'statements',
  'row',
];
const HEAD_NAMES: Record<string, string> = Object.fromEntries(HEAD_FIELDS.map((n) => [`#${n}`, n]));
export const HEAD_PROJECTION = HEAD_FIELDS.map((n) => `#${n}`).join(', ');

/**
 * What a head with a row needs to be read: its row and its place. DynamoDB Local spends its time
 * per item and per attribute projected (a year of one firm: 9 ms against 13 ms for HEAD_PROJECTION),
 * and the SDK has fewer attributes to unmarshal. A head written before heads had rows has no
 * `row`: when a read meets one, it is made again with HEAD_PROJECTION (StoreSource.heads).
 */
const ROW_FIELDS = ['firmId', 'endDate', 'row'];
const ROW_NAMES: Record<string, string> = Object.fromEntries(ROW_FIELDS.map((n) => [`#${n}`, n]));
export const ROW_PROJECTION = ROW_FIELDS.map((n) => `#${n}`).join(', ');
const hasRow = (i: Item) => typeof i.row === 'string';

/** Reads made, for tests and the benchmark: every one a Query (this source makes no other request). */
export interface ReadCounter {
  queries: number;
  pages: number;
}

export class StoreSource implements ReadSource {
  readonly counter: ReadCounter = { queries: 0, pages: 0 };

  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly table: string,
  ) {}

  private async query(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Item[]> {
    this.counter.queries++;
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ ...input, TableName: this.table, ExclusiveStartKey: start }));
      this.counter.pages++;
      for (const i of out.Items ?? []) items.push(i);
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async listFirms(): Promise<FirmRef[]> {
    const items = await this.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': keys.firms, ':p': 'FIRM#' },
    });
    return items.map((i) => ({ firmId: i.firmId as string, firmName: i.firmName as string }));
  }

  /**
   * The heads a query finds, read from their rows (ROW_PROJECTION); when any of them was written
   * before heads had rows, the same query again with every attribute the read model reads.
   */
  private async heads(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<DayRecord[]> {
    const items = await this.query({
      ...input,
      ProjectionExpression: ROW_PROJECTION,
      ExpressionAttributeNames: ROW_NAMES,
    });
    if (items.every(hasRow)) return items.map(dayFromItem);
    const full = await this.query({
      ...input,
      ProjectionExpression: HEAD_PROJECTION,
      ExpressionAttributeNames: HEAD_NAMES,
    });
    return full.map(dayFromItem);
  }

  async firmDays(firmId: string, from: string, to: string): Promise<DayRecord[]> {
    return this.heads({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :f AND gsi1sk BETWEEN :a AND :b',
      ExpressionAttributeValues: { ':f': keys.firm(firmId), ':a': keys.day(from), ':b': keys.day(to) },
    });
  }

  async latestFirmDay(firmId: string, onOrBefore?: string): Promise<DayRecord | undefined> {
    const input = {
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: onOrBefore ? 'gsi1pk = :f AND gsi1sk <= :d' : 'gsi1pk = :f AND begins_with(gsi1sk, :d)',
      ExpressionAttributeValues: { ':f': keys.firm(firmId), ':d': onOrBefore ? keys.day(onOrBefore) : 'DAY#' },
      ScanIndexForward: false,
      Limit: 1,
    };
    const once = async (projection: string, names: Record<string, string>) => {
      this.counter.queries++;
      this.counter.pages++;
      const out = await this.doc.send(
        new QueryCommand({ ...input, ProjectionExpression: projection, ExpressionAttributeNames: names }),
      );
      return out.Items?.[0];
    };
    let item = await once(ROW_PROJECTION, ROW_NAMES);
    if (item && !hasRow(item)) item = await once(HEAD_PROJECTION, HEAD_NAMES);
    return item ? dayFromItem(item) : undefined;
  }

  async daysOn(date: string): Promise<DayRecord[]> {
    return this.heads({
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :d AND begins_with(gsi2sk, :f)',
      ExpressionAttributeValues: { ':d': keys.day(date), ':f': 'FIRM#' },
    });
  }

  async firmsFiledOn(date: string): Promise<FirmRef[]> {
    const items = await this.query({
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :d AND begins_with(gsi2sk, :f)',
      ExpressionAttributeValues: { ':d': keys.day(date), ':f': 'FIRM#' },
      ProjectionExpression: 'firmId, firmName',
    });
    return items.map((i) => ({ firmId: i.firmId as string, firmName: i.firmName as string }));
  }

  async alertsOn(date: string, filter: AlertFilter = {}): Promise<AlertView[]> {
    // gsi2sk = ALERT#<severity>#<firmId or ->#<id>: a severity (and a firm with it) narrows the key
    // condition; a firm alone, or a kind, is picked out here (a FilterExpression would read, and
    // bill, the same items).
    let prefix = 'ALERT#';
    if (filter.severity) prefix += `${filter.severity}#${filter.firmId ? `${filter.firmId}#` : ''}`;
    const items = await this.query({
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :d AND begins_with(gsi2sk, :p)',
      ExpressionAttributeValues: { ':d': keys.day(date), ':p': prefix },
    });
    return items
      .filter((i) => (!filter.firmId || i.firmId === filter.firmId) && (!filter.kind || i.kind === filter.kind))
      .map(alertViewFromItem);
  }

  async firmDay(firmId: string, date: string): Promise<FirmDayView> {
    const items = await this.query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.firmDay(firmId, date) },
      ConsistentRead: true,
    });
    const view: FirmDayView = { versions: [], results: new Map(), alerts: [] };
    for (const i of items) {
      const sk = i.sk as string;
      if (sk === keys.head) view.head = dayFromItem(i);
      else if (sk.startsWith('V#')) view.versions.push(versionViewFromItem(i));
      else if (sk.startsWith('R#')) {
        const r = resultViewFromItem(i);
        view.results.set(r.versionKey, r);
      } else if (sk.startsWith('A#')) view.alerts.push(alertViewFromItem(i));
    }
    return view;
  }

  async versionSummaries(firmId: string, date: string): Promise<VersionSummary[]> {
    const items = await this.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
      ExpressionAttributeValues: { ':pk': keys.firmDay(firmId, date), ':v': 'V#' },
      ProjectionExpression: 'filingType, submitDate',
    });
    return items.map((i) => ({
      filingType: i.filingType as VersionSummary['filingType'],
      submitDate: i.submitDate as string,
    }));
  }
}
