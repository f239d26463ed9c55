/**
 * parse handler: SQS batches of S3 event notifications in, S3 and DynamoDB commands out, failures
 * reported per message (partial batch response).
 */
import 'aws-sdk-client-mock-vitest/extend';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, NumberValue, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SAMPLE_2013_AMENDMENT, SAMPLE_2014 } from '../support/filings';
import { BUCKET, lambdaContext, s3Message, s3TestEventMessage, sqsEvent, sqsMessage } from '../support/fixtures-events';
import { ddbMock, routeDynamo, s3Mock, serveObjects, stubHandlerEnv, TABLE_NAME } from '../support/mock-aws';
import { FakeDynamo } from '../support/mock-dynamodb';
import { MAX_FILING_BYTES } from '../../shared/domain/parser';

stubHandlerEnv();
let handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
beforeAll(async () => {
  ({ handler } = await import('../../functions/parse/index'));
});

let table: FakeDynamo;
let objects: Map<string, Uint8Array>;
beforeEach(() => {
  table = new FakeDynamo();
  objects = new Map();
  routeDynamo(table);
  serveObjects(objects);
});

const ctx = lambdaContext('segwatch-parse');
const put = (key: string, text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  objects.set(`${BUCKET}/${key}`, bytes);
  return bytes.length;
};
const puts = () => ddbMock.commandCalls(PutCommand).map((c) => c.args[0].input);
const putOf = (type: string) => puts().filter((p) => p.Item?.type === type);
const N = (item: Record<string, unknown>) => marshall(item, { removeUndefinedValues: true, convertEmptyValues: false });

describe('a batch of S3 events for two filings', () => {
  it('reads each object by its decoded key and stores the version and the object record with conditional puts', async () => {
    const k1 = 'incoming/Citi Global+Markets (2014) initial.txt';
    const k2 = 'incoming/2013/amendment 6-18 ü.txt';
    const size1 = put(k1, SAMPLE_2014);
    const size2 = put(k2, SAMPLE_2013_AMENDMENT);
    const event = sqsEvent(
      s3Message([{ key: k1, size: size1, eTag: 'e1', versionId: 'v1.abc' }], 'msg-1'),
      s3Message([{ key: k2, size: size2, eTag: 'e2' }], 'msg-2'),
    );
    // Keys travel URL-encoded with "+" for a space (a literal "+" is %2B).
    expect(JSON.parse(event.Records[0].body).Records[0].s3.object.key).toBe(
      'incoming/Citi+Global%2BMarkets+%282014%29+initial.txt',
    );

    const out = await handler(event, ctx);

    expect(out).toEqual({ batchItemFailures: [] });
    expect(s3Mock).toHaveReceivedCommandTimes(GetObjectCommand, 2);
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: BUCKET, Key: k1, VersionId: 'v1.abc' });
    expect(s3Mock).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: BUCKET, Key: k2 });
    expect(s3Mock).not.toHaveReceivedCommand(DeleteObjectCommand);

    for (const p of puts()) {
      expect(p.TableName).toBe(TABLE_NAME);
      expect(p.ConditionExpression).toBe('attribute_not_exists(pk)');
    }
    const versions = putOf('filing');
    expect(versions).toHaveLength(2);
    const v2014 = versions.find((v) => v.Item!.endDate === '2014-11-06')!.Item!;
    expect(v2014).toMatchObject({
      pk: 'FIRM#citigroup-global-markets-inc#DAY#2014-11-06',
      type: 'filing',
      state: 'pending',
      superseded: false,
      filingType: 'INITIAL',
      submitDate: '2014-11-07',
      firmName: 'Citigroup Global Markets Inc.',
      source: { bucket: BUCKET, key: k1, objectId: 'v1.abc' },
    });
    expect(v2014.sk).toMatch(/^V#0#2014-11-07#[0-9a-f]{16}$/);
    expect(v2014.versionKey).toBe((v2014.sk as string).slice(2));

    const objs = putOf('object');
    expect(objs.map((o) => [o.Item!.pk, o.Item!.sk, o.Item!.status]).sort()).toEqual(
      [
        [`OBJ#${BUCKET}/${k1}`, 'E#v1.abc', 'stored'],
        [`OBJ#${BUCKET}/${k2}`, 'E#e2', 'stored'],
      ].sort(),
    );
    expect(objs.find((o) => o.Item!.key === k1)!.Item).toMatchObject({
      versionKey: v2014.versionKey,
      firmId: 'citigroup-global-markets-inc',
      endDate: '2014-11-06',
      duplicate: false,
    });
    // The object record is looked up first (idempotency), strongly consistent.
    expect(ddbMock).toHaveReceivedCommandWith(GetCommand, {
      TableName: TABLE_NAME,
      Key: { pk: `OBJ#${BUCKET}/${k1}`, sk: 'E#v1.abc' },
      ConsistentRead: true,
    });
  });

  it('writes amounts as exact DynamoDB numbers (N strings from NumberValue, never a JS number)', async () => {
    const k1 = 'incoming/a.txt';
    const k2 = 'incoming/b.txt';
    await handler(
      sqsEvent(
        s3Message([{ key: k1, size: put(k1, SAMPLE_2014) }]),
        s3Message([{ key: k2, size: put(k2, SAMPLE_2013_AMENDMENT) }]),
      ),
      ctx,
    );
    const items = putOf('filing').map((p) => p.Item!);
    const i2014 = items.find((i) => i.endDate === '2014-11-06')!;
    const i2013 = items.find((i) => i.endDate === '2013-06-18')!;
    const lines = (item: Record<string, unknown>, st: string) =>
      N(item).filing.M!.statements.M![st].M!.lines.M as Record<string, { N: string }>;
    expect(
      (i2014 as { filing: { statements: { segregation: { lines: Record<string, unknown> } } } }).filing.statements
        .segregation.lines['7010'],
    ).toBeInstanceOf(NumberValue);
    expect(lines(i2014, 'segregation')['7010']).toEqual({ N: '2563559677' });
    expect(lines(i2014, 'secured')['7337']).toEqual({ N: '-3309126' });
    expect(lines(i2014, 'secured')['7352']).toEqual({ N: '-2329959' });
    expect(lines(i2014, 'segregation')['7033']).toEqual({ N: '-2065365453' });
    expect(lines(i2014, 'clearedSwaps')['8760']).toEqual({ N: '208075000' });
    expect(lines(i2014, 'segregation')['7150']).toEqual({ N: '0' });
    expect(lines(i2013, 'segregation')['7010']).toEqual({ N: '5598505864' });
    expect(lines(i2013, 'secured')['7735']).toEqual({ N: '-5749086' });
    expect(lines(i2013, 'clearedSwaps')['8520']).toEqual({ N: '1003777392' });
    // Uncoded sub-lines too.
    const uncoded = N(i2014).filing.M!.statements.M!.clearedSwaps.M!.uncoded.L!.map((u) => [u.M!.id.S, u.M!.amount.N]);
    expect(uncoded).toEqual([
      ['12A', '0'],
      ['12B', '0'],
      ['12C', '0'],
    ]);
  });

  it('a 30-digit amount is stored digit for digit', async () => {
    const huge = SAMPLE_2014.replace(
      '<u>2,563,559,677</u> [7010]',
      '<u>123,456,789,012,345,678,901,234,567,890</u> [7010]',
    );
    expect(huge).not.toBe(SAMPLE_2014);
    const k = 'incoming/huge.txt';
    await handler(sqsEvent(s3Message([{ key: k, size: put(k, huge) }])), ctx);
    const [v] = putOf('filing');
    expect(N(v.Item!).filing.M!.statements.M!.segregation.M!.lines.M!['7010']).toEqual({
      N: '123456789012345678901234567890',
    });
  });
});

describe('files that are not filings', () => {
  it('a non-filing: a rejected object record and a rejected alert item; the object is not deleted', async () => {
    const k = 'incoming/holiday party.txt';
    const out = await handler(
      sqsEvent(s3Message([{ key: k, size: put(k, 'Reminder: the holiday party is on Friday.\n'), eTag: 'abc' }])),
      ctx,
    );
    expect(out.batchItemFailures).toEqual([]);
    const [obj] = putOf('object');
    expect(obj.Item).toMatchObject({
      pk: `OBJ#${BUCKET}/${k}`,
      sk: 'E#abc',
      status: 'rejected',
      reasonCode: 'not-a-filing',
      key: k,
      bucket: BUCKET,
    });
    const [alert] = putOf('alert');
    expect(alert.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(alert.Item).toMatchObject({
      pk: `OBJ#${BUCKET}/${k}`,
      type: 'alert',
      kind: 'rejected',
      severity: 'warning',
      state: 'pending',
      source: { bucket: BUCKET, key: k },
    });
    expect(alert.Item!.sk).toBe(`A#${obj.Item!.alertId}`);
    expect(alert.Item!.detail).toMatch(/^not-a-filing: /);
    expect(putOf('filing')).toEqual([]);
    expect(s3Mock).toHaveReceivedCommandTimes(GetObjectCommand, 1);
    expect(s3Mock).not.toHaveReceivedCommand(DeleteObjectCommand);
  });

  it('an oversized object (event size over 5 MiB): rejected as too-large without any GetObject', async () => {
    const k = 'incoming/huge.txt';
    const out = await handler(sqsEvent(s3Message([{ key: k, size: MAX_FILING_BYTES + 1 }])), ctx);
    expect(out.batchItemFailures).toEqual([]);
    expect(s3Mock).not.toHaveReceivedCommand(GetObjectCommand);
    const [obj] = putOf('object');
    expect(obj.Item).toMatchObject({
      status: 'rejected',
      reasonCode: 'too-large',
      size: NumberValue.from(String(MAX_FILING_BYTES + 1)),
    });
    expect(putOf('alert')).toHaveLength(1);
  });

  it('an object exactly at the limit is read', async () => {
    const k = 'incoming/edge.txt';
    objects.set(`${BUCKET}/${k}`, Buffer.alloc(MAX_FILING_BYTES, 0x20));
    await handler(sqsEvent(s3Message([{ key: k, size: MAX_FILING_BYTES }])), ctx);
    expect(s3Mock).toHaveReceivedCommandTimes(GetObjectCommand, 1);
    expect(putOf('object')[0].Item).toMatchObject({ status: 'rejected', reasonCode: 'empty' });
  });
});

describe('events with nothing to do', () => {
  it('keys outside incoming/ (and removals, folder markers) are ignored: no read, no write', async () => {
    put('reports/daily.txt', SAMPLE_2014);
    put('incoming-old/x.txt', SAMPLE_2014);
    const out = await handler(
      sqsEvent(
        s3Message([{ key: 'reports/daily.txt', size: 9000 }]),
        s3Message([{ key: 'incoming-old/x.txt', size: 9000 }]),
        s3Message([{ key: 'incoming/x.txt', size: 9000, eventName: 'ObjectRemoved:Delete' }]),
        s3Message([{ key: 'incoming/folder/', size: 0 }]),
      ),
      ctx,
    );
    expect(out.batchItemFailures).toEqual([]);
    expect(s3Mock).not.toHaveReceivedAnyCommand();
    expect(ddbMock).not.toHaveReceivedCommand(PutCommand);
    expect(ddbMock).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('the s3:TestEvent S3 sends when the notification is set up is ignored', async () => {
    const out = await handler(sqsEvent(s3TestEventMessage()), ctx);
    expect(out.batchItemFailures).toEqual([]);
    expect(s3Mock).not.toHaveReceivedAnyCommand();
    expect(ddbMock).not.toHaveReceivedAnyCommand();
  });
});

describe('failures are reported per message', () => {
  it('a malformed body fails only its own message; the others of the batch are stored', async () => {
    const k1 = 'incoming/one.txt';
    const k2 = 'incoming/two.txt';
    const good1 = s3Message([{ key: k1, size: put(k1, SAMPLE_2014) }], 'good-1');
    const good2 = s3Message([{ key: k2, size: put(k2, SAMPLE_2013_AMENDMENT) }], 'good-2');
    const out = await handler(
      sqsEvent(
        good1,
        sqsMessage('{"Records": [ {"eventName": "ObjectCreated:Put", "s3": ', 'not-json'),
        sqsMessage('{"Records":[{"eventName":"ObjectCreated:Put"}]}', 'not-s3'),
        good2,
      ),
      ctx,
    );
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['not-json', 'not-s3']);
    expect(putOf('filing')).toHaveLength(2);
    expect(putOf('object')).toHaveLength(2);
  });

  it('on its last receive before the dead-letter queue, a failing message records why (keyed by its message id)', async () => {
    const early = {
      ...sqsMessage('not json at all', 'early'),
      attributes: { ...sqsMessage('x').attributes, ApproximateReceiveCount: '2' },
    };
    const last = {
      ...sqsMessage('{"Records":[{"eventName":"ObjectCreated:Put"}]}', 'last'),
      attributes: { ...sqsMessage('x').attributes, ApproximateReceiveCount: '5' },
    };
    const out = await handler(sqsEvent(early, last), ctx);
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['early', 'last']);
    const reasons = table.all().filter((i) => i.type === 'dead-letter');
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatchObject({
      pk: 'DLQ#ingest',
      sk: 'last',
      body: '{"Records":[{"eventName":"ObjectCreated:Put"}]}',
    });
    expect(String(reasons[0].reason)).toMatch(/message last is not an S3 event notification/);
  });

  it('a DynamoDB error on one record fails only that message', async () => {
    const keys = ['incoming/a.txt', 'incoming/b.txt', 'incoming/c.txt'];
    const texts = [
      SAMPLE_2014,
      SAMPLE_2013_AMENDMENT,
      SAMPLE_2014.replaceAll('Firm Name:Citigroup Global Markets Inc.', 'Firm Name:Other FCM LLC'),
    ];
    const msgs = keys.map((k, i) => s3Message([{ key: k, size: put(k, texts[i]) }], `m-${'abc'[i]}`));
    table.faults = (r) =>
      r.kind === 'put' && r.pk === 'FIRM#citigroup-global-markets-inc#DAY#2013-06-18'
        ? {
            throwBefore: new ProvisionedThroughputExceededException({
              message: 'The level of configured provisioned throughput for the table was exceeded.',
              $metadata: { httpStatusCode: 400 },
            }),
          }
        : undefined;
    const out = await handler(sqsEvent(...msgs), ctx);
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-b' }] });
    expect(
      table
        .all()
        .filter((i) => i.type === 'filing')
        .map((i) => i.firmId)
        .sort(),
    ).toEqual(['citigroup-global-markets-inc', 'other-fcm-llc']);
    // Nothing of the failed message was recorded: its retry starts from scratch.
    expect(table.all().filter((i) => i.key === 'incoming/b.txt')).toEqual([]);
  });

  it('a message whose GetObject fails (S3 503) fails alone, to be retried; an object deleted before it was read is recorded as gone', async () => {
    const k = 'incoming/ok.txt';
    const slow = 'incoming/slow.txt';
    put(slow, SAMPLE_2013_AMENDMENT);
    s3Mock.on(GetObjectCommand, { Key: slow }).rejects(
      Object.assign(new Error('Please reduce your request rate.'), {
        name: 'SlowDown',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    const out = await handler(
      sqsEvent(
        s3Message([{ key: slow, size: 100 }], 'slow'),
        s3Message([{ key: 'incoming/gone.txt', size: 100 }], 'gone'),
        s3Message([{ key: k, size: put(k, SAMPLE_2014) }], 'ok'),
      ),
      ctx,
    );
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'slow' }]);
    expect(putOf('filing')).toHaveLength(1);
    expect(putOf('object').map((o) => [o.Item!.key, o.Item!.status, o.Item!.reasonCode])).toEqual(
      expect.arrayContaining([
        ['incoming/gone.txt', 'rejected', 'gone'],
        [k, 'stored', undefined],
      ]),
    );
    expect(table.all().filter((i) => i.key === slow)).toEqual([]);
  });

  it('the same event twice in one batch: one version, one object record, no failure', async () => {
    const k = 'incoming/twice.txt';
    const size = put(k, SAMPLE_2014);
    const out = await handler(sqsEvent(s3Message([{ key: k, size }], 'd1'), s3Message([{ key: k, size }], 'd2')), ctx);
    expect(out.batchItemFailures).toEqual([]);
    expect(table.all().filter((i) => i.type === 'filing')).toHaveLength(1);
    expect(table.all().filter((i) => i.type === 'object')).toEqual([expect.objectContaining({ duplicate: false })]);
  });
});
