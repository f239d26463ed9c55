/**
 * The whole pipeline on one machine:
 *   s3rver (bucket, incoming/) -> real-shaped S3 events -> LocalQueue (SQS + DLQ) -> parse
 *   -> DynamoDB Local table -> its stream -> StreamDriver (filters, batches, retries) -> reconcile
 *   -> table (result, alert outbox) -> stream -> notify -> SNS stand-in.
 * The handlers are the real ones (functions/*), loaded after the environment points their SDK
 * clients at the local services; nothing in them knows they are local.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ENV, INCOMING_PREFIX, STREAM_FILTERS, TABLE } from '../../shared/table';
import {
  Store,
  type ObjectRecord,
  type ResultItem,
  type StoredAlert,
  type VersionItem,
} from '../../shared/adapters/store';
import { documentClient, SDK_LOGGER } from '../../shared/adapters/clients';
import { LocalPipelineError, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
import type { Handler } from './lambda';
import { LocalQueue, type DeadLetter, type LocalQueueOptions } from './queue';
import { LocalS3, S3RVER_CREDENTIALS } from './s3';
import { decodeS3EventKey, s3QueueBody, s3TestEventBody, type RealS3EventRecord } from './s3-events';
import { SnsStandIn, type PublishedMessage } from './sns';
import { clearState, readJson, statePaths, type StatePaths } from './state';
import { redriveStreamFailures, type StreamRedriveReport } from '../../shared/pipeline/stream-redrive';
import type { StreamFailureRecord } from '../../shared/pipeline/stream-redrive';
import { StreamDriver, type StreamDriverOptions, type StreamHandler } from './streams';
import { ensureTable } from './table';

export { LocalPipelineError };

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

export interface Handlers {
  parse: Handler<SQSEvent, SQSBatchResponse | void>;
  reconcile: StreamHandler;
  notify: StreamHandler;
}

export interface LocalPipelineOptions {
  /** Keep state between runs under this directory (DynamoDB files, objects, queues, checkpoints). Default: nothing kept. */
  stateDir?: string;
  /** Start from empty (remove what stateDir holds first). */
  fresh?: boolean;
  /** Use this DynamoDB Local (e.g. the test run's shared one) instead of starting one. */
  dynamodbEndpoint?: string;
  dynamodbPort?: number;
  /** Start Java in its own process group (the CLI stops it itself on Ctrl-C). */
  detachJava?: boolean;
  tableName?: string;
  bucket?: string;
  topicName?: string;
  /** Replace the real handlers (tests of the machinery). */
  handlers?: Partial<Handlers>;
  queue?: Partial<LocalQueueOptions>;
  stream?: Partial<
    Pick<
      StreamDriverOptions,
      'batchSize' | 'maxRetryAttempts' | 'pollIntervalMs' | 'retryBaseDelayMs' | 'functionTimeoutMs'
    >
  >;
  /** Send S3's s3:TestEvent when the bucket is new (as S3 does when notifications are configured). Default true. */
  s3TestEvent?: boolean;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface KeyOutcome {
  key: string;
  eTag?: string;
  /** complete: stored (result + alerts sent) or rejected (alert sent); dead-lettered; incomplete: the pipeline stopped short. */
  status: 'stored' | 'rejected' | 'dead-lettered' | 'incomplete';
  object?: ObjectRecord;
  version?: VersionItem;
  result?: ResultItem;
  alerts: StoredAlert[];
  deadLetter?: DeadLetter;
  problem?: string;
}

let handlersLoadedFor: string | undefined;

/** Load the real handlers (after the env is set: they create their SDK clients at module load). */
async function loadRealHandlers(signature: string): Promise<Handlers> {
  if (handlersLoadedFor !== undefined && handlersLoadedFor !== signature)
    throw new LocalPipelineError(
      'the real handlers were already loaded for another local stack in this process (their SDK clients are created once); use one LocalPipeline per process or test file',
    );
  handlersLoadedFor = signature;
  const parse = await loadTs<typeof import('../../functions/parse/index')>('../../functions/parse/index');
  const reconcile = await loadTs<typeof import('../../functions/reconcile/index')>('../../functions/reconcile/index');
  const notify = await loadTs<typeof import('../../functions/notify/index')>('../../functions/notify/index');
  return { parse: parse.handler, reconcile: reconcile.handler, notify: notify.handler };
}

/**
 * Import a TypeScript module of this repo: with require() under the CLI (tsx's CommonJS hook,
 * which does not resolve extensionless ESM import() specifiers), with import() elsewhere (vitest).
 */
async function loadTs<T>(specifier: string): Promise<T> {
  if (typeof require === 'function' && require.extensions && '.ts' in require.extensions)
    return require(specifier) as T;
  return (await import(specifier)) as T;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LocalPipeline {
  readonly tableName: string;
  readonly bucket: string;
  readonly topicArn: string;
  readonly paths?: StatePaths;
  readonly sns: SnsStandIn;
  queue!: LocalQueue;
  streams!: StreamDriver;
  store!: Store;
  s3!: S3Client;
  dynamodbEndpoint = '';
  streamArn = '';
  private dynamo?: DynamoDbLocal;
  private localS3!: LocalS3;
  private ddb?: DynamoDBClient;
  private streamsClient?: DynamoDBStreamsClient;
  private lockPath?: string;
  private uploaded = new Map<string, string>();
  private lastRecord = new Map<string, RealS3EventRecord>();
  private started = false;
  private readonly log: (line: string) => void;
  /** Set false to lose S3's notifications (tests: an object whose event never came, or was dead-lettered). */
  deliverS3Events = true;

  constructor(private readonly options: LocalPipelineOptions = {}) {
    this.tableName = options.tableName ?? TABLE.localName;
    this.bucket = options.bucket ?? 'segwatch-filings-local';
    this.topicArn = `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${options.topicName ?? 'segwatch-alerts'}`;
    this.log = options.log ?? (() => undefined);
    if (options.stateDir) this.paths = statePaths(options.stateDir);
    this.sns = new SnsStandIn({ logPath: this.paths?.published });
  }

  static async start(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
    const stack = new LocalPipeline(options);
    try {
      await stack.start();
    } catch (e) {
      await stack.stop().catch(() => undefined);
      throw e;
    }
    return stack;
  }

  async start(): Promise<void> {
    const o = this.options;
    if (this.paths) {
      this.lock(this.paths);
      if (o.fresh) clearState(this.paths);
    }
    this.started = true;

    // DynamoDB Local + the table.
    if (o.dynamodbEndpoint) {
      this.dynamodbEndpoint = o.dynamodbEndpoint;
    } else {
      this.log('starting DynamoDB Local...');
      this.dynamo = await startDynamoDbLocal({
        port: o.dynamodbPort,
        dbPath: this.paths?.dynamodb,
        sharedDb: true,
        portHint: '--dynamodb-port N',
        detached: o.detachJava,
      });
      this.dynamodbEndpoint = this.dynamo.endpoint;
    }
    const clientConfig = {
      endpoint: this.dynamodbEndpoint,
      region: LOCAL_REGION,
      credentials: S3RVER_CREDENTIALS,
      logger: SDK_LOGGER,
    };
    this.ddb = new DynamoDBClient(clientConfig);
    const { streamArn, created } = await ensureTable(this.ddb, this.tableName);
    this.streamArn = streamArn;
    this.log(`table ${this.tableName} ${created ? 'created' : 'found'}`);
    this.store = new Store(documentClient(this.ddb), this.tableName);

    // SNS stand-in, queue, S3.
    await this.sns.start();
    this.queue = new LocalQueue({
      failedVisibilityMs: 250,
      path: this.paths?.queue,
      dlqPath: this.paths?.dlq,
      onLog: this.log,
      ...o.queue,
      region: LOCAL_REGION,
      onActivity: () => this.streams?.noteActivity(),
    });
    this.localS3 = new LocalS3({
      bucket: this.bucket,
      directory: this.paths?.s3,
      region: LOCAL_REGION,
      prefix: INCOMING_PREFIX,
      onLog: this.log,
      onRecord: (r) => {
        this.lastRecord.set(decodeS3EventKey(r.s3.object.key), r);
        if (this.deliverS3Events) this.queue.send(s3QueueBody(r));
      },
    });
    this.s3 = await this.localS3.start();
    if (this.localS3.createdBucket && o.s3TestEvent !== false) this.queue.send(s3TestEventBody(this.bucket));

    // The handlers' environment, then the handlers.
    this.configureEnv();
    const real =
      o.handlers?.parse && o.handlers.reconcile && o.handlers.notify
        ? undefined
        : await loadRealHandlers(this.signature());
    const handlers: Handlers = { ...real!, ...o.handlers } as Handlers;

    this.streamsClient = new DynamoDBStreamsClient(clientConfig);
    this.streams = new StreamDriver({
      client: this.streamsClient,
      streamArn,
      region: LOCAL_REGION,
      consumers: [
        { name: 'reconcile', handler: handlers.reconcile, filters: [STREAM_FILTERS.reconcile] },
        { name: 'notify', handler: handlers.notify, filters: [STREAM_FILTERS.notify] },
      ],
      checkpointPath: this.paths?.streamCheckpoints,
      onFailurePath: this.paths?.streamFailures,
      onLog: this.log,
      ...o.stream,
    });
    await this.streams.start();
    this.queue.start(handlers.parse);
  }

  private signature(): string {
    return JSON.stringify([
      this.dynamodbEndpoint,
      this.tableName,
      this.sns.endpoint,
      this.localS3.endpoint,
      this.bucket,
    ]);
  }

  /** The environment the handlers read (shared/table.ts ENV) and their SDK clients' endpoints. */
  env(): Record<string, string> {
    return {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: this.dynamodbEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: this.dynamodbEndpoint,
      AWS_ENDPOINT_URL_S3: this.localS3.endpoint,
      AWS_ENDPOINT_URL_SNS: this.sns.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      [ENV.table]: this.tableName,
      [ENV.topic]: this.topicArn,
      [ENV.bucket]: this.bucket,
      [ENV.incomingPrefix]: INCOMING_PREFIX,
    };
  }

  private configureEnv(): void {
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    Object.assign(process.env, this.env());
  }

  private lock(paths: StatePaths): void {
    const lockPath = join(paths.root, 'lock');
    const held = readJson<{ pid?: number } | null>(lockPath, null);
    if (held?.pid && held.pid !== process.pid && processAlive(held.pid))
      throw new LocalPipelineError(
        `another segwatch run (pid ${held.pid}) is using ${paths.root}; stop it first (Ctrl-C), or point this one elsewhere`,
      );
    mkdirSync(paths.root, { recursive: true });
    writeFileSync(lockPath, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
    this.lockPath = lockPath;
  }

  /**
   * `segwatch redrive --local` on the running stack: the on-failure queue's failure records, through
   * the same code as on AWS (shared/pipeline/stream-redrive.ts): the items each points at are set
   * back to pending, and the stream driver runs them again.
   */
  async redriveStreamFailures(
    opts: { dryRun?: boolean; since?: string; minAgeMs?: number } = {},
  ): Promise<StreamRedriveReport> {
    const report = await redriveStreamFailures({
      failures: this.streams.failureQueue.reader(),
      streams: this.streamsClient!,
      store: this.store,
      functions: { reconcile: 'reconcile', notify: 'notify' },
      now: () => new Date(),
      ...opts,
    });
    this.streams.noteActivity();
    return report;
  }

  // ---- using it ----------------------------------------------------------------------------

  /** Upload a file (path) or bytes under `key` (default: incoming/<basename of the path>). Returns the key. */
  async upload(source: string | Uint8Array, key?: string): Promise<string> {
    const bytes = typeof source === 'string' ? readFileSync(source) : source;
    const k = key ?? (typeof source === 'string' ? `${INCOMING_PREFIX}${basename(source)}` : undefined);
    if (!k) throw new Error('upload(bytes) needs a key');
    const out = await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: k, Body: bytes, ContentType: 'text/plain' }),
    );
    if (out.ETag) this.uploaded.set(k, out.ETag.replace(/"/g, ''));
    return k;
  }

  /** Simulate an S3 outage (false) and its end (true): s3rver stops answering, objects are kept. */
  async setS3Available(available: boolean): Promise<void> {
    await this.localS3.setAvailable(available);
  }

  /** Deliver the last S3 event of `key` to the queue again (S3 may repeat an event). */
  redeliver(key: string): void {
    const r = this.lastRecord.get(key);
    if (!r) throw new Error(`no S3 event seen for ${key}`);
    this.queue.send(s3QueueBody(r));
  }

  /** The last real-shaped S3 event record delivered for `key`. */
  lastEvent(key: string): RealS3EventRecord | undefined {
    return this.lastRecord.get(key);
  }

  published(): PublishedMessage[] {
    return [...this.sns.published];
  }

  deadLetters(): DeadLetter[] {
    return this.queue.deadLetters();
  }

  /** The failure records in the stream on-failure queue (Lambda's shape: where the records were). */
  onFailure(): StreamFailureRecord[] {
    return this.streams.onFailure();
  }

  /** Nothing queued, converting, in flight, buffered or waiting for a retry anywhere. */
  isIdle(): boolean {
    return this.localS3.converting === 0 && this.queue.isIdle() && this.streams.isIdle();
  }

  /** Wait until the pipeline has nothing left to do (seen idle twice in a row). */
  async waitForIdle(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    while (seen < 2) {
      if (Date.now() > deadline)
        throw new LocalPipelineError(`the local pipeline was still busy after ${timeoutMs} ms`);
      seen = this.isIdle() ? seen + 1 : 0;
      await sleep(seen ? 15 : 10);
    }
  }

  /**
   * Wait until every key is fully processed: its object record stored or rejected, the result of
   * its filing version stored, and every alert of it sent; or its message dead-lettered. Returns
   * what happened to each. The table is read only once the pipeline is idle (reading it for
   * every key while work is in flight would slow the pipeline down), a few keys at a time.
   */
  async waitUntilProcessed(keys: string[], timeoutMs = 45_000): Promise<KeyOutcome[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.isIdle()) {
        await this.waitForIdle(Math.max(1000, deadline - Date.now()));
        const outcomes = await this.outcomes(keys);
        // Complete, or the pipeline has nothing left that could complete them.
        if (outcomes.every((o) => o.status !== 'incomplete') || this.isIdle()) return outcomes;
      }
      if (Date.now() > deadline) {
        const pending = (await this.outcomes(keys)).filter((o) => o.status === 'incomplete');
        throw new LocalPipelineError(
          `not processed within ${timeoutMs} ms: ${
            pending
              .slice(0, 10)
              .map((p) => `${p.key} (${p.problem})`)
              .join(', ') || 'the pipeline is still busy'
          }`,
        );
      }
      await sleep(10);
    }
  }

  private async outcomes(keys: string[]): Promise<KeyOutcome[]> {
    const out: KeyOutcome[] = new Array(keys.length);
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const i = next++;
        out[i] = await this.outcome(keys[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, keys.length) }, worker));
    return out;
  }

  /** What the table says happened to an uploaded key (its last upload). */
  async outcome(key: string): Promise<KeyOutcome> {
    const eTag = this.uploaded.get(key) ?? this.lastRecord.get(key)?.s3.object.eTag;
    const records = eTag
      ? [await this.store.getObjectRecord(this.bucket, key, eTag)].filter((r): r is ObjectRecord => !!r)
      : await this.store.listObjectRecords(this.bucket, key);
    const object = records.at(-1);
    if (!object) {
      const deadLetter = this.deadLetters().find((d) => deadLetterKeys(d).includes(key));
      if (deadLetter)
        return {
          key,
          eTag,
          status: 'dead-lettered',
          deadLetter,
          alerts: [],
          problem: deadLetter.lastError ?? 'dead-lettered',
        };
      return { key, eTag, status: 'incomplete', alerts: [], problem: 'no object record yet' };
    }
    if (object.status === 'rejected') {
      const alerts = (await this.store.listObjectAlerts(this.bucket, key)).filter(
        (a) => !object.alertId || a.id === object.alertId,
      );
      const unsent = alerts.filter((a) => a.state !== 'sent');
      if (alerts.length === 0 || unsent.length)
        return { key, eTag, status: 'incomplete', object, alerts, problem: 'rejected-file alert not sent yet' };
      return { key, eTag, status: 'rejected', object, alerts };
    }
    const version = await this.store.getVersion(object.firmId!, object.endDate!, object.versionKey!);
    const result = await this.store.getResult(object.firmId!, object.endDate!, object.versionKey!);
    if (!version || !result)
      return { key, eTag, status: 'incomplete', object, version, alerts: [], problem: 'not reconciled yet' };
    // Done when the day has nothing left in the outbox: every alert of the firm's day sent.
    const dayAlerts = await this.store.listAlerts(object.firmId!, object.endDate!);
    const alerts = dayAlerts.filter((a) => a.versionKey === object.versionKey);
    const unsent = dayAlerts.filter((a) => a.state !== 'sent');
    if (unsent.length)
      return {
        key,
        eTag,
        status: 'incomplete',
        object,
        version,
        result,
        alerts,
        problem: `${unsent.length} alert(s) not sent yet`,
      };
    return { key, eTag, status: 'stored', object, version, result, alerts };
  }

  private stopping?: Promise<void>;

  /** Stop everything (work in flight first, Java last). Safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  private async stopNow(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.queue?.stop();
    await this.streams?.stop();
    await this.localS3?.stop();
    await this.sns.stop();
    this.streamsClient?.destroy();
    this.ddb?.destroy();
    await this.dynamo?.stop();
    if (this.lockPath && existsSync(this.lockPath)) rmSync(this.lockPath, { force: true });
  }
}

/** The object keys an S3 notification body names (decoded). */
export function deadLetterKeys(d: { body: string }): string[] {
  try {
    const body = JSON.parse(d.body) as { Records?: { s3?: { object?: { key?: string } } }[] };
    return (body.Records ?? [])
      .map((r) => r.s3?.object?.key)
      .filter((k): k is string => !!k)
      .map(decodeS3EventKey);
  } catch {
    return [];
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A temp state dir (tests that want persistence across two stacks). */
export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'segwatch-state-'));
}
