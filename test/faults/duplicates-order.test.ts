/**
 * At-least-once delivery and arbitrary order: S3 repeats events, SQS redelivers messages (also to
 * two functions at once), amendments arrive before the filing they amend. Whatever the order and
 * however often: one filing version per content, one object record per object, one result per
 * version, one alert per fact, one publish per alert; the effective version is the latest
 * submitted amendment, superseded versions are kept and marked, alerts come only from the
 * version that was effective when it was reconciled, and a cure produces a `resolved` notice.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { makeFiling } from '../support/filings';
import { BUCKET, s3Record } from '../support/fixtures-events';
import { World } from '../support/mock-pipeline';
import { alertSubject } from '../../shared/domain/alerts';
import { alertFromItem } from '../../shared/adapters/store';
import { FIRM } from './support';

const tally = { deliveries: 0, concurrentDeliveries: 0, orders: 0 };
afterAll(() =>
  console.log(
    `faults/duplicates-order: ${tally.deliveries} duplicate deliveries (${tally.concurrentDeliveries} concurrent), ${tally.orders} arrival orders`,
  ),
);

const SHORT = makeFiling({ firmName: FIRM, swapsCashCut: 400_000_000n });

function expectSingle(w: World, kinds: string[]) {
  expect(w.itemsOfType('filing')).toHaveLength(1);
  expect(w.itemsOfType('object')).toHaveLength(1);
  expect(w.itemsOfType('result')).toHaveLength(1);
  expect(w.itemsOfType('head')).toHaveLength(1);
  const alerts = w.itemsOfType('alert');
  expect(alerts.map((a) => a.kind)).toEqual(kinds);
  expect(w.published).toHaveLength(kinds.length);
  for (const a of alerts) expect(w.publishCounts().get(a.id as string)).toBe(1);
}

describe('the same S3 event delivered 5 times', () => {
  it('one after the other: stored once, then already-processed four times', async () => {
    const w = new World();
    const rec = w.upload('acme/2014-11-06.txt', SHORT);
    const outs = await w.run(rec, rec, rec, rec, rec);
    tally.deliveries += 5;
    expect(outs.map((o) => o.status)).toEqual([
      'stored',
      'already-processed',
      'already-processed',
      'already-processed',
      'already-processed',
    ]);
    expectSingle(w, ['deficiency']);
    expect(w.s3Calls).toBe(1);
  });

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`concurrently (Promise.all, interleaving seed ${seed}): one version, one object record (not a duplicate), one result, one alert, one publish`, async () => {
      const w = new World().withJitter(seed);
      const rec = w.upload('acme/2014-11-06.txt', SHORT);
      const outs = await Promise.all([1, 2, 3, 4, 5].map(() => w.deliver(rec)));
      await w.drain();
      tally.deliveries += 5;
      tally.concurrentDeliveries += 5;
      expect(outs.every((o) => o.status === 'stored' || o.status === 'already-processed')).toBe(true);
      expect(outs.some((o) => o.status === 'stored')).toBe(true);
      expectSingle(w, ['deficiency']);
      // The object that created the version is not recorded as a duplicate of itself, whichever
      // concurrent delivery's object record won.
      expect(w.itemsOfType('object')[0]).toMatchObject({ status: 'stored', duplicate: false });
      expect(outs.filter((o) => o.status === 'stored').every((o) => o.status === 'stored' && !o.duplicate)).toBe(true);
    });
  }

  it('one SQS message naming the object twice, and the message itself delivered twice at once', async () => {
    const w = new World().withJitter(11);
    const rec = w.upload('acme/2014-11-06.txt', SHORT);
    await Promise.all([w.deliver(rec), w.deliver(rec)]);
    await w.deliver(rec);
    await w.deliver(rec);
    await w.drain();
    tally.deliveries += 4;
    tally.concurrentDeliveries += 2;
    expectSingle(w, ['deficiency']);
  });

  it('a rejected file, 5 times concurrently: one rejection record, one rejected alert, one publish; the object is kept', async () => {
    const w = new World().withJitter(5);
    const rec = w.upload('scan.pdf', Buffer.from('%PDF-1.4\n\u0000\u0001binary'));
    const outs = await Promise.all([1, 2, 3, 4, 5].map(() => w.deliver(rec)));
    await w.drain();
    tally.deliveries += 5;
    tally.concurrentDeliveries += 5;
    expect(outs.filter((o) => o.status === 'rejected').length).toBeGreaterThanOrEqual(1);
    expect(w.itemsOfType('object')).toEqual([expect.objectContaining({ status: 'rejected', reasonCode: 'bad-pdf' })]);
    expect(w.itemsOfType('alert').map((a) => a.kind)).toEqual(['rejected']);
    expect(w.published).toHaveLength(1);
    expect(w.objects.has(`${BUCKET}/incoming/scan.pdf`)).toBe(true);
  });

  it('the same filing under two object names: one version, two object records (the second a duplicate), one alert', async () => {
    const w = new World();
    await w.run(w.upload('a.txt', SHORT), w.upload('copy of a.txt', SHORT));
    tally.deliveries += 1;
    expect(w.itemsOfType('filing')).toHaveLength(1);
    const objects = w.itemsOfType('object').sort((x, y) => String(x.key).localeCompare(String(y.key)));
    expect(objects.map((o) => [o.key, o.duplicate])).toEqual([
      ['incoming/a.txt', false],
      ['incoming/copy of a.txt', true],
    ]);
    expect(w.published).toHaveLength(1);
  });

  it('a new upload of the same key (new eTag, same filing): a second object record, still one version and one alert', async () => {
    const w = new World();
    const first = w.upload('daily.txt', SHORT);
    const second = s3Record({
      key: 'incoming/daily.txt',
      size: Buffer.byteLength(SHORT),
      eTag: 'ffffffffffffffffffffffffffffffff',
    });
    await w.run(first, second, first, second);
    tally.deliveries += 2;
    expect(w.itemsOfType('filing')).toHaveLength(1);
    expect(w.itemsOfType('object')).toHaveLength(2);
    expect(w.published).toHaveLength(1);
  });
});

// ---- order -------------------------------------------------------------------------------------

const DAY = '2014-11-06';
/** Initial: a deficiency. A1: an amendment the same day, below target (other figures). A2: an amendment submitted later, cured. */
const V = {
  I: makeFiling({ firmName: FIRM, submitDate: DAY, swapsCashCut: 400_000_000n }),
  A1: makeFiling({ firmName: FIRM, submitDate: DAY, filingType: 'AMENDMENT', swapsCashCut: 100_000_000n }),
  A2: makeFiling({ firmName: FIRM, submitDate: '2014-11-07', filingType: 'AMENDMENT' }),
};
type Name = keyof typeof V;

/** Alerts expected per arrival order, as kind@version (spelled out, not computed). */
const EXPECTED: Record<string, string[]> = {
  'I,A1,A2': ['deficiency@I', 'below-target@A1', 'resolved@A2'],
  'I,A2,A1': ['deficiency@I', 'resolved@A2'],
  'A1,I,A2': ['below-target@A1', 'resolved@A2'],
  'A1,A2,I': ['below-target@A1', 'resolved@A2'],
  'A2,I,A1': [],
  'A2,A1,I': [],
};

describe('arrival order', () => {
  for (const [order, expected] of Object.entries(EXPECTED)) {
    for (const mode of ['one by one', 'all delivered before the stream runs'] as const) {
      it(`${order} (${mode}): A2 effective, I and A1 kept and superseded, alerts ${expected.join(', ') || 'none'}`, async () => {
        const w = new World();
        const names = order.split(',') as Name[];
        const recs = names.map((n) => w.upload(`${n}.txt`, V[n]));
        if (mode === 'one by one') await w.run(...recs);
        else {
          for (const r of recs) await w.deliver(r);
          await w.drain();
        }
        tally.orders++;
        const versions = new Map(
          w
            .itemsOfType('filing')
            .map((f) => [String((f.source as { key: string }).key).slice('incoming/'.length, -4) as Name, f]),
        );
        expect([...versions.keys()].sort()).toEqual(['A1', 'A2', 'I']);
        const nameOf = (vk: unknown) => [...versions].find(([, f]) => f.versionKey === vk)?.[0];
        const [head] = w.itemsOfType('head');
        expect(nameOf(head.effective)).toBe('A2');
        expect(versions.get('A2')).toMatchObject({ superseded: false, state: 'pending' });
        for (const n of ['I', 'A1'] as const) {
          const f = versions.get(n)!;
          expect(f, n).toMatchObject({ superseded: true, state: 'done' });
          expect(String(f.supersededBy) > String(f.versionKey)).toBe(true);
        }
        expect(w.itemsOfType('result')).toHaveLength(3);
        const alerts = w.itemsOfType('alert').map(alertFromItem);
        const got = alerts.map((a) => `${a.kind}@${nameOf(a.versionKey)}`).sort();
        if (mode === 'one by one') expect(got).toEqual([...expected].sort());
        else {
          // With everything stored before reconcile runs, a version is effective only if no later
          // one exists yet in the table: only A2 is, and it is cured, so nothing at all is raised
          // (no shortfall ever went out, so nothing to resolve).
          expect(got).toEqual([]);
        }
        for (const a of alerts) expect(w.publishCounts().get(a.id)).toBe(1);
        expect(w.published).toHaveLength(alerts.length);
        const resolved = alerts.find((a) => a.kind === 'resolved');
        if (resolved) {
          expect(resolved).toMatchObject({ severity: 'info', statement: 'clearedSwaps', filingType: 'AMENDMENT' });
          expect(alertSubject(resolved)).toBe(`[RESOLVED] ${FIRM} cleared swaps ${DAY} shortfall cured by amendment`);
          // It cures what the version effective just before A2 showed.
          expect(resolved.detail).toMatch(
            expected.includes('below-target@A1')
              ? /below-target of 2014-11-06 \(AMENDMENT submitted 2014-11-06, excess \$137,808,536\)/
              : /deficiency of 2014-11-06 \(INITIAL submitted 2014-11-06, excess -\$162,191,464\)/,
          );
        }
      });
    }
  }

  it('an amendment identical in figures to the initial: amendment effective, initial superseded, the shortfall alerted once (same alert id), nothing resolved', async () => {
    const w = new World();
    const amendment = makeFiling({
      firmName: FIRM,
      submitDate: DAY,
      filingType: 'AMENDMENT',
      swapsCashCut: 400_000_000n,
    });
    await w.run(w.upload('I.txt', V.I), w.upload('A.txt', amendment));
    tally.orders++;
    const filings = w.itemsOfType('filing');
    expect(filings).toHaveLength(2);
    const [head] = w.itemsOfType('head');
    const a = filings.find((f) => f.filingType === 'AMENDMENT')!;
    const i = filings.find((f) => f.filingType === 'INITIAL')!;
    expect(head.effective).toBe(a.versionKey);
    expect(i).toMatchObject({ superseded: true, supersededBy: a.versionKey });
    const alerts = w.itemsOfType('alert');
    expect(alerts.map((x) => x.kind)).toEqual(['deficiency']);
    expect(w.published).toHaveLength(1);
    // Both versions reconciled; the amendment repeats the last word said (same figures): nothing new on the channel.
    expect(w.itemsOfType('result')).toHaveLength(2);
    expect(alerts[0]).toMatchObject({
      channel: 'shortfall:clearedSwaps',
      seq: { value: '1' },
      versionKey: i.versionKey,
    });
  });

  it('an identical amendment first, then the initial: the initial raises nothing', async () => {
    const w = new World();
    const amendment = makeFiling({
      firmName: FIRM,
      submitDate: DAY,
      filingType: 'AMENDMENT',
      swapsCashCut: 400_000_000n,
    });
    await w.run(w.upload('A.txt', amendment), w.upload('I.txt', V.I));
    tally.orders++;
    expect(w.itemsOfType('alert').map((x) => x.kind)).toEqual(['deficiency']);
    expect(w.itemsOfType('alert')[0].filingType).toBe('AMENDMENT');
    expect(w.published).toHaveLength(1);
    expect(w.itemsOfType('filing').find((f) => f.filingType === 'INITIAL')).toMatchObject({
      superseded: true,
      state: 'done',
    });
  });

  it('an amendment that cures a shortfall: a resolved notice, published once, and the amendment raises no shortfall', async () => {
    const w = new World();
    await w.run(w.upload('I.txt', V.I), w.upload('A2.txt', V.A2));
    tally.orders++;
    const alerts = w.itemsOfType('alert').map(alertFromItem);
    expect(alerts.map((a) => a.kind).sort()).toEqual(['deficiency', 'resolved']);
    const resolved = alerts.find((a) => a.kind === 'resolved')!;
    const deficiency = alerts.find((a) => a.kind === 'deficiency')!;
    expect(resolved.shortfall?.toFixed()).toBe(deficiency.shortfall?.toFixed());
    expect(w.published.map((p) => p.input.Subject)).toEqual([
      `[DEFICIENCY] ${FIRM} cleared swaps ${DAY} short $162,191,464`,
      `[RESOLVED] ${FIRM} cleared swaps ${DAY} shortfall cured by amendment`,
    ]);
  });
});
