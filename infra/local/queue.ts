/**
 * An in-process stand-in for the SQS queue + DLQ + Lambda event source mapping in front of
 * `parse`, with the semantics that matter for correctness:
 *  - at-least-once: a message is deleted only after an invocation that did not report it failed;
 *  - batches of up to `batchSize` visible messages;
 *  - visibility timeout: a received message is invisible until it is deleted or the timeout passes
 *    (a handler that runs longer than it gets the message delivered again, as on AWS);
 *  - receive count: each receive increments ApproximateReceiveCount; a message that has been
 *    received `maxReceiveCount` times and comes up again goes to the dead-letter queue instead;
 *  - partial batch failure: only the ids in `batchItemFailures` stay; an error, a timeout or a
 *    malformed response fails the whole batch.
 * Both queues are persisted as JSON (optional) so a later run, or `segwatch redrive --local`,
 * picks them up.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { PIPELINE } from '../../shared/table';
import { failedIdentifiers, invoke, type Handler } from './lambda';
import { readJson, writeJsonAtomic } from './state';

export interface QueueMessage {
  messageId: string;
  body: string;
  sentTimestamp: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** Epoch ms when it is visible again (0: visible). */
  visibleAt: number;
  /** Receipt handle of the current receive. */
  receipt?: string;
}

export interface DeadLetter {
  messageId: string;
  body: string;
  sentTimestamp: number;
  receiveCount: number;
  deadLetteredAt: string;
  sourceQueueArn: string;
  /** The last error the handler gave for it, when known. */
  lastError?: string;
}

export interface LocalQueueOptions {
  name?: string;
  region?: string;
  batchSize?: number;
  maxReceiveCount?: number;
  /** While a batch is in flight its messages are invisible for this long (default PIPELINE, 180 s). */
  visibilityTimeoutMs?: number;
  /**
   * After an invocation reports a message failed, it becomes visible again after this long
   * instead of waiting out the visibility timeout (as a handler calling ChangeMessageVisibility
   * would). Default: the rest of the visibility timeout, as on AWS.
   */
  failedVisibilityMs?: number;
  /** Concurrent batches (Lambda's SQS pollers). Default 2. */
  concurrency?: number;
  functionTimeoutMs?: number;
  pollIntervalMs?: number;
  /** Persist the queue here (JSON). */
  path?: string;
  /** Persist the dead-letter queue here (JSON). */
  dlqPath?: string;
  /** Called on every delivery outcome (progress logging). */
  onLog?: (line: string) => void;
  /** Called when an invocation finishes (it may have written to the table). */
  onActivity?: () => void;
}

export class LocalQueue {
  readonly name: string;
  readonly arn: string;
  readonly dlqArn: string;
  private readonly opts: Required<
    Omit<LocalQueueOptions, 'path' | 'dlqPath' | 'onLog' | 'onActivity' | 'failedVisibilityMs'>
  > &
    Pick<LocalQueueOptions, 'path' | 'dlqPath' | 'onLog' | 'onActivity' | 'failedVisibilityMs'>;
  private messages: QueueMessage[] = [];
  private dead: DeadLetter[] = [];
  private handler?: Handler<SQSEvent, SQSBatchResponse | void>;
  private timer?: NodeJS.Timeout;
  private inFlight = 0;
  private running = false;
  private lastErrors = new Map<string, string>();
  /** Invocations made (for tests and stats). */
  invocations = 0;
  /** Resolves when every batch in flight has finished (after stop). */
  private idleWaiters: (() => void)[] = [];

  constructor(options: LocalQueueOptions = {}) {
    const region = options.region ?? 'us-east-1';
    this.name = options.name ?? 'segwatch-incoming';
    this.arn = `arn:aws:sqs:${region}:000000000000:${this.name}`;
    this.dlqArn = `arn:aws:sqs:${region}:000000000000:${this.name}-dlq`;
    this.opts = {
      name: this.name,
      region,
      batchSize: options.batchSize ?? PIPELINE.queueBatchSize,
      maxReceiveCount: options.maxReceiveCount ?? PIPELINE.queueMaxReceiveCount,
      visibilityTimeoutMs: options.visibilityTimeoutMs ?? PIPELINE.queueVisibilityTimeoutSeconds * 1000,
      failedVisibilityMs: options.failedVisibilityMs,
      concurrency: options.concurrency ?? 2,
      functionTimeoutMs: options.functionTimeoutMs ?? PIPELINE.functionTimeoutSeconds * 1000,
      pollIntervalMs: options.pollIntervalMs ?? 10,
      path: options.path,
      dlqPath: options.dlqPath,
      onLog: options.onLog,
      onActivity: options.onActivity,
    };
    if (this.opts.path) {
      // Messages a previous run had in flight were abandoned with it: visible again now.
      this.messages = readJson<QueueMessage[]>(this.opts.path, []).map((m) => ({
        ...m,
        visibleAt: 0,
        receipt: undefined,
      }));
    }
    if (this.opts.dlqPath) this.dead = readJson<DeadLetter[]>(this.opts.dlqPath, []);
  }

  /** SendMessage. Returns the message id. */
  send(body: string): string {
    const messageId = randomUUID();
    this.messages.push({ messageId, body, sentTimestamp: Date.now(), receiveCount: 0, visibleAt: 0 });
    this.persist();
    this.kick();
    return messageId;
  }

  /** Messages not yet deleted (visible, in flight or waiting to be visible again). */
  get depth(): number {
    return this.messages.length;
  }

  /** The bodies of the messages not yet deleted. */
  pendingBodies(): string[] {
    return this.messages.map((m) => m.body);
  }

  /** Nothing queued and no batch in flight. */
  isIdle(): boolean {
    return this.messages.length === 0 && this.inFlight === 0;
  }

  /** The dead-letter queue's messages (oldest first). */
  deadLetters(): DeadLetter[] {
    return this.dead.map((d) => ({ ...d }));
  }

  /** Move every dead-lettered message back onto the queue (receive count reset). Returns them. */
  redrive(): DeadLetter[] {
    const moved = this.dead;
    this.dead = [];
    for (const d of moved)
      this.messages.push({
        messageId: d.messageId,
        body: d.body,
        sentTimestamp: Date.now(),
        receiveCount: 0,
        visibleAt: 0,
      });
    this.persist();
    this.kick();
    return moved;
  }

  start(handler: Handler<SQSEvent, SQSBatchResponse | void>): void {
    this.handler = handler;
    this.running = true;
    this.kick();
  }

  /** Stop polling and wait for batches in flight to finish. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.inFlight > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
    this.persist();
  }

  private kick(): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), 0);
  }

  private schedule(): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    if (this.messages.length === 0) return; // send() kicks again
    const now = Date.now();
    const nextVisible = Math.min(...this.messages.map((m) => m.visibleAt));
    const wait = Math.max(this.opts.pollIntervalMs, nextVisible - now);
    this.timer = setTimeout(() => this.poll(), Math.min(wait, 1000));
  }

  private poll(): void {
    if (!this.running || !this.handler) return;
    while (this.inFlight < this.opts.concurrency) {
      const batch = this.receive();
      if (batch.length === 0) break;
      this.inFlight++;
      void this.deliver(batch).finally(() => {
        this.inFlight--;
        if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
        this.kick();
      });
    }
    this.schedule();
  }

  /** ReceiveMessage (with the redrive policy applied on the way). */
  private receive(): QueueMessage[] {
    const now = Date.now();
    const batch: QueueMessage[] = [];
    let changed = false;
    for (const m of [...this.messages]) {
      if (batch.length >= this.opts.batchSize) break;
      if (m.visibleAt > now) continue;
      if (m.receiveCount >= this.opts.maxReceiveCount) {
        this.deadLetter(m);
        changed = true;
        continue;
      }
      m.receiveCount++;
      m.firstReceiveTimestamp ??= now;
      m.receipt = randomUUID();
      m.visibleAt = now + this.opts.visibilityTimeoutMs;
      batch.push(m);
      changed = true;
    }
    if (changed) this.persist();
    return batch;
  }

  private deadLetter(m: QueueMessage): void {
    this.messages = this.messages.filter((x) => x !== m);
    const lastError = this.lastErrors.get(m.messageId);
    this.lastErrors.delete(m.messageId);
    this.dead.push({
      messageId: m.messageId,
      body: m.body,
      sentTimestamp: m.sentTimestamp,
      receiveCount: m.receiveCount,
      deadLetteredAt: new Date().toISOString(),
      sourceQueueArn: this.arn,
      ...(lastError ? { lastError } : {}),
    });
    this.opts.onLog?.(`queue: message ${m.messageId} moved to the dead-letter queue after ${m.receiveCount} receives`);
  }

  private toRecord(m: QueueMessage): SQSRecord {
    return {
      messageId: m.messageId,
      receiptHandle: m.receipt!,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentTimestamp),
        SenderId: 'AROALOCALS3:s3',
        ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp ?? Date.now()),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(m.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: this.opts.region,
    };
  }

  private async deliver(batch: QueueMessage[]): Promise<void> {
    const receipts = new Map(batch.map((m) => [m.messageId, m.receipt]));
    const event: SQSEvent = { Records: batch.map((m) => this.toRecord(m)) };
    this.invocations++;
    const outcome = await invoke('parse', this.handler!, event, this.opts.functionTimeoutMs);
    this.opts.onActivity?.();
    let failed: Set<string> | undefined;
    let reason = '';
    if (!outcome.ok) {
      failed = undefined;
      reason = outcome.error.message;
    } else {
      failed = failedIdentifiers(
        outcome.result,
        batch.map((m) => m.messageId),
      );
      if (!failed) reason = 'the batch response named a message that is not in the batch';
    }
    const now = Date.now();
    for (const m of batch) {
      const current = this.messages.find((x) => x.messageId === m.messageId);
      // Deleted already, or received again by someone else after our visibility ran out: a
      // stale receipt handle deletes nothing.
      if (!current || current.receipt !== receipts.get(m.messageId)) continue;
      const isFailed = failed === undefined || failed.has(m.messageId);
      if (!isFailed) {
        this.messages = this.messages.filter((x) => x !== current);
        this.lastErrors.delete(m.messageId);
      } else {
        this.lastErrors.set(m.messageId, reason || 'reported in batchItemFailures');
        if (this.opts.failedVisibilityMs !== undefined)
          current.visibleAt = Math.min(current.visibleAt, now + this.opts.failedVisibilityMs);
      }
    }
    if (failed === undefined) this.opts.onLog?.(`parse: batch of ${batch.length} failed (${reason}); will be retried`);
    else if (failed.size > 0)
      this.opts.onLog?.(`parse: ${failed.size} of ${batch.length} messages reported failed; will be retried`);
    this.persist();
  }

  private persist(): void {
    if (this.opts.path)
      writeJsonAtomic(
        this.opts.path,
        this.messages.map(({ receipt: _r, ...m }) => m),
      );
    if (this.opts.dlqPath) writeJsonAtomic(this.opts.dlqPath, this.dead);
  }
}

/** `segwatch redrive --local` on the persisted files, with no stack running. */
export function redriveFiles(queuePath: string, dlqPath: string): DeadLetter[] {
  const dead = readJson<DeadLetter[]>(dlqPath, []);
  if (dead.length === 0) return [];
  const messages = readJson<QueueMessage[]>(queuePath, []);
  for (const d of dead)
    messages.push({ messageId: d.messageId, body: d.body, sentTimestamp: Date.now(), receiveCount: 0, visibleAt: 0 });
  writeJsonAtomic(queuePath, messages);
  writeJsonAtomic(dlqPath, []);
  return dead;
}
