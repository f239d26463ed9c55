/**
 * target-changed and trend-to-target on DynamoDB Local with the real handlers (the local stack:
 * s3rver events, the local queue, parse, the stream driver, reconcile, notify, the SNS stand-in):
 * a declining series with a target change uploaded all at once, in a shuffled order, lands in the
 * outbox and is sent by notify. The figures are hand-computed in test/handlers/recent-alerts.test.ts
 * (excess_i = 384,415,796 - 10,000,000 i; the projection enters the window on day 9, 2025-12-02).
 * Here the target also rises 10M from day 11 (2025-12-04) on, which the trend reads with the new
 * target: day 11's excess, $274,415,796, is $12,015,796 over $262,400,000 and projected below it 2
 * filing days ahead, but its previous point day (10) was in the window already: not raised again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPipeline } from '../../infra/local/stack';
import { dueDay, filingDays } from '../../shared/domain/calendar';
import { firmIdOf } from '../../shared/domain/parser';
import { filingText, type VersionSpec } from '../support/histories';
import { startTestStack } from '../support/local-stack';

let stack: LocalPipeline;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const M = 1_000_000n;
const FIRM = 'Foxglove Futures LLC';
const DAYS = filingDays('segregation', '2025-11-18', '2025-12-12');

describe('recent-days alerts on DynamoDB Local (real handlers)', () => {
  it('a declining series with a target change, uploaded at once in a shuffled order: one trend-to-target on 2025-12-02 and one target-changed on 2025-12-04 in the outbox, both sent', async () => {
    const specs: VersionSpec[] = DAYS.slice(0, 12).map((endDate, i) => ({
      firm: FIRM,
      endDate,
      filingType: 'INITIAL',
      submitDate: dueDay('segregation', endDate),
      levels: { segregation: 'normal', secured: 'normal', clearedSwaps: 'normal' },
      seg: { excessBy: 100n * M - 10n * M * BigInt(i), targetBy: i >= 11 ? 10n * M : 0n },
    }));
    const order = [7, 2, 11, 0, 9, 4, 1, 10, 5, 3, 8, 6];
    const before = stack.published().length;
    const keys = await Promise.all(
      order.map((i) => stack.upload(Buffer.from(filingText(specs[i])), `incoming/foxglove/${specs[i].endDate}.txt`)),
    );
    await stack.waitUntilProcessed(keys);
    await stack.waitForIdle(120_000);

    const firmId = firmIdOf(FIRM);
    const outbox = (await Promise.all(DAYS.slice(0, 12).map((d) => stack.store.listAlerts(firmId, d)))).flat();
    const lastOn = new Map<string, (typeof outbox)[number]>();
    for (const a of outbox) {
      if (!a.channel || !/^(target|trend):/.test(a.channel)) continue;
      const k = `${a.endDate} ${a.channel}`;
      if ((lastOn.get(k)?.seq ?? 0) < (a.seq ?? 0)) lastOn.set(k, a);
    }
    // What the subscriber was told last on each channel: the words the final filings call for
    // (earlier words of days that were, for a while, the first in the window were taken back).
    const said = [...lastOn]
      .filter(([, a]) => a.kind !== 'resolved')
      .map(([k, a]) => `${k} ${a.kind}`)
      .sort();
    expect(said).toEqual([
      '2025-12-02 trend:segregation trend-to-target',
      '2025-12-04 target:segregation target-changed',
    ]);
    expect(outbox.filter((a) => a.state !== 'sent')).toEqual([]);

    const trend = lastOn.get('2025-12-02 trend:segregation')!;
    expect([
      trend.excess?.toFixed(),
      trend.target?.toFixed(),
      trend.slope?.toFixed(),
      trend.projectedExcess?.toFixed(),
      trend.projectedDate,
      trend.filingDaysToTarget,
    ]).toEqual(['294415796', '252400000', '-10000000', '244415796', DAYS[14], 5]);
    const change = lastOn.get('2025-12-04 target:segregation')!;
    expect([change.previousTarget?.toFixed(), change.target?.toFixed(), change.previousDate]).toEqual([
      '252400000',
      '262400000',
      '2025-12-03',
    ]);

    const published = stack.published().slice(before);
    const byId = (id: string) => published.filter((m) => m.message.includes(`Alert id: ${id}`));
    expect(byId(trend.id).map((m) => m.subject)).toEqual([
      '[TREND TO TARGET] Foxglove Futures LLC segregation 2025-12-02 $42,015,796 over target, falling',
    ]);
    expect(byId(trend.id)[0].message).toContain(`Projected:   $244,415,796 on ${DAYS[14]}, 5 filing days ahead`);
    expect(byId(change.id).map((m) => m.subject)).toEqual([
      '[TARGET CHANGED] Foxglove Futures LLC segregation 2025-12-04 target $252,400,000 -> $262,400,000',
    ]);
    // Every alert of the outbox published exactly once.
    for (const a of outbox) expect(byId(a.id), `${a.kind} ${a.endDate}`).toHaveLength(1);
    expect(stack.deadLetters()).toEqual([]);
    expect(stack.onFailure()).toEqual([]);
  }, 300_000);
});
