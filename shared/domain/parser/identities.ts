/**
 * Settling doubtful amounts with the form's identities. A token that is not one well-formed
 * number (`5 812,672,420 [8720]`) has candidate readings (cells.ts); one is taken only when it is
 * the only candidate that makes every identity of its line hold (the sums it is the total or an
 * item of, a greater-of, a cross-page repeat, the total of its uncoded sub-lines), each of them
 * checked against lines that were read for sure. Anything less leaves the line unreadable.
 */
import type { Variant } from '../forms';
import { cmp, ZERO, type Decimal } from '../money';
import type { Lines, UncodedLine } from '../model';
import type { Doubt } from './cells';

type Identity =
  | { kind: 'sum'; total: string; terms: { code: string; weight: 1 | -1 }[] }
  | { kind: 'greater'; total: string; items: string[] }
  | { kind: 'equals'; a: string; b: string }
  | { kind: 'parts'; total: string; count: number };

const byVariant = new WeakMap<Variant, Map<string, Identity[]>>();
/** The identities each line of the variant takes part in. */
function identitiesOf(v: Variant): Map<string, Identity[]> {
  let m = byVariant.get(v);
  if (m) return m;
  m = new Map();
  const add = (code: string, id: Identity) => {
    let list = m!.get(code);
    if (!list) m!.set(code, (list = []));
    list.push(id);
  };
  for (const l of v.lines) {
    if (l.sum) {
      const id: Identity = { kind: 'sum', total: l.code, terms: l.sum };
      add(l.code, id);
      for (const t of l.sum) add(t.code, id);
    }
    if (l.greaterOf) {
      const id: Identity = { kind: 'greater', total: l.code, items: l.greaterOf };
      add(l.code, id);
      for (const c of l.greaterOf) add(c, id);
    }
    if (l.equals) {
      const id: Identity = { kind: 'equals', a: l.code, b: l.equals };
      add(l.code, id);
      add(l.equals, id);
    }
    if (l.parts) add(l.code, { kind: 'parts', total: l.code, count: l.parts.length });
  }
  byVariant.set(v, m);
  return m;
}

/** A line's amount for an identity: read for sure, 0 for an optional line not filed, `doubt` while it is one, undefined when missing. */
type Get = (code: string) => Decimal | undefined | 'doubt';

/** Whether identity `id` holds when `code` is `value`: true, false, or null (it cannot be checked: a line missing or in doubt). */
function holds(id: Identity, code: string, value: Decimal, get: Get, uncoded: readonly UncodedLine[]): boolean | null {
  const at = (c: string) => (c === code ? value : get(c));
  switch (id.kind) {
    case 'sum': {
      const total = at(id.total);
      if (total === undefined || total === 'doubt') return null;
      let s = ZERO;
      for (const t of id.terms) {
        const x = at(t.code);
        if (x === undefined || x === 'doubt') return null;
        s = t.weight > 0 ? s.plus(x) : s.minus(x);
      }
      return cmp(s, total) === 0;
    }
    case 'greater': {
      const total = at(id.total);
      if (total === undefined || total === 'doubt') return null;
      let max: Decimal | undefined;
      for (const c of id.items) {
        const x = at(c);
        if (x === undefined || x === 'doubt') return null;
        if (max === undefined || cmp(x, max) > 0) max = x;
      }
      return cmp(max!, total) === 0;
    }
    case 'equals': {
      const a = at(id.a);
      const b = at(id.b);
      if (a === undefined || a === 'doubt' || b === undefined || b === 'doubt') return null;
      return cmp(a, b) === 0;
    }
    case 'parts': {
      const parts = uncoded.filter((u) => u.partOf === id.total);
      if (parts.length !== id.count) return null;
      let s = ZERO;
      for (const p of parts) s = s.plus(p.amount);
      return cmp(s, value) === 0;
    }
  }
}

export interface Settled {
  code: string;
  amount: Decimal;
  /** The token as filed. */
  raw: string;
}

/**
 * Settle the doubts of one statement. Each round takes every doubt with exactly one candidate
 * that makes all of its line's identities hold (at least one of them checkable); settled lines
 * count as read for the next round. Returns what was settled (its amounts are
 * set in `lines`) and leaves the rest in `doubts`.
 */
export function settleDoubts(
  v: Variant,
  lines: Lines,
  uncoded: readonly UncodedLine[],
  doubts: Map<string, Doubt>,
): Settled[] {
  const ids = identitiesOf(v);
  const settled: Settled[] = [];
  const get: Get = (c) => {
    if (doubts.has(c)) return 'doubt';
    const x = lines.get(c);
    if (x !== undefined) return x;
    return v.byCode.get(c)?.optional ? ZERO : undefined;
  };
  // Rounds: first only doubts whose identities can all be checked; when that settles nothing, also
  // those with an identity waiting on another doubt (two doubts in one identity: `8720` and the
  // excess `8730`), which that identity then checks when the other doubt is settled in its turn.
  for (let progress = true, patient = true; doubts.size > 0; ) {
    if (!progress) {
      if (!patient) break;
      patient = false;
    }
    progress = false;
    for (const [code, doubt] of doubts) {
      const mine = ids.get(code) ?? [];
      let chosen: Decimal | undefined;
      let fits = 0;
      for (const candidate of doubt.candidates) {
        let checked = 0;
        let ok = true;
        for (const id of mine) {
          const h = holds(id, code, candidate, get, uncoded);
          if (h === null) {
            // Checkable later, once a doubt it waits for is settled; a missing line: not at all.
            if (patient && identityWaits(id, code, get)) ok = false;
            continue;
          }
          checked++;
          if (!h) ok = false;
        }
        if (ok && checked > 0) {
          fits++;
          chosen = candidate;
        }
      }
      if (fits === 1 && chosen) {
        doubts.delete(code);
        lines.set(code, chosen);
        settled.push({ code, amount: chosen, raw: doubt.raw });
        progress = true;
        patient = true;
      }
    }
  }
  return settled;
}

/** Whether an identity of `code` cannot be checked because another of its lines is in doubt. */
function identityWaits(id: Identity, code: string, get: Get): boolean {
  const codes =
    id.kind === 'sum'
      ? [id.total, ...id.terms.map((t) => t.code)]
      : id.kind === 'greater'
        ? [id.total, ...id.items]
        : id.kind === 'equals'
          ? [id.a, id.b]
          : [];
  return codes.some((c) => c !== code && get(c) === 'doubt');
}
