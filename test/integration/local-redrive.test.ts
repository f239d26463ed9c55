import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { redriveCommand } from '../../infra/local/redrive';
import { statePaths, writeJsonAtomic, readJson } from '../../infra/local/state';

function capture() {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  return { out, err, text: () => ({ out: o, err: e }) };
}

const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

const body = (key: string) =>
  JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key } } }] });

describe('segwatch redrive', () => {
  it('--queue-url/--dlq-url: starts an SQS message move task from the DLQ to the queue', async () => {
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: 'https://sqs/dlq' })
      .resolves({ Attributes: { QueueArn: 'arn:dlq', ApproximateNumberOfMessages: '3' } });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: 'https://sqs/q' }).resolves({ Attributes: { QueueArn: 'arn:q' } });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    const c = capture();
    expect(
      await redriveCommand(
        ['--queue-url', 'https://sqs/q', '--dlq-url', 'https://sqs/dlq', '--region', 'us-east-1'],
        c.out,
        c.err,
      ),
    ).toBe(0);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0].args[0].input).toEqual({
      SourceArn: 'arn:dlq',
      DestinationArn: 'arn:q',
    });
    expect(c.text().out).toMatch(/started moving 3 message\(s\) from arn:dlq to arn:q \(task task-1\)/);
  });

  it('--manual: receive, send, and delete only what was sent', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: 'a', ReceiptHandle: 'ra', Body: body('incoming/red+flower.txt') },
          { MessageId: 'b', ReceiptHandle: 'rb', Body: 'not json' },
        ],
      })
      .resolves({ Messages: [] });
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'n', MD5OfMessageBody: 'x' }],
      Failed: [{ Id: '1', SenderFault: false, Code: 'InternalError' }],
    });
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: '0' }], Failed: [] });
    const c = capture();
    expect(
      await redriveCommand(
        ['--queue-url', 'https://sqs/q', '--dlq-url', 'https://sqs/dlq', '--region', 'us-east-1', '--manual'],
        c.out,
        c.err,
      ),
    ).toBe(0);
    expect(sqs.commandCalls(DeleteMessageBatchCommand)[0].args[0].input.Entries).toEqual([
      { Id: '0', ReceiptHandle: 'ra' },
    ]);
    expect(c.text().out).toMatch(/moved a \(incoming\/red flower.txt\)/);
    expect(c.text().out).toMatch(/1 message\(s\) moved/);
    expect(c.text().err).toMatch(/1 message\(s\) could not be sent back/);
  });

  it('--local: moves the dead letters back for the next run (no stream failures: DynamoDB Local is not started)', async () => {
    const paths = statePaths(mkdtempSync(join(tmpdir(), 'segwatch-r-')));
    writeJsonAtomic(paths.dlq, [
      {
        messageId: 'm1',
        body: body('incoming/x.txt'),
        sentTimestamp: 0,
        receiveCount: 5,
        deadLetteredAt: 't',
        sourceQueueArn: 'arn:q',
      },
    ]);
    const c = capture();
    expect(await redriveCommand(['--local', '--state', paths.root], c.out, c.err)).toBe(0);
    expect(readJson<unknown[]>(paths.dlq, [])).toEqual([]);
    expect(readJson<{ messageId: string; receiveCount: number }[]>(paths.queue, [])).toMatchObject([
      { messageId: 'm1', receiveCount: 0 },
    ]);
    expect(c.text().out).toMatch(/moved m1 \(incoming\/x.txt; 5 receives\)/);
    expect(c.text().out).toMatch(/1 message\(s\) moved from the local dead-letter queue to the local queue/);
    expect(existsSync(paths.dynamodb)).toBe(false);
  });

  it('without --local or both queue URLs: a usage error', async () => {
    const c = capture();
    expect(await redriveCommand(['--queue-url', 'https://sqs/q'], c.out, c.err)).toBe(2);
    expect(c.text().err).toMatch(/say --local, --stack NAME .* or give --queue-url and --dlq-url/);
  });
});
