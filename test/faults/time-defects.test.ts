/**
 * The defects of issue 10 that are about time, each reproduced on the in-memory pipeline (real
 * ingest, reconcile and notify over the real Store and the fake DynamoDB, which enforces the 400 KB
 * item limit). Each of these failed before the fix.
 */
import { describe, expect, it } from 'vitest';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { alertFromItem, versionFromItem, type StoredAlert } from '../../shared/adapters/store';
import { reconcileVersion } from '../../shared/pipeline/reconcile-version';
import { previousFilingDay } from '../../shared/domain/calendar';
import { MAX_CELLS, MAX_STORED_FINDINGS } from '../../shared/domain/limits';
import { prng, World } from '../support/mock-pipeline';
import { DAYS, filingText, moveAmount, type Level, type VersionSpec } from '../support/histories';
import { parseFilingText } from '../../shared/domain/parser';
import { filingToJson } from '../../shared/domain/model';
import { contentHash, versionKeyOf } from '../../shared/domain/versions';
import { makeFiling, SAMPLE_2014 } from '../support/filings';

const FIRM = 'Harbor Point Futures LLC';
const FIRM_ID = 'harbor-point-futures-llc';
const all = (l: Level) => ({ segregation: l, secured: l, clearedSwaps: l });

function publishedAlerts(w: World): StoredAlert[] {
  const byId = new Map(w.itemsOfType('alert').map((a) => [a.id as string, alertFromItem(a)]));
  return w.published.map((p) => byId.get(/Alert id: ([0-9a-f]+)/.exec(p.input.Message!)![1])!);
}
const words = (w: World, statement = 'clearedSwaps') =>
  publishedAlerts(w)
    .filter((a) => a.statement === statement && a.kind !== 'late-filing')
    .map((a) => `${a.kind}${a.excess ? ` ${a.excess.toFixed()}` : ''}`);

describe('a deficiency that comes back after a cure', () => {
  it('deficient initial, curing amendment, deficient again with the same figures: told again (a new episode), and the last word is the deficiency', async () => {
    const w = new World();
    await w.run(
      w.upload('i.txt', makeFiling({ firmName: FIRM, swapsCashCut: 400_000_000n, submitDate: '2014-11-07' })),
      w.upload('a1.txt', makeFiling({ firmName: FIRM, filingType: 'AMENDMENT', submitDate: '2014-11-10' })),
      w.upload(
        'a2.txt',
        makeFiling({ firmName: FIRM, filingType: 'AMENDMENT', swapsCashCut: 400_000_000n, submitDate: '2014-11-11' }),
      ),
    );
    expect(words(w)).toEqual(['deficiency -162191464', 'resolved 237808536', 'deficiency -162191464']);
    expect(w.published.map((p) => p.input.Subject)).toEqual([
      `[DEFICIENCY] ${FIRM} cleared swaps 2014-11-06 short $162,191,464`,
      `[RESOLVED] ${FIRM} cleared swaps 2014-11-06 shortfall cured by amendment`,
      `[DEFICIENCY] ${FIRM} cleared swaps 2014-11-06 short $162,191,464`,
    ]);
    const [first, , again] = publishedAlerts(w);
    expect(again.id).not.toBe(first.id);
    expect([first.seq, again.seq]).toEqual([1, 3]);
    expect(again.versionKey).toBe(w.itemsOfType('head')[0].effective);
    // The very same version again (a duplicate under another name, a redelivered event): nothing more.
    const copy = w.upload(
      'a2 copy.txt',
      makeFiling({ firmName: FIRM, filingType: 'AMENDMENT', swapsCashCut: 400_000_000n, submitDate: '2014-11-11' }),
    );
    await w.run(copy, copy);
    expect(w.published).toHaveLength(3);
  });
});

describe('same-day re-filings: the one whose object arrived last is effective', () => {
  const short = makeFiling({
    firmName: FIRM,
    filingType: 'AMENDMENT',
    submitDate: '2014-11-07',
    swapsCashCut: 400_000_000n,
  });
  const cured = makeFiling({ firmName: FIRM, filingType: 'AMENDMENT', submitDate: '2014-11-07' });
  const also = makeFiling({
    firmName: FIRM,
    filingType: 'AMENDMENT',
    submitDate: '2014-11-07',
    swapsCashCut: 100_000_000n,
  });
  for (const [name, first, second, last] of [
    ['a deficient amendment corrected the same day', short, cured, 'resolved'],
    ['a below-target amendment corrected the same day', also, cured, 'resolved'],
    ['a clean amendment replaced by a deficient one the same day', cured, short, 'deficiency'],
    ['a deficient amendment replaced by a below-target one the same day', short, also, 'below-target'],
  ] as const) {
    it(`${name}: the later arrival wins whatever the content hashes say`, async () => {
      const w = new World();
      const a = w.upload('first.txt', first);
      const b = w.upload('second.txt', second);
      await w.run(a, b);
      const [head] = w.itemsOfType('head');
      const second_ = w.itemsOfType('filing').find((f) => (f.source as { key: string }).key === 'incoming/second.txt')!;
      expect(head.effective).toBe(second_.versionKey);
      expect(publishedAlerts(w).at(-1)!.kind).toBe(last);
    });
  }

  it('a correction whose content hash sorts before the filing it corrects (ordering by hash would keep the deficiency): the correction wins and its RESOLVED goes out', async () => {
    const keyOf = (t: string) => {
      const f = parseFilingText(t).filing;
      return versionKeyOf(f, contentHash(filingToJson(f)));
    };
    // The same cured figures with k dollars moved between two bank lines, for the first k whose key sorts first.
    let correction = cured;
    for (let k = 1n; keyOf(correction) > keyOf(short); k++)
      correction = moveAmount(moveAmount(cured, '8600', -k), '8620', k);
    expect(keyOf(correction) < keyOf(short)).toBe(true);
    const w = new World();
    await w.run(w.upload('deficient.txt', short), w.upload('corrected.txt', correction));
    expect(w.itemsOfType('head')[0].effective).toBe(keyOf(correction));
    expect(w.published.map((p) => p.input.Subject)).toEqual([
      `[DEFICIENCY] ${FIRM} cleared swaps 2014-11-06 short $162,191,464`,
      `[RESOLVED] ${FIRM} cleared swaps 2014-11-06 shortfall cured by amendment`,
    ]);
  });

  it('the events processed in the other order (the later object first): still the later arrival', async () => {
    const w = new World();
    const a = w.upload('first.txt', short);
    const b = w.upload('second.txt', cured);
    await w.run(b, a);
    const [head] = w.itemsOfType('head');
    expect(head.effective).toBe(
      w.itemsOfType('filing').find((f) => (f.source as { key: string }).key === 'incoming/second.txt')!.versionKey,
    );
    // The deficient one was never effective: nothing was said.
    expect(w.published).toHaveLength(0);
  });

  it('a copy of the first filing arriving after the second (another name, another rendering) does not make it the last: its first arrival counts', async () => {
    const w = new World();
    const spec: VersionSpec = {
      firm: FIRM,
      endDate: '2014-11-06',
      filingType: 'AMENDMENT',
      submitDate: '2014-11-07',
      levels: { ...all('normal'), clearedSwaps: 'deficient' },
    };
    const a = w.upload('first.txt', filingText(spec));
    const b = w.upload('second.txt', filingText({ ...spec, levels: all('normal') }));
    const crlf = filingText(spec).replace(/\n/g, '\r\n');
    const c = w.upload('first again.txt', crlf);
    await w.run(a, b, c);
    expect(w.itemsOfType('filing')).toHaveLength(2);
    const [head] = w.itemsOfType('head');
    expect(head.effective).toBe(
      w.itemsOfType('filing').find((f) => (f.source as { key: string }).key === 'incoming/second.txt')!.versionKey,
    );
    expect(words(w)).toEqual(['deficiency -62191464', 'resolved 237808536']);
  });
});

describe('the excess drop does not depend on arrival order', () => {
  const day1 = DAYS[3];
  const day2 = DAYS[4];
  const spec = (endDate: string, level: Level): VersionSpec => ({
    firm: FIRM,
    endDate,
    filingType: 'INITIAL',
    submitDate: DAYS[DAYS.indexOf(endDate) + 1],
    levels: all(level),
  });

  for (const order of ['day 1 then day 2', 'day 2 then day 1', 'both stored before the stream runs']) {
    it(`${order}: the drop of every statement is alerted, once`, async () => {
      const w = new World();
      const r1 = w.upload('d1.txt', filingText(spec(day1, 'high')));
      const r2 = w.upload('d2.txt', filingText(spec(day2, 'normal')));
      if (order === 'day 1 then day 2') await w.run(r1, r2);
      else if (order === 'day 2 then day 1') await w.run(r2, r1);
      else {
        await w.deliver(r2);
        await w.deliver(r1);
        await w.drainBatches(10);
      }
      const drops = publishedAlerts(w).filter((a) => a.kind === 'excess-drop');
      expect(drops.map((a) => [a.endDate, a.statement, a.previousDate]).sort()).toEqual([
        [day2, 'clearedSwaps', day1],
        [day2, 'secured', day1],
        [day2, 'segregation', day1],
      ]);
      expect(drops.find((a) => a.statement === 'segregation')).toMatchObject({
        excess: expect.anything(),
        previousExcess: expect.anything(),
      });
      expect(drops.find((a) => a.statement === 'segregation')!.previousExcess!.toFixed()).toBe('484415796');
    });
  }

  it('an amendment of the earlier day that removes the drop: the drop is taken back (resolved), whatever came first', async () => {
    for (const reversed of [false, true]) {
      const w = new World();
      const recs = [
        w.upload('d1.txt', filingText(spec(day1, 'high'))),
        w.upload('d2.txt', filingText(spec(day2, 'normal'))),
        w.upload('d1 amended.txt', filingText({ ...spec(day1, 'normal'), filingType: 'AMENDMENT' })),
      ];
      await w.run(...(reversed ? [recs[2], recs[1], recs[0]] : recs));
      const onDay2 = publishedAlerts(w).filter((a) => a.endDate === day2 && a.statement === 'segregation');
      expect(
        onDay2.map((a) => a.kind),
        `reversed ${reversed}`,
      ).toEqual(reversed ? [] : ['excess-drop', 'resolved']);
      if (!reversed) expect(w.published.at(-1)!.input.Subject).toMatch(/excess drop no longer shown/);
    }
  });

  it('compares with the previous day on which the statement was required (the calendar), not with an older filing', async () => {
    const w = new World();
    const d = DAYS[6];
    const prev = previousFilingDay('segregation', d);
    const older = previousFilingDay('segregation', prev);
    // Only the older day and the day itself: the previous filing day has no filing, so no comparison.
    await w.run(
      w.upload('older.txt', filingText(spec(older, 'high'))),
      w.upload('d.txt', filingText(spec(d, 'normal'))),
    );
    expect(publishedAlerts(w).filter((a) => a.kind === 'excess-drop')).toEqual([]);
    // The previous filing day arrives, high too: now the drop.
    await w.run(w.upload('prev.txt', filingText(spec(prev, 'high'))));
    expect(
      publishedAlerts(w)
        .filter((a) => a.kind === 'excess-drop')
        .map((a) => [a.endDate, a.previousDate]),
    ).toContainEqual([d, prev]);
  });

  it("the two days evaluated at the same time, each reading the other's head before the other writes it: the later day still ends up compared with the earlier one", async () => {
    // The interleaving that needs the later day's second look at the previous day (reconcile-version.ts):
    // day 2 reads day 1's head (none yet); day 1 writes its head and looks at day 2's (none yet, so
    // no recheck); only then day 2 writes its head. Without the second look, day 2's drop is never told.
    const w = new World();
    const pk = (d: string) => `FIRM#${FIRM_ID}#DAY#${d}`;
    await w.deliver(w.upload('d1.txt', filingText(spec(day1, 'high'))));
    await w.deliver(w.upload('d2.txt', filingText(spec(day2, 'normal'))));
    const images = w.dynamo.stream
      .filter((r) => r.dynamodb.NewImage.type.S === 'filing')
      .map((r) => versionFromItem(unmarshall(r.dynamodb.NewImage, { wrapNumbers: true })));
    let day2ReadDay1!: () => void;
    let day1ReadDay2!: () => void;
    const day2HasRead = new Promise<void>((r) => (day2ReadDay1 = r));
    const day1HasLooked = new Promise<void>((r) => (day1ReadDay2 = r));
    const after = (f: () => void) => setImmediate(() => setImmediate(f));
    let firstRead = true;
    w.dynamo.gate = async (r) => {
      const names = (d: string) => r.keys.some((k) => k.pk === pk(d) && k.sk === 'HEAD');
      if (r.kind === 'batchget' && names(day1) && firstRead) {
        firstRead = false;
        after(day2ReadDay1);
      }
      if (r.kind === 'update' && r.keys[0].pk === pk(day1) && r.keys[0].sk === 'HEAD') await day2HasRead;
      if (r.kind === 'batchget' && names(day2)) after(day1ReadDay2);
      if (r.kind === 'update' && r.keys[0].pk === pk(day2) && r.keys[0].sk === 'HEAD') await day1HasLooked;
    };
    const [o1, o2] = await Promise.all(images.map((v) => reconcileVersion(w.reconcileDeps, v, { inserted: true })));
    w.dynamo.gate = undefined;
    expect(o1.day.rechecked).toEqual([]);
    expect(o2.alerts.map((a) => a.kind)).toEqual(['excess-drop', 'excess-drop', 'excess-drop']);
    await w.drain();
    expect(
      publishedAlerts(w)
        .filter((a) => a.kind === 'excess-drop')
        .map((a) => [a.endDate, a.statement])
        .sort(),
    ).toEqual([
      [day2, 'clearedSwaps'],
      [day2, 'secured'],
      [day2, 'segregation'],
    ]);
  });

  it('200 files at once in random order, 30 drops planted: all 30 alerted, nothing else', async () => {
    const w = new World().withJitter(7);
    const files: { name: string; text: string }[] = [];
    // 40 firms x 5 filing days; 10 firms fall from high to normal on their third day: 3 statements each.
    for (let f = 0; f < 40; f++) {
      const firm = `Batch Clearing ${String(f).padStart(2, '0')} LLC`;
      const levels: Level[] =
        f < 10 ? ['normal', 'high', 'normal', 'normal', 'normal'] : ['normal', 'normal', 'high', 'high', 'high'];
      levels.forEach((level, i) =>
        files.push({
          name: `${firm}/${DAYS[i]}.txt`,
          text: filingText({
            firm,
            endDate: DAYS[i],
            filingType: 'INITIAL',
            submitDate: DAYS[i + 1],
            levels: all(level),
          }),
        }),
      );
    }
    const expected = 30;
    const rnd = prng(2024);
    const order = files.map((_, i) => i).sort(() => rnd() - 0.5);
    const recs = files.map((x) => w.upload(x.name, x.text));
    await Promise.all(order.map((i) => w.deliver(recs[i])));
    await w.drainBatches(10);
    const drops = publishedAlerts(w).filter((a) => a.kind === 'excess-drop');
    expect(files).toHaveLength(200);
    expect(drops).toHaveLength(expected);
    expect(new Set(drops.map((a) => a.id)).size).toBe(expected);
    expect(w.itemsOfType('alert').every((a) => a.state === 'sent')).toBe(true);
  }, 60_000);
});

describe('inputs far larger than any real filing end as a recorded rejection or a stored, reconciled version within the item limit', () => {
  const base = SAMPLE_2014;
  const cases: [string, string][] = [
    [
      '3,500 extra [7010] cells (41 KB)',
      base.replace('[7010]', `[7010]\n${Array.from({ length: 3500 }, (_, i) => `${i % 10} [7010]`).join('\n')}`),
    ],
    [
      '60,000 unknown cells',
      `${base}\n${Array.from({ length: 60000 }, (_, i) => `${i} [${1000 + (i % 5000)}]`).join('\n')}`,
    ],
    ['60,000 unreadable cells', `${base}\n${Array.from({ length: 60000 }, () => 'x [7010]').join('\n')}`],
  ];
  for (const [name, text] of cases) {
    it(`${name}: rejected with the reason, the object kept, one rejected alert, nothing stuck`, async () => {
      const w = new World(3);
      const [out] = await w.run(w.upload('big.txt', text));
      expect(out).toMatchObject({ status: 'rejected', code: 'too-many-cells' });
      expect(w.itemsOfType('object')).toEqual([
        expect.objectContaining({
          status: 'rejected',
          reasonCode: 'too-many-cells',
          reason: expect.stringMatching(/far more than any daily segregation filing/),
        }),
      ]);
      expect(w.itemsOfType('filing')).toEqual([]);
      expect(w.itemsOfType('alert').map((a) => [a.kind, a.state])).toEqual([['rejected', 'sent']]);
      expect(w.failures).toEqual({ ingest: 0, stream: 0 });
    });
  }

  it(`up to ${MAX_CELLS} cells: stored and reconciled, the findings capped with a count, the errors alert short`, async () => {
    const w = new World(3);
    const n = MAX_CELLS - 200;
    const text = `${base}\n${Array.from({ length: n }, (_, i) => `${i} [${1000 + i}]`).join('\n')}\n${Array.from({ length: 90 }, (_, i) => `x [${9000 + i}]`).join('\n')}`;
    // (90 unreadable cells of 90 codes: the parser reports a code whose amount it cannot read once.)
    const [out] = await w.run(w.upload('many.txt', text));
    expect(out.status).toBe('stored');
    const [result] = w.itemsOfType('result');
    expect(result.findings).toHaveLength(MAX_STORED_FINDINGS);
    expect(Number((result.findingsOmitted as { value: string }).value)).toBeGreaterThan(n - MAX_STORED_FINDINGS);
    const errors = w.itemsOfType('alert').find((a) => a.kind === 'reconciliation-errors')!;
    expect(errors.state).toBe('sent');
    expect(String(errors.detail).split('\n').length).toBeLessThanOrEqual(21);
    expect(errors.detail).toMatch(/and 70 more error\(s\)/);
    // Errors are what the stored list keeps first.
    expect((result.findings as { severity: string }[]).filter((f) => f.severity === 'error')).toHaveLength(90);
    expect(w.failures).toEqual({ ingest: 0, stream: 0 });
  });
});

describe('late filing', () => {
  it('a late initial is alerted once even when its amendment arrived first (the initial is never effective)', async () => {
    for (const amendmentFirst of [false, true]) {
      const w = new World();
      const i = w.upload('i.txt', makeFiling({ firmName: FIRM, submitDate: '2014-11-12' }));
      const a = w.upload('a.txt', makeFiling({ firmName: FIRM, filingType: 'AMENDMENT', submitDate: '2014-11-13' }));
      await w.run(...(amendmentFirst ? [a, i] : [i, a]));
      expect(
        publishedAlerts(w).map((x) => x.kind),
        `amendment first ${amendmentFirst}`,
      ).toEqual(['late-filing']);
      expect(w.dynamo.get(`FIRM#${FIRM_ID}#DAY#2014-11-06`, 'HEAD')).toMatchObject({
        late: false,
        versions: { value: '2' },
      });
    }
  });
});
