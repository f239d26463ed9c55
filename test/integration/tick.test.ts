/**
 * `segwatch tick` on the local stack: the real schedule handler against DynamoDB Local, its
 * alerts published by the real notify from the outbox. Around Thanksgiving 2025: three firms file
 * every day, one stops; a fourth stopped filing in October.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPipeline } from '../../infra/local/stack';
import { runTick, type TickJson } from '../../infra/local/tick';
import { filingDays, nextBusinessDay } from '../../shared/domain/calendar';
import { usd } from '../../shared/domain/money';
import { parseAt } from '../../shared/domain/schedule/time';
import { makeFiling, startTestStack } from '../support/local-stack';
import { noStackTrace, run } from '../support/cli';

const FIRMS = ['Alpha Futures LLC', 'Beta Clearing LLC', 'Gamma Markets LLC'] as const;
const OLD = 'Old Commodities LLC';
const firmIdOf = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

let stack: LocalPipeline;

async function file(firmName: string, endDate: string, submitDate = nextBusinessDay(endDate)) {
  const key = await stack.upload(
    Buffer.from(makeFiling({ firmName, endDate, submitDate })),
    `incoming/${firmIdOf(firmName)}-${endDate}-${submitDate}.txt`,
  );
  return key;
}

async function fileAll(items: [string, string, string?][]) {
  const keys = [];
  for (const [f, d, s] of items) keys.push(await file(f, d, s));
  const outcomes = await stack.waitUntilProcessed(keys, 120_000);
  for (const o of outcomes) expect(o.status, `${o.key}: ${o.problem}`).toBe('stored');
  return outcomes;
}

const tick = (at: string) => runTick(stack, parseAt(at));
const published = () => stack.published().length;

beforeAll(async () => {
  stack = await startTestStack();
  const days = filingDays('segregation', '2025-11-14', '2025-11-25'); // 8 filing days
  await fileAll([
    ...days.flatMap((d) => FIRMS.map((f) => [f, d] as [string, string])),
    ['Alpha Futures LLC', '2025-11-26'],
    ['Beta Clearing LLC', '2025-11-26'],
    [OLD, '2025-10-01'],
    [OLD, '2025-10-02'],
  ]);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

describe('segwatch tick on the local stack', () => {
  let allClear: TickJson;

  it('an all-clear day still sends its digest, with every watched firm and exact figures', async () => {
    const before = published();
    allClear = await tick('2025-11-26'); // 12:30 New York: statements as of Tue 11/25 came due at noon
    expect(allClear.missing).toEqual([]);
    const d = allClear.digest!;
    expect(d).toMatchObject({
      businessDay: '2025-11-26',
      day: '2025-11-25',
      allClear: true,
      watchedFirms: 3,
      filedFirms: 3,
      openAlerts: [],
    });
    expect(d.firms.map((f) => f.firmName)).toEqual([...FIRMS]);
    expect(d.subject).toBe('[DIGEST] as of 2025-11-25: all clear, 3 firms');
    // The old firm (last filing in October) is not watched.
    expect(d.firms.some((f) => f.firmName === OLD)).toBe(false);
    const head = (await stack.store.getHead(firmIdOf('Alpha Futures LLC'), '2025-11-25'))!;
    const excess = head.statements.segregation!.excess!;
    expect(d.firms[0]!.statements.segregation).toMatchObject({
      excess: excess.toFixed(),
      changeFromPrevious: '0',
      previousDate: '2025-11-24',
    });
    expect(d.text).toContain('ALL CLEAR');
    expect(d.text).toContain(usd(excess)); // dollars with separators
    expect(allClear.alerts).toEqual([
      expect.objectContaining({
        kind: 'digest',
        severity: 'info',
        firmId: null,
        statement: null,
        state: 'sent',
        sentThisRun: true,
      }),
    ]);
    const msgs = stack.published().slice(before);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.subject).toBe(d.subject);
    expect(msgs[0]!.message).toContain('ALL CLEAR');
    expect(Buffer.byteLength(msgs[0]!.message)).toBeLessThan(256 * 1024);
  });

  it('on Thanksgiving nothing is checked and nothing is sent', async () => {
    const before = published();
    const t = await tick('2025-11-27');
    expect(t.skipped).toMatch(/not a business day \(Thanksgiving Day\)/);
    expect(t).toMatchObject({ missing: [], alerts: [], digest: null });
    expect(published()).toBe(before);
  });

  it('the day after: the firm that did not file for Wednesday is missing once; not Thanksgiving, not the firm that stopped in October', async () => {
    const before = published();
    const t = await tick('2025-11-28');
    expect(t.missing).toEqual([
      expect.objectContaining({
        firmId: firmIdOf('Gamma Markets LLC'),
        endDate: '2025-11-26',
        due: '2025-11-28',
        severity: 'warning',
        inARow: 1,
      }),
    ]);
    const missing = t.alerts.filter((a) => a.kind === 'missing-filing');
    expect(missing).toEqual([
      expect.objectContaining({
        severity: 'warning',
        firmName: 'Gamma Markets LLC',
        endDate: '2025-11-26',
        statement: null,
        excess: null,
        state: 'sent',
        sentThisRun: true,
      }),
    ]);
    expect(missing[0]!.subject).toBe('[MISSING FILING] Gamma Markets LLC 2025-11-26 not filed by 2025-11-28 noon');
    expect(t.digest).toMatchObject({ day: '2025-11-26', allClear: false, watchedFirms: 3, filedFirms: 2 });
    expect(t.digest!.text).toContain('Gamma Markets LLC (gamma-markets-llc): NO FILING as of 2025-11-26 (missing)');
    const msgs = stack.published().slice(before);
    expect(msgs.map((m) => m.subject).sort()).toEqual([
      '[DIGEST] as of 2025-11-26: 1 missing filing (3 firms watched)',
      missing[0]!.subject,
    ]);
    // The alert is kept with the firm's day, where the read side finds it.
    expect(
      (await stack.store.listAlerts(firmIdOf('Gamma Markets LLC'), '2025-11-26')).map((a) => [
        a.kind,
        a.severity,
        a.state,
      ]),
    ).toEqual([['missing-filing', 'warning', 'sent']]);
  });

  it('a second tick at the same time raises and sends nothing new', async () => {
    const before = published();
    const t = await tick('2025-11-28');
    expect(t.missing).toHaveLength(1);
    expect(t.alerts.map((a) => [a.kind, a.state, a.sentThisRun])).toEqual([
      ['missing-filing', 'sent', false],
      ['digest', 'sent', false],
    ]);
    expect(published()).toBe(before);
  });

  it('the second missing filing day in a row is critical', async () => {
    await fileAll([
      ['Alpha Futures LLC', '2025-11-28'],
      ['Beta Clearing LLC', '2025-11-28'],
    ]);
    const before = published();
    const t = await tick('2025-12-01');
    expect(t.missing.map((m) => [m.endDate, m.severity, m.inARow])).toEqual([
      ['2025-11-26', 'warning', 1],
      ['2025-11-28', 'critical', 2],
    ]);
    const sent = t.alerts.filter((a) => a.sentThisRun);
    expect(sent.map((a) => [a.kind, a.severity, a.endDate])).toEqual([
      ['missing-filing', 'critical', '2025-11-28'],
      ['digest', 'info', '2025-11-28'],
    ]);
    expect(published() - before).toBe(2);
    // Thanksgiving is named in the digest as a day the calendar skipped.
    expect(t.digest!.notes.join('\n')).toMatch(/2025-11-27 Thanksgiving Day: no statement required/);
  });

  it('a filing that arrives after its missing-filing alert is a late filing, and the check does not raise it again', async () => {
    const [o] = await fileAll([['Gamma Markets LLC', '2025-11-26', '2025-12-01']]);
    expect(o!.alerts.map((a) => [a.kind, a.state])).toContainEqual(['late-filing', 'sent']);
    const before = published();
    const t = await tick('2025-12-01');
    // Still missing for Friday; counted again from now on, it is the first missing day in a row,
    // but the alert already sent for it keeps the severity it was sent with.
    expect(t.missing.map((m) => [m.endDate, m.severity, m.inARow])).toEqual([['2025-11-28', 'warning', 1]]);
    expect(t.alerts.map((a) => [a.kind, a.endDate, a.severity, a.sentThisRun])).toEqual([
      ['missing-filing', '2025-11-28', 'critical', false],
      ['digest', '2025-11-28', 'info', false],
    ]);
    expect(published()).toBe(before);
  });
});

describe('segwatch tick, the command', () => {
  it("--json after segwatch run, in a child process: the spec'd shape; a bad --at is one line, exit 2", async () => {
    const state = mkdtempSync(join(tmpdir(), 'segwatch-tick-'));
    const inbox = join(state, 'inbox');
    mkdirSync(inbox);
    for (const d of ['2025-11-24', '2025-11-25'])
      writeFileSync(
        join(inbox, `delta-${d}.txt`),
        makeFiling({ firmName: 'Delta Trading LLC', endDate: d, submitDate: nextBusinessDay(d) }),
      );
    const r = await run(['run', '--fresh', '--state', join(state, 's'), inbox]);
    expect(r.code, r.stderr).toBe(0);
    const t = await run(['tick', '--json', '--state', join(state, 's'), '--at', '2025-11-28T12:30:00-05:00']);
    expect(t.code, t.stderr).toBe(0);
    noStackTrace(t.stderr);
    const out = JSON.parse(t.stdout);
    expect(Object.keys(out).sort()).toEqual(['alerts', 'at', 'digest', 'missing']);
    expect(out.at).toBe('2025-11-28T17:30:00.000Z');
    expect(out.missing).toEqual([
      expect.objectContaining({ firmName: 'Delta Trading LLC', endDate: '2025-11-26', severity: 'warning' }),
    ]);
    for (const a of out.alerts) {
      expect(Object.keys(a)).toEqual(
        expect.arrayContaining([
          'kind',
          'severity',
          'firmId',
          'firmName',
          'endDate',
          'statement',
          'excess',
          'target',
          'shortfall',
          'subject',
          'sentThisRun',
        ]),
      );
      expect(a.statement).toBeNull();
      expect(a.sentThisRun).toBe(true);
    }
    expect(out.digest).toMatchObject({ businessDay: '2025-11-28', day: '2025-11-26', watchedFirms: 1 });

    const bad = await run(['tick', '--state', join(state, 's'), '--at', 'next tuesday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--at: not an ISO-8601 time or date/);
  }, 200_000);
});
