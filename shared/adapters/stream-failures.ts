/**
 * What the stream-failure redrive reads: the queue of Lambda's failure records (SQS on AWS; the
 * local stack has its own, infra/local/streams.ts), and a sequence range of a DynamoDB stream shard.
 */
import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  TrimmedDataAccessException,
  type _Record,
  type DynamoDBStreamsClient,
} from '@aws-sdk/client-dynamodb-streams';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** One message of the failure queue: its body is a Lambda failure record (JSON). */
export interface FailureMessage {
  id: string;
  body: string;
  /** What deletes it (SQS receipt handle). */
  handle: string;
}

export interface FailureQueue {
  /** Messages this run has not received yet (empty when there are none left). */
  receive(): Promise<FailureMessage[]>;
  /** Delete a message (its items were re-queued). */
  delete(m: FailureMessage): Promise<void>;
  /** Hand back the messages received and not deleted, so a next run sees them at once. */
  releaseUndeleted(): Promise<void>;
}

/** How long a received failure record stays invisible to others while a redrive works on it. */
export const REDRIVE_VISIBILITY_SECONDS = 300;

/** The stream-failure SQS queue. */
export class SqsFailureQueue implements FailureQueue {
  private readonly seen = new Set<string>();
  private readonly held = new Map<string, FailureMessage>();

  constructor(
    private readonly sqs: SQSClient,
    readonly queueUrl: string,
  ) {}

  async receive(): Promise<FailureMessage[]> {
    for (let empty = 0; empty < 2; ) {
      const r = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: REDRIVE_VISIBILITY_SECONDS,
        }),
      );
      const fresh: FailureMessage[] = [];
      for (const m of r.Messages ?? []) {
        if (!m.MessageId || !m.ReceiptHandle) continue;
        if (this.seen.has(m.MessageId)) continue;
        this.seen.add(m.MessageId);
        const msg = { id: m.MessageId, body: m.Body ?? '', handle: m.ReceiptHandle };
        this.held.set(msg.id, msg);
        fresh.push(msg);
      }
      if (fresh.length) return fresh;
      // An empty receive can happen with messages left (SQS samples servers): try once more.
      empty++;
    }
    return [];
  }

  async delete(m: FailureMessage): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: m.handle }));
    this.held.delete(m.id);
  }

  async releaseUndeleted(): Promise<void> {
    for (const m of this.held.values()) {
      await this.sqs
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: this.queueUrl,
            ReceiptHandle: m.handle,
            VisibilityTimeout: 0,
          }),
        )
        .catch(() => undefined);
    }
    this.held.clear();
  }
}

export type StreamRange =
  | { status: 'read'; records: _Record[]; reachedEnd: boolean }
  | { status: 'gone'; reason: string };

const seqCompare = (a: string, b: string) => (a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0);

const named = (e: unknown, name: string) => (e as { name?: string })?.name === name;

/**
 * The records of one shard from `start` to `end` (sequence numbers, inclusive), with
 * GetShardIterator AT_SEQUENCE_NUMBER and GetRecords. `gone` when the stream no longer has them
 * (records live 24 hours; a shard or stream can be gone).
 */
export async function readStreamRange(
  client: DynamoDBStreamsClient,
  range: { streamArn: string; shardId: string; start: string; end: string },
  opts: { maxPages?: number; maxEmptyPages?: number } = {},
): Promise<StreamRange> {
  const maxPages = opts.maxPages ?? 500;
  const maxEmpty = opts.maxEmptyPages ?? 5;
  const iterator = async (after?: string) => {
    const out = await client.send(
      new GetShardIteratorCommand({
        StreamArn: range.streamArn,
        ShardId: range.shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: range.start }),
      }),
    );
    return out.ShardIterator;
  };
  const records: _Record[] = [];
  let it: string | undefined;
  try {
    it = await iterator();
  } catch (e) {
    if (e instanceof TrimmedDataAccessException || named(e, 'TrimmedDataAccessException'))
      return { status: 'gone', reason: 'the records are no longer in the stream (it keeps them 24 hours)' };
    if (e instanceof ResourceNotFoundException || named(e, 'ResourceNotFoundException'))
      return { status: 'gone', reason: 'the stream or its shard no longer exists' };
    throw e;
  }
  let last: string | undefined;
  let empty = 0;
  for (let page = 0; it && page < maxPages; page++) {
    let out;
    try {
      out = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 1000 }));
    } catch (e) {
      if (e instanceof ExpiredIteratorException || named(e, 'ExpiredIteratorException')) {
        it = await iterator(last);
        continue;
      }
      if (e instanceof TrimmedDataAccessException || named(e, 'TrimmedDataAccessException'))
        return records.length
          ? { status: 'read', records, reachedEnd: false }
          : { status: 'gone', reason: 'the records are no longer in the stream (it keeps them 24 hours)' };
      throw e;
    }
    const got = out.Records ?? [];
    for (const r of got) {
      const seq = r.dynamodb?.SequenceNumber;
      if (!seq) continue;
      last = seq;
      if (seqCompare(seq, range.end) > 0) return { status: 'read', records, reachedEnd: true };
      if (seqCompare(seq, range.start) >= 0) records.push(r);
      if (seqCompare(seq, range.end) === 0) return { status: 'read', records, reachedEnd: true };
    }
    empty = got.length === 0 ? empty + 1 : 0;
    if (empty >= maxEmpty) break;
    it = out.NextShardIterator;
  }
  // The shard closed (no next iterator) or kept answering empty pages: what was there is all there is.
  return { status: 'read', records, reachedEnd: last !== undefined && seqCompare(last, range.end) >= 0 };
}
