/**
 * Failures on the local stack, real handlers: SNS down (retries, then a failure record in the
 * on-failure queue and a redrive through it), S3 down when parse reads (dead-lettered, then redriven), an object deleted before it
 * was read. No alert is lost and none is sent twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPipeline } from '../../infra/local/stack';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { makeFiling, startTestStack } from '../support/local-stack';

let stack: LocalPipeline;
beforeAll(async () => {
  stack = await startTestStack({ stream: { maxRetryAttempts: 3, retryBaseDelayMs: 5 } });
});
afterAll(async () => {
  await stack?.stop();
});

const bytes = (s: string) => Buffer.from(s, 'utf8');
const about = (firm: string) => stack.published().filter((m) => m.subject?.includes(firm));

describe('SNS failures', () => {
  it('a publish that fails is retried from the stream and the alert is sent exactly once', async () => {
    const firm = 'Flaky Topic LLC';
    // The SDK makes 3 attempts per publish: 5 failed requests fail notify's first invocation and
    // the first two attempts of the second.
    stack.sns.failNextRequests(5);
    const key = await stack.upload(
      bytes(makeFiling({ firmName: firm, swapsCashCut: 300_000_000n })),
      'incoming/flaky.txt',
    );
    const [o] = await stack.waitUntilProcessed([key]);

    expect(o.status).toBe('stored');
    expect(o.alerts.map((a) => [a.kind, a.state])).toEqual([['deficiency', 'sent']]);
    expect(about(firm)).toHaveLength(1);
    expect(stack.streams.invocations.notify).toBeGreaterThanOrEqual(2);
    expect(stack.onFailure()).toEqual([]);
  });

  it('SNS down past every retry: the alert stays pending (not lost), goes to the on-failure list, and a replay sends it once', async () => {
    const firm = 'Topic Down LLC';
    stack.sns.failNextRequests(1_000_000);
    const key = await stack.upload(
      bytes(makeFiling({ firmName: firm, swapsCashCut: 300_000_000n })),
      'incoming/down.txt',
    );
    const [o] = await stack.waitUntilProcessed([key]);
    stack.sns.failNextRequests(0);

    expect(o.status).toBe('incomplete');
    expect(o.alerts.map((a) => [a.kind, a.state])).toEqual([['deficiency', 'pending']]);
    expect(about(firm)).toEqual([]);
    // Lambda's failure record: where the records were (notify's, after 1 + 3 retries).
    const failures = stack.onFailure();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.requestContext).toMatchObject({
      functionArn: expect.stringMatching(/:function:notify$/),
      approximateInvokeCount: 4,
    });

    // The redrive finds the alert through the record's sequence range and sets it back to pending.
    const report = await stack.redriveStreamFailures();
    expect(report.records).toHaveLength(1);
    expect(report.records[0]).toMatchObject({ consumer: 'notify', foundIn: 'stream', deleted: true });
    expect(report.records[0]!.items.map((i) => [i.kind, i.outcome])).toEqual([['alert', 're-queued']]);
    expect(stack.onFailure()).toEqual([]);
    const [again] = await stack.waitUntilProcessed([key]);
    expect(again.status).toBe('stored');
    expect(again.alerts.map((a) => a.state)).toEqual(['sent']);
    expect(about(firm)).toHaveLength(1);
    // Nothing left to redrive; nothing sent twice.
    expect((await stack.redriveStreamFailures()).records).toEqual([]);
    await stack.waitForIdle();
    expect(about(firm)).toHaveLength(1);
  });
});

describe('dead-letter queue', () => {
  it('S3 down when parse reads the object: dead-lettered after 5 receives; after the outage a redrive processes it', async () => {
    const firm = 'Outage Futures LLC';
    const key = 'incoming/during outage.txt';
    stack.deliverS3Events = false; // hold the event back until S3 is down
    try {
      await stack.upload(bytes(makeFiling({ firmName: firm, swapsCashCut: 300_000_000n })), key);
    } finally {
      stack.deliverS3Events = true;
    }
    const invocationsBefore = stack.queue.invocations;
    await stack.setS3Available(false);
    let dead;
    try {
      stack.redeliver(key);
      [dead] = await stack.waitUntilProcessed([key]);
    } finally {
      await stack.setS3Available(true);
    }

    expect(dead.status).toBe('dead-lettered');
    expect(dead.deadLetter).toMatchObject({ receiveCount: 5 });
    expect(stack.queue.invocations - invocationsBefore).toBe(5);
    expect(about(firm)).toEqual([]);

    expect(stack.queue.redrive().map((m) => m.messageId)).toEqual([dead.deadLetter!.messageId]);
    const [o] = await stack.waitUntilProcessed([key]);
    expect(o.status).toBe('stored');
    expect(o.object!.objectId).toBe(stack.lastEvent(key)!.s3.object.eTag);
    expect(stack.deadLetters()).toEqual([]);
    expect(about(firm)).toHaveLength(1);
  });

  it('an event for an object deleted before parse read it: recorded as rejected (gone), not retried forever', async () => {
    const key = 'incoming/deleted before read.txt';
    stack.deliverS3Events = false;
    try {
      await stack.upload(bytes(makeFiling({ firmName: 'Deleted Object LLC' })), key);
    } finally {
      stack.deliverS3Events = true;
    }
    await stack.s3.send(new DeleteObjectCommand({ Bucket: stack.bucket, Key: key }));
    stack.redeliver(key);
    const [o] = await stack.waitUntilProcessed([key]);
    expect(o.status).toBe('rejected');
    expect(o.object).toMatchObject({ reasonCode: 'gone' });
    expect(stack.deadLetters()).toEqual([]);
  });
});
