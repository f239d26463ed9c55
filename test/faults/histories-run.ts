/** Running a random history through the in-memory pipeline, and checking it (histories.property.test.ts). */
import { expect } from 'vitest';
import { alertFromItem } from '../../shared/adapters/store';
import { STATEMENT_KEYS } from '../../shared/domain/forms';
import type { FaultDecision } from '../support/mock-dynamodb';
import { awsError, prng, World } from '../support/mock-pipeline';
import { expectedLate, expectedSequence, factsOf, objectText, saidKey, truth, wordKeyOf, type History } from '../support/histories';

export const tally = { runs: 0, events: 0, objects: 0, versions: 0, faults: 0, words: 0, byMode: { serial: 0, batch: 0, concurrent: 0 } as Record<string, number> };

export type Mode = 'serial' | 'batch' | 'concurrent';

/** Run a history through a fresh World; returns the world and the alert ids in the duplicate window. */
export async function runHistory(h: History, mode: Mode, seed: number, faultRate: number): Promise<{ w: World; window: Map<string, number> }> {
  const w = new World(40);
  if (mode === 'concurrent') w.withJitter(seed);
  const rnd = prng(seed ^ 0x5eed);
  const window = new Map<string, number>();
  w.dynamo.faults = (r): FaultDecision => {
    if (faultRate === 0 || rnd() >= faultRate) return undefined;
    tally.faults++;
    const before = rnd() < 0.6;
    // A mark-sent that fails unapplied: the documented window for a second copy.
    if (before && r.kind === 'update' && r.describe.includes(':sent') && !r.describe.includes('suppressed')) window.set(r.sk.slice(2), (window.get(r.sk.slice(2)) ?? 0) + 1);
    return before ? { throwBefore: awsError('ThrottlingException', 'Rate of requests exceeds the allowed throughput.', 400) } : { throwAfter: awsError('TimeoutError', 'response lost', 0) };
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
  return { w, window };
}

/** Every invariant of the header, on one processed history. */
export function checkHistory(h: History, w: World, mode: Mode, window: Map<string, number>): void {
  const all = truth(h, h.deliveries);
  const items = w.dynamo.all();
  // 1. Effective versions, heads, marks, results.
  const heads = items.filter((i) => i.type === 'head');
  expect(heads).toHaveLength(all.size);
  for (const day of all.values()) {
    const pk = `FIRM#${day.firmId}#DAY#${day.endDate}`;
    const head = w.dynamo.get(pk, 'HEAD');
    expect(head, `head of ${pk}`).toMatchObject({ effective: day.effective, versions: { value: String(day.versions.length) }, late: day.late });
    const versions = items.filter((i) => i.pk === pk && i.type === 'filing');
    expect(versions.map((v) => v.versionKey).sort()).toEqual([...day.versions].sort());
    for (const v of versions) {
      if (v.versionKey === day.effective) expect(v, `effective ${v.versionKey}`).toMatchObject({ superseded: false });
      else expect(v, `superseded ${v.versionKey}`).toMatchObject({ superseded: true, supersededBy: day.effective, state: 'done' });
      expect(w.dynamo.get(pk, `R#${v.versionKey}`), `result of ${v.versionKey}`).toBeDefined();
    }
  }
  // Every alert of the outbox went out.
  const alertItems = items.filter((i) => i.type === 'alert');
  expect(alertItems.filter((a) => a.state !== 'sent').map((a) => `${a.kind} ${a.pk}`)).toEqual([]);
  const byId = new Map(alertItems.map((a) => [a.id as string, alertFromItem(a)]));

  // 2. Published once (outside the window), in order per channel.
  const counts = w.publishCounts();
  for (const [id, n] of counts) expect(n, `publishes of ${byId.get(id)?.kind} ${id}`).toBeLessThanOrEqual(1 + (window.get(id) ?? 0));
  const channels = new Map<string, string[]>();
  const ids = new Map<string, string[]>();
  for (const p of w.published) {
    const id = /Alert id: ([0-9a-f]+)/.exec(p.input.Message ?? '')![1];
    const a = byId.get(id)!;
    if (!a.channel) continue;
    const ch = `${a.firmId} ${a.endDate} ${a.channel}`;
    const s = (x: { toFixed(): string } | null) => (x === null ? null : x.toFixed());
    const key = saidKey({ kind: a.kind, excess: s(a.excess), target: s(a.target), shortfall: s(a.shortfall), previousExcess: s(a.previousExcess), previousDate: a.previousDate });
    const list = channels.get(ch) ?? [];
    const idList = ids.get(ch) ?? [];
    // The same word twice in a row only as a second copy of the same alert (the window).
    if (list.at(-1) === key) expect(idList.at(-1) === id && window.has(id), `${ch} said ${key} twice in a row`).toBe(true);
    else {
      list.push(key);
      idList.push(id);
    }
    channels.set(ch, list);
    ids.set(ch, idList);
  }
  // 1. The last word on every channel matches the final effective filings.
  for (const [k, day] of all)
    for (const [ch, want] of day.wanted) {
      const last = channels.get(`${k} ${ch}`)?.at(-1);
      tally.words++;
      if (want === null) expect(last === undefined || last === 'resolved', `${k} ${ch}: last word ${last}, the effective filing calls for none`).toBe(true);
      else expect(last, `${k} ${ch}: last word`).toBe(wordKeyOf(want));
    }
  // The effective version of a day with a statement that does not reconcile: its errors were told.
  for (const day of all.values()) {
    const facts = [...h.versions].map(factsOf).find((f) => f.versionKey === day.effective)!;
    if (STATEMENT_KEYS.some((k) => facts.statements[k]?.status === 'error'))
      expect([...byId.values()].some((a) => a.kind === 'reconciliation-errors' && a.versionKey === day.effective && counts.has(a.id)), `errors of ${day.effective}`).toBe(true);
  }
  // 3. One event at a time: exactly the changes of the wanted words, in order.
  if (mode === 'serial') expect(Object.fromEntries(channels)).toEqual(Object.fromEntries(expectedSequence(h)));
  // 4. Late initial versions: one late-filing alert each, whatever the order.
  const late = new Set([...byId.values()].filter((a) => a.kind === 'late-filing' && counts.has(a.id)).map((a) => `${a.firmId} ${a.endDate} ${a.submitDate}`));
  expect([...late].sort()).toEqual([...expectedLate(h)].sort());
}

