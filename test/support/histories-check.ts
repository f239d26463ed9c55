/**
 * The invariants of the time property tests, on the items of a processed history and the messages
 * published (the in-memory World, or the local stack on DynamoDB Local). What they mean:
 * test/faults/histories.property.test.ts.
 */
import { expect } from 'vitest';
import { alertFromItem } from '../../shared/adapters/store';
import { STATEMENT_KEYS } from '../../shared/domain/forms';
import { expectedLate, expectedSequence, factsOf, saidKey, truth, wordKeyOf, type History } from './histories';

export type Mode = 'serial' | 'batch' | 'concurrent';

/** What a run left: every item of the table that concerns the history, the messages published in order. */
export interface TableView {
  items: Record<string, unknown>[];
  messages: string[];
}

/** Every invariant of the header, on one processed history. */
export function checkHistory(h: History, view: TableView, mode: Mode, window: Map<string, number> = new Map()): void {
  const all = truth(h, h.deliveries);
  const items = view.items;
  const get = (pk: string, sk: string) => items.find((i) => i.pk === pk && i.sk === sk);
  // 1. Effective versions, heads, marks, results.
  const heads = items.filter((i) => i.type === 'head');
  expect(heads).toHaveLength(all.size);
  for (const day of all.values()) {
    const pk = `FIRM#${day.firmId}#DAY#${day.endDate}`;
    const head = get(pk, 'HEAD');
    expect(head, `head of ${pk}`).toMatchObject({
      effective: day.effective,
      versions: { value: String(day.versions.length) },
      late: day.late,
    });
    const versions = items.filter((i) => i.pk === pk && i.type === 'filing');
    expect(versions.map((v) => v.versionKey).sort()).toEqual([...day.versions].sort());
    for (const v of versions) {
      if (v.versionKey === day.effective) expect(v, `effective ${v.versionKey}`).toMatchObject({ superseded: false });
      else
        expect(v, `superseded ${v.versionKey}`).toMatchObject({
          superseded: true,
          supersededBy: day.effective,
          state: 'done',
        });
      expect(get(pk, `R#${v.versionKey}`), `result of ${v.versionKey}`).toBeDefined();
    }
  }
  // Every alert of the outbox went out.
  const alertItems = items.filter((i) => i.type === 'alert');
  expect(alertItems.filter((a) => a.state !== 'sent').map((a) => `${a.kind} ${a.pk}`)).toEqual([]);
  const byId = new Map(alertItems.map((a) => [a.id as string, alertFromItem(a)]));

  // 2. Published once (outside the window), in order per channel.
  const published = view.messages.map((m) => /Alert id: ([0-9a-f]+)/.exec(m)![1]);
  const counts = new Map<string, number>();
  for (const id of published) counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const [id, n] of counts)
    expect(n, `publishes of ${byId.get(id)?.kind} ${id}`).toBeLessThanOrEqual(1 + (window.get(id) ?? 0));
  const channels = new Map<string, string[]>();
  const ids = new Map<string, string[]>();
  for (const id of published) {
    const a = byId.get(id)!;
    if (!a.channel) continue;
    const ch = `${a.firmId} ${a.endDate} ${a.channel}`;
    const s = (x: { toFixed(): string } | null) => (x === null ? null : x.toFixed());
    const key = saidKey({
      kind: a.kind,
      excess: s(a.excess),
      target: s(a.target),
      shortfall: s(a.shortfall),
      previousExcess: s(a.previousExcess),
      previousDate: a.previousDate,
      previousTarget: s(a.previousTarget ?? null),
      slope: s(a.slope ?? null),
      projectedExcess: s(a.projectedExcess ?? null),
      filingDaysToTarget: a.filingDaysToTarget ? String(a.filingDaysToTarget) : null,
    });
    const list = channels.get(ch) ?? [];
    const idList = ids.get(ch) ?? [];
    // The same word twice in a row only as a second copy of the same alert (the window).
    if (list.at(-1) === key)
      expect(idList.at(-1) === id && window.has(id), `${ch} said ${key} twice in a row`).toBe(true);
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
      if (want === null)
        expect(
          last === undefined || last === 'resolved',
          `${k} ${ch}: last word ${last}, the effective filing calls for none`,
        ).toBe(true);
      else expect(last, `${k} ${ch}: last word`).toBe(wordKeyOf(want));
    }
  // The effective version of a day with a statement that does not reconcile: its errors were told.
  for (const day of all.values()) {
    const facts = [...h.versions].map(factsOf).find((f) => f.versionKey === day.effective)!;
    if (STATEMENT_KEYS.some((k) => facts.statements[k]?.status === 'error'))
      expect(
        [...byId.values()].some(
          (a) => a.kind === 'reconciliation-errors' && a.versionKey === day.effective && counts.has(a.id),
        ),
        `errors of ${day.effective}`,
      ).toBe(true);
  }
  // 3. One event at a time: exactly the changes of the wanted words, in order.
  if (mode === 'serial') expect(Object.fromEntries(channels)).toEqual(Object.fromEntries(expectedSequence(h)));
  // 4. Late initial versions: one late-filing alert each, whatever the order.
  const late = new Set(
    [...byId.values()]
      .filter((a) => a.kind === 'late-filing' && counts.has(a.id))
      .map((a) => `${a.firmId} ${a.endDate} ${a.submitDate}`),
  );
  expect([...late].sort()).toEqual([...expectedLate(h)].sort());
}
