/**
 * The whole pipeline at the service level, on fakes: the real Store over the in-memory DynamoDB
 * (test/support/mock-dynamodb.ts), the real S3ObjectSource over a mocked S3 client, the real
 * SnsPublisher over a mocked SNS client. `deliver` runs parse's work for one S3 event record the
 * way SQS does (retry until it succeeds); `drain` feeds the table's stream to reconcile and notify
 * the way Lambda does for one shard (in order, through the same filters as the handlers, a failed
 * record retried before the next).
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { processStreamByKey } from '../../shared/stream-batch';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { S3ObjectSource } from '../../shared/adapters/objects';
import { SnsPublisher } from '../../shared/adapters/publisher';
import { Store, versionFromItem } from '../../shared/adapters/store';
import { mulberry32 } from './render';
import { MAX_FILING_BYTES } from '../../shared/domain/parser';
import type { S3EventRecord } from '../../shared/events';
import { ingestS3Record, type IngestDeps, type IngestOutcome } from '../../shared/pipeline/ingest';
import { notifyAlert, type NotifyDeps } from '../../shared/pipeline/notify-alert';
import { recheckDay, reconcileVersion, type ReconcileDeps } from '../../shared/pipeline/reconcile-version';
import { INCOMING_PREFIX } from '../../shared/table';
import { BUCKET, md5, s3Record, type S3RecordSpec } from './fixtures-events';
import { FakeDynamo, type StreamRecord } from './mock-dynamodb';

export const TOPIC = 'arn:aws:sns:us-east-1:123456789012:segwatch-alerts';

export interface Published {
  messageId: string;
  input: PublishCommandInput;
}

/** How the next GetObject fails, if it does. */
export type S3Fault = 'throw' | 'midway';
/** How the next Publish fails: rejected (nothing sent), or accepted by SNS with the response lost. */
export type SnsFault = 'throttle' | 'lost-response';

export function awsError(name: string, message: string, status: number): Error {
  const e = new Error(message) as Error & { $metadata: unknown; $fault: string };
  e.name = name;
  e.$metadata = { httpStatusCode: status, attempts: 3 };
  e.$fault = status >= 500 ? 'server' : 'client';
  return e;
}

/** A deterministic PRNG: the generators' mulberry32. */
export const prng = mulberry32;

export class World {
  readonly dynamo = new FakeDynamo();
  readonly store = new Store(this.dynamo.client(), 'segwatch-test');
  readonly objects = new Map<string, Uint8Array>();
  readonly published: Published[] = [];
  readonly s3 = new S3Client({ region: 'us-east-1' });
  readonly sns = new SNSClient({ region: 'us-east-1' });
  readonly s3Mock = mockClient(this.s3);
  readonly snsMock = mockClient(this.sns);
  /** Consulted before each GetObject / Publish (0-based call index). */
  s3Faults?: (n: number) => S3Fault | undefined;
  snsFaults?: (n: number) => SnsFault | undefined;
  /** Thrown by a hook between two steps of notify (a crash of the function). */
  crashes?: { afterPublish?: (n: number) => boolean };
  /** Counts of failures the pipeline saw and retried. */
  failures = { ingest: 0, stream: 0 };
  s3Calls = 0;
  snsCalls = 0;
  private cursor = 0;
  private tick = 0;
  readonly ingestDeps: IngestDeps;
  readonly reconcileDeps: ReconcileDeps;
  readonly notifyDeps: NotifyDeps;

  constructor(readonly maxAttempts = 12) {
    const now = () => new Date(Date.UTC(2014, 10, 7, 13, 0, 0) + 1000 * this.tick++);
    this.s3Mock.on(GetObjectCommand).callsFake(async (input: { Bucket: string; Key: string }) => {
      const n = this.s3Calls++;
      await this.jitterS3?.();
      const bytes = this.objects.get(`${input.Bucket}/${input.Key}`);
      if (!bytes)
        throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
      const fault = this.s3Faults?.(n);
      if (fault === 'throw') throw awsError('SlowDown', 'Please reduce your request rate.', 503);
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += 1024) chunks.push(Buffer.from(bytes.subarray(i, i + 1024)));
      const body =
        fault === 'midway'
          ? new Readable({
              read() {
                this.push(chunks[0]);
                this.destroy(Object.assign(new Error('aborted'), { name: 'ECONNRESET', code: 'ECONNRESET' }));
              },
            })
          : Readable.from(chunks);
      return { Body: sdkStreamMixin(body), ContentLength: bytes.length, ETag: `"${md5(bytes)}"` };
    });
    this.snsMock.on(PublishCommand).callsFake(async (input: PublishCommandInput) => {
      const n = this.snsCalls++;
      const fault = this.snsFaults?.(n);
      if (fault === 'throttle') throw awsError('ThrottledException', 'Rate exceeded', 400);
      const messageId = `msg-${String(this.published.length + 1).padStart(4, '0')}`;
      this.published.push({ messageId, input });
      if (fault === 'lost-response') throw awsError('TimeoutError', 'socket hang up: the response never came', 0);
      if (this.crashes?.afterPublish?.(n)) throw new Error('Task timed out after 30.00 seconds');
      return { MessageId: messageId };
    });
    this.ingestDeps = {
      store: this.store,
      objects: new S3ObjectSource(this.s3),
      maxBytes: MAX_FILING_BYTES,
      incomingPrefix: INCOMING_PREFIX,
      now,
    };
    this.reconcileDeps = { store: this.store, now };
    this.notifyDeps = { store: this.store, publisher: new SnsPublisher(this.sns, TOPIC), now };
  }

  /**
   * Random latency (0-3 event-loop turns, seeded) before every DynamoDB request and GetObject;
   * with `stalls`, that fraction of requests waits 20-40 turns instead (a slow request, during
   * which concurrent work runs many of its own).
   */
  withJitter(seed: number, stalls = 0): this {
    const rnd = prng(seed);
    const turns = async () => {
      for (let n = rnd() < stalls ? 20 + Math.floor(rnd() * 21) : Math.floor(rnd() * 4); n > 0; n--)
        await new Promise((r) => setImmediate(r));
    };
    this.dynamo.jitter = turns;
    this.jitterS3 = turns;
    return this;
  }
  private jitterS3?: () => Promise<void>;

  private uploads = 0;

  /**
   * Upload a file to `incoming/<name>`; returns the S3 event record S3 would send for it. Each
   * upload's event time is one second after the previous one's (unless spec.eventTime is given),
   * as when the objects arrive in the order they are uploaded.
   */
  upload(name: string, content: string | Uint8Array, spec: Partial<S3RecordSpec> = {}): S3EventRecord {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const key = `${INCOMING_PREFIX}${name}`;
    this.objects.set(`${spec.bucket ?? BUCKET}/${key}`, bytes);
    const eventTime = new Date(Date.UTC(2014, 10, 7, 13, 5, 9, 123) + 1000 * this.uploads++).toISOString();
    return s3Record({ key, size: bytes.length, eTag: md5(bytes), eventTime, ...spec });
  }

  /** parse's work for one record, retried like an SQS message until it succeeds. */
  async deliver(record: S3EventRecord): Promise<IngestOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ingestS3Record(this.ingestDeps, record);
      } catch (e) {
        this.failures.ingest++;
        if (attempt >= this.maxAttempts) throw e;
      }
    }
  }

  /** One stream record, through the same filter as the reconcile and notify handlers. */
  private async handle(r: StreamRecord): Promise<void> {
    const image = unmarshall(r.dynamodb.NewImage, { wrapNumbers: true }) as Record<string, unknown>;
    if (image.state !== 'pending') return;
    if (image.type === 'filing')
      await reconcileVersion(this.reconcileDeps, versionFromItem(image), { inserted: r.eventName === 'INSERT' });
    else if (image.type === 'recheck')
      await recheckDay(this.reconcileDeps, image.firmId as string, image.endDate as string);
    else if (image.type === 'alert') await notifyAlert(this.notifyDeps, image.pk as string, image.sk as string);
  }

  /** Feed every new stream record to its function, in order, a failed one retried. */
  async drain(): Promise<void> {
    while (this.cursor < this.dynamo.stream.length) {
      const r = this.dynamo.stream[this.cursor];
      for (let attempt = 1; ; attempt++) {
        try {
          await this.handle(r);
          break;
        } catch (e) {
          this.failures.stream++;
          if (attempt >= this.maxAttempts) throw e;
        }
      }
      this.cursor++;
    }
  }

  /**
   * Feed the stream the way Lambda feeds one shard to a function: batches of up to `batchSize`
   * records, each batch through the handlers' own processStreamByKey (records of one key in order,
   * different keys at the same time: a firm-day for reconcile and for notify), a batch with
   * failures retried from its lowest failed record (the records after it come again). With
   * jitter (withJitter), different keys interleave differently from run to run.
   */
  async drainBatches(batchSize = 10): Promise<void> {
    let attempts = 0;
    while (this.cursor < this.dynamo.stream.length) {
      const batch = this.dynamo.stream.slice(this.cursor, this.cursor + batchSize);
      const out = await processStreamByKey(
        batch as unknown as DynamoDBRecord[],
        (r) => (r.dynamodb?.Keys?.pk as { S?: string } | undefined)?.S ?? '',
        (r) => this.handle(r as unknown as StreamRecord),
      );
      const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
      const first = batch.findIndex((r) => failed.has(r.dynamodb.SequenceNumber));
      if (first < 0) {
        this.cursor += batch.length;
        attempts = 0;
      } else {
        this.failures.stream++;
        this.cursor += first;
        if (++attempts >= this.maxAttempts)
          throw new Error(`stream record ${batch[first].dynamodb.SequenceNumber} failed ${attempts} times`);
      }
    }
  }

  /**
   * Feed stream records until one fails, which stays at the head of the shard (the next drain
   * retries it first, after whatever else happened meanwhile). True when the stream was drained.
   */
  async drainUntilFailure(): Promise<boolean> {
    while (this.cursor < this.dynamo.stream.length) {
      try {
        await this.handle(this.dynamo.stream[this.cursor]);
      } catch {
        this.failures.stream++;
        return false;
      }
      this.cursor++;
    }
    return true;
  }

  /** Deliver each record (SQS) then drain the stream. */
  async run(...records: S3EventRecord[]): Promise<IngestOutcome[]> {
    const out: IngestOutcome[] = [];
    for (const r of records) {
      out.push(await this.deliver(r));
      await this.drain();
    }
    return out;
  }

  // ---- views ---------------------------------------------------------------------------------

  itemsOfType(type: string): Record<string, unknown>[] {
    return this.dynamo.all().filter((i) => i.type === type);
  }

  /** Alert id -> how many times it was published (by the `Alert id:` line of the body). */
  publishCounts(): Map<string, number> {
    const m = new Map<string, number>();
    for (const p of this.published) {
      const id = /Alert id: ([0-9a-f]+)/.exec(p.input.Message ?? '')?.[1] ?? '?';
      m.set(id, (m.get(id) ?? 0) + 1);
    }
    return m;
  }

  /**
   * The table's content without what legitimately differs between runs (clock readings, SNS
   * message ids), as a sorted JSON list: two runs that stored the same facts compare equal.
   */
  snapshot(): string[] {
    const volatile = new Set([
      'receivedAt',
      'reconciledAt',
      'raisedAt',
      'updatedAt',
      'sentAt',
      'messageId',
      'redrivenAt',
    ]);
    const norm = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(norm);
      if (v && typeof v === 'object') {
        if ('value' in v && Object.keys(v).length === 1) return `N:${(v as { value: string }).value}`;
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v).sort()) if (!volatile.has(k)) out[k] = norm((v as Record<string, unknown>)[k]);
        return out;
      }
      return v;
    };
    return this.dynamo
      .all()
      .map((i) => JSON.stringify(norm(i)))
      .sort();
  }
}
