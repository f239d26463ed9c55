/**
 * The DynamoDB adapter: item shapes, keys and every read and write the pipeline makes.
 * Amounts are written as NumberValue built from decimal strings and read back as NumberValue
 * (the document client is created with wrapNumbers), so no amount passes through a JS number.
 * Every write is idempotent: conditional puts of deterministic keys, conditional updates.
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, NumberValue } from '@aws-sdk/lib-dynamodb';
import { dec, str, type Decimal } from '../domain/money';
import { STATEMENT_KEYS, type StatementKey } from '../domain/forms';
import { filingAmounts, filingFromJson, type Filing, type FilingJson } from '../domain/model';
import type { Finding, Reconciliation, StatementResult, StatementStatus, TargetSource } from '../domain/reconcile';
import type { AlertKind, AlertRecord, AlertSeverity, SourceRef } from '../domain/alerts';

// ---- keys ------------------------------------------------------------------------------------

export const keys = {
  firmDay: (firmId: string, endDate: string) => `FIRM#${firmId}#DAY#${endDate}`,
  version: (versionKey: string) => `V#${versionKey}`,
  result: (versionKey: string) => `R#${versionKey}`,
  head: 'HEAD',
  alert: (id: string) => `A#${id}`,
  object: (bucket: string, key: string) => `OBJ#${bucket}/${key}`,
  objectVersion: (objectId: string) => `E#${objectId}`,
  firm: (firmId: string) => `FIRM#${firmId}`,
  day: (date: string) => `DAY#${date}`,
  /** The firm registry: one partition, one item per firm that ever had an effective filing. */
  firms: 'FIRMS',
};

// ---- numbers ---------------------------------------------------------------------------------

const N = (d: Decimal) => NumberValue.from(str(d));
const Nopt = (d: Decimal | null | undefined) => (d === null || d === undefined ? undefined : N(d));
/** Read an amount written as N (NumberValue with wrapNumbers) or as a decimal string. */
export function amountOf(v: unknown): Decimal | null {
  if (v === undefined || v === null) return null;
  if (v instanceof NumberValue) return dec(v.value);
  if (typeof v === 'string') return dec(v);
  if (typeof v === 'object' && v !== null && 'value' in v && typeof (v as { value: unknown }).value === 'string')
    return dec((v as { value: string }).value);
  throw new Error(`not an amount: ${typeof v}`);
}
const intOf = (v: unknown): number => (v instanceof NumberValue ? Number.parseInt(v.value, 10) : typeof v === 'number' ? v : 0);

// ---- canonical content hash --------------------------------------------------------------------

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Hash of the filing's content (not of its bytes): the same filing in any rendering is one filing. */
export function contentHash(f: FilingJson): string {
  return createHash('sha256').update(stable(f)).digest('hex');
}

/**
 * Version keys sort in effective order: an amendment after the initial filing, then the later
 * submit date, then (a tie between two amendments submitted the same day) the content hash, so the
 * effective version never depends on the order events arrive in.
 */
export function versionKeyOf(f: { filingType: string; submitDate: string }, hash: string): string {
  return `${f.filingType === 'AMENDMENT' ? '1' : '0'}#${f.submitDate}#${hash.slice(0, 16)}`;
}

// ---- item shapes -----------------------------------------------------------------------------

export interface ObjectRecord {
  bucket: string;
  key: string;
  objectId: string;
  status: 'stored' | 'rejected';
  size: number;
  receivedAt: string;
  /** stored: the filing version it holds (possibly stored before, from another object). */
  firmId?: string;
  endDate?: string;
  versionKey?: string;
  duplicate?: boolean;
  /** rejected: why. */
  reasonCode?: string;
  reason?: string;
  alertId?: string;
}

export interface VersionItem {
  firmId: string;
  firmName: string;
  endDate: string;
  submitDate: string;
  filingType: 'INITIAL' | 'AMENDMENT';
  versionKey: string;
  contentHash: string;
  source: SourceRef & { objectId: string };
  receivedAt: string;
  /**
   * `pending`: a write of this version is for reconcile (the put, a redrive); it stays so once
   * reconciled (whether it was is whether its result item exists). `done`: superseded, so the
   * update that marked it asks reconcile for nothing. Reconcile does not write the version back:
   * the version holds every amount, and that update cost as much as the put (2.2 of a filing's
   * ~10 write units).
   */
  state: 'pending' | 'done';
  superseded: boolean;
  filing: Filing;
  unreadable: string[];
}

export interface StatementSummary {
  required: Decimal | null;
  funds: Decimal | null;
  excess: Decimal | null;
  target: Decimal | null;
  /** Where the target comes from: the statement's own target line, or the Cover Page. */
  targetSource: TargetSource | null;
  status: StatementStatus;
  title: string;
  variant: string;
}

export interface ResultItem {
  firmId: string;
  endDate: string;
  versionKey: string;
  statements: Partial<Record<StatementKey, StatementSummary>>;
  findings: Finding[];
  errorCount: number;
  alertIds: string[];
  reconciledAt: string;
}

export interface HeadItem {
  firmId: string;
  firmName: string;
  endDate: string;
  effective: string;
  filingType: 'INITIAL' | 'AMENDMENT';
  submitDate: string;
  status: string;
  statements: Partial<Record<StatementKey, StatementSummary>>;
  updatedAt: string;
}

/** A firm in the registry (its name as in the filing that registered it). Nothing time-dependent: a retry writes the same item. */
export interface FirmItem {
  firmId: string;
  firmName: string;
}

export interface StoredAlert extends AlertRecord {
  state: 'pending' | 'sent';
  raisedAt: string;
  sentAt?: string;
  messageId?: string;
  attempts: number;
  pk: string;
  sk: string;
}

/** The filing as stored in its version item: the form, and every amount a DynamoDB number. */
function filingToItem(f: Filing) {
  return { form: f.form, ...filingAmounts(f, N) };
}

/** NumberValue -> decimal string throughout, to rebuild the JSON shape the domain validates. */
function numbersToStrings(v: unknown): unknown {
  if (v instanceof NumberValue) return v.value;
  if (Array.isArray(v)) return v.map(numbersToStrings);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = numbersToStrings(x);
    return out;
  }
  return v;
}

export function versionFromItem(item: Record<string, unknown>): VersionItem {
  const filingAttr = numbersToStrings(item.filing) as { form: string; statements: FilingJson['statements']; unknownCodes: FilingJson['unknownCodes']; coverPage?: FilingJson['coverPage'] };
  const filing = filingFromJson({
    filingType: item.filingType,
    endDate: item.endDate,
    submitDate: item.submitDate,
    firmName: item.firmName,
    firmId: item.firmId,
    form: filingAttr.form,
    statements: filingAttr.statements,
    unknownCodes: filingAttr.unknownCodes,
    coverPage: filingAttr.coverPage,
  });
  return {
    firmId: item.firmId as string,
    firmName: item.firmName as string,
    endDate: item.endDate as string,
    submitDate: item.submitDate as string,
    filingType: item.filingType as VersionItem['filingType'],
    versionKey: item.versionKey as string,
    contentHash: item.contentHash as string,
    source: item.source as VersionItem['source'],
    receivedAt: item.receivedAt as string,
    state: item.state as VersionItem['state'],
    superseded: item.superseded === true,
    filing,
    unreadable: (item.unreadable as string[] | undefined) ?? [],
  };
}

function summaryToItem(s: Partial<Record<StatementKey, StatementSummary>>) {
  const out: Record<string, unknown> = {};
  for (const key of STATEMENT_KEYS) {
    const x = s[key];
    if (!x) continue;
    out[key] = { required: Nopt(x.required), funds: Nopt(x.funds), excess: Nopt(x.excess), target: Nopt(x.target), targetSource: x.targetSource ?? undefined, status: x.status, title: x.title, variant: x.variant };
  }
  return out;
}

function summaryFromItem(v: unknown): Partial<Record<StatementKey, StatementSummary>> {
  const out: Partial<Record<StatementKey, StatementSummary>> = {};
  const o = (v ?? {}) as Record<string, Record<string, unknown>>;
  for (const key of STATEMENT_KEYS) {
    const x = o[key];
    if (!x) continue;
    out[key] = {
      required: amountOf(x.required),
      funds: amountOf(x.funds),
      excess: amountOf(x.excess),
      target: amountOf(x.target),
      targetSource: (x.targetSource as TargetSource | undefined) ?? null,
      status: x.status as StatementStatus,
      title: x.title as string,
      variant: x.variant as string,
    };
  }
  return out;
}

export function summaryOf(rec: Reconciliation): Partial<Record<StatementKey, StatementSummary>> {
  const out: Partial<Record<StatementKey, StatementSummary>> = {};
  for (const key of STATEMENT_KEYS) {
    const s: StatementResult | undefined = rec.statements[key];
    if (s) out[key] = { required: s.required, funds: s.funds, excess: s.excess, target: s.target, targetSource: s.targetSource, status: s.status, title: s.title, variant: s.variant };
  }
  return out;
}

/** Overall status of a filing version: the worst of its statements, or "error"/"missing". */
export function overallStatus(rec: { statements: Partial<Record<StatementKey, { status: StatementStatus }>>; errorCount: number }): string {
  const statuses = STATEMENT_KEYS.map((k) => rec.statements[k]?.status);
  if (statuses.includes('deficiency')) return 'deficiency';
  if (statuses.includes('below-target')) return 'below-target';
  if (rec.errorCount > 0 || statuses.includes('unreconciled')) return 'error';
  return 'ok';
}

function alertToItem(a: AlertRecord) {
  return {
    id: a.id,
    kind: a.kind,
    severity: a.severity,
    firmId: a.firmId ?? undefined,
    firmName: a.firmName ?? undefined,
    endDate: a.endDate ?? undefined,
    submitDate: a.submitDate ?? undefined,
    filingType: a.filingType ?? undefined,
    versionKey: a.versionKey ?? undefined,
    statement: a.statement ?? undefined,
    excess: Nopt(a.excess),
    target: Nopt(a.target),
    targetSource: a.targetSource ?? undefined,
    shortfall: Nopt(a.shortfall),
    previousExcess: Nopt(a.previousExcess),
    previousDate: a.previousDate ?? undefined,
    detail: a.detail,
    source: a.source,
  };
}

export function alertFromItem(item: Record<string, unknown>): StoredAlert {
  const s = (k: string) => (item[k] === undefined ? null : (item[k] as string));
  return {
    id: item.id as string,
    kind: item.kind as AlertKind,
    severity: item.severity as AlertSeverity,
    firmId: s('firmId'),
    firmName: s('firmName'),
    endDate: s('endDate'),
    submitDate: s('submitDate'),
    filingType: s('filingType') as StoredAlert['filingType'],
    versionKey: s('versionKey'),
    statement: s('statement') as StatementKey | null,
    excess: amountOf(item.excess),
    target: amountOf(item.target),
    targetSource: (item.targetSource as AlertRecord['targetSource'] | undefined) ?? null,
    shortfall: amountOf(item.shortfall),
    previousExcess: amountOf(item.previousExcess),
    previousDate: s('previousDate'),
    detail: (item.detail as string) ?? '',
    source: item.source as SourceRef,
    state: item.state as StoredAlert['state'],
    raisedAt: item.raisedAt as string,
    sentAt: (item.sentAt as string | undefined) ?? undefined,
    messageId: (item.messageId as string | undefined) ?? undefined,
    attempts: intOf(item.attempts),
    pk: item.pk as string,
    sk: item.sk as string,
  };
}

function isConditionFailure(e: unknown): boolean {
  return e instanceof ConditionalCheckFailedException || (e as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** Consumed capacity, summed over every request this store made (for the benchmark). */
export interface CapacityMeter {
  writeUnits: number;
  /** Read units of gets and queries, when the meter has this field. */
  readUnits?: number;
  /** Conditional writes that failed their condition: AWS bills each one write unit, but reports none. */
  conditionFailures?: number;
  /** Write units by what was written (`put filing`, `update head`, ...), when the meter has this field. */
  writeUnitsByItem?: Record<string, number>;
}

/** Env var of the benchmark's opt-in: `1` gives every Store made without a meter (the handlers' own) `processMeter`. */
export const CAPACITY_METER_ENV = 'SEGWATCH_CAPACITY_METER';
/** The process-wide meter of that opt-in. */
export const processMeter: Required<CapacityMeter> = { writeUnits: 0, readUnits: 0, conditionFailures: 0, writeUnitsByItem: {} };
const defaultMeter = (): CapacityMeter | undefined => (process.env[CAPACITY_METER_ENV] === '1' ? processMeter : undefined);

// ---- the store -------------------------------------------------------------------------------

export class Store {
  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly table: string,
    readonly meter: CapacityMeter | undefined = defaultMeter(),
  ) {}

  private count(out: { ConsumedCapacity?: { CapacityUnits?: number } }, what: string) {
    const units = out.ConsumedCapacity?.CapacityUnits;
    if (!this.meter || !units) return;
    this.meter.writeUnits += units;
    const by = this.meter.writeUnitsByItem;
    if (by) by[what] = (by[what] ?? 0) + units;
  }

  private countRead(out: { ConsumedCapacity?: { CapacityUnits?: number } }) {
    if (this.meter?.readUnits !== undefined && out.ConsumedCapacity?.CapacityUnits) this.meter.readUnits += out.ConsumedCapacity.CapacityUnits;
  }

  private conditionFailed() {
    if (this.meter?.conditionFailures !== undefined) this.meter.conditionFailures++;
  }

  /** Put unless the key exists; true when written. */
  private async putNew(item: Record<string, unknown>): Promise<boolean> {
    try {
      const out = await this.doc.send(
        new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)', ReturnConsumedCapacity: this.meter ? 'TOTAL' : undefined }),
      );
      this.count(out, `put ${String(item.type)}`);
      return true;
    } catch (e) {
      if (isConditionFailure(e)) {
        this.conditionFailed();
        return false;
      }
      throw e;
    }
  }

  private async update(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>): Promise<boolean> {
    try {
      const out = await this.doc.send(new UpdateCommand({ ...input, TableName: this.table, ReturnConsumedCapacity: this.meter ? 'TOTAL' : undefined }));
      const sk = String((input.Key as { sk?: unknown } | undefined)?.sk ?? '');
      this.count(out, `update ${sk.startsWith('V#') ? 'filing' : sk.startsWith('A#') ? 'alert' : sk === keys.head ? 'head' : 'other'}`);
      return true;
    } catch (e) {
      if (isConditionFailure(e)) {
        this.conditionFailed();
        return false;
      }
      throw e;
    }
  }

  private async get(pk: string, sk: string, consistent = false): Promise<Record<string, unknown> | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: consistent, ReturnConsumedCapacity: this.meter ? 'TOTAL' : undefined }));
    this.countRead(out);
    return out.Item;
  }

  private async queryAll(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ ...input, TableName: this.table, ExclusiveStartKey: start, ReturnConsumedCapacity: this.meter ? 'TOTAL' : undefined }));
      this.countRead(out);
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Every item of a partition whose sort key starts with `prefix` (strongly consistent). */
  private queryPrefix(pk: string, prefix: string, projection?: string): Promise<Record<string, unknown>[]> {
    return this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': pk, ':p': prefix },
      ProjectionExpression: projection,
      ConsistentRead: true,
    });
  }

  // objects

  async getObjectRecord(bucket: string, key: string, objectId: string): Promise<ObjectRecord | undefined> {
    const item = await this.get(keys.object(bucket, key), keys.objectVersion(objectId), true);
    return item ? objectFromItem(item) : undefined;
  }

  async listObjectRecords(bucket: string, key: string): Promise<ObjectRecord[]> {
    const items = await this.queryPrefix(keys.object(bucket, key), 'E#');
    return items.map(objectFromItem);
  }

  async putObjectRecord(r: ObjectRecord): Promise<boolean> {
    return this.putNew({
      pk: keys.object(r.bucket, r.key),
      sk: keys.objectVersion(r.objectId),
      type: 'object',
      ...r,
      size: NumberValue.from(String(r.size)),
    });
  }

  // versions

  async putVersion(v: Omit<VersionItem, 'state' | 'superseded'>): Promise<boolean> {
    return this.putNew({
      pk: keys.firmDay(v.firmId, v.endDate),
      sk: keys.version(v.versionKey),
      type: 'filing',
      state: 'pending',
      superseded: false,
      firmId: v.firmId,
      firmName: v.firmName,
      endDate: v.endDate,
      submitDate: v.submitDate,
      filingType: v.filingType,
      versionKey: v.versionKey,
      contentHash: v.contentHash,
      source: v.source,
      receivedAt: v.receivedAt,
      filing: filingToItem(v.filing),
      unreadable: v.unreadable.length ? v.unreadable : undefined,
    });
  }

  async getVersion(firmId: string, endDate: string, versionKey: string): Promise<VersionItem | undefined> {
    const item = await this.get(keys.firmDay(firmId, endDate), keys.version(versionKey), true);
    return item ? versionFromItem(item) : undefined;
  }

  async listVersions(firmId: string, endDate: string): Promise<VersionItem[]> {
    const items = await this.queryPrefix(keys.firmDay(firmId, endDate), 'V#');
    return items.map(versionFromItem);
  }

  /** Version keys of a firm-day, in effective order (the last is the effective one). */
  async listVersionKeys(firmId: string, endDate: string): Promise<string[]> {
    const items = await this.queryPrefix(keys.firmDay(firmId, endDate), 'V#', 'sk');
    return items.map((i) => (i.sk as string).slice(2)).sort();
  }

  async markSuperseded(firmId: string, endDate: string, versionKey: string, by: string): Promise<boolean> {
    return this.update({
      Key: { pk: keys.firmDay(firmId, endDate), sk: keys.version(versionKey) },
      // state = done in the same update: its stream record must not send the version to reconcile again.
      UpdateExpression: 'SET superseded = :t, supersededBy = :by, #s = :done',
      ConditionExpression: 'attribute_exists(pk) AND (superseded = :f OR supersededBy < :by)',
      ExpressionAttributeNames: { '#s': 'state' },
      ExpressionAttributeValues: { ':t': true, ':f': false, ':by': by, ':done': 'done' },
    });
  }

  // results

  async putResult(r: ResultItem): Promise<boolean> {
    return this.putNew({
      pk: keys.firmDay(r.firmId, r.endDate),
      sk: keys.result(r.versionKey),
      type: 'result',
      firmId: r.firmId,
      endDate: r.endDate,
      versionKey: r.versionKey,
      statements: summaryToItem(r.statements),
      findings: r.findings,
      errorCount: NumberValue.from(String(r.errorCount)),
      alertIds: r.alertIds,
      reconciledAt: r.reconciledAt,
    });
  }

  async getResult(firmId: string, endDate: string, versionKey: string): Promise<ResultItem | undefined> {
    const item = await this.get(keys.firmDay(firmId, endDate), keys.result(versionKey), true);
    return item ? resultFromItem(item) : undefined;
  }

  // head

  async getHead(firmId: string, endDate: string): Promise<HeadItem | undefined> {
    const item = await this.get(keys.firmDay(firmId, endDate), keys.head, true);
    return item ? headFromItem(item) : undefined;
  }

  /**
   * Point the firm-day at `h.effective` unless it already points at a later version. Version keys
   * sort in effective order, so the head only moves forward whatever order events arrive in.
   * Returns the head as it was before (undefined if there was none) and whether it moved.
   */
  async advanceHead(h: HeadItem): Promise<{ moved: boolean; previous?: HeadItem }> {
    // One request: the conditional update returns the head as it was (ALL_OLD), and a failed
    // condition returns it too, where a read before the update cost a second round trip.
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: keys.firmDay(h.firmId, h.endDate), sk: keys.head },
          UpdateExpression:
            'SET #t = :type, firmId = :firm, firmName = :name, endDate = :date, effective = :eff, filingType = :ft, submitDate = :sd, #st = :status, statements = :stm, updatedAt = :at, gsi1pk = :g1pk, gsi1sk = :g1sk, gsi2pk = :g2pk, gsi2sk = :g2sk',
          ConditionExpression: 'attribute_not_exists(effective) OR effective <= :eff',
          ExpressionAttributeNames: { '#t': 'type', '#st': 'status' },
          ExpressionAttributeValues: {
            ':type': 'head',
            ':firm': h.firmId,
            ':name': h.firmName,
            ':date': h.endDate,
            ':eff': h.effective,
            ':ft': h.filingType,
            ':sd': h.submitDate,
            ':status': h.status,
            ':stm': summaryToItem(h.statements),
            ':at': h.updatedAt,
            ':g1pk': keys.firm(h.firmId),
            ':g1sk': keys.day(h.endDate),
            ':g2pk': keys.day(h.endDate),
            ':g2sk': keys.firm(h.firmId),
          },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: this.meter ? 'TOTAL' : undefined,
        }),
      );
      this.count(out, 'update head');
      const old = out.Attributes as Record<string, unknown> | undefined;
      return { moved: true, previous: old ? headFromItem(old) : undefined };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      this.conditionFailed();
      // The exception carries the item as DynamoDB attribute values (the document client does not convert errors).
      const item = (e as { Item?: Record<string, AttributeValue> }).Item;
      return { moved: false, previous: item ? headFromItem(unmarshall(item, { wrapNumbers: true })) : undefined };
    }
  }

  /** The firm's effective filing on the last day before `endDate` that has one. */
  async previousHead(firmId: string, endDate: string): Promise<HeadItem | undefined> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :f AND gsi1sk < :d',
        ExpressionAttributeValues: { ':f': keys.firm(firmId), ':d': keys.day(endDate) },
        ScanIndexForward: false,
        Limit: 1,
        ReturnConsumedCapacity: this.meter ? 'TOTAL' : undefined,
      }),
    );
    this.countRead(out);
    return out.Items?.[0] ? headFromItem(out.Items[0]) : undefined;
  }

  /** A firm's effective filings from `from` to `to` (ISO dates, inclusive). */
  async firmHistory(firmId: string, from: string, to: string): Promise<HeadItem[]> {
    const items = await this.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :f AND gsi1sk BETWEEN :a AND :b',
      ExpressionAttributeValues: { ':f': keys.firm(firmId), ':a': keys.day(from), ':b': keys.day(to) },
    });
    return items.map(headFromItem);
  }

  /** Every firm's effective filing on a day. */
  async firmsOnDay(endDate: string): Promise<HeadItem[]> {
    const items = await this.queryAll({
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :d AND begins_with(gsi2sk, :f)',
      ExpressionAttributeValues: { ':d': keys.day(endDate), ':f': 'FIRM#' },
    });
    return items.map(headFromItem);
  }

  // firms

  /** Register a firm unless it is registered already; true when written. */
  async putFirm(f: FirmItem): Promise<boolean> {
    return this.putNew({ pk: keys.firms, sk: keys.firm(f.firmId), type: 'firm', firmId: f.firmId, firmName: f.firmName });
  }

  /** Every registered firm, by firm id (a Query of one partition, no Scan). */
  async listFirms(): Promise<FirmItem[]> {
    const items = await this.queryPrefix(keys.firms, 'FIRM#');
    return items.map((i) => ({ firmId: i.firmId as string, firmName: i.firmName as string }));
  }

  // dead letters

  /**
   * Why a queue message is about to be dead-lettered (its last receive failed): the dead-letter
   * queue keeps the message, this item keeps the reason, keyed by the message id (SQS keeps the id
   * when it moves a message to the DLQ). Overwritten by a later failure of the same message.
   */
  async putDeadLetterReason(r: { queue: string; messageId: string; receiveCount: number; reason: string; body: string; at: string }): Promise<void> {
    const out = await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `DLQ#${r.queue}`,
          sk: r.messageId,
          type: 'dead-letter',
          receiveCount: NumberValue.from(String(r.receiveCount)),
          reason: r.reason.slice(0, 2000),
          body: r.body.slice(0, 20000),
          at: r.at,
        },
        ReturnConsumedCapacity: this.meter ? 'TOTAL' : undefined,
      }),
    );
    this.count(out, 'put dead-letter');
  }

  // alerts

  /** Put an alert into the outbox (state pending) unless it is there already. */
  async putAlert(a: AlertRecord, raisedAt: string, day: string): Promise<boolean> {
    const pk = a.firmId && a.endDate ? keys.firmDay(a.firmId, a.endDate) : keys.object(a.source.bucket, a.source.key);
    return this.putNew({
      pk,
      sk: keys.alert(a.id),
      type: 'alert',
      state: 'pending',
      attempts: NumberValue.from('0'),
      raisedAt,
      gsi2pk: keys.day(day),
      gsi2sk: `ALERT#${a.severity}#${a.firmId ?? '-'}#${a.id}`,
      ...alertToItem(a),
    });
  }

  async getAlert(pk: string, sk: string): Promise<StoredAlert | undefined> {
    const item = await this.get(pk, sk, true);
    return item ? alertFromItem(item) : undefined;
  }

  async listAlerts(firmId: string, endDate: string): Promise<StoredAlert[]> {
    const items = await this.queryPrefix(keys.firmDay(firmId, endDate), 'A#');
    return items.map(alertFromItem);
  }

  async listObjectAlerts(bucket: string, key: string): Promise<StoredAlert[]> {
    const items = await this.queryPrefix(keys.object(bucket, key), 'A#');
    return items.map(alertFromItem);
  }

  /** Alerts raised on a day (the firm's end date; for rejected files, the day received), optionally of one severity. */
  async alertsByDay(day: string, severity?: AlertSeverity): Promise<StoredAlert[]> {
    const items = await this.queryAll({
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :d AND begins_with(gsi2sk, :p)',
      ExpressionAttributeValues: { ':d': keys.day(day), ':p': severity ? `ALERT#${severity}#` : 'ALERT#' },
    });
    return items.map(alertFromItem);
  }

  /** Mark an alert sent; false when it was sent already (or is gone). */
  async markAlertSent(pk: string, sk: string, messageId: string, sentAt: string): Promise<boolean> {
    return this.update({
      Key: { pk, sk },
      UpdateExpression: 'SET #s = :sent, sentAt = :at, messageId = :m',
      ConditionExpression: 'attribute_exists(pk) AND #s = :pending',
      ExpressionAttributeNames: { '#s': 'state' },
      ExpressionAttributeValues: { ':sent': 'sent', ':pending': 'pending', ':at': sentAt, ':m': messageId },
    });
  }

  /** Put a pending alert back in front of notify (redrive): a MODIFY that passes notify's stream filter. */
  async touchAlert(pk: string, sk: string, at: string): Promise<boolean> {
    return this.update({
      Key: { pk, sk },
      UpdateExpression: 'SET redrivenAt = :at, attempts = if_not_exists(attempts, :zero) + :one',
      ConditionExpression: 'attribute_exists(pk) AND #s = :pending',
      ExpressionAttributeNames: { '#s': 'state' },
      ExpressionAttributeValues: { ':at': at, ':zero': NumberValue.from('0'), ':one': NumberValue.from('1'), ':pending': 'pending' },
    });
  }
}

function objectFromItem(item: Record<string, unknown>): ObjectRecord {
  const { pk: _pk, sk: _sk, type: _t, ...rest } = item;
  return { ...(rest as unknown as ObjectRecord), size: intOf(item.size) };
}

function resultFromItem(item: Record<string, unknown>): ResultItem {
  return {
    firmId: item.firmId as string,
    endDate: item.endDate as string,
    versionKey: item.versionKey as string,
    statements: summaryFromItem(item.statements),
    findings: (item.findings as Finding[]) ?? [],
    errorCount: intOf(item.errorCount),
    alertIds: (item.alertIds as string[]) ?? [],
    reconciledAt: item.reconciledAt as string,
  };
}

function headFromItem(item: Record<string, unknown>): HeadItem {
  return {
    firmId: item.firmId as string,
    firmName: item.firmName as string,
    endDate: item.endDate as string,
    effective: item.effective as string,
    filingType: item.filingType as HeadItem['filingType'],
    submitDate: item.submitDate as string,
    status: item.status as string,
    statements: summaryFromItem(item.statements),
    updatedAt: item.updatedAt as string,
  };
}
