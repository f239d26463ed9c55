/**
 * Stream-failure redrive: `segwatch redrive --stream-failures` (AWS) and `segwatch redrive --local`.
 *
 * When reconcile or notify gives up on stream records (retries exhausted), Lambda's event source
 * mapping sends a failure record to the stream-failure queue: not the records, only where they
 * were (DDBStreamBatchInfo: stream, shard, first and last sequence number, batch size). For each
 * failure record this:
 *  1. finds the items it points at: the shard's records in that sequence range (GetShardIterator
 *     AT_SEQUENCE_NUMBER, GetRecords) that pass the function's stream filter; when the stream no
 *     longer has them (it keeps records 24 hours), the table's own record of unfinished work in
 *     the days around the failure: filing versions without a result (firm registry x days, no
 *     Scan) or alerts still pending (alerts by day, gsi2);
 *  2. sets each back to pending with a changed attribute (Store.touchVersion / touchAlert), so
 *     the stream delivers it to the function again; a version already reconciled or an alert
 *     already sent is left alone;
 *  3. deletes the failure record only when every item it points at was re-queued or found done.
 * Re-running is safe: every step is a conditional update of a deterministic key.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { _Record, AttributeValue, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import * as z from '../zod';
import { keys, type Store } from '../adapters/store';
import { readStreamRange, type FailureMessage, type FailureQueue } from '../adapters/stream-failures';
import { matchesAny } from '../stream-filter';
import { STREAM_FILTERS } from '../table';

/** Lambda's on-failure record for a DynamoDB stream event source mapping (AWS Lambda Developer Guide). */
export const StreamFailureRecordSchema = z.object({
  requestContext: z.object({
    requestId: z.string(),
    functionArn: z.string(),
    condition: z.string(),
    approximateInvokeCount: z.number(),
  }),
  responseContext: z
    .object({ statusCode: z.number(), executedVersion: z.string(), functionError: z.string().nullable().optional() })
    .partial()
    .optional(),
  version: z.string(),
  timestamp: z.string(),
  DDBStreamBatchInfo: z.object({
    shardId: z.string(),
    startSequenceNumber: z.string(),
    endSequenceNumber: z.string(),
    approximateArrivalOfFirstRecord: z.string(),
    approximateArrivalOfLastRecord: z.string(),
    batchSize: z.number(),
    streamArn: z.string(),
  }),
});
export type StreamFailureRecord = z.infer<typeof StreamFailureRecordSchema>;

export type Consumer = keyof typeof STREAM_FILTERS;

/** The function name in a Lambda function ARN (with or without a version or alias qualifier). */
export function functionNameOf(functionArn: string): string | undefined {
  return /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(functionArn)?.[1];
}

export interface StreamRedriveDeps {
  failures: FailureQueue;
  streams: DynamoDBStreamsClient;
  store: Store;
  /** Function name -> which stream consumer it is (from the stack's outputs, or the local names). */
  functions: Readonly<Record<string, Consumer>>;
  now: () => Date;
  /** Report what would be re-queued; write nothing, delete nothing. */
  dryRun?: boolean;
  /** First day (YYYY-MM-DD) the table fallback searches; default a week before the failure. */
  since?: string;
  /** Table fallback: leave alone pending work younger than this (it may be in flight). Default 15 minutes. */
  minAgeMs?: number;
  /** Table fallback: firm ids to search besides the registry's (a firm whose first filing never reconciled is not in it yet). */
  firms?: readonly string[];
}

export type ItemOutcome = 're-queued' | 'would re-queue' | 'already done' | 'gone' | 'error';

export interface RedriveItem {
  kind: 'filing' | 'alert';
  pk: string;
  sk: string;
  /** A line a person reads: firm, day, version or alert kind. */
  label: string;
  outcome: ItemOutcome;
  detail?: string;
}

export interface RedriveRecord {
  messageId: string;
  consumer?: Consumer;
  failure?: StreamFailureRecord;
  /** Where the items were found: the stream range, or the table (the range was gone). */
  foundIn?: 'stream' | 'table';
  /** Why the stream range could not be read, when the table was searched. */
  streamGone?: string;
  /** The days the table fallback searched. */
  searched?: { from: string; to: string };
  items: RedriveItem[];
  deleted: boolean;
  /** Why the failure record was kept. */
  kept?: string;
}

export interface StreamRedriveReport {
  records: RedriveRecord[];
}

const DAY_MS = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The widest window of days the table fallback searches (a Query per day, per firm for filings). */
export const MAX_FALLBACK_DAYS = 366;

/** Every day from `from` to `to` (YYYY-MM-DD, inclusive). */
function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (
    let t = Date.parse(`${from}T00:00:00Z`);
    t <= Date.parse(`${to}T00:00:00Z`) && out.length <= MAX_FALLBACK_DAYS;
    t += DAY_MS
  )
    out.push(isoDay(new Date(t)));
  return out;
}

interface Candidate {
  kind: 'filing' | 'alert';
  pk: string;
  sk: string;
  image?: Record<string, unknown>;
}

const labelOf = (c: Candidate): string => {
  const i = c.image ?? {};
  if (c.kind === 'filing')
    return `${i.firmName ?? i.firmId ?? c.pk} ${i.endDate ?? ''} ${String(i.filingType ?? '').toLowerCase()} version ${i.versionKey ?? c.sk.slice(2)}`
      .replace(/\s+/g, ' ')
      .trim();
  return `${i.kind ?? 'alert'} ${i.severity ?? ''} ${i.firmName ?? i.firmId ?? (i.source as { key?: string } | undefined)?.key ?? c.pk} ${i.endDate ?? ''} ${i.statement ?? ''} (alert ${i.id ?? c.sk.slice(2)})`
    .replace(/\s+/g, ' ')
    .trim();
};

/** The records of a range that the consumer's stream filter passes, as items. */
function candidatesFromRecords(consumer: Consumer, records: _Record[]): Candidate[] {
  const out = new Map<string, Candidate>();
  for (const r of records) {
    const shape = { eventName: r.eventName, dynamodb: { NewImage: r.dynamodb?.NewImage, Keys: r.dynamodb?.Keys } };
    if (!matchesAny([STREAM_FILTERS[consumer]], shape)) continue;
    const k = (r.dynamodb?.Keys ?? r.dynamodb?.NewImage ?? {}) as Record<string, AttributeValue>;
    const pk = k.pk?.S;
    const sk = k.sk?.S;
    if (!pk || !sk) continue;
    const image = r.dynamodb?.NewImage
      ? unmarshall(r.dynamodb.NewImage as Parameters<typeof unmarshall>[0], { wrapNumbers: true })
      : undefined;
    out.set(`${pk}\u0000${sk}`, { kind: consumer === 'reconcile' ? 'filing' : 'alert', pk, sk, image });
  }
  return [...out.values()];
}

/** The table's unfinished work of a consumer in a window of days (no Scan). */
async function candidatesFromTable(
  deps: StreamRedriveDeps,
  consumer: Consumer,
  from: string,
  to: string,
): Promise<Candidate[]> {
  const { store } = deps;
  const minAge = deps.minAgeMs ?? 15 * 60_000;
  const cutoff = deps.now().getTime() - minAge;
  const old = (at: unknown) => typeof at !== 'string' || Date.parse(at) <= cutoff;
  const out: Candidate[] = [];
  const days = daysBetween(from, to);
  if (consumer === 'notify') {
    for (const day of days) {
      for (const a of await store.alertsByDay(day)) {
        if (a.state === 'pending' && old(a.raisedAt)) out.push({ kind: 'alert', pk: a.pk, sk: a.sk, image: { ...a } });
      }
    }
    return out;
  }
  const firms = await store.listFirms();
  for (const id of deps.firms ?? []) if (!firms.some((f) => f.firmId === id)) firms.push({ firmId: id, firmName: id });
  for (const firm of firms) {
    for (const day of days) {
      for (const versionKey of await store.listVersionKeys(firm.firmId, day)) {
        if (await store.getResult(firm.firmId, day, versionKey)) continue;
        // Its arrival time (to leave alone one that may be in flight); a version that no longer
        // reads as a filing is still unfinished work, so it is re-queued (reconcile will say why it fails).
        const v = await store.getVersion(firm.firmId, day, versionKey).catch(() => undefined);
        if (v && !old(v.receivedAt)) continue;
        out.push({
          kind: 'filing',
          pk: keys.firmDay(firm.firmId, day),
          sk: keys.version(versionKey),
          image: {
            firmId: firm.firmId,
            firmName: v?.firmName ?? firm.firmName,
            endDate: day,
            filingType: v?.filingType,
            versionKey,
          },
        });
      }
    }
  }
  return out;
}

/** Set one item back to pending (or say why not). */
async function requeue(
  deps: StreamRedriveDeps,
  c: Candidate,
  at: string,
): Promise<Pick<RedriveItem, 'outcome' | 'detail'>> {
  const { store } = deps;
  if (c.kind === 'filing') {
    const i = c.image ?? {};
    const firmId = typeof i.firmId === 'string' ? i.firmId : undefined;
    const endDate = typeof i.endDate === 'string' ? i.endDate : undefined;
    const versionKey = typeof i.versionKey === 'string' ? i.versionKey : c.sk.slice(2);
    if (firmId && endDate && (await store.getResult(firmId, endDate, versionKey)))
      return { outcome: 'already done', detail: 'already reconciled' };
    if (deps.dryRun) return { outcome: 'would re-queue' };
    return (await store.touchVersion(c.pk, c.sk, at))
      ? { outcome: 're-queued' }
      : { outcome: 'gone', detail: 'no such filing version in the table' };
  }
  const alert = await store.getAlert(c.pk, c.sk);
  if (!alert) return { outcome: 'gone', detail: 'no such alert in the table' };
  if (alert.state === 'sent')
    return { outcome: 'already done', detail: `already sent${alert.sentAt ? ` ${alert.sentAt}` : ''}` };
  if (deps.dryRun) return { outcome: 'would re-queue' };
  return (await store.touchAlert(c.pk, c.sk, at))
    ? { outcome: 're-queued' }
    : { outcome: 'already done', detail: 'sent meanwhile' };
}

async function redriveOne(
  deps: StreamRedriveDeps,
  m: FailureMessage,
  handled: Map<string, ItemOutcome>,
): Promise<RedriveRecord> {
  const rec: RedriveRecord = { messageId: m.id, items: [], deleted: false };
  let parsed: StreamFailureRecord;
  try {
    const r = StreamFailureRecordSchema.safeParse(JSON.parse(m.body));
    if (!r.success) throw new Error(r.error.issues[0]?.message ?? 'not a failure record');
    parsed = r.data;
  } catch (e) {
    rec.kept = `not a Lambda stream failure record (${(e as Error).message}); left in the queue`;
    return rec;
  }
  rec.failure = parsed;
  const name = functionNameOf(parsed.requestContext.functionArn);
  const consumer = name ? deps.functions[name] : undefined;
  if (!consumer) {
    rec.kept = `from ${parsed.requestContext.functionArn}, which is neither reconcile nor notify of this stack; left in the queue`;
    return rec;
  }
  rec.consumer = consumer;
  const info = parsed.DDBStreamBatchInfo;
  const range = await readStreamRange(deps.streams, {
    streamArn: info.streamArn,
    shardId: info.shardId,
    start: info.startSequenceNumber,
    end: info.endSequenceNumber,
  });
  let candidates: Candidate[];
  if (range.status === 'read') {
    rec.foundIn = 'stream';
    candidates = candidatesFromRecords(consumer, range.records);
  } else {
    rec.foundIn = 'table';
    rec.streamGone = range.reason;
    const first = new Date(Date.parse(info.approximateArrivalOfFirstRecord) || Date.parse(parsed.timestamp));
    const last = new Date(Date.parse(info.approximateArrivalOfLastRecord) || Date.parse(parsed.timestamp));
    const from = deps.since ?? isoDay(new Date(first.getTime() - 7 * DAY_MS));
    const to = isoDay(last);
    rec.searched = { from, to };
    if (daysBetween(from, to).length > MAX_FALLBACK_DAYS) {
      rec.kept = `the stream no longer has these records, and searching the table from ${from} to ${to} is over ${MAX_FALLBACK_DAYS} days; left in the queue (give a later --since)`;
      return rec;
    }
    candidates = await candidatesFromTable(deps, consumer, from, to);
    if (candidates.length === 0) {
      rec.kept = `the stream no longer has these records and the table shows no unfinished ${consumer === 'reconcile' ? 'filing version' : 'alert'} from ${from} to ${to}; left in the queue (widen the search with --since YYYY-MM-DD)`;
      return rec;
    }
  }
  const at = deps.now().toISOString();
  for (const c of candidates) {
    const id = `${c.pk}\u0000${c.sk}`;
    const item: RedriveItem = { kind: c.kind, pk: c.pk, sk: c.sk, label: labelOf(c), outcome: 'error' };
    const before = handled.get(id);
    if (before && before !== 'error') {
      item.outcome = before === 're-queued' || before === 'would re-queue' ? before : 'already done';
      item.detail = 'handled above, for an earlier failure record';
    } else {
      try {
        Object.assign(item, await requeue(deps, c, at));
      } catch (e) {
        item.outcome = 'error';
        item.detail = (e as Error).message;
      }
      handled.set(id, item.outcome);
    }
    rec.items.push(item);
  }
  const failed = rec.items.filter((i) => i.outcome === 'error').length;
  if (failed) {
    rec.kept = `${failed} item(s) could not be re-queued; left in the queue (run again)`;
    return rec;
  }
  if (deps.dryRun) {
    rec.kept = 'dry run';
    return rec;
  }
  await deps.failures.delete(m);
  rec.deleted = true;
  return rec;
}

/** Redrive every failure record in the queue. */
export async function redriveStreamFailures(deps: StreamRedriveDeps): Promise<StreamRedriveReport> {
  const report: StreamRedriveReport = { records: [] };
  const handled = new Map<string, ItemOutcome>();
  try {
    for (;;) {
      const batch = await deps.failures.receive();
      if (batch.length === 0) break;
      for (const m of batch) report.records.push(await redriveOne(deps, m, handled));
    }
  } finally {
    await deps.failures.releaseUndeleted();
  }
  return report;
}

/** The report as lines for a person (the CLI prints them). */
export function renderStreamRedrive(report: StreamRedriveReport, opts: { dryRun?: boolean } = {}): string {
  const lines: string[] = [];
  for (const r of report.records) {
    const f = r.failure;
    if (!f) {
      lines.push(`failure record ${r.messageId}: ${r.kept}`);
      continue;
    }
    const b = f.DDBStreamBatchInfo;
    lines.push(
      `failure record ${r.messageId}: ${r.consumer ?? functionNameOf(f.requestContext.functionArn) ?? f.requestContext.functionArn} gave up (${f.requestContext.condition}, ${f.requestContext.approximateInvokeCount} invocations) on ${b.batchSize} record(s) of shard ${b.shardId}, sequence ${b.startSequenceNumber}..${b.endSequenceNumber}, first arrived ${b.approximateArrivalOfFirstRecord}`,
    );
    if (r.foundIn === 'table')
      lines.push(`  ${r.streamGone}: searched the table from ${r.searched?.from} to ${r.searched?.to}`);
    if (r.foundIn === 'stream' && r.items.length === 0)
      lines.push(`  the range holds no record for ${r.consumer}: nothing to re-queue`);
    for (const i of r.items)
      lines.push(`  ${i.outcome.padEnd(14)} ${i.kind.padEnd(6)} ${i.label}${i.detail ? `: ${i.detail}` : ''}`);
    lines.push(r.deleted ? '  failure record deleted' : `  failure record kept: ${r.kept}`);
  }
  const items = report.records.flatMap((r) => r.items);
  const count = (o: ItemOutcome) => items.filter((i) => i.outcome === o).length;
  const kept = report.records.filter((r) => !r.deleted).length;
  if (report.records.length === 0) lines.push('redrive: the stream-failure queue is empty');
  else
    lines.push(
      `redrive: ${report.records.length} failure record(s); ${opts.dryRun ? `${count('would re-queue')} item(s) would be re-queued` : `${count('re-queued')} item(s) re-queued`}, ${count('already done')} already done, ${count('gone')} gone, ${count('error')} failed; ${report.records.length - kept} record(s) deleted, ${kept} kept${count('re-queued') ? '; the stream runs the re-queued items again now' : ''}`,
    );
  return `${lines.join('\n')}\n`;
}

/** Exit status: 0 when every failure record was redriven and deleted (or, dry run, could be). */
export function redriveExitCode(report: StreamRedriveReport, dryRun = false): number {
  return report.records.every((r) => r.deleted || (dryRun && r.kept === 'dry run')) ? 0 : 1;
}
