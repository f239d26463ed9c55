/**
 * The rules of time without a store: which version is effective (shared/domain/versions.ts) and
 * what a day's evaluation says given what was said before (shared/domain/episodes.ts planDay).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dec } from '../../shared/domain/money';
import type { AlertRecord, VersionRef } from '../../shared/domain/alerts';
import {
  basisOf,
  DAY_CHANNELS,
  planDay,
  spokenOf,
  type DayInput,
  type PreviousStatement,
} from '../../shared/domain/episodes';
import type { StatementKey } from '../../shared/domain/forms';
import {
  arrivalTime,
  effectiveVersion,
  inEffectiveOrder,
  standing,
  type StatementsSummary,
  type VersionOrder,
} from '../../shared/domain/versions';

const v = (
  versionKey: string,
  filingType: 'INITIAL' | 'AMENDMENT',
  submitDate: string,
  arrivedAt: string,
): VersionOrder => ({ versionKey, filingType, submitDate, arrivedAt });

describe('the effective version', () => {
  it('the latest submitted amendment; among the same type and submit date, the one that arrived last; never the content hash', () => {
    const i = v('0#2025-11-25#ffff', 'INITIAL', '2025-11-25', '2025-11-25T14:00:00.000Z');
    const a1 = v('1#2025-11-26#ffff', 'AMENDMENT', '2025-11-26', '2025-11-26T09:00:00.000Z');
    const a2 = v('1#2025-11-26#0000', 'AMENDMENT', '2025-11-26', '2025-11-26T10:00:00.000Z');
    const a0 = v('1#2025-11-25#9999', 'AMENDMENT', '2025-11-25', '2025-11-27T10:00:00.000Z');
    expect(effectiveVersion([i, a1, a2, a0])?.versionKey).toBe(a2.versionKey);
    expect(inEffectiveOrder([a2, a0, i, a1]).map((x) => x.versionKey)).toEqual(
      [i, a0, a1, a2].map((x) => x.versionKey),
    );
    expect(standing(a2, [i, a1, a2])).toMatch(/last of 2 submitted that day to arrive/);
    expect(standing(a1, [i, a1, a2])).toMatch(
      /superseded by 1#2025-11-26#0000 \(submitted the same day and arrived later\)/,
    );
    expect(standing(i, [i, a1])).toMatch(/an amendment replaces the initial filing/);
  });

  it('does not depend on the order the versions are listed in (any permutation, the same one)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            amendment: fc.boolean(),
            day: fc.integer({ min: 1, max: 3 }),
            at: fc.integer({ min: 0, max: 50 }),
            h: fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16).padStart(4, '0')),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.integer(),
        (specs, seed) => {
          const vs = specs.map((s, n) =>
            v(
              `${s.amendment ? 1 : 0}#2025-11-2${s.day}#${s.h}${n}`,
              s.amendment ? 'AMENDMENT' : 'INITIAL',
              `2025-11-2${s.day}`,
              new Date(Date.UTC(2025, 10, 20, 0, s.at)).toISOString(),
            ),
          );
          const shuffled = [...vs].sort(
            (a, b) =>
              ((a.versionKey.charCodeAt(a.versionKey.length - 1) * 31 + seed) % 7) -
              ((b.versionKey.charCodeAt(b.versionKey.length - 1) * 31 + seed) % 7),
          );
          expect(effectiveVersion(shuffled)).toEqual(effectiveVersion(vs));
        },
      ),
    );
  });

  it('arrival times sort as strings: S3 event times normalized to ISO-8601 UTC with milliseconds', () => {
    expect(arrivalTime('2025-11-26T15:04:05Z', 'x')).toBe('2025-11-26T15:04:05.000Z');
    expect(arrivalTime('2025-11-26T10:04:05.123-05:00', 'x')).toBe('2025-11-26T15:04:05.123Z');
    expect(arrivalTime(undefined, '2025-11-26T00:00:00.000Z')).toBe('2025-11-26T00:00:00.000Z');
    expect(arrivalTime('not a time', 'fallback')).toBe('fallback');
  });
});

// ---- episodes --------------------------------------------------------------------------------

const REF: VersionRef = {
  firmId: 'acme',
  firmName: 'Acme LLC',
  endDate: '2025-11-26',
  submitDate: '2025-11-28',
  filingType: 'AMENDMENT',
  versionKey: '1#2025-11-28#abcd',
  source: { bucket: 'b', key: 'incoming/a.txt' },
};
const stmt = (excess: string, status: string, target: string | null = '100'): StatementsSummary[StatementKey] => ({
  required: dec('1000'),
  funds: dec('1000').plus(dec(excess)),
  excess: dec(excess),
  target: target === null ? null : dec(target),
  targetSource: target === null ? null : 'statement',
  status: status as never,
  title: '',
  variant: '',
});
function day(
  statements: StatementsSummary,
  outbox: AlertRecord[] = [],
  previous: Partial<Record<StatementKey, PreviousStatement | null>> = {},
): DayInput {
  return { effective: { ref: REF, statements, findings: [], errorCount: 0 }, previous, outbox };
}
/** Say what planDay says, as if it were put in the outbox, and return it. */
function say(outbox: AlertRecord[], input: DayInput): AlertRecord[] {
  const out = planDay({ ...input, outbox });
  outbox.push(...out);
  return out;
}

describe('what a day says (planDay)', () => {
  it('a deficiency, its cure, the same deficiency again: three words on the channel, numbered; the same state again says nothing', () => {
    const outbox: AlertRecord[] = [];
    const short = day({ segregation: stmt('-5', 'deficiency') });
    const fine = day({ segregation: stmt('500', 'ok') });
    expect(say(outbox, short).map((a) => [a.kind, a.seq, a.channel])).toEqual([
      ['deficiency', 1, 'shortfall:segregation'],
    ]);
    expect(say(outbox, short)).toEqual([]);
    expect(say(outbox, fine).map((a) => [a.kind, a.seq, a.resolves])).toEqual([['resolved', 2, 'deficiency']]);
    expect(say(outbox, fine)).toEqual([]);
    const again = say(outbox, short);
    expect(again.map((a) => [a.kind, a.seq])).toEqual([['deficiency', 3]]);
    expect(again[0].id).not.toBe(outbox[0].id);
    expect(again[0].shortfall?.toFixed()).toBe('105');
  });

  it('the same inputs give the same alerts and ids (a retry puts what the first attempt put)', () => {
    const input = day({ segregation: stmt('-5', 'deficiency'), secured: stmt('50', 'below-target') });
    expect(planDay(input)).toEqual(planDay(input));
  });

  it('a changed figure or kind is a new word; figures in doubt (the statement does not reconcile) say nothing, not even resolved', () => {
    const outbox: AlertRecord[] = [];
    say(outbox, day({ clearedSwaps: stmt('-5', 'deficiency') }));
    expect(
      say(outbox, day({ clearedSwaps: stmt('-7', 'deficiency') })).map((a) => [a.kind, a.excess?.toFixed()]),
    ).toEqual([['deficiency', '-7']]);
    expect(say(outbox, day({ clearedSwaps: stmt('50', 'below-target') })).map((a) => a.kind)).toEqual(['below-target']);
    expect(say(outbox, day({ clearedSwaps: stmt('500', 'error') }))).toEqual([]);
    expect(say(outbox, day({}))).toEqual([]);
    expect(say(outbox, day({ clearedSwaps: stmt('500', 'ok') })).map((a) => a.kind)).toEqual(['resolved']);
  });

  it('the excess drop: against the previous filing day of the statement, taken back when the figures no longer drop', () => {
    const outbox: AlertRecord[] = [];
    const prev = (excess: string, status = 'ok'): PreviousStatement => ({
      endDate: '2025-11-25',
      excess: dec(excess),
      status: status as never,
    });
    const drop = say(outbox, day({ segregation: stmt('700', 'ok') }, [], { segregation: prev('1000') }));
    expect(
      drop.map((a) => [a.kind, a.channel, a.previousExcess?.toFixed(), a.previousDate, a.shortfall?.toFixed()]),
    ).toEqual([['excess-drop', 'drop:segregation', '1000', '2025-11-25', '300']]);
    // Exactly 25% is not more than 25%.
    expect(
      planDay(day({ segregation: stmt('750', 'ok') }, [], { segregation: prev('1000') })).filter(
        (a) => a.kind === 'excess-drop',
      ),
    ).toEqual([]);
    // An amendment of the previous day: 700 is not more than 25% below 900; the drop is taken back.
    expect(
      say(outbox, day({ segregation: stmt('700', 'ok') }, [], { segregation: prev('900') })).map((a) => [
        a.kind,
        a.resolves,
      ]),
    ).toEqual([['resolved', 'excess-drop']]);
    expect(
      say(outbox, day({ segregation: stmt('700', 'ok') }, [], { segregation: prev('950') })).map((a) => [
        a.kind,
        a.previousExcess?.toFixed(),
        a.seq,
      ]),
    ).toEqual([['excess-drop', '950', 3]]);
    // The previous day in doubt: nothing; no filing the previous day: the drop is taken back.
    expect(say(outbox, day({ segregation: stmt('700', 'ok') }, [], { segregation: prev('950', 'error') }))).toEqual([]);
    expect(
      say(outbox, day({ segregation: stmt('700', 'ok') }, [], { segregation: null })).map((a) => [a.kind, a.resolves]),
    ).toEqual([['resolved', 'excess-drop']]);
    // A non-positive previous excess never drops.
    expect(
      planDay(day({ segregation: stmt('-700', 'deficiency') }, [], { segregation: prev('0') })).map((a) => a.kind),
    ).toEqual(['deficiency']);
  });

  it('legacy alerts in the outbox (before channels: no seq) count as said', () => {
    const legacy = {
      ...planDay(day({ segregation: stmt('-5', 'deficiency') }))[0],
      channel: undefined,
      seq: undefined,
      id: 'legacy',
    } as AlertRecord;
    expect(
      spokenOf([legacy])
        .get('shortfall:segregation')
        ?.map((x) => x.id),
    ).toEqual(['legacy']);
    expect(planDay(day({ segregation: stmt('-5', 'deficiency') }, [legacy]))).toEqual([]);
    expect(planDay(day({ segregation: stmt('500', 'ok') }, [legacy])).map((a) => [a.kind, a.seq])).toEqual([
      ['resolved', 1],
    ]);
  });

  it('the channels are data: every kind of a channel has a severity, and the basis changes exactly with excess, target or status', () => {
    expect(DAY_CHANNELS.map((c) => c.family)).toEqual(['shortfall', 'drop']);
    const a = basisOf('2025-11-26', { segregation: stmt('5', 'ok') });
    const other: StatementsSummary = { segregation: { ...stmt('5', 'ok')!, title: 'other' } };
    expect(basisOf('2025-11-26', other)).toBe(a);
    // the target too: the recent-days channels (target-changed) read it
    expect(basisOf('2025-11-26', { segregation: { ...stmt('5', 'ok')!, target: dec('1') } })).not.toBe(a);
    expect(basisOf('2025-11-26', { segregation: stmt('6', 'ok') })).not.toBe(a);
    expect(basisOf('2025-11-26', { segregation: stmt('5', 'error') })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });
});
