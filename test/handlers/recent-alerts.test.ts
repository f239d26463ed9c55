/**
 * target-changed and trend-to-target raised by the pipeline (ingest, reconcile, notify over the
 * real Store on the in-memory table): a hand-computed linear decline fires on exactly the day
 * computed by hand, once; a target change once; the same filings in another order (late earlier
 * days, an amendment of an earlier day) end in the same alerts, and words no longer called for are
 * taken back with `resolved`.
 *
 * The sample's Segregation Statement: excess $284,415,796, management target $252,400,000. The
 * series moves the excess by 100M - 10M i on the i-th filing day from 2025-11-18 (Thanksgiving
 * 2025-11-27 is not one): excess_i = 384,415,796 - 10,000,000 i, a straight line (the Theil-Sen line
 * through 5 or more of its points is the line itself). Below the target when 10M (i + k) >
 * 132,015,796, i.e. i + k >= 14; the window is k <= 5 filing days ahead, so the projection first
 * enters it on i = 9 (k = 5: projected 384,415,796 - 140,000,000 = $244,415,796). Day 9 is
 * 2025-12-02 (11/18 19 20 21 24 25 26 28, 12/1, 12/2), day 14 is 2025-12-09.
 */
import { describe, expect, it } from 'vitest';
import { alertFromItem } from '../../shared/adapters/store';
import { dueDay, filingDays } from '../../shared/domain/calendar';
import { filingText, type VersionSpec } from '../support/histories';
import { World } from '../support/mock-pipeline';

const FIRM = 'Larkspur Clearing LLC';
const DAYS = filingDays('segregation', '2025-11-18', '2025-12-12');
const M = 1_000_000n;

function spec(i: number, o: { targetBy?: bigint; extra?: bigint; amendment?: boolean } = {}): VersionSpec {
  const endDate = DAYS[i];
  const submit = dueDay('segregation', endDate);
  return {
    firm: FIRM,
    endDate,
    filingType: o.amendment ? 'AMENDMENT' : 'INITIAL',
    submitDate: submit,
    levels: { segregation: 'normal', secured: 'normal', clearedSwaps: 'normal' },
    seg: { excessBy: 100n * M - 10n * M * BigInt(i) + (o.extra ?? 0n), targetBy: o.targetBy },
  };
}

async function run(
  specs: VersionSpec[],
  order: number[] = specs.map((_, i) => i),
  mode: 'serial' | 'batch' = 'serial',
) {
  const w = new World();
  const records = specs.map((s, i) =>
    w.upload(`larkspur/${i}.txt`, filingText(s), {
      eventTime: new Date(Date.UTC(2025, 10, 18, 14) + 60_000 * i).toISOString(),
    }),
  );
  for (const i of order) {
    await w.deliver(records[i]);
    if (mode === 'serial') await w.drain();
  }
  await w.drain();
  const alerts = w.itemsOfType('alert').map(alertFromItem);
  const messages = w.published.map((p) => ({ subject: p.input.Subject ?? '', body: p.input.Message ?? '' }));
  return { w, alerts, messages };
}

/** The last word on each recent-days channel: `<day> <channel> <kind>` (only channels that said something). */
function lastWords(alerts: ReturnType<typeof alertFromItem>[]): string[] {
  const last = new Map<string, (typeof alerts)[number]>();
  for (const a of alerts) {
    if (!a.channel || !/^(target|trend):/.test(a.channel)) continue;
    const k = `${a.endDate} ${a.channel}`;
    const was = last.get(k);
    if (!was || (was.seq ?? 0) < (a.seq ?? 0)) last.set(k, a);
  }
  return [...last].map(([k, a]) => `${k} ${a.kind}`).sort();
}

const kinds = (alerts: ReturnType<typeof alertFromItem>[], kind: string) =>
  alerts.filter((a) => a.kind === kind).map((a) => `${a.endDate} ${a.statement}`);

describe('trend-to-target through the pipeline', () => {
  it('a linear decline fires on exactly the day computed by hand (2025-12-02), once, with the exact figures; sent by notify', async () => {
    expect(DAYS[9]).toBe('2025-12-02');
    const specs = DAYS.slice(0, 12).map((_, i) => spec(i));
    const { alerts, messages } = await run(specs);
    expect(kinds(alerts, 'trend-to-target')).toEqual(['2025-12-02 segregation']);
    expect(kinds(alerts, 'target-changed')).toEqual([]);
    expect(alerts.filter((a) => a.kind === 'resolved')).toEqual([]);
    const a = alerts.find((x) => x.kind === 'trend-to-target')!;
    expect([
      a.excess?.toFixed(),
      a.target?.toFixed(),
      a.slope?.toFixed(),
      a.projectedExcess?.toFixed(),
      a.projectedDate,
      a.filingDaysToTarget,
      a.severity,
      a.state,
    ]).toEqual(['294415796', '252400000', '-10000000', '244415796', DAYS[14], 5, 'warning', 'sent']);
    const m = messages.filter((x) => x.subject.startsWith('[TREND TO TARGET]'));
    expect(m).toHaveLength(1);
    expect(m[0].subject).toBe(
      '[TREND TO TARGET] Larkspur Clearing LLC segregation 2025-12-02 $42,015,796 over target, falling',
    );
    expect(m[0].body).toContain('Excess:      $294,415,796');
    expect(m[0].body).toContain('Target:      $252,400,000');
    expect(m[0].body).toContain('Trend:       -$10,000,000 per filing day');
    expect(m[0].body).toContain(`Projected:   $244,415,796 on ${DAYS[14]}, 5 filing days ahead`);
  });

  it('the same filings in reverse order, and all stored before the stream runs: the same last words, and the decline said on the same day', async () => {
    const specs = DAYS.slice(0, 12).map((_, i) => spec(i));
    const inOrder = await run(specs);
    const reversed = await run(
      specs,
      specs.map((_, i) => specs.length - 1 - i),
    );
    const batch = await run(specs, [5, 11, 0, 9, 3, 7, 1, 10, 2, 8, 4, 6], 'batch');
    expect(lastWords(inOrder.alerts)).toEqual(['2025-12-02 trend:segregation trend-to-target']);
    // Reversed, the later days arrive first and each is, for a while, the first day in the window:
    // they warn, and are taken back (`resolved`) once the earlier days arrive. Last words: the same.
    const said = (x: string[]) => x.filter((w) => !w.endsWith(' resolved'));
    expect(said(lastWords(reversed.alerts))).toEqual(lastWords(inOrder.alerts));
    expect(lastWords(reversed.alerts).filter((w) => w.endsWith(' resolved')).length).toBeGreaterThan(0);
    expect(said(lastWords(batch.alerts))).toEqual(lastWords(inOrder.alerts));
    // Each alert of the outbox was sent once, nothing pending.
    for (const r of [reversed, batch]) {
      expect(r.alerts.filter((a) => a.state !== 'sent')).toEqual([]);
      const ids = r.messages.map((x) => /Alert id: ([0-9a-f]+)/.exec(x.body)![1]);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('an amendment of an earlier day that moves the entry earlier: the later warning is withdrawn (resolved), the earlier day warned', async () => {
    // Days 4..9 arrive; day 9 warns (day 8: 8 + 5 = 13 < 14, not in the window). Then an amendment
    // of day 8 (2025-12-01) raises its target by 10M to $262,400,000: day 8's line (through 4..8,
    // the same line) is $254,415,796 at i = 13, below its new target, so day 8 warns; day 9's
    // previous point day (8) was in the window with its own target, so day 9's warning no longer
    // holds and is taken back. The target changes twice: up on day 8, back down on day 9.
    const base = DAYS.slice(0, 10).map((_, i) => spec(i));
    const amend = { ...spec(8, { targetBy: 10n * M, amendment: true }), submitDate: DAYS[10] };
    const specs = [...base, amend];
    const { alerts, messages } = await run(specs, [4, 5, 6, 7, 8, 9, 10]);
    const trend = alerts
      .filter((a) => a.channel?.startsWith('trend:'))
      .map((a) => `${a.endDate} ${a.kind} #${a.seq}`)
      .sort();
    expect(trend).toEqual(['2025-12-01 trend-to-target #1', '2025-12-02 resolved #2', '2025-12-02 trend-to-target #1']);
    expect(messages.map((m) => m.subject).filter((x) => x.includes('trend warning withdrawn'))).toEqual([
      '[RESOLVED] Larkspur Clearing LLC segregation 2025-12-02 trend warning withdrawn',
    ]);
    expect(kinds(alerts, 'target-changed')).toEqual(['2025-12-01 segregation', '2025-12-02 segregation']);
    const said = (x: string[]) => x.filter((w) => !w.endsWith(' resolved'));
    expect(said(lastWords(alerts))).toEqual([
      '2025-12-01 target:segregation target-changed',
      '2025-12-01 trend:segregation trend-to-target',
      '2025-12-02 target:segregation target-changed',
    ]);
    // In the other order (the amendment before day 9) day 9 never warns at all: the same last words.
    const other = await run(specs, [4, 5, 6, 7, 8, 10, 9]);
    expect(lastWords(other.alerts)).toEqual(said(lastWords(alerts)));
    expect(kinds(other.alerts, 'trend-to-target')).toEqual(['2025-12-01 segregation']);
  });
});

describe('the alert items', () => {
  it('round-trip the new fields exactly (amounts as DynamoDB numbers written from decimal strings, never a JS number)', async () => {
    const { w, alerts } = await run(DAYS.slice(0, 12).map((_, i) => spec(i)));
    const trend = alerts.find((a) => a.kind === 'trend-to-target')!;
    const raw = w.itemsOfType('alert').find((i) => i.id === trend.id)!;
    // The fake DynamoDB keeps what the document client sent: NumberValue from strings.
    expect([raw.slope, raw.projectedExcess, raw.filingDaysToTarget].map((x) => (x as { value: string }).value)).toEqual(
      ['-10000000', '244415796', '5'],
    );
    expect(raw.projectedDate).toBe(DAYS[14]);
    const back = await w.store.getAlert(trend.pk, trend.sk);
    expect(back).toEqual(trend);
    // A target-changed with a cent-exact target: the previous target keeps every digit.
    const specs = DAYS.slice(0, 3).map(
      (d, i): VersionSpec => ({
        ...spec(0),
        endDate: d,
        submitDate: dueDay('segregation', d),
        seg: { targetBy: i === 2 ? 1n : 0n },
      }),
    );
    const r = await run(specs);
    const change = r.alerts.find((a) => a.kind === 'target-changed')!;
    expect([change.previousTarget?.toFixed(), change.target?.toFixed()]).toEqual(['252400000', '252400001']);
    expect((r.w.itemsOfType('alert').find((i) => i.id === change.id)!.previousTarget as { value: string }).value).toBe(
      '252400000',
    );
    // Kinds that do not set them have none of them.
    const other = r.w.itemsOfType('alert').find((i) => i.kind !== 'target-changed');
    if (other)
      for (const k of ['previousTarget', 'slope', 'projectedExcess', 'projectedDate', 'filingDaysToTarget'])
        expect(other[k]).toBeUndefined();
  });
});

describe('target-changed through the pipeline', () => {
  it('a target change raises target-changed once, on the day it changes, with both targets; sent by notify', async () => {
    // A flat series (no trend): the target goes up 10M from day 3 on.
    const specs = DAYS.slice(0, 6).map(
      (d, i): VersionSpec => ({
        ...spec(0),
        endDate: d,
        submitDate: dueDay('segregation', d),
        seg: { targetBy: i >= 3 ? 10n * M : 0n },
      }),
    );
    const { alerts, messages } = await run(specs);
    expect(kinds(alerts, 'target-changed')).toEqual([`${DAYS[3]} segregation`]);
    const a = alerts.find((x) => x.kind === 'target-changed')!;
    expect([a.previousTarget?.toFixed(), a.target?.toFixed(), a.previousDate, a.severity, a.state]).toEqual([
      '252400000',
      '262400000',
      DAYS[2],
      'info',
      'sent',
    ]);
    const m = messages.filter((x) => x.subject.startsWith('[TARGET CHANGED]'));
    expect(m.map((x) => x.subject)).toEqual([
      `[TARGET CHANGED] Larkspur Clearing LLC segregation ${DAYS[3]} target $252,400,000 -> $262,400,000`,
    ]);
    expect(m[0].body).toContain(`Previous:    $252,400,000 on ${DAYS[2]}`);
    expect(m[0].body).toContain('Target:      $262,400,000');
    // Shuffled: the same single change (a day arriving before its predecessor compares with the
    // day before that, then is evaluated again when the predecessor arrives).
    // Day 3 before day 2 compares with day 0 (same change); day 5 before 3 and 4 compares with day 2 (a change, then taken back).
    const shuffled = await run(specs, [5, 3, 0, 4, 1, 2]);
    expect(lastWords(shuffled.alerts).filter((x) => !x.endsWith(' resolved'))).toEqual([
      `${DAYS[3]} target:segregation target-changed`,
    ]);
  });
});
