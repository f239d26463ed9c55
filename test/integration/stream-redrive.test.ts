/**
 * Stream-failure redrive end to end on the local stack (real handlers, DynamoDB Local's stream):
 * reconcile fails on a filing until its retries are exhausted, the stream driver writes Lambda's
 * failure record (where the records were, not the records), the redrive (the same code as
 * `segwatch redrive --stream-failures` on AWS) finds the version through the sequence range and
 * sets it back to pending, reconcile runs it, its alert goes out once, and the failure record is
 * gone. And when the range is no longer readable, the table's unfinished work is found instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBStreamEvent, Context } from 'aws-lambda';
import type { LocalPipeline } from '../../infra/local/stack';
import { makeFiling, startTestStack } from '../support/local-stack';

let stack: LocalPipeline;
let reconcileBroken = false;
let notifyBroken = false;

/** The real handler, unless the test says it is broken (a bug, an outage). */
const wrap =
  (name: 'reconcile' | 'notify', broken: () => boolean) => async (event: DynamoDBStreamEvent, context: Context) => {
    if (broken()) throw new Error(`${name} is broken`);
    const real = (await import(`../../functions/${name}/index`)) as {
      handler: (e: DynamoDBStreamEvent, c: Context) => Promise<unknown>;
    };
    return real.handler(event, context);
  };

beforeAll(async () => {
  stack = await startTestStack({
    stream: { maxRetryAttempts: 2, retryBaseDelayMs: 5 },
    handlers: {
      reconcile: wrap('reconcile', () => reconcileBroken) as never,
      notify: wrap('notify', () => notifyBroken) as never,
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const bytes = (s: string) => Buffer.from(s, 'utf8');
const about = (firm: string) => stack.published().filter((m) => m.subject?.includes(firm));

describe('stream-failure redrive on the local stack', () => {
  it('a filing reconcile gave up on is found by its sequence range, re-queued, reconciled, alerted once; its failure record gone', async () => {
    const firm = 'Broken Reconcile LLC';
    reconcileBroken = true;
    const key = await stack.upload(
      bytes(makeFiling({ firmName: firm, swapsCashCut: 300_000_000n })),
      'incoming/broken-reconcile.txt',
    );
    const [first] = await stack.waitUntilProcessed([key]);
    expect(first.status).toBe('incomplete');
    expect(first.problem).toBe('not reconciled yet');
    const failures = stack.onFailure();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.requestContext).toMatchObject({
      functionArn: expect.stringMatching(/:function:reconcile$/),
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    });
    expect(failures[0]!.responseContext?.functionError).toBe('Unhandled');
    expect(failures[0]!.DDBStreamBatchInfo).toMatchObject({ batchSize: 1, streamArn: stack.streamArn });

    // The cause is fixed. A dry run first: it says what it would do and changes nothing.
    reconcileBroken = false;
    const dry = await stack.redriveStreamFailures({ dryRun: true });
    expect(dry.records[0]!.items.map((i) => [i.kind, i.outcome])).toEqual([['filing', 'would re-queue']]);
    expect(dry.records[0]!.deleted).toBe(false);
    expect(stack.onFailure()).toHaveLength(1);
    await stack.waitForIdle();
    expect((await stack.outcome(key)).status).toBe('incomplete');

    const report = await stack.redriveStreamFailures();
    expect(report.records).toHaveLength(1);
    const [r] = report.records;
    expect(r).toMatchObject({ consumer: 'reconcile', foundIn: 'stream', deleted: true });
    expect(r!.items).toEqual([
      expect.objectContaining({
        kind: 'filing',
        outcome: 're-queued',
        pk: `FIRM#${first.object!.firmId}#DAY#2014-11-06`,
        label: expect.stringContaining(firm),
      }),
    ]);
    expect(stack.onFailure()).toEqual([]);

    const [done] = await stack.waitUntilProcessed([key]);
    expect(done.status).toBe('stored');
    expect(done.result?.statements.clearedSwaps?.status).toBe('deficiency');
    expect(done.alerts.map((a) => [a.kind, a.state])).toEqual([['deficiency', 'sent']]);
    expect(about(firm)).toHaveLength(1);

    // Redriving again finds nothing; nothing is sent twice.
    expect((await stack.redriveStreamFailures()).records).toEqual([]);
    await stack.waitForIdle();
    expect(about(firm)).toHaveLength(1);
  });

  it('when the stream no longer has the range, the table is searched: the pending alert of that day is re-queued', async () => {
    const firm = 'Stream Trimmed LLC';
    notifyBroken = true;
    // A filing for yesterday, as a real one would be: the search covers the week before the failure.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const key = await stack.upload(
      bytes(makeFiling({ firmName: firm, endDate: yesterday, swapsCashCut: 300_000_000n })),
      'incoming/trimmed.txt',
    );
    const [first] = await stack.waitUntilProcessed([key]);
    expect(first.alerts.map((a) => a.state)).toEqual(['pending']);
    expect(stack.onFailure()).toHaveLength(1);
    notifyBroken = false;

    // Make the failure record point at a shard the stream no longer has (as after 24 hours).
    const queue = stack.streams.failureQueue;
    const [m] = queue.list();
    const record = JSON.parse(m!.body);
    record.DDBStreamBatchInfo.shardId = 'shardId-00000000000000000000-gone0000';
    queue.delete(m!.messageId);
    queue.send(record);

    // minAgeMs 0: the alert is seconds old here (the redrive leaves pending work younger than 15 minutes alone).
    const report = await stack.redriveStreamFailures({ minAgeMs: 0 });
    const [r] = report.records;
    const weekBefore = new Date(Date.now() - 8 * 86_400_000).toISOString().slice(0, 10);
    expect(r).toMatchObject({ consumer: 'notify', foundIn: 'table', deleted: true });
    expect(r!.searched!.from >= weekBefore).toBe(true);
    expect(r!.streamGone).toMatch(/no longer/);
    expect(r!.items.filter((i) => i.outcome === 're-queued').map((i) => i.label)).toEqual([
      expect.stringContaining(firm),
    ]);
    const [done] = await stack.waitUntilProcessed([key]);
    expect(done.status).toBe('stored');
    expect(done.alerts.map((a) => a.state)).toEqual(['sent']);
    expect(about(firm)).toHaveLength(1);
    expect(stack.onFailure()).toEqual([]);
  });
});
