/**
 * `segwatch redrive --stream-failures --stack NAME` on AWS, against mocked CloudFormation, SQS,
 * DynamoDB Streams and DynamoDB: Lambda's failure records are read from the stream-failure queue,
 * the items in their sequence range found (or the table's unfinished work when the stream no
 * longer has them), set back to pending, and only then the failure record deleted.
 */
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  GetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { redriveCommand } from '../../infra/local/redrive';
import {
  functionNameOf,
  StreamFailureRecordSchema,
  type StreamFailureRecord,
} from '../../shared/pipeline/stream-redrive';

const cfn = mockClient(CloudFormationClient);
const sqs = mockClient(SQSClient);
const streams = mockClient(DynamoDBStreamsClient);
const ddb = mockClient(DynamoDBDocumentClient);

const STREAM = 'arn:aws:dynamodb:us-east-1:111122223333:table/Segwatch-TableCD117FA1-X/stream/2026-11-01T00:00:00.000';
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/111122223333/Segwatch-StreamFailureQueue';
const OUTPUTS = {
  StreamFailureQueueUrl: QUEUE,
  TableName: 'Segwatch-TableCD117FA1-X',
  TableStreamArn: STREAM,
  ReconcileFunctionName: 'Segwatch-ReconcileD51D4F4F-abc',
  NotifyFunctionName: 'Segwatch-Notify29C25B1B-def',
  IngestQueueUrl: 'https://sqs/ingest',
  IngestDeadLetterQueueUrl: 'https://sqs/ingest-dlq',
};

function capture() {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  return { out, err, text: () => ({ out: o, err: e }) };
}

/** Lambda's failure record, as the AWS docs show it. */
function failureRecord(
  fn: string,
  start: string,
  end: string,
  over: Partial<StreamFailureRecord['DDBStreamBatchInfo']> = {},
): StreamFailureRecord {
  return {
    requestContext: {
      requestId: '316aa6d0-8154-xmpl-9af7-85d5f4a6bc81',
      functionArn: `arn:aws:lambda:us-east-1:111122223333:function:${fn}`,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 9,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2026-11-07T14:13:49.717Z',
    DDBStreamBatchInfo: {
      shardId: 'shardId-00000001573689847184-864758bb',
      startSequenceNumber: start,
      endSequenceNumber: end,
      approximateArrivalOfFirstRecord: '2026-11-07T14:12:19Z',
      approximateArrivalOfLastRecord: '2026-11-07T14:12:19Z',
      batchSize: 1,
      streamArn: STREAM,
      ...over,
    },
  };
}

const filingImage = (firm: string, state = 'pending') => ({
  pk: `FIRM#${firm}#DAY#2026-11-06`,
  sk: 'V#0#2026-11-07#abcdef0123456789',
  type: 'filing',
  state,
  firmId: firm,
  firmName: 'Example Clearing LLC',
  endDate: '2026-11-06',
  filingType: 'INITIAL',
  versionKey: '0#2026-11-07#abcdef0123456789',
});
const alertImage = (id: string, state = 'pending') => ({
  pk: 'FIRM#f1#DAY#2026-11-06',
  sk: `A#${id}`,
  type: 'alert',
  state,
  id,
  kind: 'deficiency',
  severity: 'critical',
  firmName: 'Example Clearing LLC',
  endDate: '2026-11-06',
});

const streamRecord = (seq: string, image: Record<string, unknown>, eventName = 'INSERT') => ({
  eventID: `e${seq}`,
  eventName,
  dynamodb: {
    Keys: marshall({ pk: image.pk, sk: image.sk }),
    NewImage: marshall(image),
    SequenceNumber: seq,
    StreamViewType: 'NEW_IMAGE',
  },
});

const message = (id: string, body: unknown) => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: typeof body === 'string' ? body : JSON.stringify(body),
});

beforeEach(() => {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'Segwatch',
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
  sqs.on(DeleteMessageCommand).resolves({});
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
});
afterEach(() => {
  cfn.reset();
  sqs.reset();
  streams.reset();
  ddb.reset();
});

const run = async (extra: string[] = []) => {
  const c = capture();
  const code = await redriveCommand(
    ['--stream-failures', '--stack', 'Segwatch', '--region', 'us-east-1', ...extra],
    c.out,
    c.err,
  );
  return { code, ...c.text() };
};

/** The order of the calls that change something: updates of the table, deletes from the queue. */
const writes: string[] = [];
beforeEach(() => {
  writes.length = 0;
});

describe('the failure record shape', () => {
  it("parses Lambda's documented record, and names the function", () => {
    const r = failureRecord('Segwatch-ReconcileD51D4F4F-abc', '800000000003126276362', '800000000003126276362');
    expect(StreamFailureRecordSchema.parse(r)).toEqual(r);
    expect(functionNameOf(r.requestContext.functionArn)).toBe('Segwatch-ReconcileD51D4F4F-abc');
    expect(functionNameOf('arn:aws:lambda:us-east-1:1:function:f:$LATEST')).toBe('f');
    expect(functionNameOf('not an arn')).toBeUndefined();
  });
});

describe('segwatch redrive --stream-failures --stack (mocked AWS)', () => {
  it('reconcile: reads the sequence range, re-queues the pending version it holds, then deletes the failure record', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('m1', failureRecord(OUTPUTS.ReconcileFunctionName, '1000', '1003'))] })
      .resolves({ Messages: [] });
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    streams.on(GetRecordsCommand, { ShardIterator: 'it-1' }).resolves({
      Records: [
        streamRecord('999', filingImage('f0')) as never, // before the range
        streamRecord('1000', filingImage('f1')) as never,
        streamRecord('1001', alertImage('a1')) as never, // notify's, not reconcile's
        streamRecord('1002', filingImage('f2', 'done'), 'MODIFY') as never, // superseded: not for reconcile
        streamRecord('1003', filingImage('f3')) as never,
        streamRecord('1004', filingImage('f4')) as never, // after the range
      ],
      NextShardIterator: 'it-2',
    });
    ddb.on(GetCommand).resolves({});
    ddb.on(UpdateCommand).callsFake((input) => {
      writes.push(`update ${input.Key.pk} ${input.Key.sk}`);
      return {};
    });
    sqs.on(DeleteMessageCommand).callsFake((input) => {
      writes.push(`delete ${input.ReceiptHandle}`);
      return {};
    });

    const r = await run();
    expect(r.code).toBe(0);
    expect(streams.commandCalls(GetShardIteratorCommand)[0]!.args[0].input).toEqual({
      StreamArn: STREAM,
      ShardId: 'shardId-00000001573689847184-864758bb',
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: '1000',
    });
    expect(writes).toEqual([
      'update FIRM#f1#DAY#2026-11-06 V#0#2026-11-07#abcdef0123456789',
      'update FIRM#f3#DAY#2026-11-06 V#0#2026-11-07#abcdef0123456789',
      'delete rh-m1',
    ]);
    const update = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update).toMatchObject({
      TableName: OUTPUTS.TableName,
      UpdateExpression: 'SET #s = :pending, redrivenAt = :at',
      ConditionExpression: 'attribute_exists(pk) AND (#t = :filing OR #t = :recheck)',
      ExpressionAttributeValues: { ':pending': 'pending', ':filing': 'filing', ':recheck': 'recheck' },
    });
    // Each version's result was looked for first (none: not reconciled yet).
    expect(ddb.commandCalls(GetCommand).map((c) => c.args[0].input.Key)).toEqual([
      { pk: 'FIRM#f1#DAY#2026-11-06', sk: 'R#0#2026-11-07#abcdef0123456789' },
      { pk: 'FIRM#f3#DAY#2026-11-06', sk: 'R#0#2026-11-07#abcdef0123456789' },
    ]);
    expect(r.out).toMatch(
      /failure record m1: reconcile gave up \(RetryAttemptsExhausted, 9 invocations\) on 1 record\(s\) of shard shardId-00000001573689847184-864758bb, sequence 1000\.\.1003/,
    );
    expect(r.out).toMatch(
      /re-queued\s+filing\s+Example Clearing LLC 2026-11-06 initial version 0#2026-11-07#abcdef0123456789/,
    );
    expect(r.out).toMatch(/failure record deleted/);
    expect(r.out).toMatch(
      /redrive: 1 failure record\(s\); 2 item\(s\) re-queued, 0 already done, 0 gone, 0 failed; 1 record\(s\) deleted, 0 kept; the stream runs the re-queued items again now/,
    );
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toMatchObject({
      QueueUrl: QUEUE,
      VisibilityTimeout: 300,
    });
  });

  it('a version already reconciled is left alone; the record is still deleted', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('m1', failureRecord(OUTPUTS.ReconcileFunctionName, '1000', '1000'))] })
      .resolves({});
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    streams
      .on(GetRecordsCommand)
      .resolves({ Records: [streamRecord('1000', filingImage('f1')) as never], NextShardIterator: undefined });
    ddb.on(GetCommand).resolves({
      Item: {
        pk: 'FIRM#f1#DAY#2026-11-06',
        sk: 'R#0#2026-11-07#abcdef0123456789',
        type: 'result',
        firmId: 'f1',
        endDate: '2026-11-06',
        versionKey: '0#2026-11-07#abcdef0123456789',
        statements: {},
        findings: [],
        alertIds: [],
        reconciledAt: 't',
      },
    });
    const r = await run();
    expect(r.code).toBe(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(r.out).toMatch(/already done\s+filing .*: already reconciled/);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(1);
  });

  it('notify: a pending alert is touched, a sent one left alone', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('m2', failureRecord(OUTPUTS.NotifyFunctionName, '2000', '2001'))] })
      .resolves({});
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    streams.on(GetRecordsCommand).resolves({
      Records: [streamRecord('2000', alertImage('a1')) as never, streamRecord('2001', alertImage('a2')) as never],
      NextShardIterator: undefined,
    });
    ddb.on(GetCommand, { Key: { pk: 'FIRM#f1#DAY#2026-11-06', sk: 'A#a1' } }).resolves({ Item: alertImage('a1') });
    ddb
      .on(GetCommand, { Key: { pk: 'FIRM#f1#DAY#2026-11-06', sk: 'A#a2' } })
      .resolves({ Item: { ...alertImage('a2', 'sent'), sentAt: '2026-11-07T15:00:00.000Z' } });
    ddb.on(UpdateCommand).resolves({});
    const r = await run();
    expect(r.code).toBe(0);
    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      Key: { pk: 'FIRM#f1#DAY#2026-11-06', sk: 'A#a1' },
      ConditionExpression: 'attribute_exists(pk) AND #s = :pending',
    });
    expect(r.out).toMatch(/re-queued\s+alert\s+deficiency critical Example Clearing LLC 2026-11-06 \(alert a1\)/);
    expect(r.out).toMatch(/already done\s+alert\s+.*already sent 2026-11-07T15:00:00.000Z/);
    expect(sqs.commandCalls(DeleteMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: QUEUE,
      ReceiptHandle: 'rh-m2',
    });
  });

  it('a write that fails keeps the failure record (and hands it back to the queue at once); exit 1', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('m1', failureRecord(OUTPUTS.ReconcileFunctionName, '1000', '1000'))] })
      .resolves({});
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    streams.on(GetRecordsCommand).resolves({ Records: [streamRecord('1000', filingImage('f1')) as never] });
    ddb.on(GetCommand).resolves({});
    ddb
      .on(UpdateCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }));
    const r = await run();
    expect(r.code).toBe(1);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: QUEUE, ReceiptHandle: 'rh-m1', VisibilityTimeout: 0 },
    ]);
    expect(r.out).toMatch(/error\s+filing .*: Rate exceeded/);
    expect(r.out).toMatch(/failure record kept: 1 item\(s\) could not be re-queued/);
  });

  it('a version gone from the table is reported gone (the condition failed), and the record deleted', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('m1', failureRecord(OUTPUTS.ReconcileFunctionName, '1000', '1000'))] })
      .resolves({});
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    streams.on(GetRecordsCommand).resolves({ Records: [streamRecord('1000', filingImage('f1')) as never] });
    ddb.on(GetCommand).resolves({});
    ddb
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/gone\s+filing .*no such filing version/);
  });

  it("past the stream's 24 hours: the table's pending alerts of the days around the failure, by gsi2 (no Scan)", async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('m3', failureRecord(OUTPUTS.NotifyFunctionName, '2000', '2000'))] })
      .resolves({});
    streams.on(GetShardIteratorCommand).rejects(new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} }));
    ddb.on(QueryCommand).callsFake((input) => {
      expect(input.IndexName).toBe('gsi2');
      if (input.ExpressionAttributeValues[':d'] !== 'DAY#2026-11-06') return { Items: [] };
      return {
        Items: [
          { ...alertImage('old'), raisedAt: '2026-11-07T14:12:00.000Z', attempts: 0 },
          { ...alertImage('sent', 'sent'), raisedAt: '2026-11-07T14:12:00.000Z' },
        ],
      };
    });
    ddb.on(GetCommand).resolves({ Item: { ...alertImage('old'), raisedAt: '2026-11-07T14:12:00.000Z' } });
    ddb.on(UpdateCommand).resolves({});
    const r = await run();
    expect(r.code).toBe(0);
    const days = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.ExpressionAttributeValues![':d']);
    expect(days[0]).toBe('DAY#2026-10-31');
    expect(days.at(-1)).toBe('DAY#2026-11-07');
    expect(days).toHaveLength(8);
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.Key)).toEqual([
      { pk: 'FIRM#f1#DAY#2026-11-06', sk: 'A#old' },
    ]);
    expect(r.out).toMatch(
      /the records are no longer in the stream \(it keeps them 24 hours\): searched the table from 2026-10-31 to 2026-11-07/,
    );
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(1);
    // The only table reads were Queries by key and Gets: no Scan command exists in the mock's log.
    expect(
      ddb
        .calls()
        .map((c) => c.args[0].constructor.name)
        .filter((n) => !['QueryCommand', 'GetCommand', 'UpdateCommand'].includes(n)),
    ).toEqual([]);
  });

  it('past the 24 hours, reconcile: firm registry x days, versions without a result', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('m4', failureRecord(OUTPUTS.ReconcileFunctionName, '1000', '1000'))] })
      .resolves({});
    streams
      .on(GetShardIteratorCommand)
      .rejects(new ResourceNotFoundException({ message: 'shard gone', $metadata: {} }));
    ddb.on(QueryCommand).callsFake((input) => {
      const pk = input.ExpressionAttributeValues[':pk'];
      if (pk === 'FIRMS')
        return { Items: [{ pk: 'FIRMS', sk: 'FIRM#f1', firmId: 'f1', firmName: 'Example Clearing LLC' }] };
      if (pk === 'FIRM#f1#DAY#2026-11-06')
        return { Items: [{ sk: 'V#0#2026-11-07#aaaa' }, { sk: 'V#1#2026-11-07#bbbb' }] };
      return { Items: [] };
    });
    ddb.on(GetCommand).callsFake((input) => {
      const sk = input.Key.sk as string;
      if (sk === 'R#0#2026-11-07#aaaa') return { Item: { type: 'result', statements: {}, findings: [], alertIds: [] } };
      if (sk.startsWith('R#')) return {};
      // the version without a result
      return {
        Item: {
          ...filingImage('f1'),
          sk,
          versionKey: sk.slice(2),
          submitDate: '2026-11-07',
          contentHash: 'h',
          source: { bucket: 'b', key: 'k', objectId: 'o' },
          receivedAt: '2026-11-07T14:00:00.000Z',
          filing: { form: 'x', statements: {}, unknownCodes: [] },
        },
      };
    });
    ddb.on(UpdateCommand).resolves({});
    const r = await run();
    expect(r.err).toBe('');
    // The version read may not parse as a filing here: what counts is which version is re-queued.
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.Key)).toEqual([
      { pk: 'FIRM#f1#DAY#2026-11-06', sk: 'V#1#2026-11-07#bbbb' },
    ]);
    expect(r.code).toBe(0);
  });

  it('--firm adds a firm the registry does not have yet (its first filing never reconciled)', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('m7', failureRecord(OUTPUTS.ReconcileFunctionName, '1000', '1000'))] })
      .resolves({});
    streams.on(GetShardIteratorCommand).rejects(new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} }));
    ddb.on(QueryCommand).callsFake((input) => {
      const pk = input.ExpressionAttributeValues[':pk'];
      if (pk === 'FIRMS') return { Items: [] };
      if (pk === 'FIRM#new1#DAY#2026-11-06') return { Items: [{ sk: 'V#0#2026-11-07#cccc' }] };
      return { Items: [] };
    });
    ddb.on(GetCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    const r = await run(['--firm', 'new1']);
    expect(r.code).toBe(0);
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.Key)).toEqual([
      { pk: 'FIRM#new1#DAY#2026-11-06', sk: 'V#0#2026-11-07#cccc' },
    ]);
  });

  it('past the 24 hours with nothing unfinished in the window: the record is kept and --since suggested; exit 1', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('m5', failureRecord(OUTPUTS.NotifyFunctionName, '2000', '2000'))] })
      .resolves({});
    streams.on(GetShardIteratorCommand).rejects(new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} }));
    ddb.on(QueryCommand).resolves({ Items: [] });
    const r = await run(['--since', '2026-09-01']);
    expect(r.code).toBe(1);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ExpressionAttributeValues![':d']).toBe('DAY#2026-09-01');
    expect(r.out).toMatch(
      /failure record kept: the stream no longer has these records and the table shows no unfinished alert from 2026-09-01 to 2026-11-07; left in the queue \(widen the search with --since YYYY-MM-DD\)/,
    );
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('a fallback window over a year is refused (a Query per day): the record is kept, a later --since asked for', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('m6', failureRecord(OUTPUTS.NotifyFunctionName, '2000', '2000'))] })
      .resolves({});
    streams.on(GetShardIteratorCommand).rejects(new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} }));
    const r = await run(['--since', '2020-01-01']);
    expect(r.code).toBe(1);
    expect(ddb.calls()).toHaveLength(0);
    expect(r.out).toMatch(
      /searching the table from 2020-01-01 to 2026-11-07 is over 366 days; left in the queue \(give a later --since\)/,
    );
  });

  it('a message that is not a failure record, or from another function, is kept', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          message('x1', 'not json'),
          message('x2', { Records: [] }),
          message('x3', failureRecord('someone-else', '1', '1')),
        ],
      })
      .resolves({});
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/failure record x1: not a Lambda stream failure record/);
    expect(r.out).toMatch(/failure record x2: not a Lambda stream failure record/);
    expect(r.out).toMatch(
      /from arn:aws:lambda:us-east-1:111122223333:function:someone-else, which is neither reconcile nor notify of this stack/,
    );
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(streams.calls()).toHaveLength(0);
  });

  it('--dry-run: says what it would re-queue; writes nothing, deletes nothing', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('m1', failureRecord(OUTPUTS.ReconcileFunctionName, '1000', '1000'))] })
      .resolves({});
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    streams.on(GetRecordsCommand).resolves({ Records: [streamRecord('1000', filingImage('f1')) as never] });
    ddb.on(GetCommand).resolves({});
    const r = await run(['--dry-run']);
    expect(r.code).toBe(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(r.out).toMatch(/would re-queue\s+filing/);
    expect(r.out).toMatch(/1 item\(s\) would be re-queued/);
  });

  it('an empty queue says so', async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.out).toBe('redrive: the stream-failure queue is empty\n');
  });

  it('a stack without the outputs it needs, or none at all: a one-line reason', async () => {
    cfn.reset();
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Old',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [{ OutputKey: 'TableName', OutputValue: 't' }],
        },
      ],
    });
    let r = await run();
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^segwatch redrive: stack Segwatch has no output StreamFailureQueueUrl, ReconcileFunctionName, NotifyFunctionName \(deploy this version of the stack first\)\n$/,
    );
    cfn.reset();
    cfn
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id Segwatch does not exist'), { name: 'ValidationError' }));
    r = await run();
    expect(r.code).toBe(1);
    expect(r.err).toBe('segwatch redrive: could not read stack Segwatch: Stack with id Segwatch does not exist\n');
  });

  it('usage errors: --stream-failures without --stack, a bad --since', async () => {
    const c = capture();
    expect(await redriveCommand(['--stream-failures'], c.out, c.err)).toBe(2);
    expect(c.text().err).toMatch(/--stream-failures needs --stack NAME/);
    expect(await redriveCommand(['--local', '--since', 'yesterday'], c.out, c.err)).toBe(2);
    expect(c.text().err).toMatch(/--since must be a day, YYYY-MM-DD/);
  });
});

describe('segwatch redrive --stack (ingest dead letters, queue URLs from the outputs)', () => {
  it('starts a message move task from the DLQ to the ingest queue', async () => {
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: OUTPUTS.IngestDeadLetterQueueUrl })
      .resolves({ Attributes: { QueueArn: 'arn:dlq', ApproximateNumberOfMessages: '2' } });
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: OUTPUTS.IngestQueueUrl })
      .resolves({ Attributes: { QueueArn: 'arn:q' } });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 't-1' });
    const c = capture();
    expect(await redriveCommand(['--stack', 'Segwatch'], c.out, c.err)).toBe(0);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]!.args[0].input).toEqual({
      SourceArn: 'arn:dlq',
      DestinationArn: 'arn:q',
    });
    expect(c.text().out).toMatch(/started moving 2 message\(s\) from arn:dlq to arn:q/);
  });
});
