/**
 * The property test of time, a smaller set, on DynamoDB Local with the real handlers (the local
 * stack: s3rver events, the local queue, the stream driver with its batches and concurrency):
 * random histories uploaded in a random order (the S3 event times are the upload order; some
 * events delivered again), one at a time (each processed before the next: the exact sequence of
 * words is checked) or all at once (only the end state). Same invariants as the in-memory test
 * (test/support/histories-check.ts; what they mean: test/faults/histories.property.test.ts).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPipeline } from '../../infra/local/stack';
import { describeHistory, historyArb, objectText, type History } from '../support/histories';
import { checkHistory } from '../support/histories-check';
import { startTestStack } from '../support/local-stack';
import { firmIdOf } from '../../shared/domain/parser';

let stack: LocalPipeline;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const tally = { runs: 0, events: 0 };
afterAll(() =>
  console.log(`integration/histories-local: ${tally.runs} runs, ${tally.events} events on DynamoDB Local`),
);

async function itemsOf(pk: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await stack.store.doc.send(
      new QueryCommand({
        TableName: stack.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    out.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('random histories on DynamoDB Local (real handlers, local stack)', () => {
  it('10 histories, one event at a time or all at once: effective versions, last words, late filings; exactly the changes of the wanted words one at a time', async () => {
    const samples = fc.sample(historyArb({ maxFirms: 2, maxDays: 3, maxVersionsPerDay: 3, maxRedeliveries: 2 }), {
      numRuns: 10,
      seed: 20251127,
    });
    for (const [r, sample] of samples.entries()) {
      const serial = r % 2 === 0;
      // Firms and object names of their own per run (one table for all runs).
      const h0: History = {
        ...sample,
        versions: sample.versions.map((v) => ({
          ...v,
          firm: v.firm.replace(' LLC', ` R${r} LLC`).replace(' Inc.', ` R${r} Inc.`),
        })),
      };
      const keys = h0.objects.map((o) => `incoming/run-${r}/${o.name}`);
      const before = stack.published().length;
      const uploaded = new Set<number>();
      for (const oi of h0.deliveries) {
        if (uploaded.has(oi)) stack.redeliver(keys[oi]);
        else {
          await stack.upload(Buffer.from(objectText(h0, h0.objects[oi])), keys[oi]);
          uploaded.add(oi);
          await sleep(3); // distinct event times
        }
        if (serial) await stack.waitForIdle(120_000);
      }
      await stack.waitForIdle(120_000);
      // The event times S3 gave the objects: their arrival order (the upload order).
      const h: History = {
        ...h0,
        objects: h0.objects.map((o, i) => ({ ...o, eventTime: stack.lastEvent(keys[i])!.eventTime })),
      };
      const pks = new Set(h.versions.map((v) => `FIRM#${firmIdOf(v.firm)}#DAY#${v.endDate}`));
      const items = (await Promise.all([...pks].map(itemsOf))).flat();
      const messages = stack
        .published()
        .slice(before)
        .map((m) => m.message);
      try {
        checkHistory(h, { items, messages }, serial ? 'serial' : 'batch');
      } catch (e) {
        throw new Error(
          `${(e as Error).message}\nrun ${r} (${serial ? 'one at a time' : 'all at once'})\n${describeHistory(h)}`,
        );
      }
      expect(stack.deadLetters()).toEqual([]);
      expect(stack.onFailure()).toEqual([]);
      tally.runs++;
      tally.events += h.deliveries.length;
    }
  }, 600_000);
});
