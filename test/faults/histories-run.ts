/** Running a random history through the in-memory pipeline, and checking it (histories.property.test.ts). */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FaultDecision } from '../support/mock-dynamodb';
import { awsError, prng, World } from '../support/mock-pipeline';
import { objectText, truth, type History } from '../support/histories';
import { checkHistory, type Mode } from '../support/histories-check';

export type { Mode };

export const tally = {
  runs: 0,
  events: 0,
  objects: 0,
  versions: 0,
  faults: 0,
  words: 0,
  byMode: { serial: 0, batch: 0, concurrent: 0 } as Record<string, number>,
};

/** Run a history through a fresh World; returns the world and the alert ids in the duplicate window. */
export async function runHistory(
  h: History,
  mode: Mode,
  seed: number,
  faultRate: number,
): Promise<{ w: World; window: Map<string, number> }> {
  const w = new World(40);
  // Concurrent: jitter with stalls, so that two days' evaluations interleave in every way (one
  // reads and writes the other's neighbour head while the other waits between its read and write).
  if (mode === 'concurrent') w.withJitter(seed, 0.2);
  const rnd = prng(seed ^ 0x5eed);
  const window = new Map<string, number>();
  w.dynamo.faults = (r): FaultDecision => {
    if (faultRate === 0 || rnd() >= faultRate) return undefined;
    tally.faults++;
    const before = rnd() < 0.6;
    // A mark-sent that fails unapplied: the documented window for a second copy.
    if (before && r.kind === 'update' && r.describe.includes(':sent') && !r.describe.includes('suppressed'))
      window.set(r.sk.slice(2), (window.get(r.sk.slice(2)) ?? 0) + 1);
    return before
      ? { throwBefore: awsError('ThrottlingException', 'Rate of requests exceeds the allowed throughput.', 400) }
      : { throwAfter: awsError('TimeoutError', 'response lost', 0) };
  };
  const records = h.objects.map((o) => w.upload(o.name, objectText(h, o), { eventTime: o.eventTime }));
  if (mode === 'serial') {
    for (const oi of h.deliveries) {
      await w.deliver(records[oi]);
      await w.drain();
    }
  } else if (mode === 'batch') {
    // Everything stored, then the stream in one pass, a record at a time.
    for (const oi of h.deliveries) await w.deliver(records[oi]);
    await w.drain();
  } else {
    // Deliveries at the same time (two or more of one object among them), then the stream in
    // Lambda's batches: different firm-days at the same time, interleaved by the jitter.
    await Promise.all(h.deliveries.map((oi) => w.deliver(records[oi])));
    await w.drainBatches(2 + (seed & 7));
  }
  w.dynamo.faults = undefined;
  // A redrive of every version (set back to pending, as `segwatch redrive` does with stream records
  // given up on): each day is evaluated again and says nothing new.
  if (seed % 3 === 0) {
    for (const f of w.itemsOfType('filing'))
      await w.dynamo.send(
        new UpdateCommand({
          TableName: 't',
          Key: { pk: f.pk, sk: f.sk },
          UpdateExpression: 'SET #s = :p, redrivenAt = :at',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':p': 'pending', ':at': '2025-12-31T00:00:00.000Z' },
        }),
      );
    await w.drain();
  }
  return { w, window };
}

/** The invariants (test/support/histories-check.ts) on a World after a run. */
export function checkWorld(h: History, w: World, mode: Mode, window: Map<string, number>): void {
  checkHistory(h, { items: w.dynamo.all(), messages: w.published.map((p) => p.input.Message ?? '') }, mode, window);
  tally.words += [...truth(h, h.deliveries).values()].reduce((n, d) => n + d.wanted.size, 0);
}
