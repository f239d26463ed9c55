/**
 * The DynamoDB adapter: item shapes, keys and every read and write the pipeline makes. The rules
 * (which filings are one version, their order, the effective one, what to alert) live in
 * shared/domain (versions.ts, episodes.ts); this module only stores what they decide.
 * Amounts are written as NumberValue built from decimal strings and read back as NumberValue
 * (the document client is created with wrapNumbers), so no amount passes through a JS number.
 * Every write is idempotent: conditional puts of deterministic keys, conditional updates, or
 * updates that set what the domain computed from the table itself. Items are checked against
 * DynamoDB's 400 KB limit before they are sent (ItemTooLargeError).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  NumberValue,
} from '@aws-sdk/lib-dynamodb';
import { dec, str, type Decimal } from '../domain/money';
import { STATEMENT_KEYS, type StatementKey } from '../domain/forms';
import { filingAmounts, filingFromJson, type Filing, type FilingJson } from '../domain/model';
import type { Finding, StatementStatus } from '../domain/reconcile';
import type { ParseNote } from '../domain/parser/errors';
import type { AlertKind, AlertRecord, AlertSeverity, SourceRef } from '../domain/alerts';
import { rule } from '../domain/rules';
import {
  inEffectiveOrder,
  type StatementsSummary,
  type StatementSummary,
  type TargetSource,
  type VersionOrder,
} from '../domain/versions';
import { capFindings } from '../domain/limits';
import { basisOf } from '../domain/episodes';
import { assertItemFits, DYNAMODB_ITEM_LIMIT, itemSize } from './item-size';
import { decodeDayRow, encodeDayRow } from '../read/day-rows';
import type { DayRecord } from '../read/model';

// The rules moved to shared/domain/versions.ts; re-exported for the modules that import them from here.
export { contentHash, overallStatus, summaryOf, versionKeyOf, type StatementSummary } from '../domain/versions';
export { ItemTooLargeError } from './item-size';

// ---- keys ------------------------------------------------------------------------------------

export const keys = {
  firmDay: (firmId: string, endDate: string) => `FIRM#${firmId}#DAY#${endDate}`,
  version: (versionKey: string) => `V#${versionKey}`,
  result: (versionKey: string) => `R#${versionKey}`,
  head: 'HEAD',
  /** A request to evaluate the day again (its previous filing day changed). */
  recheck: 'RECHECK',
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
const intOf = (v: unknown): number =>
  v instanceof NumberValue ? Number.parseInt(v.value, 10) : typeof v === 'number' ? v : 0;

// ---- item shapes -----------------------------------------------------------------------------

export interface ObjectRecord {
  bucket: string;
  key: string;
  objectId: string;
  status: 'stored' | 'rejected';
  size: number;
  receivedAt: string;
  /** The S3 event time of the object (its arrival). */
  arrivedAt?: string;
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
  /** The S3 event time of the first object that carried this filing (its place among same-day re-filings). */
  arrivedAt: string;
  /**
   * `pending`: a write of this version is for reconcile (the put, an earlier arrival of the same
   * filing, a redrive); it stays so once reconciled (whether it was is whether its result item
   * exists). `done`: reconcile's own updates (superseded or effective again), which ask reconcile
   * for nothing. Reconcile does not write the version back otherwise: the version holds every
   * amount, and that update cost as much as the put (2.2 of a filing's ~10 write units).
   */
  state: 'pending' | 'done';
  superseded: boolean;
  supersededBy?: string;
  filing: Filing;
  unreadable: string[];
  /** How the file was read, for findings (Windows-1252, a firm name at a page break); absent: none. */
  notes?: ParseNote[];
}

export interface ResultItem {
  firmId: string;
  endDate: string;
  versionKey: string;
  statements: StatementsSummary;
  /** At most MAX_STORED_FINDINGS (shared/domain/limits.ts); `findingsOmitted` counts the rest. */
  findings: Finding[];
  findingsOmitted: number;
  errorCount: number;
  /** Submitted after its due day (SW130). */
  late: boolean;
  reconciledAt: string;
}

/** Everything of a firm's day that evaluating it reads, from one Query of its partition. */
export interface DayItems {
  /** In effective order (the last is effective). */
  versions: VersionMeta[];
  results: Map<string, ResultItem>;
  head?: HeadItem;
  /** The day's outbox. */
  alerts: StoredAlert[];
}

/** The order fields of a version and its marks (what evaluating the day reads of each version). */
export interface VersionMeta extends VersionOrder {
  firmName: string;
  source: SourceRef & { objectId: string };
  state: 'pending' | 'done';
  superseded: boolean;
  supersededBy?: string;
}

/** A statement in a head: the summary without title and variant (they are in the result). */
export type HeadStatement = Omit<StatementSummary, 'title' | 'variant'>;

export interface HeadItem {
  firmId: string;
  firmName: string;
  endDate: string;
  effective: string;
  filingType: 'INITIAL' | 'AMENDMENT';
  submitDate: string;
  status: string;
  statements: Partial<Record<StatementKey, HeadStatement>>;
  /** How many versions the firm filed for the day. */
  versions: number;
  /** The effective filing was submitted late (SW130). */
  late: boolean;
  /** The figures later days compare with (shared/domain/episodes.ts basisOf). */
  basis: string;
  /** Per previous filing day this evaluation read: that day's basis ('none': no filing). */
  prevBasis: Record<string, string>;
  /** The window the recent-days alerts were decided with (shared/domain/day-alerts.ts windowBasisOf); absent before issue 12. */
  windowBasis?: string;
  updatedAt: string;
}

/** A head from its essentials (Store.advanceHead fills in the rest). */
export type HeadSeed = Omit<HeadItem, 'versions' | 'late' | 'basis' | 'prevBasis' | 'statements'> &
  Partial<Pick<HeadItem, 'versions' | 'late' | 'basis' | 'prevBasis'>> & {
    statements: Partial<
      Record<StatementKey, Omit<HeadStatement, 'targetSource'> & { targetSource?: HeadStatement['targetSource'] }>
    >;
  };

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
  /** Marked sent without a publish: a later word of its channel had been sent already. */
  suppressed?: boolean;
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
  const filingAttr = numbersToStrings(item.filing) as {
    form: string;
    statements: FilingJson['statements'];
    unknownCodes: FilingJson['unknownCodes'];
    coverPage?: FilingJson['coverPage'];
  };
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
    arrivedAt: (item.arrivedAt as string | undefined) ?? (item.receivedAt as string),
    state: item.state as VersionItem['state'],
    superseded: item.superseded === true,
    ...(typeof item.supersededBy === 'string' ? { supersededBy: item.supersededBy } : {}),
    filing,
    unreadable: (item.unreadable as string[] | undefined) ?? [],
    ...(Array.isArray(item.notes) && item.notes.length ? { notes: item.notes as ParseNote[] } : {}),
  };
}

/** A result's statement summaries as stored (a head holds its statements as its row: shared/read/day-rows.ts). */
function summaryToItem(s: StatementsSummary) {
  const out: Record<string, unknown> = {};
  for (const key of STATEMENT_KEYS) {
    const x = s[key];
    if (!x) continue;
    out[key] = {
      required: Nopt(x.required),
      funds: Nopt(x.funds),
      excess: Nopt(x.excess),
      target: Nopt(x.target),
      targetSource: x.targetSource ?? undefined,
      status: x.status,
      title: x.title,
      variant: x.variant,
      ...('filedExcess' in x
        ? { filedExcess: Nopt(x.filedExcess), computedExcess: Nopt(x.computedExcess), failingLines: x.failingLines }
        : {}),
    };
  }
  return out;
}

function summaryFromItem(v: unknown): StatementsSummary {
  const out: StatementsSummary = {};
  const o = (v ?? {}) as Record<string, Record<string, unknown>>;
  for (const key of STATEMENT_KEYS) {
    const x = o[key];
    if (!x) continue;
    out[key] = {
      required: amountOf(x.required),
      funds: amountOf(x.funds),
      excess: amountOf(x.excess),
      target: amountOf(x.target),
      targetSource:
        (x.targetSource as TargetSource | undefined) ??
        (x.target !== undefined && x.target !== null ? 'statement' : null),
      status: x.status as StatementStatus,
      title: (x.title as string | undefined) ?? '',
      variant: (x.variant as string | undefined) ?? '',
      ...(x.failingLines !== undefined
        ? {
            filedExcess: amountOf(x.filedExcess),
            computedExcess: amountOf(x.computedExcess),
            failingLines: x.failingLines as string[],
          }
        : {}),
    };
  }
  return out;
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
    previousTarget: Nopt(a.previousTarget),
    slope: Nopt(a.slope),
    projectedExcess: Nopt(a.projectedExcess),
    projectedDate: a.projectedDate ?? undefined,
    filingDaysToTarget: a.filingDaysToTarget ? NumberValue.from(String(a.filingDaysToTarget)) : undefined,
    detail: a.detail,
    source: a.source,
    channel: a.channel ?? undefined,
    seq: a.seq ? NumberValue.from(String(a.seq)) : undefined,
    resolves: a.resolves ?? undefined,
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
    // The recent-days kinds' figures (shared/domain/day-alerts.ts); absent on the other kinds.
    ...(item.previousTarget !== undefined ? { previousTarget: amountOf(item.previousTarget) } : {}),
    ...(item.slope !== undefined ? { slope: amountOf(item.slope) } : {}),
    ...(item.projectedExcess !== undefined ? { projectedExcess: amountOf(item.projectedExcess) } : {}),
    ...(item.projectedDate !== undefined ? { projectedDate: item.projectedDate as string } : {}),
    ...(item.filingDaysToTarget !== undefined ? { filingDaysToTarget: intOf(item.filingDaysToTarget) } : {}),
    detail: (item.detail as string) ?? '',
    source: item.source as SourceRef,
    channel: s('channel'),
    seq: item.seq === undefined ? null : intOf(item.seq),
    resolves: s('resolves') as AlertKind | null,
    state: item.state as StoredAlert['state'],
    raisedAt: item.raisedAt as string,
    sentAt: (item.sentAt as string | undefined) ?? undefined,
    messageId: (item.messageId as string | undefined) ?? undefined,
    attempts: intOf(item.attempts),
    ...(item.suppressed === true ? { suppressed: true } : {}),
    pk: item.pk as string,
    sk: item.sk as string,
  };
}

function isConditionFailure(e: unknown): boolean {
  return (
    e instanceof ConditionalCheckFailedException || (e as { name?: string })?.name === 'ConditionalCheckFailedException'
  );
}

// ---- the store -------------------------------------------------------------------------------

/** Attributes of a version item that evaluating its day reads (not the filing). */
const VERSION_META =
  'sk, versionKey, filingType, submitDate, arrivedAt, receivedAt, firmName, #src, #st, superseded, supersededBy';

export class Store {
  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly table: string,
  ) {}

  /** Put unless the key exists; true when written. */
  private async putNew(item: Record<string, unknown>): Promise<boolean> {
    assertItemFits(item, String(item.type));
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  private async update(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand({ ...input, TableName: this.table }));
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  private async get(pk: string, sk: string, consistent = false): Promise<Record<string, unknown> | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: consistent }),
    );
    return out.Item;
  }

  private async queryAll(
    input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ ...input, TableName: this.table, ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Every item of a partition whose sort key starts with `prefix` (strongly consistent). */
  private queryPrefix(
    pk: string,
    prefix: string,
    projection?: string,
    names?: Record<string, string>,
  ): Promise<Record<string, unknown>[]> {
    return this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': pk, ':p': prefix },
      ProjectionExpression: projection,
      ExpressionAttributeNames: names,
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
      reason: r.reason === undefined ? undefined : r.reason.slice(0, 2000),
      size: NumberValue.from(String(r.size)),
    });
  }

  // versions

  /** The version item as it would be put (for a size check before anything is written). */
  versionItem(v: Omit<VersionItem, 'state' | 'superseded'>): Record<string, unknown> {
    return {
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
      arrivedAt: v.arrivedAt,
      filing: filingToItem(v.filing),
      unreadable: v.unreadable.length ? v.unreadable : undefined,
      notes: v.notes?.length ? v.notes.map((n) => ({ rule: n.rule, message: n.message })) : undefined,
    };
  }

  /** Bytes the version item would take (DynamoDB's count, an upper bound). */
  versionItemSize(v: Omit<VersionItem, 'state' | 'superseded'>): number {
    return itemSize(this.versionItem(v));
  }

  async putVersion(v: Omit<VersionItem, 'state' | 'superseded'>): Promise<boolean> {
    return this.putNew(this.versionItem(v));
  }

  async getVersion(firmId: string, endDate: string, versionKey: string): Promise<VersionItem | undefined> {
    const item = await this.get(keys.firmDay(firmId, endDate), keys.version(versionKey), true);
    return item ? versionFromItem(item) : undefined;
  }

  async listVersions(firmId: string, endDate: string): Promise<VersionItem[]> {
    const items = await this.queryPrefix(keys.firmDay(firmId, endDate), 'V#');
    return inEffectiveOrder(items.map(versionFromItem));
  }

  /** The order fields and marks of every version of a firm-day, in effective order (the last is effective). */
  async listVersionMeta(firmId: string, endDate: string): Promise<VersionMeta[]> {
    const items = await this.queryPrefix(keys.firmDay(firmId, endDate), 'V#', VERSION_META, {
      '#src': 'source',
      '#st': 'state',
    });
    return inEffectiveOrder(items.map(versionMetaOf));
  }

  /**
   * A firm's day in one Query of its partition (strongly consistent): its versions' order fields
   * and marks, their results, its head and its outbox. (A query is billed by the size of the items
   * it reads, whatever it projects, so one query of the day costs no more than the four reads it
   * replaces, in one round trip.)
   */
  async readDay(firmId: string, endDate: string): Promise<DayItems> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.firmDay(firmId, endDate) },
      ConsistentRead: true,
    });
    const day: DayItems = { versions: [], results: new Map(), alerts: [] };
    for (const i of items) {
      const sk = i.sk as string;
      if (sk.startsWith('V#')) day.versions.push(versionMetaOf(i));
      else if (sk.startsWith('R#')) day.results.set(i.versionKey as string, resultFromItem(i));
      else if (sk.startsWith('A#')) day.alerts.push(alertFromItem(i));
      else if (sk === keys.head) day.head = headFromItem(i);
    }
    day.versions = inEffectiveOrder(day.versions);
    return day;
  }

  /** Version keys of a firm-day, in effective order (the last is the effective one). */
  async listVersionKeys(firmId: string, endDate: string): Promise<string[]> {
    return (await this.listVersionMeta(firmId, endDate)).map((v) => v.versionKey);
  }

  /**
   * The same filing arrived in an object whose S3 event time is earlier than the version's
   * `arrivedAt`: keep the earliest, and that object as its source (the version's place among
   * same-day re-filings is its first arrival, whatever order the events are processed in), and
   * set it pending, so the day is evaluated again. False when the version already has an arrival
   * as early.
   */
  async lowerArrival(
    firmId: string,
    endDate: string,
    versionKey: string,
    arrivedAt: string,
    source: VersionItem['source'],
  ): Promise<boolean> {
    return this.update({
      Key: { pk: keys.firmDay(firmId, endDate), sk: keys.version(versionKey) },
      // The version names the object of its first arrival (the one its alerts point at).
      UpdateExpression: 'SET arrivedAt = :t, #src = :src, #s = :pending',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(arrivedAt) OR arrivedAt > :t)',
      ExpressionAttributeNames: { '#s': 'state', '#src': 'source' },
      ExpressionAttributeValues: { ':t': arrivedAt, ':pending': 'pending', ':src': source },
    });
  }

  /** Mark a version superseded by `by` (state done: its stream record asks reconcile for nothing). False when it already was. */
  async markSuperseded(firmId: string, endDate: string, versionKey: string, by: string): Promise<boolean> {
    return this.update({
      Key: { pk: keys.firmDay(firmId, endDate), sk: keys.version(versionKey) },
      UpdateExpression: 'SET superseded = :t, supersededBy = :by, #s = :done',
      ConditionExpression:
        'attribute_exists(pk) AND (superseded = :f OR attribute_not_exists(supersededBy) OR supersededBy <> :by OR #s <> :done)',
      ExpressionAttributeNames: { '#s': 'state' },
      ExpressionAttributeValues: { ':t': true, ':f': false, ':by': by, ':done': 'done' },
    });
  }

  /** A version superseded before is effective again (an earlier arrival reordered the day). */
  async markEffective(firmId: string, endDate: string, versionKey: string): Promise<boolean> {
    return this.update({
      Key: { pk: keys.firmDay(firmId, endDate), sk: keys.version(versionKey) },
      UpdateExpression: 'SET superseded = :f, #s = :done REMOVE supersededBy',
      ConditionExpression: 'attribute_exists(pk) AND superseded = :t',
      ExpressionAttributeNames: { '#s': 'state' },
      ExpressionAttributeValues: { ':t': true, ':f': false, ':done': 'done' },
    });
  }

  // results

  /** The result as it is stored: findings capped (MAX_STORED_FINDINGS), and fewer again if the item would not fit (the rest counted). */
  fitResult(r: ResultItem): ResultItem {
    const capped = capFindings(r.findings);
    let kept = capped.kept;
    let omitted = r.findingsOmitted + capped.omitted;
    while (
      kept.length > 0 &&
      itemSize(resultToItem({ ...r, findings: kept, findingsOmitted: omitted })) > DYNAMODB_ITEM_LIMIT - 1024
    ) {
      const keep = Math.floor(kept.length / 2);
      omitted += kept.length - keep;
      kept = kept.slice(0, keep);
    }
    return kept === r.findings && omitted === r.findingsOmitted
      ? r
      : { ...r, findings: kept, findingsOmitted: omitted };
  }

  /** Put a version's result unless it exists (fitted first: see fitResult). */
  async putResult(r: ResultItem): Promise<boolean> {
    return this.putNew(resultToItem(this.fitResult(r)));
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

  /** The heads of several of a firm's days in one request per 100 (strongly consistent); a day without a head is absent. */
  async getHeads(firmId: string, days: readonly string[]): Promise<Map<string, HeadItem>> {
    const out = new Map<string, HeadItem>();
    let pending: Record<string, unknown>[] = [...new Set(days)].map((d) => ({
      pk: keys.firmDay(firmId, d),
      sk: keys.head,
    }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
      if (attempt > 8)
        throw new Error(`BatchGetItem left ${pending.length} head(s) unprocessed after ${attempt} attempts`);
      // At most 100 keys a request (the recent-days window and the later days are about 40).
      const batch = pending.slice(0, 100);
      const res = await this.doc.send(
        new BatchGetCommand({ RequestItems: { [this.table]: { Keys: batch, ConsistentRead: true } } }),
      );
      for (const item of res.Responses?.[this.table] ?? []) {
        const h = headFromItem(item);
        out.set(h.endDate, h);
      }
      const unprocessed = (res.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      pending = [...unprocessed, ...pending.slice(100)];
      if (unprocessed.length === 0 && pending.length > 0) attempt = -1; // a next chunk, not a retry
    }
    return out;
  }

  /**
   * Write the day's head: what evaluating the day decided (the effective version, its summary).
   * Unconditional: every evaluation computes the head from the whole day as it is in the table,
   * and the evaluations of one firm-day run one at a time (its records are in one stream shard,
   * handled in order), so the last one written is the current one.
   */
  async putHead(h: HeadItem): Promise<void> {
    const values = {
      ':type': 'head',
      ':firm': h.firmId,
      ':name': h.firmName,
      ':date': h.endDate,
      ':eff': h.effective,
      ':ft': h.filingType,
      ':sd': h.submitDate,
      ':status': h.status,
      // The statements as the day's row (shared/read/day-rows.ts): what the read model reads of a
      // head, in one short string (a Query of a year of heads reads ~250 of them).
      ':row': encodeDayRow(dayOfHead(h)),
      ':n': NumberValue.from(String(h.versions)),
      ':late': h.late,
      ':basis': h.basis,
      ':prev': h.prevBasis,
      ':wb': h.windowBasis ?? '',
      ':at': h.updatedAt,
      ':g1pk': keys.firm(h.firmId),
      ':g1sk': keys.day(h.endDate),
      ':g2pk': keys.day(h.endDate),
      ':g2sk': keys.firm(h.firmId),
    };
    assertItemFits(values, 'head');
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: keys.firmDay(h.firmId, h.endDate), sk: keys.head },
        UpdateExpression:
          'SET #t = :type, firmId = :firm, firmName = :name, endDate = :date, effective = :eff, filingType = :ft, submitDate = :sd, #st = :status, #row = :row, versions = :n, late = :late, basis = :basis, prevBasis = :prev, windowBasis = :wb, updatedAt = :at, gsi1pk = :g1pk, gsi1sk = :g1sk, gsi2pk = :g2pk, gsi2sk = :g2sk REMOVE statements',
        ExpressionAttributeNames: { '#t': 'type', '#st': 'status', '#row': 'row' },
        ExpressionAttributeValues: values,
      }),
    );
  }

  /**
   * Write a head from its essentials, the rest defaulted (one version, not late, the basis of its
   * figures, no previous day read): for callers that seed heads (tests, the schedule benchmark).
   * The pipeline writes what evaluating the day decided (putHead).
   */
  async advanceHead(h: HeadSeed): Promise<void> {
    const statements: HeadItem['statements'] = {};
    for (const k of STATEMENT_KEYS) {
      const st = h.statements[k];
      if (st)
        statements[k] = {
          required: st.required,
          funds: st.funds,
          excess: st.excess,
          target: st.target,
          targetSource: st.targetSource ?? (st.target !== null ? 'statement' : null),
          status: st.status,
          ...(st.filedExcess !== undefined ? { filedExcess: st.filedExcess } : {}),
        };
    }
    await this.putHead({
      versions: 1,
      late: false,
      basis: basisOf(h.endDate, statements),
      prevBasis: {},
      ...h,
      statements,
    });
  }

  /**
   * Ask for the day to be evaluated again (its previous filing day's figures changed): a small
   * item in the day's own partition, so the evaluation runs in the day's stream order like its
   * versions'. The same basis again writes the same item (no stream record).
   */
  async putRecheck(firmId: string, endDate: string, cause: { from: string; basis: string }): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: keys.firmDay(firmId, endDate),
          sk: keys.recheck,
          type: 'recheck',
          state: 'pending',
          firmId,
          endDate,
          from: cause.from,
          basis: cause.basis,
        },
      }),
    );
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
      }),
    );
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
    return this.putNew({
      pk: keys.firms,
      sk: keys.firm(f.firmId),
      type: 'firm',
      firmId: f.firmId,
      firmName: f.firmName,
    });
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
  async putDeadLetterReason(r: {
    queue: string;
    messageId: string;
    receiveCount: number;
    reason: string;
    body: string;
    at: string;
  }): Promise<void> {
    await this.doc.send(
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
      }),
    );
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
    return this.listAlertsOf(keys.firmDay(firmId, endDate));
  }

  /** Every alert in a partition (a firm-day, or a rejected object). */
  async listAlertsOf(pk: string): Promise<StoredAlert[]> {
    const items = await this.queryPrefix(pk, 'A#');
    return items.map(alertFromItem);
  }

  async listObjectAlerts(bucket: string, key: string): Promise<StoredAlert[]> {
    return this.listAlertsOf(keys.object(bucket, key));
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

  /** Mark an alert done without publishing it: a later word of its channel was sent already (it would arrive stale). */
  async markAlertSuppressed(pk: string, sk: string, by: string, at: string): Promise<boolean> {
    return this.update({
      Key: { pk, sk },
      UpdateExpression: 'SET #s = :sent, sentAt = :at, suppressed = :t, suppressedBy = :by',
      ConditionExpression: 'attribute_exists(pk) AND #s = :pending',
      ExpressionAttributeNames: { '#s': 'state' },
      ExpressionAttributeValues: { ':sent': 'sent', ':pending': 'pending', ':at': at, ':t': true, ':by': by },
    });
  }

  /**
   * Put a filing version (or a recheck item) back in front of reconcile (stream-failure redrive):
   * state pending and a changed attribute (a no-op update writes no stream record), a MODIFY that
   * passes reconcile's stream filter. False when the item is gone or is neither.
   */
  async touchVersion(pk: string, sk: string, at: string): Promise<boolean> {
    return this.update({
      Key: { pk, sk },
      UpdateExpression: 'SET #s = :pending, redrivenAt = :at',
      // A recheck item too: reconcile's other input (a day whose previous filing day changed).
      ConditionExpression: 'attribute_exists(pk) AND (#t = :filing OR #t = :recheck)',
      ExpressionAttributeNames: { '#s': 'state', '#t': 'type' },
      ExpressionAttributeValues: { ':pending': 'pending', ':at': at, ':filing': 'filing', ':recheck': 'recheck' },
    });
  }

  /** Put a pending alert back in front of notify (redrive): a MODIFY that passes notify's stream filter. */
  async touchAlert(pk: string, sk: string, at: string): Promise<boolean> {
    return this.update({
      Key: { pk, sk },
      UpdateExpression: 'SET redrivenAt = :at, attempts = if_not_exists(attempts, :zero) + :one',
      ConditionExpression: 'attribute_exists(pk) AND #s = :pending',
      ExpressionAttributeNames: { '#s': 'state' },
      ExpressionAttributeValues: {
        ':at': at,
        ':zero': NumberValue.from('0'),
        ':one': NumberValue.from('1'),
        ':pending': 'pending',
      },
    });
  }

  // scheduled check (functions/schedule)

  /**
   * Put an alert that belongs to no firm-day or object (the daily digest) into the outbox under
   * `pk`, unless it is there already; true when written. Same item shape as putAlert.
   */
  async putAlertUnder(pk: string, a: AlertRecord, raisedAt: string, day: string): Promise<boolean> {
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
}

function versionMetaOf(i: Record<string, unknown>): VersionMeta {
  return {
    versionKey: (i.versionKey as string | undefined) ?? (i.sk as string).slice(2),
    filingType: i.filingType as VersionMeta['filingType'],
    submitDate: i.submitDate as string,
    arrivedAt: (i.arrivedAt as string | undefined) ?? (i.receivedAt as string),
    firmName: i.firmName as string,
    source: i.source as VersionMeta['source'],
    state: i.state as VersionMeta['state'],
    superseded: i.superseded === true,
    ...(typeof i.supersededBy === 'string' ? { supersededBy: i.supersededBy } : {}),
  };
}

function objectFromItem(item: Record<string, unknown>): ObjectRecord {
  const { pk: _pk, sk: _sk, type: _t, ...rest } = item;
  return { ...(rest as unknown as ObjectRecord), size: intOf(item.size) };
}

function resultToItem(r: ResultItem): Record<string, unknown> {
  return {
    pk: keys.firmDay(r.firmId, r.endDate),
    sk: keys.result(r.versionKey),
    type: 'result',
    firmId: r.firmId,
    endDate: r.endDate,
    versionKey: r.versionKey,
    statements: summaryToItem(r.statements),
    findings: r.findings,
    findingsOmitted: NumberValue.from(String(r.findingsOmitted)),
    errorCount: NumberValue.from(String(r.errorCount)),
    late: r.late,
    reconciledAt: r.reconciledAt,
  };
}

function resultFromItem(item: Record<string, unknown>): ResultItem {
  return {
    firmId: item.firmId as string,
    endDate: item.endDate as string,
    versionKey: item.versionKey as string,
    statements: summaryFromItem(item.statements),
    findings: (item.findings as Finding[]) ?? [],
    findingsOmitted: intOf(item.findingsOmitted),
    errorCount: intOf(item.errorCount),
    late:
      item.late === true ||
      ((item.findings as Finding[] | undefined) ?? []).some((f) => f.ruleId === rule('late-filing').id),
    reconciledAt: item.reconciledAt as string,
  };
}

/** What the read model reads of a head (shared/read/model.ts DayRecord; store-source.ts dayFromItem reads the same from the item). */
function dayOfHead(h: HeadItem): DayRecord {
  const statements: DayRecord['statements'] = {};
  for (const k of STATEMENT_KEYS) {
    const x = h.statements[k];
    if (!x) continue;
    statements[k] = { required: x.required, funds: x.funds, excess: x.excess, target: x.target, status: x.status };
    if (x.targetSource) statements[k].targetSource = x.targetSource;
    // An unreconciled statement's excess line as filed: the views mark an excess that is not it.
    if (x.filedExcess !== undefined) statements[k].filedExcess = x.filedExcess;
  }
  return {
    firmId: h.firmId,
    firmName: h.firmName,
    endDate: h.endDate,
    effective: h.effective,
    filingType: h.filingType,
    submitDate: h.submitDate,
    status: h.status,
    versions: h.versions,
    late: h.late,
    statements,
  };
}

/** A head's statements from its row (heads written before rows hold them as a map: summaryFromItem). */
function statementsOfRow(item: Record<string, unknown>): StatementsSummary {
  const day = decodeDayRow(item.firmId as string, item.endDate as string, item.row as string);
  const out: StatementsSummary = {};
  for (const k of STATEMENT_KEYS) {
    const x = day.statements[k];
    if (x)
      out[k] = {
        required: x.required,
        funds: x.funds,
        excess: x.excess,
        target: x.target,
        targetSource: x.targetSource ?? null,
        status: x.status as StatementStatus,
        title: '',
        variant: '',
        ...(x.filedExcess !== undefined ? { filedExcess: x.filedExcess } : {}),
      };
  }
  return out;
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
    statements: typeof item.row === 'string' ? statementsOfRow(item) : summaryFromItem(item.statements),
    versions: item.versions === undefined ? 1 : intOf(item.versions),
    late: item.late === true,
    basis: (item.basis as string | undefined) ?? '',
    prevBasis: (item.prevBasis as Record<string, string> | undefined) ?? {},
    ...(typeof item.windowBasis === 'string' && item.windowBasis ? { windowBasis: item.windowBasis } : {}),
    updatedAt: item.updatedAt as string,
  };
}
