/**
 * reconcile handler: DynamoDB stream records of filing versions in (the NewImage of the item the
 * real parse handler wrote), result, head and alert items out; failures reported per record.
 */
import { dayFromItem } from '../../shared/read/store-source';
import 'aws-sdk-client-mock-vitest/extend';
import { InternalServerError, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeFiling } from '../support/filings';
import { BUCKET, lambdaContext, s3Message, sqsEvent, streamEvent, streamRecord } from '../support/fixtures-events';
import { ddbMock, routeDynamo, serveObjects, stubHandlerEnv, TABLE_NAME } from '../support/mock-aws';
import { FakeDynamo } from '../support/mock-dynamodb';
import { matchesFilter } from '../../infra/local/filter';
import { STREAM_FILTERS } from '../../shared/table';

stubHandlerEnv();
let parse: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
let reconcile: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;
beforeAll(async () => {
  ({ handler: parse } = await import('../../functions/parse/index'));
  ({ handler: reconcile } = await import('../../functions/reconcile/index'));
});

let table: FakeDynamo;
let objects: Map<string, Uint8Array>;
beforeEach(() => {
  table = new FakeDynamo();
  objects = new Map();
  routeDynamo(table);
  serveObjects(objects);
});

const ctx = lambdaContext('segwatch-reconcile');
const FIRM = 'Brightwater Futures LLC';
const PK = 'FIRM#brightwater-futures-llc#DAY#2014-11-06';
const marshalled = (item: Record<string, unknown>) =>
  marshall(item, { removeUndefinedValues: true, convertEmptyValues: false }) as Record<string, AttributeValue>;

/** Run the real parse handler on a file and return the NewImage of the filing version it put. */
async function parsed(name: string, text: string | Uint8Array): Promise<Record<string, AttributeValue>> {
  const key = `incoming/${name}`;
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  objects.set(`${BUCKET}/${key}`, bytes);
  const before = ddbMock.commandCalls(PutCommand).length;
  const out = await parse(sqsEvent(s3Message([{ key, size: bytes.length }])), lambdaContext('segwatch-parse'));
  expect(out.batchItemFailures).toEqual([]);
  const put = ddbMock
    .commandCalls(PutCommand)
    .slice(before)
    .map((c) => c.args[0].input)
    .find((p) => p.Item?.type === 'filing');
  expect(put).toBeDefined();
  return marshalled(put!.Item!);
}

const putsOf = (type: string) =>
  ddbMock
    .commandCalls(PutCommand)
    .map((c) => c.args[0].input)
    .filter((p) => p.Item?.type === type);
const updates = () => ddbMock.commandCalls(UpdateCommand).map((c) => c.args[0].input);

describe('a new filing version (stream INSERT)', () => {
  it('writes its result, moves the head, puts its alert in the outbox and marks the version done', async () => {
    const image = await parsed('short.txt', makeFiling({ firmName: FIRM, swapsCashCut: 400_000_000n }));
    ddbMock.resetHistory();
    const vk = image.versionKey.S!;

    const out = await reconcile(streamEvent(streamRecord('INSERT', image)), ctx);

    expect(out).toEqual({ batchItemFailures: [] });
    const [result] = putsOf('result');
    expect(result).toMatchObject({ TableName: TABLE_NAME, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(result.Item).toMatchObject({
      pk: PK,
      sk: `R#${vk}`,
      versionKey: vk,
      firmId: 'brightwater-futures-llc',
      endDate: '2014-11-06',
    });
    const sw = marshalled(result.Item!).statements.M!.clearedSwaps.M!;
    expect([sw.required.N, sw.funds.N, sw.excess.N, sw.target.N, sw.status.S]).toEqual([
      '5574863884',
      '5412672420',
      '-162191464',
      '208075000',
      'deficiency',
    ]);

    // The head: what evaluating the day decided, written unconditionally (one evaluation of a
    // firm-day at a time), with what the read side needs per day.
    const head = updates().find((u) => u.Key?.sk === 'HEAD')!;
    expect(head).toMatchObject({ TableName: TABLE_NAME, Key: { pk: PK, sk: 'HEAD' } });
    expect(head.ConditionExpression).toBeUndefined();
    expect(head.ExpressionAttributeValues).toMatchObject({
      ':eff': vk,
      ':status': 'deficiency',
      ':late': false,
      ':g1pk': 'FIRM#brightwater-futures-llc',
      ':g1sk': 'DAY#2014-11-06',
    });
    expect(table.get(PK, 'HEAD')).toMatchObject({ versions: { value: '1' }, late: false });
    // The statements as the head's row (shared/read/day-rows.ts).
    expect(dayFromItem(table.get(PK, 'HEAD')!).statements.clearedSwaps).toMatchObject({
      targetSource: 'statement',
      status: 'deficiency',
    });

    const alerts = putsOf('alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ ConditionExpression: 'attribute_not_exists(pk)' });
    expect(alerts[0].Item).toMatchObject({
      pk: PK,
      type: 'alert',
      state: 'pending',
      kind: 'deficiency',
      severity: 'critical',
      statement: 'clearedSwaps',
      versionKey: vk,
      firmName: FIRM,
    });
    const a = marshalled(alerts[0].Item!);
    expect([a.excess.N, a.target.N, a.shortfall.N]).toEqual(['-162191464', '208075000', '370266464']);
    // The first word on the cleared swaps shortfall channel.
    expect(alerts[0].Item).toMatchObject({ channel: 'shortfall:clearedSwaps' });
    expect(a.seq.N).toBe('1');

    // The version itself is not written again (that update cost as much as its put); it stays
    // pending, and its result item says it was reconciled.
    expect(updates().filter((u) => u.Key?.sk === `V#${vk}`)).toEqual([]);
    expect(table.get(PK, `V#${vk}`)?.state).toBe('pending');
  });

  it('a filing with no shortfall: result and head, no alert', async () => {
    const image = await parsed('ok.txt', makeFiling({ firmName: FIRM }));
    ddbMock.resetHistory();
    await reconcile(streamEvent(streamRecord('INSERT', image)), ctx);
    expect(putsOf('result')).toHaveLength(1);
    expect(putsOf('alert')).toHaveLength(0);
    expect(table.get(PK, 'HEAD')).toMatchObject({ effective: image.versionKey.S, status: 'ok' });
  });

  it('the same INSERT delivered again: no second alert (conditional put refused), head unchanged', async () => {
    const image = await parsed('short.txt', makeFiling({ firmName: FIRM, swapsCashCut: 400_000_000n }));
    await reconcile(streamEvent(streamRecord('INSERT', image)), ctx);
    const stream = table.stream.length;
    const out = await reconcile(streamEvent(streamRecord('INSERT', image)), ctx);
    expect(out.batchItemFailures).toEqual([]);
    expect(table.all().filter((i) => i.type === 'alert')).toHaveLength(1);
    // Nothing changed, so nothing new on the stream for notify.
    expect(table.stream.slice(stream).filter((r) => r.dynamodb.NewImage.type.S === 'alert')).toEqual([]);
  });
});

describe('how the file was read reaches the stored result', () => {
  const findingsOf = () => {
    const result = putsOf('result')[0];
    expect(result).toBeDefined();
    return (result.Item!.findings as { ruleId: string; severity: string }[]).map((f) => [f.ruleId, f.severity]);
  };

  it('a Windows-1252 file: an info finding (SW106) in the result, as `segwatch check` gives', async () => {
    const text = makeFiling({ firmName: FIRM }).replace('Net ledger balance', 'Net ledger balance (caf\u00e9)');
    const image = await parsed('cp1252.txt', Buffer.from(text, 'latin1'));
    expect(image.notes?.L?.[0]?.M?.rule?.S).toBe('file-encoding');
    await reconcile(streamEvent(streamRecord('INSERT', image)), ctx);
    expect(findingsOf()).toContainEqual(['SW106', 'info']);
  });

  it('a firm name read up to a page break: a warning (SW107) in the result; a file without one has none', async () => {
    // As a PDF's text reads (no ** around the fields): the name's line, then a form feed.
    const text = makeFiling({ firmName: FIRM }).replaceAll('**', '');
    const broken = text.replace(/(Firm Name:[^\n]*\n)/, '$1\fDaily Seg - FOCUS II (continued)\n');
    expect(broken).not.toBe(text);
    await reconcile(streamEvent(streamRecord('INSERT', await parsed('page-break.txt', broken))), ctx);
    expect(findingsOf()).toContainEqual(['SW107', 'warning']);
    ddbMock.resetHistory();
    table = new FakeDynamo();
    routeDynamo(table);
    const plain = await parsed('plain.txt', text);
    expect(plain.notes).toBeUndefined();
    await reconcile(streamEvent(streamRecord('INSERT', plain)), ctx);
    expect(findingsOf().map(([rule]) => rule)).not.toContain('SW107');
  });
});

describe('records reconcile leaves alone', () => {
  it('a MODIFY of a version already done, a REMOVE, and INSERTs of other item types: no command at all', async () => {
    const image = await parsed('short.txt', makeFiling({ firmName: FIRM, swapsCashCut: 400_000_000n }));
    await reconcile(streamEvent(streamRecord('INSERT', image)), ctx);
    const others = table.stream.filter((r) => r.dynamodb.NewImage.type.S !== 'filing').map((r) => r.dynamodb.NewImage);
    expect(others.map((i) => i.type.S).sort()).toEqual(['alert', 'firm', 'head', 'object', 'result']);
    // What the stream carries when a later amendment marks this version superseded.
    expect(table.stream.filter((r) => r.dynamodb.NewImage.type.S === 'filing')).toHaveLength(1);
    const doneImage = { ...image, state: { S: 'done' }, superseded: { BOOL: true } };
    ddbMock.resetHistory();
    const out = await reconcile(
      streamEvent(
        streamRecord('MODIFY', doneImage),
        streamRecord('REMOVE', image),
        ...others.map((i) => streamRecord('INSERT', i)),
        ...others.map((i) => streamRecord('MODIFY', i)),
      ),
      ctx,
    );
    expect(out.batchItemFailures).toEqual([]);
    expect(ddbMock).not.toHaveReceivedAnyCommand();
  });
});

describe('failures are reported per record', () => {
  it('a DynamoDB 5xx on one version: only its sequence number fails; the next record is processed', async () => {
    const bad = await parsed('a.txt', makeFiling({ firmName: 'Alpha FCM LLC', swapsCashCut: 400_000_000n }));
    const good = await parsed('b.txt', makeFiling({ firmName: FIRM, swapsCashCut: 100_000_000n }));
    table.faults = (r) =>
      r.write && r.pk === 'FIRM#alpha-fcm-llc#DAY#2014-11-06'
        ? {
            throwBefore: new InternalServerError({
              message: 'Internal server error',
              $metadata: { httpStatusCode: 500 },
            }),
          }
        : undefined;
    const r1 = streamRecord('INSERT', bad);
    const r2 = streamRecord('INSERT', good);
    const out = await reconcile(streamEvent(r1, r2), ctx);
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: r1.dynamodb!.SequenceNumber }] });
    expect(table.get(PK, 'HEAD')).toMatchObject({ status: 'below-target' });
    expect(table.all().filter((i) => i.pk === 'FIRM#alpha-fcm-llc#DAY#2014-11-06' && i.type !== 'filing')).toEqual([]);
    // The stream retries the failed record: it goes through, and its alert is put once.
    table.faults = undefined;
    expect(await reconcile(streamEvent(r1), ctx)).toEqual({ batchItemFailures: [] });
    expect(table.all().filter((i) => i.pk === 'FIRM#alpha-fcm-llc#DAY#2014-11-06' && i.type === 'alert')).toHaveLength(
      1,
    );
  });

  it('an initial that failed between putting its alert and moving the head, overtaken by its amendment before the retry: the cure notice still goes out', async () => {
    // The initial's deficiency is in the outbox (notify sends it whatever happens next), so the
    // amendment that replaces it must send the `resolved` notice even though the head never
    // pointed at the initial.
    const initial = await parsed('i.txt', makeFiling({ firmName: FIRM, swapsCashCut: 400_000_000n }));
    let alertPut = false;
    let failed = false;
    table.faults = (r) => {
      if (r.kind === 'put' && r.sk.startsWith('A#')) alertPut = true;
      else if (alertPut && !failed && r.write) {
        failed = true;
        return {
          throwBefore: new InternalServerError({
            message: 'Internal server error',
            $metadata: { httpStatusCode: 500 },
          }),
        };
      }
      return undefined;
    };
    const r1 = streamRecord('INSERT', initial);
    expect(await reconcile(streamEvent(r1), ctx)).toEqual({
      batchItemFailures: [{ itemIdentifier: r1.dynamodb!.SequenceNumber }],
    });
    expect(failed).toBe(true);
    expect(
      table
        .all()
        .filter((i) => i.type === 'alert')
        .map((i) => i.kind),
    ).toEqual(['deficiency']);
    expect(table.get(PK, 'HEAD')).toBeUndefined();
    // The amendment arrives before the stream retries; the retry batch holds both, in order.
    const amendment = await parsed('a.txt', makeFiling({ firmName: FIRM, filingType: 'AMENDMENT' }));
    const r2 = streamRecord('INSERT', amendment);
    expect(await reconcile(streamEvent(r1, r2), ctx)).toEqual({ batchItemFailures: [] });
    const alerts = table.all().filter((i) => i.type === 'alert');
    expect(alerts.map((i) => i.kind).sort()).toEqual(['deficiency', 'resolved']);
    expect(table.get(PK, 'HEAD')?.effective).toBe(amendment.versionKey.S);
    expect(table.get(PK, `V#${initial.versionKey.S}`)).toMatchObject({
      superseded: true,
      supersededBy: amendment.versionKey.S,
      state: 'done',
    });
    // The stream records of the versions after their INSERTs: the superseding update, which the
    // reconcile filter must not let through (it would run reconcile again for nothing).
    const versionRecords = table.stream.filter((r) => r.dynamodb.NewImage.type.S === 'filing');
    expect(versionRecords.map((r) => [r.eventName, r.dynamodb.NewImage.sk.S, r.dynamodb.NewImage.state.S])).toEqual([
      ['INSERT', `V#${initial.versionKey.S}`, 'pending'],
      ['INSERT', `V#${amendment.versionKey.S}`, 'pending'],
      ['MODIFY', `V#${initial.versionKey.S}`, 'done'],
    ]);
    expect(versionRecords.map((r) => matchesFilter(STREAM_FILTERS.reconcile, r))).toEqual([true, true, false]);
  });

  it('a version image that does not validate (an amount that is not a number) fails only that record', async () => {
    const good = await parsed('b.txt', makeFiling({ firmName: FIRM }));
    const broken = structuredClone(good);
    broken.pk = { S: 'FIRM#x#DAY#2014-11-06' };
    broken.filing.M!.statements.M!.segregation.M!.lines.M!['7010'] = { S: '2,563,559,677' };
    const r1 = streamRecord('INSERT', broken);
    const r2 = streamRecord('INSERT', good);
    const out = await reconcile(streamEvent(r1, r2), ctx);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: r1.dynamodb!.SequenceNumber }]);
    expect(table.get(PK, 'HEAD')).toBeDefined();
  });

  it('a record that is not a stream record at all fails the whole event (schema), reported by Lambda', async () => {
    await expect(
      reconcile({ Records: [{ eventName: 'UPSERT' }] } as unknown as DynamoDBStreamEvent, ctx),
    ).rejects.toThrow();
  });
});
