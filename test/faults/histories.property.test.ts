/**
 * The property test of time, on the in-memory table with the real pipeline modules (ingest,
 * reconcile, notify over the real Store and the fake DynamoDB): random histories (firms, filing
 * days across Thanksgiving, initials, amendments, same-day re-filings, cures and relapses,
 * copies of a filing under other names and in other renderings), processed in any order, with
 * redeliveries, with DynamoDB requests failing at random (retried as SQS and the stream retry),
 * one event at a time, all stored before the stream runs, or delivered concurrently.
 *
 * What "the alerts sent are the same whatever order" means, exactly (README, delivery guarantees):
 *  1. the final state does not depend on the order: each day's effective version, its head, the
 *     marks of the other versions, and on every channel (firm, day, statement, and shortfall or
 *     excess drop) the subscriber's last word: the word the final effective filings call for,
 *     with its figures, or `resolved` (or nothing ever said) when they call for none;
 *  2. nothing is said twice: no alert is published twice (outside the crash window: a mark-sent
 *     that failed unapplied), no channel says the same word twice in a row;
 *  3. the words in between are the ones the filings called for when they were said: processed one
 *     event at a time, each channel says exactly the sequence of changes of the wanted word, event
 *     after event (test/support/histories.ts expectedSequence); so an intermediate effective
 *     version is alerted only while it was the effective one, and its alert is always followed by
 *     the word that replaced it;
 *  4. facts that do not depend on what else arrived are alerted exactly once whatever the order:
 *     every late initial version's late-filing alert.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { World } from '../support/mock-pipeline';
import { describeHistory, historyArb, truth, type History } from '../support/histories';
import { checkWorld, runHistory, tally, type Mode } from './histories-run';

afterAll(() =>
  console.log(
    `faults/histories: ${tally.runs} runs, ${tally.events} events (${tally.objects} objects of ${tally.versions} versions, the rest redeliveries), ${tally.faults} DynamoDB faults injected, ${tally.words} channel words checked; modes ${JSON.stringify(tally.byMode)}`,
  ),
);

describe('random histories, any arrival order, duplicates, redeliveries and failures (in-memory table)', () => {
  it('the effective versions, the last word on every channel and the late filings are the ones the final filings call for; nothing is said twice; one event at a time, exactly the changes of the wanted words', async () => {
    await fc.assert(
      fc.asyncProperty(
        historyArb(),
        fc.constantFrom<Mode>('serial', 'batch', 'concurrent', 'concurrent'),
        fc.integer(),
        fc.constantFrom(0, 0.03, 0.08),
        async (h, mode, seed, rate) => {
          const { w, window } = await runHistory(h, mode, seed, rate);
          try {
            checkWorld(h, w, mode, window);
          } catch (e) {
            throw new Error(
              `${(e as Error).message}\nmode ${mode}, fault rate ${rate}, seed ${seed}\n${describeHistory(h)}`,
            );
          }
          tally.runs++;
          tally.byMode[mode]++;
          tally.events += h.deliveries.length;
          tally.objects += h.objects.length;
          tally.versions += h.versions.length;
        },
      ),
      { numRuns: 120 },
    );
  }, 300_000);

  it('recent-days histories (declines, target changes, late and amended earlier days): the last word on every target-changed and trend-to-target channel is the one the final window calls for, whatever the order; nothing said twice; one event at a time, exactly the changes', async () => {
    const seen = { 'target-changed': 0, 'trend-to-target': 0 };
    await fc.assert(
      fc.asyncProperty(
        historyArb({ recent: true, maxFirms: 1, maxDays: 9, maxVersionsPerDay: 2, copies: 0.15 }),
        fc.constantFrom<Mode>('serial', 'batch', 'concurrent'),
        fc.integer(),
        fc.constantFrom(0, 0, 0.05),
        async (h, mode, seed, rate) => {
          const { w, window } = await runHistory(h, mode, seed, rate);
          try {
            checkWorld(h, w, mode, window);
          } catch (e) {
            throw new Error(
              `${(e as Error).message}\nmode ${mode}, fault rate ${rate}, seed ${seed}\n${describeHistory(h)}`,
            );
          }
          for (const day of truth(h, h.deliveries).values())
            for (const want of day.wanted.values())
              if (want && (want.kind === 'target-changed' || want.kind === 'trend-to-target')) seen[want.kind]++;
          tally.runs++;
          tally.byMode[mode]++;
          tally.events += h.deliveries.length;
        },
      ),
      { numRuns: 60 },
    );
    // The histories did hold what this is about.
    console.log(`faults/histories (recent days): wanted words ${JSON.stringify(seen)}`);
    expect(seen['target-changed']).toBeGreaterThan(5);
    expect(seen['trend-to-target']).toBeGreaterThan(5);
  }, 300_000);

  it('the same history in two orders and two modes ends in the same state (table content without clock readings) and the same last words', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb({ maxFirms: 1, maxDays: 3 }), fc.integer(), async (h, seed) => {
        const reversed: History = { ...h, deliveries: [...h.deliveries].reverse() };
        const a = await runHistory(h, 'serial', seed, 0);
        const b = await runHistory(reversed, 'batch', seed, 0.05);
        checkWorld(h, a.w, 'serial', a.window);
        checkWorld(reversed, b.w, 'batch', b.window);
        // What stays when what was said in between is left out: versions (their source: the object
        // of their first arrival), results, heads (what they compared with included), objects,
        // firms. Left out besides clock readings: which object was processed first (an object
        // record's `duplicate`) and a version's pending/done flag (a stream trigger).
        const lasting = (w: World) =>
          w
            .snapshot()
            .map((x) => JSON.parse(x) as Record<string, unknown>)
            .filter((x) => x.type !== 'alert' && x.type !== 'recheck')
            .map((x) =>
              JSON.stringify({ ...x, duplicate: undefined, state: x.type === 'filing' ? undefined : x.state }),
            )
            .sort();
        expect(lasting(b.w)).toEqual(lasting(a.w));
        tally.runs += 2;
        tally.events += 2 * h.deliveries.length;
      }),
      { numRuns: 30 },
    );
  }, 300_000);
});
