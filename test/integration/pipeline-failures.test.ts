/**
 * Failures on the local stack, real handlers: SNS down (retries, then the on-failure list and a
 * replay), an S3 event whose object is missing (dead-lettered, then redriven). No alert is lost
 * and none is sent twice.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack';
import { encodeS3EventKey, nextSequencer, s3QueueBody, type RealS3EventRecord } from '../../infra/local/s3-events';
import { makeFiling, startTestStack } from '../support/local-stack';

let stack: LocalStack;
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
    const key = await stack.upload(bytes(makeFiling({ firmName: firm, swapsCashCut: 300_000_000n })), 'incoming/flaky.txt');
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
    const key = await stack.upload(bytes(makeFiling({ firmName: firm, swapsCashCut: 300_000_000n })), 'incoming/down.txt');
    const [o] = await stack.waitUntilProcessed([key]);
    stack.sns.failNextRequests(0);

    expect(o.status).toBe('incomplete');
    expect(o.alerts.map((a) => [a.kind, a.state])).toEqual([['deficiency', 'pending']]);
    expect(about(firm)).toEqual([]);
    const failures = stack.onFailure().filter((f) => f.consumer === 'notify');
    expect(failures).toHaveLength(1);
    expect(failures[0].attempts).toBe(4);

    expect(await stack.replayStreamFailures(failures)).toBe(1);
    const [again] = await stack.waitUntilProcessed([key]);
    expect(again.status).toBe('stored');
    expect(again.alerts.map((a) => a.state)).toEqual(['sent']);
    expect(about(firm)).toHaveLength(1);
    // Replaying again changes nothing: the alert is sent.
    expect(await stack.replayStreamFailures(failures)).toBe(0);
    await stack.waitForIdle();
    expect(about(firm)).toHaveLength(1);
  });
});

describe('dead-letter queue', () => {
  it('an event whose object cannot be read is dead-lettered after 5 receives; once the object is there, a redrive processes it', async () => {
    const firm = 'Late Object LLC';
    const key = 'incoming/late object.txt';
    const body = bytes(makeFiling({ firmName: firm, swapsCashCut: 300_000_000n }));
    const record: RealS3EventRecord = {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: new Date().toISOString(),
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'AWS:TEST' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': 'TEST', 'x-amz-id-2': 'TEST' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'test',
        bucket: { name: stack.bucket, ownerIdentity: { principalId: 'TEST' }, arn: `arn:aws:s3:::${stack.bucket}` },
        object: { key: encodeS3EventKey(key), size: body.length, eTag: createHash('md5').update(body).digest('hex'), sequencer: nextSequencer() },
      },
    };
    const invocationsBefore = stack.queue.invocations;
    stack.queue.send(s3QueueBody(record)); // the event, before its object exists
    const [dead] = await stack.waitUntilProcessed([key]);

    expect(dead.status).toBe('dead-lettered');
    expect(dead.deadLetter).toMatchObject({ receiveCount: 5 });
    expect(stack.queue.invocations - invocationsBefore).toBe(5);
    expect(about(firm)).toEqual([]);

    stack.deliverS3Events = false; // the object arrives, but its own event is lost
    try {
      await stack.upload(body, key);
    } finally {
      stack.deliverS3Events = true;
    }
    expect(stack.queue.redrive().map((m) => m.messageId)).toEqual([dead.deadLetter!.messageId]);
    const [o] = await stack.waitUntilProcessed([key]);

    expect(o.status).toBe('stored');
    expect(o.object!.objectId).toBe(record.s3.object.eTag);
    expect(stack.deadLetters()).toEqual([]);
    expect(about(firm)).toHaveLength(1);
  });
});
