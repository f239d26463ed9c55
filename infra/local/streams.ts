/**
 * The DynamoDB stream -> Lambda event source mappings, on DynamoDB Local's stream:
 * for each consumer (reconcile, notify) its own position in every shard, children after their
 * parents. Shards are read with DescribeStream / GetShardIterator / GetRecords once for all
 * consumers (a shared feed per shard; each consumer takes the records after its own position).
 * As Lambda does for a DynamoDB stream with ReportBatchItemFailures:
 *  - the filter patterns drop records before batching (dropped records count as processed);
 *  - batches of up to `batchSize` records, in shard order, one batch in flight per shard;
 *  - a response with batchItemFailures checkpoints before the lowest failed sequence number and
 *    retries from it; an error, a timeout or a malformed response retries the whole batch, split
 *    in halves first (BisectBatchOnFunctionError, as the CDK stack sets; a split is not a retry);
 *  - after `maxRetryAttempts` retries of a batch, a failure record goes to the on-failure queue
 *    and the shard moves on. As Lambda's on-failure destination, it holds only where the records
 *    were (DDBStreamBatchInfo: shard, first and last sequence number, batch size), never the
 *    records: `segwatch redrive --local` finds them in the stream, as on AWS
 *    (shared/pipeline/stream-redrive.ts).
 * Checkpoints (the last processed sequence number per consumer and shard) can be persisted, so a
 * later run over the same database resumes where this one stopped.
 */
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record,
  type AttributeValue,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type {
  AttributeValue as LambdaAttributeValue,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { FailureMessage, FailureQueue } from '../../shared/adapters/stream-failures';
import { StreamFailureRecordSchema, type StreamFailureRecord } from '../../shared/pipeline/stream-redrive';
import { PIPELINE } from '../../shared/table';
import { matchesAny, type FilterPattern } from './filter';
import { failedIdentifiers, invoke, type Handler } from './lambda';
import { readJson, writeJsonAtomic } from './state';

export type StreamHandler = Handler<DynamoDBStreamEvent, DynamoDBBatchResponse | void>;

export interface StreamConsumer {
  name: string;
  handler: StreamHandler;
  filters: readonly FilterPattern[];
}

/** A message of the local on-failure queue: its body is a Lambda failure record (JSON). */
export interface LocalFailureMessage {
  messageId: string;
  body: string;
  sentTimestamp: number;
}

/** The local function ARN Lambda would name in a failure record. */
export function localFunctionArn(name: string, region = 'us-east-1', account = '000000000000'): string {
  return `arn:aws:lambda:${region}:${account}:function:${name}`;
}

/**
 * The local stand-in for the stream-failure SQS queue: failure records of Lambda's shape,
 * persisted as JSON (optional). `reader()` gives the FailureQueue the redrive reads (each reader
 * receives every message once; deleting removes it from the queue and the file).
 */
export class LocalFailureQueue {
  private messages: LocalFailureMessage[];

  constructor(private readonly path?: string) {
    const raw = path ? readJson<unknown[]>(path, []) : [];
    this.messages = raw.map((m) => upgradeLegacy(m));
    if (path && raw.some((m, i) => m !== this.messages[i])) this.persist();
  }

  send(record: StreamFailureRecord): string {
    const messageId = randomUUID();
    this.messages.push({ messageId, body: JSON.stringify(record), sentTimestamp: Date.now() });
    this.persist();
    return messageId;
  }

  /** The messages in the queue (oldest first). */
  list(): LocalFailureMessage[] {
    return this.messages.map((m) => ({ ...m }));
  }

  /** The failure records in the queue (bodies that are not failure records left out). */
  records(): StreamFailureRecord[] {
    return this.messages.flatMap((m) => {
      const r = StreamFailureRecordSchema.safeParse(safeJson(m.body));
      return r.success ? [r.data] : [];
    });
  }

  get depth(): number {
    return this.messages.length;
  }

  delete(messageId: string): void {
    this.messages = this.messages.filter((m) => m.messageId !== messageId);
    this.persist();
  }

  reader(): FailureQueue {
    const seen = new Set<string>();
    return {
      receive: async () => {
        const fresh = this.messages.filter((m) => !seen.has(m.messageId));
        for (const m of fresh) seen.add(m.messageId);
        return fresh.map((m): FailureMessage => ({ id: m.messageId, body: m.body, handle: m.messageId }));
      },
      delete: async (m) => this.delete(m.handle),
      releaseUndeleted: async () => undefined,
    };
  }

  private persist(): void {
    if (this.path) writeJsonAtomic(this.path, this.messages);
  }
}

const safeJson = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
};

/**
 * An entry of an on-failure file written before the local stack kept Lambda's shape (it kept the
 * records themselves, with `consumer`, `shardId`, `startSequenceNumber`...): as a failure record.
 */
function upgradeLegacy(m: unknown): LocalFailureMessage {
  const o = m as Record<string, unknown>;
  if (typeof o?.messageId === 'string' && typeof o.body === 'string') return m as LocalFailureMessage;
  const at = typeof o?.at === 'string' ? o.at : new Date().toISOString();
  const firstSeq = String(o?.startSequenceNumber ?? '');
  const record: StreamFailureRecord = {
    requestContext: {
      requestId: randomUUID(),
      functionArn: localFunctionArn(String(o?.consumer ?? 'unknown')),
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: Number(o?.attempts ?? 0),
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST' },
    version: '1.0',
    timestamp: at,
    DDBStreamBatchInfo: {
      shardId: String(o?.shardId ?? ''),
      startSequenceNumber: firstSeq,
      endSequenceNumber: String(o?.endSequenceNumber ?? firstSeq),
      approximateArrivalOfFirstRecord: at.replace(/\.\d+Z$/, 'Z'),
      approximateArrivalOfLastRecord: at.replace(/\.\d+Z$/, 'Z'),
      batchSize: Number(o?.batchSize ?? 0),
      streamArn: String(o?.streamArn ?? ''),
    },
  };
  return { messageId: randomUUID(), body: JSON.stringify(record), sentTimestamp: Date.parse(at) || Date.now() };
}

export interface StreamDriverOptions {
  client: DynamoDBStreamsClient;
  streamArn: string;
  consumers: StreamConsumer[];
  region?: string;
  batchSize?: number;
  maxRetryAttempts?: number;
  functionTimeoutMs?: number;
  /** Pause between empty GetRecords calls. Default 15 ms. */
  pollIntervalMs?: number;
  /** First retry delay (doubles per attempt, capped at 1 s). Default 25 ms. */
  retryBaseDelayMs?: number;
  checkpointPath?: string;
  /** Persist the on-failure queue here (JSON). */
  onFailurePath?: string;
  onLog?: (line: string) => void;
  /** Called when a handler invocation finishes (it may have written to the table). */
  onActivity?: () => void;
}

/** Lambda's JSON form of an AttributeValue (binary as base64). */
export function toLambdaAttribute(v: AttributeValue): LambdaAttributeValue {
  if (v.S !== undefined) return { S: v.S };
  if (v.N !== undefined) return { N: v.N };
  if (v.B !== undefined) return { B: Buffer.from(v.B).toString('base64') };
  if (v.SS !== undefined) return { SS: v.SS };
  if (v.NS !== undefined) return { NS: v.NS };
  if (v.BS !== undefined) return { BS: v.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (v.M !== undefined) return { M: toLambdaImage(v.M) };
  if (v.L !== undefined) return { L: v.L.map(toLambdaAttribute) };
  if (v.NULL !== undefined) return { NULL: v.NULL };
  if (v.BOOL !== undefined) return { BOOL: v.BOOL };
  // @aws-sdk/client-dynamodb-streams (3.1141) deserializes an empty map `{"M":{}}` as `{}` (an empty
  // list keeps its `L: []`; checked against DynamoDB Local's stream): Lambda hands the function `{"M":{}}`.
  if (Object.keys(v).length === 0) return { M: {} };
  throw new Error(`unknown attribute value ${JSON.stringify(v)}`);
}

export function toLambdaImage(m: Record<string, AttributeValue>): Record<string, LambdaAttributeValue> {
  const out: Record<string, LambdaAttributeValue> = {};
  for (const [k, v] of Object.entries(m)) out[k] = toLambdaAttribute(v);
  return out;
}

/** A GetRecords record as Lambda hands it to a function. */
export function toLambdaRecord(r: _Record, streamArn: string, region: string): DynamoDBRecord {
  const d = r.dynamodb ?? {};
  const created = d.ApproximateCreationDateTime;
  return {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord['eventName'],
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
      ...(d.Keys ? { Keys: toLambdaImage(d.Keys) } : {}),
      ...(d.NewImage ? { NewImage: toLambdaImage(d.NewImage) } : {}),
      ...(d.OldImage ? { OldImage: toLambdaImage(d.OldImage) } : {}),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as NonNullable<DynamoDBRecord['dynamodb']>['StreamViewType'],
    },
    eventSourceARN: streamArn,
  };
}

const seqLess = (a: string, b: string) => (a.length !== b.length ? a.length < b.length : a < b);

interface ShardState {
  shardId: string;
  parentId?: string;
  /** GetRecords gave no next iterator: the shard is closed (all its records are in `buffer` or done). */
  closed: boolean;
  buffer: DynamoDBRecord[];
  checkpoint?: string;
  /** Sequence number of the last record read (buffered or processed). */
  lastRead?: string;
  /** Time the last empty GetRecords started (for idle detection). */
  emptyPollAt: number;
  attempts: number;
  attemptsFrom?: string;
  /** Batch size cap while bisecting a batch that failed as a whole. */
  limit?: number;
  retryAt: number;
  inFlight: boolean;
}

/** What GetRecords brought from one shard, shared by the consumers (each takes the records after its own position). */
interface Feed {
  shardId: string;
  /** Where the feed began: after this sequence number, or (undefined) at the oldest record. */
  start?: string;
  iterator?: string;
  /** Sequence number of the last record fetched. */
  lastFetched?: string;
  closed: boolean;
  /** Records fetched that some consumer has not taken yet, in order. */
  log: _Record[];
  fetching?: Promise<void>;
  /** Time the last empty GetRecords started. */
  emptyPollAt: number;
}

interface ConsumerState {
  consumer: StreamConsumer;
  shards: Map<string, ShardState>;
  loop?: Promise<void>;
}

type Checkpoints = { streamArn: string; positions: Record<string, Record<string, string>> };

export class StreamDriver {
  private readonly o: Required<Omit<StreamDriverOptions, 'checkpointPath' | 'onFailurePath' | 'onLog' | 'onActivity'>> &
    Pick<StreamDriverOptions, 'checkpointPath' | 'onFailurePath' | 'onLog' | 'onActivity'>;
  private readonly states: ConsumerState[];
  private running = false;
  /** The on-failure destination (Lambda's failure records). */
  readonly failureQueue: LocalFailureQueue;
  private saved: Checkpoints;
  private lastActivityAt = 0;
  private lastDescribeAt = 0;
  private readonly feeds = new Map<string, Feed>();
  private describing?: Promise<void>;
  /** Handler invocations per consumer (stats, tests). */
  readonly invocations: Record<string, number> = {};

  constructor(options: StreamDriverOptions) {
    this.o = {
      region: 'us-east-1',
      batchSize: PIPELINE.streamBatchSize,
      maxRetryAttempts: PIPELINE.streamMaxRetryAttempts,
      functionTimeoutMs: PIPELINE.functionTimeoutSeconds * 1000,
      pollIntervalMs: 15,
      retryBaseDelayMs: 25,
      ...options,
    };
    this.states = options.consumers.map((consumer) => ({ consumer, shards: new Map() }));
    for (const c of options.consumers) this.invocations[c.name] = 0;
    const saved = this.o.checkpointPath ? readJson<Checkpoints | null>(this.o.checkpointPath, null) : null;
    this.saved = saved && saved.streamArn === this.o.streamArn ? saved : { streamArn: this.o.streamArn, positions: {} };
    this.failureQueue = new LocalFailureQueue(this.o.onFailurePath);
  }

  /** The failure records in the on-failure queue. */
  onFailure(): StreamFailureRecord[] {
    return this.failureQueue.records();
  }

  /** Note a write to the table by someone other than a handler (so idleness waits for its records). */
  noteActivity(): void {
    this.lastActivityAt = Date.now();
  }

  async start(): Promise<void> {
    this.running = true;
    await this.refreshShards(true);
    for (const s of this.states) s.loop = this.run(s);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.states.map((s) => s.loop));
    this.saveCheckpoints();
  }

  /**
   * Every consumer has handled every record written so far: nothing buffered or in flight, no
   * retry pending, and an empty GetRecords on every open shard that started after the last write
   * by a handler (plus `settleMs`, for the stream's own delay).
   */
  isIdle(settleMs = 15): boolean {
    for (const s of this.states) {
      if (s.shards.size === 0) return false;
      for (const sh of s.shards.values()) {
        if (sh.inFlight || sh.buffer.length > 0) return false;
        if (!sh.closed && sh.emptyPollAt <= this.lastActivityAt + settleMs) return false;
      }
    }
    return true;
  }

  private async refreshShards(force = false): Promise<void> {
    if (!force && Date.now() - this.lastDescribeAt < 1000) return;
    if (this.describing) return this.describing;
    this.describing = (async () => {
      const shards: Shard[] = [];
      let start: string | undefined;
      do {
        const r = await this.o.client.send(
          new DescribeStreamCommand({ StreamArn: this.o.streamArn, ExclusiveStartShardId: start }),
        );
        shards.push(...(r.StreamDescription?.Shards ?? []));
        start = r.StreamDescription?.LastEvaluatedShardId;
      } while (start);
      this.lastDescribeAt = Date.now();
      for (const s of this.states) {
        for (const shard of shards) {
          if (!shard.ShardId || s.shards.has(shard.ShardId)) continue;
          s.shards.set(shard.ShardId, {
            shardId: shard.ShardId,
            parentId: shard.ParentShardId,
            closed: false,
            buffer: [],
            checkpoint: this.saved.positions[s.consumer.name]?.[shard.ShardId],
            emptyPollAt: 0,
            attempts: 0,
            retryAt: 0,
            inFlight: false,
          });
        }
      }
    })().finally(() => {
      this.describing = undefined;
    });
    return this.describing;
  }

  /** A shard is ready once its parent (if still listed) is closed and fully processed. */
  private ready(s: ConsumerState, sh: ShardState): boolean {
    if (!sh.parentId) return true;
    const parent = s.shards.get(sh.parentId);
    if (!parent) return true;
    return parent.closed && parent.buffer.length === 0 && !parent.inFlight;
  }

  private async run(s: ConsumerState): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        for (const sh of [...s.shards.values()]) {
          if (!this.running) break;
          if (!this.ready(s, sh)) continue;
          // Read ahead while the function runs, as Lambda's pollers do: the next GetRecords
          // overlaps the batch in flight (records it brings are appended behind the batch).
          const tasks: Promise<boolean>[] = [];
          if (!sh.closed && sh.buffer.length < 1000) tasks.push(this.read(sh));
          if (sh.buffer.length > 0 && Date.now() >= sh.retryAt) tasks.push(this.process(s, sh));
          if (tasks.length) worked = (await Promise.all(tasks)).some(Boolean) || worked;
        }
        await this.refreshShards();
      } catch (e) {
        this.o.onLog?.(`stream ${s.consumer.name}: ${(e as Error).message}`);
        await sleep(200);
      }
      if (!worked) await sleep(this.o.pollIntervalMs);
    }
  }

  /**
   * The shard's feed, made on first use: it starts where the consumer furthest behind stands
   * (its checkpoint; the oldest record when one has none).
   */
  private feedFor(shardId: string): Feed {
    let feed = this.feeds.get(shardId);
    if (!feed) {
      const positions = this.states.map((s) => s.shards.get(shardId)?.checkpoint);
      const start = positions.some((p) => p === undefined)
        ? undefined
        : positions.reduce((a, b) => (seqLess(b!, a!) ? b : a));
      feed = { shardId, start, closed: false, log: [], emptyPollAt: 0 };
      this.feeds.set(shardId, feed);
    }
    return feed;
  }

  private async iteratorFor(feed: Feed): Promise<string | undefined> {
    const from = feed.lastFetched ?? feed.start;
    const at = from
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: from }
      : { ShardIteratorType: 'TRIM_HORIZON' as const };
    try {
      return (
        await this.o.client.send(
          new GetShardIteratorCommand({ StreamArn: this.o.streamArn, ShardId: feed.shardId, ...at }),
        )
      ).ShardIterator;
    } catch (e) {
      if (from && (e instanceof TrimmedDataAccessException || /Trimmed|sequence number/i.test((e as Error).message))) {
        this.o.onLog?.(`stream: checkpoint ${from} of shard ${feed.shardId} is gone; starting from the oldest record`);
        this.restartFeed(feed);
        return this.iteratorFor(feed);
      }
      throw e;
    }
  }

  /** Read the shard again from its oldest record, for every consumer (what was after their positions is gone). */
  private restartFeed(feed: Feed): void {
    feed.start = undefined;
    feed.lastFetched = undefined;
    feed.log = [];
    for (const s of this.states) {
      const sh = s.shards.get(feed.shardId);
      if (!sh) continue;
      sh.lastRead = undefined;
      sh.checkpoint = undefined;
    }
  }

  private async getRecords(feed: Feed) {
    try {
      return await this.o.client.send(new GetRecordsCommand({ ShardIterator: feed.iterator, Limit: 1000 }));
    } catch (e) {
      const name = (e as Error).name;
      if (
        e instanceof ExpiredIteratorException ||
        name === 'ExpiredIteratorException' ||
        e instanceof TrimmedDataAccessException ||
        name === 'TrimmedDataAccessException'
      ) {
        // Expired: iterators live 15 minutes. Trimmed: DynamoDB Local answers this for an
        // iterator taken before the shard's first record when the (database-wide) sequence
        // numbers skipped some before it, i.e. whenever another table was written meanwhile;
        // nothing is trimmed. Either way: a new iterator from where we are, and read again.
        feed.iterator = await this.iteratorFor(feed);
        if (!feed.iterator) return undefined;
        try {
          return await this.o.client.send(new GetRecordsCommand({ ShardIterator: feed.iterator, Limit: 1000 }));
        } catch (again) {
          if (!(again instanceof TrimmedDataAccessException || (again as Error).name === 'TrimmedDataAccessException'))
            throw again;
          this.o.onLog?.(
            `stream: records after ${feed.lastFetched ?? feed.start ?? 'the start'} of shard ${feed.shardId} are gone (trimmed); reading from the oldest record`,
          );
          this.restartFeed(feed);
          feed.iterator = await this.iteratorFor(feed);
          return undefined;
        }
      }
      throw e;
    }
  }

  /** One GetRecords into the feed (a caller while one is under way waits for that one). */
  private fetch(feed: Feed): Promise<void> {
    feed.fetching ??= (async () => {
      const startedAt = Date.now();
      feed.iterator ??= await this.iteratorFor(feed);
      if (!feed.iterator) {
        feed.closed = true;
        return;
      }
      const r = await this.getRecords(feed);
      if (!r) return;
      const records = r.Records ?? [];
      feed.log.push(...records);
      if (records.length) feed.lastFetched = records.at(-1)!.dynamodb?.SequenceNumber ?? feed.lastFetched;
      feed.iterator = r.NextShardIterator;
      if (!feed.iterator) {
        feed.closed = true;
        void this.refreshShards(true);
      }
      if (records.length === 0) feed.emptyPollAt = startedAt;
    })().finally(() => {
      feed.fetching = undefined;
    });
    return feed.fetching;
  }

  /** Move the feed's records after the consumer's position into its buffer; drop what every consumer has taken. */
  private take(feed: Feed, sh: ShardState): number {
    const from = sh.lastRead ?? sh.checkpoint;
    let n = 0;
    for (const rec of feed.log) {
      const seq = rec.dynamodb?.SequenceNumber;
      if (from !== undefined && seq !== undefined && !seqLess(from, seq)) continue;
      sh.buffer.push(toLambdaRecord(rec, this.o.streamArn, this.o.region));
      if (seq !== undefined) sh.lastRead = seq;
      n++;
    }
    // The feed keeps records until the consumer furthest behind has them.
    let behind: string | undefined | null = null;
    for (const s of this.states) {
      const other = s.shards.get(feed.shardId);
      if (!other) continue;
      const at = other.lastRead ?? other.checkpoint;
      if (at === undefined) return n;
      if (behind === null || seqLess(at, behind)) behind = at;
    }
    if (behind) {
      let drop = 0;
      while (drop < feed.log.length) {
        const seq = feed.log[drop].dynamodb?.SequenceNumber;
        if (seq === undefined || seqLess(behind, seq)) break;
        drop++;
      }
      if (drop) feed.log.splice(0, drop);
    }
    return n;
  }

  /**
   * Records for one consumer's shard: from the shard's feed, which one GetRecords fills for every
   * consumer (each consumer reading the shard itself, as each Lambda mapping does, cost DynamoDB
   * Local and the SDK twice the work for the same records). True when it got records.
   */
  private async read(sh: ShardState): Promise<boolean> {
    const feed = this.feedFor(sh.shardId);
    if (this.take(feed, sh) > 0) return true;
    if (!feed.closed) {
      await this.fetch(feed);
      if (this.take(feed, sh) > 0) return true;
      sh.emptyPollAt = feed.emptyPollAt;
    }
    if (feed.closed) sh.closed = true;
    return false;
  }

  /** Filter, batch, invoke, checkpoint or retry. True when it did something. */
  private async process(s: ConsumerState, sh: ShardState): Promise<boolean> {
    // The records this batch covers: up to batchSize that pass the filters, with the ones that do
    // not pass in between (they are consumed with the batch).
    let covered = 0;
    const batch: DynamoDBRecord[] = [];
    const cap = sh.limit ?? this.o.batchSize;
    while (covered < sh.buffer.length && batch.length < cap) {
      const rec = sh.buffer[covered++];
      if (matchesAny(s.consumer.filters, rec)) batch.push(rec);
    }
    if (batch.length === 0) {
      this.advance(s, sh, covered);
      return true;
    }
    const firstSeq = batch[0].dynamodb!.SequenceNumber!;
    if (sh.attemptsFrom !== firstSeq) {
      sh.attempts = 0;
      sh.attemptsFrom = firstSeq;
    }
    sh.inFlight = true;
    this.invocations[s.consumer.name]++;
    let outcome;
    try {
      outcome = await invoke(
        s.consumer.name,
        s.consumer.handler,
        { Records: batch } as DynamoDBStreamEvent,
        this.o.functionTimeoutMs,
      );
    } finally {
      sh.inFlight = false;
      this.lastActivityAt = Date.now();
      this.o.onActivity?.();
    }
    const seqs = batch.map((r) => r.dynamodb!.SequenceNumber!);
    let failed: Set<string> | undefined;
    let reason: string;
    if (!outcome.ok) {
      reason = outcome.error.message;
    } else {
      failed = failedIdentifiers(outcome.result, seqs);
      reason = failed ? 'reported in batchItemFailures' : 'the batch response named a record that is not in the batch';
    }
    if (failed && failed.size === 0) {
      this.advance(s, sh, covered);
      sh.attempts = 0;
      sh.limit = undefined;
      return true;
    }
    if (!failed && batch.length > 1) {
      // BisectBatchOnFunctionError: split the batch and retry the halves (not counted as a retry).
      sh.limit = Math.ceil(batch.length / 2);
      this.o.onLog?.(`${s.consumer.name}: batch of ${batch.length} failed (${reason}); retrying it in halves`);
      return true;
    }
    // Checkpoint before the lowest failed sequence number; retry from there.
    const lowest = failed ? [...failed].sort((a, b) => (seqLess(a, b) ? -1 : 1))[0] : seqs[0];
    const idx = sh.buffer.findIndex((r) => r.dynamodb?.SequenceNumber === lowest);
    if (idx > 0) this.advance(s, sh, idx);
    if (sh.attemptsFrom !== lowest) {
      sh.attemptsFrom = lowest;
      sh.attempts = 0;
    }
    sh.attempts++;
    if (sh.attempts > this.o.maxRetryAttempts) {
      // Give up on the rest of this batch: a failure record to the on-failure destination (where
      // the records were, as Lambda writes it), and move on.
      const remaining = sh.buffer.slice(0, covered - Math.max(idx, 0));
      const dropped = remaining.filter((r) => matchesAny(s.consumer.filters, r));
      const arrival = (r: DynamoDBRecord | undefined) => {
        const t = r?.dynamodb?.ApproximateCreationDateTime;
        return (t ? new Date(t * 1000) : new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
      };
      const record: StreamFailureRecord = {
        requestContext: {
          requestId: randomUUID(),
          functionArn: localFunctionArn(s.consumer.name, this.o.region),
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: sh.attempts,
        },
        responseContext: {
          statusCode: 200,
          executedVersion: '$LATEST',
          ...(failed ? {} : { functionError: 'Unhandled' }),
        },
        version: '1.0',
        timestamp: new Date().toISOString(),
        DDBStreamBatchInfo: {
          shardId: sh.shardId,
          startSequenceNumber: dropped[0]?.dynamodb?.SequenceNumber ?? lowest,
          endSequenceNumber: dropped.at(-1)?.dynamodb?.SequenceNumber ?? lowest,
          approximateArrivalOfFirstRecord: arrival(dropped[0]),
          approximateArrivalOfLastRecord: arrival(dropped.at(-1)),
          batchSize: dropped.length,
          streamArn: this.o.streamArn,
        },
      };
      this.failureQueue.send(record);
      this.o.onLog?.(
        `${s.consumer.name}: gave up on ${dropped.length} stream record(s) after ${sh.attempts} attempts (${reason}); failure record in the on-failure queue (segwatch redrive --local)`,
      );
      this.advance(s, sh, remaining.length);
      sh.attempts = 0;
      sh.attemptsFrom = undefined;
      return true;
    }
    sh.retryAt = Date.now() + Math.min(1000, this.o.retryBaseDelayMs * 2 ** (sh.attempts - 1));
    this.o.onLog?.(`${s.consumer.name}: batch failed (${reason}); retry ${sh.attempts} of ${this.o.maxRetryAttempts}`);
    return true;
  }

  /** Drop the first n buffered records as processed; move the checkpoint. */
  private advance(s: ConsumerState, sh: ShardState, n: number): void {
    if (n <= 0) return;
    const done = sh.buffer.splice(0, n);
    sh.checkpoint = done.at(-1)?.dynamodb?.SequenceNumber ?? sh.checkpoint;
    if (sh.checkpoint) {
      (this.saved.positions[s.consumer.name] ??= {})[sh.shardId] = sh.checkpoint;
      this.saveCheckpoints();
    }
  }

  private saveCheckpoints(): void {
    if (this.o.checkpointPath) writeJsonAtomic(this.o.checkpointPath, this.saved);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
