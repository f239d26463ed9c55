/**
 * Every request the pipeline makes, failed one at a time, in every way it can fail; then the
 * pipeline retries as SQS and the stream do. After recovery the table holds the same facts as a
 * run without faults and every alert went out exactly once, except inside the one documented
 * window (see notify-alert.ts and crash-window.test.ts): a publish whose mark-sent did not land.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { World } from '../support/mock-pipeline';
import {
  AMENDMENT_CURED,
  checkScenario,
  FAULT_KINDS,
  failOnce,
  INITIAL_SHORT,
  isMarkSent,
  runScenario,
} from './support';

const tally = { injected: 0, survived: 0, duplicatesInWindow: 0 };

afterAll(() => {
  console.log(
    `faults/enumerated: ${tally.injected} faults injected, ${tally.survived} survived (${tally.duplicatesInWindow} of them left the documented duplicate)`,
  );
});

async function clean() {
  const w = new World();
  await runScenario(w);
  return w;
}

describe('the scenario without faults', () => {
  it('stores two versions, two results, one head, three objects and publishes three alerts once each', async () => {
    const w = await clean();
    checkScenario(w);
    expect(w.failures).toEqual({ ingest: 0, stream: 0 });
  });
});

describe('DynamoDB: each write failed once', async () => {
  const base = await clean();
  const writes = base.dynamo.log.filter((r) => r.write);
  const snapshot = base.snapshot();

  it('the clean run makes the writes the enumeration relies on', () => {
    // ingest x3 (version|alert, object), reconcile x2 (result, firm, alert, head; result, superseded, alert, head), mark-sent x3.
    // (No write marks a version reconciled: its result item says so.)
    expect(writes.length).toBe(17);
    expect(writes.filter(isMarkSent)).toHaveLength(3);
  });

  for (const kind of FAULT_KINDS) {
    it.each(writes.map((r, i) => [i, r.describe.slice(0, 90)] as const))(`${kind}: write %i (%s)`, async (i) => {
      const w = new World();
      const f = failOnce((r) => r.write, i, kind);
      w.dynamo.faults = f.hook;
      await runScenario(w);
      tally.injected++;
      expect(f.fired()).toBe(true);
      expect(w.failures.ingest + w.failures.stream).toBeGreaterThanOrEqual(1);
      // A mark-sent that did not land leaves the alert pending: it is published again (the window).
      const inWindow = isMarkSent(f.request()!) && kind !== 'timeout-applied';
      const alertId = inWindow ? f.request()!.sk.slice(2) : undefined;
      checkScenario(w, { duplicateOf: alertId });
      expect(w.snapshot()).toEqual(snapshot);
      tally.survived++;
      if (inWindow) tally.duplicatesInWindow++;
    });
  }
});

describe('DynamoDB: each read failed once', async () => {
  const base = await clean();
  const reads = base.dynamo.log.filter((r) => !r.write);
  const snapshot = base.snapshot();

  it.each(reads.map((r, i) => [i, r.describe.slice(0, 90)] as const))('throttled read %i (%s)', async (i) => {
    const w = new World();
    const f = failOnce((r) => !r.write, i, i % 2 ? 'throttling' : 'internal-server-error');
    w.dynamo.faults = f.hook;
    await runScenario(w);
    tally.injected++;
    expect(f.fired()).toBe(true);
    checkScenario(w);
    expect(w.snapshot()).toEqual(snapshot);
    tally.survived++;
  });
});

describe('S3: each GetObject failed once', async () => {
  const base = await clean();
  const snapshot = base.snapshot();

  for (const fault of ['throw', 'midway'] as const) {
    it.each(Array.from({ length: base.s3Calls }, (_, n) => n))(`${fault}: GetObject %i`, async (n) => {
      const w = new World();
      w.s3Faults = (k) => (k === n ? fault : undefined);
      await runScenario(w);
      tally.injected++;
      expect(w.failures.ingest).toBe(1);
      expect(w.s3Calls).toBe(base.s3Calls + 1);
      checkScenario(w);
      expect(w.snapshot()).toEqual(snapshot);
      tally.survived++;
    });
  }

  it('a body that breaks midway is never parsed from its first chunk (nothing stored for that attempt)', async () => {
    const w = new World();
    w.s3Faults = (k) => (k === 0 ? 'midway' : undefined);
    const rec = w.upload(
      'acme/initial.txt',
      base.objects.get([...base.objects.keys()].find((k) => k.endsWith('initial.txt'))!)!,
    );
    await expect(
      import('../../shared/pipeline/ingest').then((m) => m.ingestS3Record(w.ingestDeps, rec)),
    ).rejects.toThrow(/aborted/);
    expect(w.dynamo.all()).toEqual([]);
    expect(w.dynamo.writes).toBe(0);
  });
});

describe('SNS: each Publish failed once', async () => {
  const base = await clean();
  const snapshot = base.snapshot();

  it.each(Array.from({ length: base.snsCalls }, (_, n) => n))(
    'throttled publish %i: published once after the retry, nothing written on the failure',
    async (n) => {
      const w = new World();
      w.snsFaults = (k) => (k === n ? 'throttle' : undefined);
      await runScenario(w);
      tally.injected++;
      expect(w.failures.stream).toBe(1);
      expect(w.snsCalls).toBe(base.snsCalls + 1);
      checkScenario(w);
      expect(w.snapshot()).toEqual(snapshot);
      // A failed publish writes nothing (a write would re-trigger the stream): no extra write at all.
      expect(w.dynamo.writes).toBe(base.dynamo.writes);
      tally.survived++;
    },
  );

  it.each(Array.from({ length: base.snsCalls }, (_, n) => n))(
    'publish %i accepted by SNS, response lost: the documented duplicate, nothing else',
    async (n) => {
      const w = new World();
      w.snsFaults = (k) => (k === n ? 'lost-response' : undefined);
      await runScenario(w);
      tally.injected++;
      const dupId = /Alert id: (\w+)/.exec(w.published[n].input.Message!)![1];
      checkScenario(w, { duplicateOf: dupId });
      expect(w.snapshot()).toEqual(snapshot);
      tally.survived++;
      tally.duplicatesInWindow++;
    },
  );
});

describe("DynamoDB: each write of the initial's reconcile failed once, and its cure arriving before the retry", async () => {
  // The retry then finds the initial no longer effective. Whatever it had done before failing,
  // the end state is consistent: either nothing was raised for it, or its deficiency went out and
  // the amendment's `resolved` notice did too.
  const clean = new World();
  await clean.deliver(clean.upload('i.txt', INITIAL_SHORT));
  const ingestWrites = clean.dynamo.writes;
  await clean.drain();
  const reconcileWrites = clean.dynamo.log.filter(
    (r) => r.write && r.index >= ingestWrites && !isMarkSent(r) && r.pk.startsWith('FIRM#'),
  );

  for (const kind of ['throttling', 'timeout-applied'] as const) {
    it.each(reconcileWrites.map((r) => [r.index, r.describe.slice(0, 80)] as const))(
      `${kind}: write %i (%s)`,
      async (index) => {
        const w = new World();
        const f = failOnce((r) => r.write, index, kind);
        w.dynamo.faults = f.hook;
        await w.deliver(w.upload('i.txt', INITIAL_SHORT));
        const drained = await w.drainUntilFailure();
        tally.injected++;
        expect(f.fired()).toBe(true);
        // A failure of the initial's reconcile leaves it at the head of the shard (a failure of a
        // notify leaves its alert record there).
        expect(drained).toBe(false);
        await w.run(w.upload('a.txt', AMENDMENT_CURED));
        const [i, a] = ['INITIAL', 'AMENDMENT'].map((t) => w.itemsOfType('filing').find((x) => x.filingType === t)!);
        expect(w.itemsOfType('head')[0].effective).toBe(a.versionKey);
        expect(i).toMatchObject({ superseded: true, supersededBy: a.versionKey, state: 'done' });
        const kinds = w
          .itemsOfType('alert')
          .map((x) => x.kind)
          .sort();
        expect([[], ['deficiency', 'resolved']]).toContainEqual(kinds);
        expect(w.itemsOfType('alert').every((x) => x.state === 'sent')).toBe(true);
        for (const [, n] of w.publishCounts()) expect(n).toBe(1);
        expect(w.published).toHaveLength(kinds.length);
        tally.survived++;
      },
    );
  }
});
