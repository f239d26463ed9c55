import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { STREAM_FILTERS } from '../../shared/table';
import { ensureTable } from '../../infra/local/table';
import { StreamDriver, type StreamDriverOptions, type StreamHandler } from '../../infra/local/streams';
import { readStreamRange } from '../../shared/adapters/stream-failures';
import type { StreamFailureRecord } from '../../shared/pipeline/stream-redrive';
import { dynamodbEndpoint, uniqueName } from '../support/local-stack';

const config = () => ({
  endpoint: dynamodbEndpoint(),
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
let ddb: DynamoDBClient;
let streams: DynamoDBStreamsClient;
const drivers: StreamDriver[] = [];

beforeAll(() => {
  ddb = new DynamoDBClient(config());
  streams = new DynamoDBStreamsClient(config());
});
afterAll(async () => {
  await Promise.all(drivers.map((d) => d.stop()));
  ddb.destroy();
  streams.destroy();
});

async function table(): Promise<{ name: string; streamArn: string }> {
  const name = uniqueName('streams');
  const { streamArn } = await ensureTable(ddb, name);
  return { name, streamArn };
}

const putFiling = (t: string, i: number, state = 'pending') =>
  ddb.send(
    new PutItemCommand({
      TableName: t,
      Item: {
        pk: { S: `FIRM#f#DAY#d${i}` },
        sk: { S: `V#${i}` },
        type: { S: 'filing' },
        state: { S: state },
        n: { N: String(i) },
        b: { B: Buffer.from([i]) },
      },
    }),
  );
const putAlert = (t: string, i: number) =>
  ddb.send(
    new PutItemCommand({
      TableName: t,
      Item: { pk: { S: `FIRM#f#DAY#d${i}` }, sk: { S: `A#${i}` }, type: { S: 'alert' }, state: { S: 'pending' } },
    }),
  );

async function driver(
  streamArn: string,
  consumers: StreamDriverOptions['consumers'],
  o: Partial<StreamDriverOptions> = {},
): Promise<StreamDriver> {
  const d = new StreamDriver({ client: streams, streamArn, consumers, pollIntervalMs: 5, retryBaseDelayMs: 2, ...o });
  drivers.push(d);
  await d.start();
  return d;
}

/** The sort keys of the records a failure record points at, read back from the stream. */
async function rangeSks(streamArn: string, f: StreamFailureRecord): Promise<string[]> {
  const b = f.DDBStreamBatchInfo;
  const r = await readStreamRange(streams, {
    streamArn,
    shardId: b.shardId,
    start: b.startSequenceNumber,
    end: b.endSequenceNumber,
  });
  if (r.status !== 'read') throw new Error(r.reason);
  return r.records.map((x) => x.dynamodb!.NewImage!.sk!.S!);
}

async function until(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function recorder(fail?: (r: DynamoDBRecord, call: number) => boolean): { handler: StreamHandler; calls: string[][] } {
  const calls: string[][] = [];
  const handler = async (e: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    calls.push(e.Records.map((r) => r.dynamodb!.NewImage!.sk.S!));
    const failed = e.Records.filter((r) => fail?.(r, calls.length));
    return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber! })) };
  };
  return { handler, calls };
}

describe('DynamoDB stream driver', () => {
  it('hands each consumer only its filtered records, in order, Lambda-shaped, in batches', async () => {
    const { name, streamArn } = await table();
    const reconcile = recorder();
    const notify = recorder();
    let sample: DynamoDBRecord | undefined;
    const d = await driver(
      streamArn,
      [
        {
          name: 'reconcile',
          handler: async (e, c) => {
            sample ??= e.Records[0];
            return reconcile.handler(e, c);
          },
          filters: [STREAM_FILTERS.reconcile],
        },
        { name: 'notify', handler: notify.handler, filters: [STREAM_FILTERS.notify] },
      ],
      { batchSize: 4 },
    );
    for (let i = 0; i < 10; i++) await putFiling(name, i);
    await putFiling(name, 99, 'done');
    await putAlert(name, 1);
    await until(() => d.isIdle() && reconcile.calls.flat().length === 10 && notify.calls.flat().length === 1);
    expect(reconcile.calls.flat()).toEqual(Array.from({ length: 10 }, (_, i) => `V#${i}`));
    expect(Math.max(...reconcile.calls.map((c) => c.length))).toBeLessThanOrEqual(4);
    expect(notify.calls).toEqual([['A#1']]);
    expect(sample).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: streamArn,
      dynamodb: { NewImage: { type: { S: 'filing' }, n: { N: '0' }, b: { B: 'AA==' } }, StreamViewType: 'NEW_IMAGE' },
    });
    expect(typeof sample!.dynamodb!.ApproximateCreationDateTime).toBe('number');
    expect(sample!.dynamodb!.SequenceNumber).toMatch(/^\d+$/);
  });

  it('hands over every attribute type as Lambda does, empty maps and lists included (nested too)', async () => {
    const { name, streamArn } = await table();
    const seen: DynamoDBRecord[] = [];
    const d = await driver(streamArn, [
      {
        name: 'reconcile',
        handler: async (e) => (seen.push(...e.Records), { batchItemFailures: [] }),
        filters: [STREAM_FILTERS.reconcile],
      },
    ]);
    const item = {
      pk: { S: 'FIRM#f#DAY#d' },
      sk: { S: 'V#1' },
      type: { S: 'filing' },
      state: { S: 'pending' },
      m: { M: {} },
      l: { L: [] },
      mm: { M: { x: { M: {} }, y: { L: [] } } },
      ll: { L: [{ M: {} }, { L: [] }] },
      nul: { NULL: true },
      f: { BOOL: false },
      ss: { SS: ['a', 'b'] },
      ns: { NS: ['1', '2.5'] },
      e: { S: '' },
    };
    await ddb.send(new PutItemCommand({ TableName: name, Item: item }));
    await until(() => d.isIdle() && seen.length === 1);
    expect(seen[0].dynamodb!.NewImage).toEqual(item);
  });

  it('retries from the lowest failed sequence number: records before it are not handed over again', async () => {
    const { name, streamArn } = await table();
    let failV2 = 2;
    const r = recorder((rec) => rec.dynamodb!.NewImage!.sk.S === 'V#2' && failV2-- > 0);
    const d = await driver(streamArn, [{ name: 'reconcile', handler: r.handler, filters: [] }]);
    for (let i = 0; i < 4; i++) await putFiling(name, i);
    await until(() => d.isIdle() && r.calls.flat().includes('V#3') && failV2 < 0);
    const all = r.calls.flat();
    expect(all.filter((s) => s === 'V#0')).toHaveLength(1);
    expect(all.filter((s) => s === 'V#1')).toHaveLength(1);
    expect(all.filter((s) => s === 'V#2')).toHaveLength(3);
    expect(all.indexOf('V#1')).toBeLessThan(all.indexOf('V#2'));
    expect(d.onFailure()).toEqual([]);
  });

  it('gives up after maxRetryAttempts: the batch goes to the on-failure list and the shard moves on', async () => {
    const { name, streamArn } = await table();
    const r = recorder((rec) => rec.dynamodb!.NewImage!.sk.S === 'V#1');
    const failuresPath = join(mkdtempSync(join(tmpdir(), 'segwatch-s-')), 'on-failure.json');
    const d = await driver(streamArn, [{ name: 'notify', handler: r.handler, filters: [] }], {
      maxRetryAttempts: 3,
      onFailurePath: failuresPath,
    });
    await putFiling(name, 1);
    await putFiling(name, 2);
    await until(() => d.onFailure().length === 1 && r.calls.flat().includes('V#2') && d.isIdle());
    expect(r.calls.flat().filter((s) => s === 'V#1')).toHaveLength(4); // first try + 3 retries
    // Lambda's failure record: where the records were, not the records.
    const [f] = d.onFailure();
    expect(f).toMatchObject({
      requestContext: {
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:notify',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 4,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      version: '1.0',
      DDBStreamBatchInfo: { streamArn },
    });
    expect(f!.responseContext?.functionError).toBeUndefined(); // reported failures, not an error
    expect(f!.DDBStreamBatchInfo.approximateArrivalOfFirstRecord).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(JSON.stringify(f)).not.toContain('NewImage');
    // From the record that failed to the end of its batch (V#2 too, when it was in the same batch).
    const sks = await rangeSks(streamArn, f!);
    expect(sks[0]).toBe('V#1');
    expect(sks).toHaveLength(f!.DDBStreamBatchInfo.batchSize);
    // Persisted as a queue message whose body is the record.
    expect(JSON.parse(readFileSync(failuresPath, 'utf8'))).toEqual([
      { messageId: expect.any(String), body: JSON.stringify(f), sentTimestamp: expect.any(Number) },
    ]);
  });

  it('a handler that throws gets the batch in halves, then record by record', async () => {
    const { name, streamArn } = await table();
    for (let i = 0; i < 4; i++) await putFiling(name, i); // all there before the first read: one batch of 4
    const sizes: number[] = [];
    const d = await driver(
      streamArn,
      [
        {
          name: 'reconcile',
          handler: async (e) => {
            sizes.push(e.Records.length);
            if (e.Records.some((x) => x.dynamodb!.NewImage!.sk.S === 'V#3')) throw new Error('boom');
            return { batchItemFailures: [] };
          },
          filters: [],
        },
      ],
      { maxRetryAttempts: 1 },
    );
    await until(() => d.onFailure().length === 1 && d.isIdle());
    expect(sizes[0]).toBe(4);
    expect(sizes).toContain(1);
    const [f] = d.onFailure();
    expect(f!.DDBStreamBatchInfo.batchSize).toBe(1);
    expect(f!.responseContext?.functionError).toBe('Unhandled');
    expect(await rangeSks(streamArn, f!)).toEqual(['V#3']);
  });

  it('reads a shard whose first record comes after writes to other tables (DynamoDB Local sequence gaps)', async () => {
    const a = await table();
    const b = await table();
    const r = recorder();
    const d = await driver(a.streamArn, [{ name: 'reconcile', handler: r.handler, filters: [] }]);
    await until(() => d.isIdle()); // iterators taken on the empty shard
    await putFiling(b.name, 1); // sequence numbers move on elsewhere
    await putFiling(a.name, 2);
    await putFiling(b.name, 3);
    await putFiling(a.name, 4);
    await until(() => r.calls.flat().length === 2 && d.isIdle());
    expect(r.calls.flat()).toEqual(['V#2', 'V#4']);
  });

  it('resumes after its checkpoint when started again', async () => {
    const { name, streamArn } = await table();
    const checkpointPath = join(mkdtempSync(join(tmpdir(), 'segwatch-c-')), 'checkpoints.json');
    const first = recorder();
    const d1 = await driver(streamArn, [{ name: 'reconcile', handler: first.handler, filters: [] }], {
      checkpointPath,
    });
    await putFiling(name, 1);
    await until(() => first.calls.flat().length === 1 && d1.isIdle());
    await d1.stop();
    await ddb.send(
      new UpdateItemCommand({
        TableName: name,
        Key: { pk: { S: 'FIRM#f#DAY#d1' }, sk: { S: 'V#1' } },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': { N: '2' } },
      }),
    );
    const second = recorder();
    const d2 = await driver(streamArn, [{ name: 'reconcile', handler: second.handler, filters: [] }], {
      checkpointPath,
    });
    await until(() => second.calls.flat().length >= 1 && d2.isIdle());
    expect(second.calls).toEqual([['V#1']]);
  });

  it('consumers share one read of the shard, each from its own checkpoint', async () => {
    const { name, streamArn } = await table();
    const checkpointPath = join(mkdtempSync(join(tmpdir(), 'segwatch-c-')), 'checkpoints.json');
    // Only `ahead` runs first: it takes records 1-2, so its checkpoint is past them; `behind` has none.
    const a1 = recorder();
    const d1 = await driver(streamArn, [{ name: 'ahead', handler: a1.handler, filters: [] }], { checkpointPath });
    await putFiling(name, 1);
    await putFiling(name, 2);
    await until(() => a1.calls.flat().length === 2 && d1.isIdle());
    await d1.stop();
    await putFiling(name, 3);
    const ahead = recorder();
    const behind = recorder();
    const d2 = await driver(
      streamArn,
      [
        { name: 'ahead', handler: ahead.handler, filters: [] },
        { name: 'behind', handler: behind.handler, filters: [] },
      ],
      { checkpointPath },
    );
    await putFiling(name, 4);
    await until(() => ahead.calls.flat().length >= 2 && behind.calls.flat().length >= 4 && d2.isIdle());
    expect(ahead.calls.flat()).toEqual(['V#3', 'V#4']);
    expect(behind.calls.flat()).toEqual(['V#1', 'V#2', 'V#3', 'V#4']);
    // Each consumer got its own copy of a record (a handler cannot change what another sees).
    const seen: DynamoDBRecord[] = [];
    const c1 = { name: 'c1', filters: [], handler: async (e: DynamoDBStreamEvent) => void seen.push(...e.Records) };
    const c2 = { name: 'c2', filters: [], handler: async (e: DynamoDBStreamEvent) => void seen.push(...e.Records) };
    const d3 = await driver(streamArn, [c1, c2]);
    await until(() => seen.length === 8 && d3.isIdle());
    const v1 = seen.filter((r) => r.dynamodb!.NewImage!.sk.S === 'V#1');
    expect(v1).toHaveLength(2);
    expect(v1[0]).toEqual(v1[1]);
    expect(v1[0]).not.toBe(v1[1]);
  });
});
