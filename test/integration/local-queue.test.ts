import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { LocalQueue, redriveFiles, type LocalQueueOptions } from '../../infra/local/queue';
import { readJson } from '../../infra/local/state';

const queues: LocalQueue[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop()));
});

function queue(o: LocalQueueOptions = {}): LocalQueue {
  const q = new LocalQueue({ failedVisibilityMs: 5, pollIntervalMs: 2, ...o });
  queues.push(q);
  return q;
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

type Seen = { id: string; body: string; count: number; batch: number };

describe('local SQS stand-in', () => {
  it('delivers in batches of at most the batch size, each message once when all succeed', async () => {
    const q = queue({ batchSize: 10, concurrency: 1 });
    const seen: Seen[] = [];
    let batches = 0;
    for (let i = 0; i < 25; i++) q.send(`m${i}`);
    q.start(async (e: SQSEvent) => {
      batches++;
      expect(e.Records.length).toBeLessThanOrEqual(10);
      for (const r of e.Records)
        seen.push({
          id: r.messageId,
          body: r.body,
          count: Number(r.attributes.ApproximateReceiveCount),
          batch: batches,
        });
      return { batchItemFailures: [] };
    });
    await until(() => q.isIdle());
    expect(seen.map((s) => s.body).sort()).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`).sort());
    expect(batches).toBe(3);
    expect(seen.every((s) => s.count === 1)).toBe(true);
  });

  it('partial batch failure: only the reported messages come back, with a higher receive count', async () => {
    const q = queue();
    const seen: Seen[] = [];
    for (const b of ['ok1', 'bad', 'ok2']) q.send(b);
    let failedOnce = false;
    q.start(async (e: SQSEvent): Promise<SQSBatchResponse> => {
      const failures: SQSBatchResponse['batchItemFailures'] = [];
      for (const r of e.Records) {
        seen.push({ id: r.messageId, body: r.body, count: Number(r.attributes.ApproximateReceiveCount), batch: 0 });
        if (r.body === 'bad' && !failedOnce) {
          failedOnce = true;
          failures.push({ itemIdentifier: r.messageId });
        }
      }
      return { batchItemFailures: failures };
    });
    await until(() => q.isIdle());
    expect(seen.filter((s) => s.body === 'ok1')).toHaveLength(1);
    expect(seen.filter((s) => s.body === 'ok2')).toHaveLength(1);
    expect(seen.filter((s) => s.body === 'bad').map((s) => s.count)).toEqual([1, 2]);
    expect(q.deadLetters()).toEqual([]);
  });

  it('dead-letters a message after maxReceiveCount receives, and keeps its last error', async () => {
    const q = queue({ maxReceiveCount: 5 });
    const id = q.send('poison');
    q.send('fine');
    const receives: number[] = [];
    q.start(async (e: SQSEvent) => ({
      batchItemFailures: e.Records.filter((r) => r.body === 'poison').map((r) => {
        receives.push(Number(r.attributes.ApproximateReceiveCount));
        return { itemIdentifier: r.messageId };
      }),
    }));
    await until(() => q.isIdle());
    expect(receives).toEqual([1, 2, 3, 4, 5]);
    const dead = q.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      messageId: id,
      body: 'poison',
      receiveCount: 5,
      sourceQueueArn: q.arn,
      lastError: 'reported in batchItemFailures',
    });
  });

  it('an error, or a failure naming a message not in the batch, fails the whole batch', async () => {
    for (const mode of ['throw', 'unknown-id', 'empty-id'] as const) {
      const q = queue({ maxReceiveCount: 2 });
      q.send('a');
      q.send('b');
      let calls = 0;
      q.start(async () => {
        calls++;
        if (mode === 'throw') throw new Error('boom');
        return { batchItemFailures: [{ itemIdentifier: mode === 'unknown-id' ? 'nope' : '' }] };
      });
      await until(() => q.isIdle());
      expect(calls, mode).toBe(2);
      expect(
        q
          .deadLetters()
          .map((d) => d.body)
          .sort(),
        mode,
      ).toEqual(['a', 'b']);
    }
  });

  it('a handler slower than the visibility timeout gets the message again (at least once); its late delete does nothing', async () => {
    const q = queue({ visibilityTimeoutMs: 40, concurrency: 2 });
    q.send('slow');
    const counts: number[] = [];
    q.start(async (e: SQSEvent) => {
      counts.push(Number(e.Records[0].attributes.ApproximateReceiveCount));
      if (counts.length === 1) await new Promise((r) => setTimeout(r, 150));
      return { batchItemFailures: [] };
    });
    await until(() => counts.length >= 2 && q.isIdle());
    expect(counts.slice(0, 2)).toEqual([1, 2]);
    expect(q.depth).toBe(0);
  });

  it('a timed-out invocation fails its batch', async () => {
    const q = queue({ functionTimeoutMs: 30, maxReceiveCount: 1 });
    q.send('x');
    q.start(() => new Promise(() => undefined));
    await until(() => q.deadLetters().length === 1);
    expect(q.deadLetters()[0].lastError).toMatch(/timed out/);
  });

  it('persists both queues; redrive moves dead letters back with the receive count reset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segwatch-q-'));
    const path = join(dir, 'messages.json');
    const dlqPath = join(dir, 'dlq.json');
    const q = queue({ path, dlqPath, maxReceiveCount: 1 });
    q.send('poison');
    q.start(async (e: SQSEvent) => ({ batchItemFailures: e.Records.map((r) => ({ itemIdentifier: r.messageId })) }));
    await until(() => q.isIdle());
    await q.stop();
    expect(readJson<unknown[]>(dlqPath, [])).toHaveLength(1);

    const moved = redriveFiles(path, dlqPath);
    expect(moved.map((m) => m.body)).toEqual(['poison']);
    expect(readJson<unknown[]>(dlqPath, [])).toEqual([]);

    const again = queue({ path, dlqPath });
    expect(again.depth).toBe(1);
    const bodies: string[] = [];
    again.start(async (e: SQSEvent) => {
      bodies.push(...e.Records.map((r) => `${r.body}@${r.attributes.ApproximateReceiveCount}`));
      return { batchItemFailures: [] };
    });
    await until(() => again.isIdle());
    expect(bodies).toEqual(['poison@1']);
    expect(readJson<unknown[]>(path, [null])).toEqual([]);
  });
});
