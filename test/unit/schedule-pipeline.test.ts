/**
 * The scheduled check through the store, on the in-memory DynamoDB: what it asks of the table
 * (exactly functions/schedule/permissions.ts), that a retry or second run puts nothing new, a
 * failure midway loses nothing, and what notify makes of the two kinds (subject, body, attributes).
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../functions/schedule/permissions';
import { Store, type HeadSeed } from '../../shared/adapters/store';
import type { Publisher, AlertMessage } from '../../shared/adapters/publisher';
import { alertAttributes, alertBody, alertSubject, ALERT_SEVERITY, ALERT_RULE } from '../../shared/domain/alerts';
import { CALENDAR } from '../../shared/domain/calendar';
import { STATEMENT_KEYS } from '../../shared/domain/forms';
import { dec } from '../../shared/domain/money';
import { newYorkInstant } from '../../shared/domain/schedule/time';
import { notifyAlert } from '../../shared/pipeline/notify-alert';
import { DIGEST_PK, runScheduledCheck } from '../../shared/pipeline/schedule';
import { ScheduleEventSchema } from '../../functions/schedule/event';
import { FakeDynamo } from '../support/mock-dynamodb';

const addDays = (iso: string, n: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

function headOf(firmId: string, endDate: string, excess = '250000000'): HeadSeed {
  const st = {
    required: dec('1000000000'),
    funds: dec('1250000000'),
    excess: dec(excess),
    target: dec('100000000'),
    status: 'ok' as const,
    title: 't',
    variant: 'v',
  };
  return {
    firmId,
    firmName: `${firmId} LLC`,
    endDate,
    effective: `0#${CALENDAR.nextBusinessDay(endDate)}#0000000000000000`,
    filingType: 'INITIAL',
    submitDate: CALENDAR.nextBusinessDay(endDate),
    status: 'ok',
    statements: Object.fromEntries(STATEMENT_KEYS.map((k) => [k, st])),
    updatedAt: '2025-01-01T00:00:00Z',
  };
}

/** A store over the fake table, recording every command (name, index) sent. */
function world() {
  const db = new FakeDynamo();
  const calls: { command: string; index?: string; table?: string }[] = [];
  const client = {
    send: (c: { constructor: { name: string }; input: { IndexName?: string; TableName?: string } }) => {
      calls.push({ command: c.constructor.name, index: c.input.IndexName, table: c.input.TableName });
      return db.send(c);
    },
  };
  const store = new Store(client as never, 'segwatch-test');
  return { db, calls, store };
}

async function seed(store: Store, firms: string[], from: string, to: string) {
  for (let d = from; d <= to; d = addDays(d, 1))
    if (CALENDAR.isAnyFilingDay(d)) for (const f of firms) await store.advanceHead(headOf(f, d));
}

const at = (date: string) => newYorkInstant(date, 12, 30);

describe('the scheduled check through the store', () => {
  it('asks the table for exactly what functions/schedule/permissions.ts grants: PutItem on the table, Query on gsi2', async () => {
    const { calls, store } = world();
    await seed(store, ['acme', 'beta'], '2025-11-10', '2025-11-25');
    await store.advanceHead(headOf('acme', '2025-11-26'));
    calls.length = 0;
    const out = await runScheduledCheck({ store, now: () => new Date('2025-11-28T17:30:05Z') }, at('2025-11-28'));
    expect(out.missing.map((m) => m.firmId)).toEqual(['beta']);
    const granted = new Set([
      ...(PERMISSIONS.calls.table ?? []).map((a) => `${a}@table`),
      ...Object.entries(PERMISSIONS.calls.indexes ?? {}).flatMap(([index, actions]) =>
        actions.map((a) => `${a}@index:${index}`),
      ),
    ]);
    const used = new Set(
      calls.map((c) => {
        const action =
          {
            PutCommand: 'dynamodb:PutItem',
            QueryCommand: 'dynamodb:Query',
            GetCommand: 'dynamodb:GetItem',
            UpdateCommand: 'dynamodb:UpdateItem',
          }[c.command] ?? c.command;
        return `${action}@${c.index ? `index:${c.index}` : 'table'}`;
      }),
    );
    expect([...used].sort()).toEqual([...granted].sort());
    expect(calls.every((c) => c.table === 'segwatch-test')).toBe(true);
    void [GetCommand, PutCommand, QueryCommand, UpdateCommand];
  });

  it('a second run, or a retry after a failure midway, puts nothing twice', async () => {
    const { db, store } = world();
    await seed(store, ['acme', 'beta', 'gamma'], '2025-11-10', '2025-11-21');
    const deps = { store, now: () => new Date() };
    // One put of the first attempt fails (the others of its batch may land).
    let puts = 0;
    db.faults = (r) =>
      r.kind === 'put' && r.sk.startsWith('A#') && ++puts === 2 ? { throwBefore: new Error('throttled') } : undefined;
    await expect(runScheduledCheck(deps, at('2025-11-25'))).rejects.toThrow('throttled');
    db.faults = undefined;
    const before = db.all().filter((i) => i.kind === 'missing-filing').length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(3);
    const retry = await runScheduledCheck(deps, at('2025-11-25'));
    // Nobody filed for Monday 11/24 (due at noon 11/25): three missing; the retry puts the two the
    // first attempt did not, then the digest.
    expect(retry.missing.map((m) => `${m.firmId} ${m.endDate} ${m.severity}`)).toEqual([
      'acme 2025-11-24 warning',
      'beta 2025-11-24 warning',
      'gamma 2025-11-24 warning',
    ]);
    expect(retry.alerts.filter((a) => a.kind === 'missing-filing' && a.created)).toHaveLength(3 - before);
    expect(retry.alerts.filter((a) => a.kind === 'digest').map((a) => a.created)).toEqual([true]);
    const wednesday = await runScheduledCheck(deps, at('2025-11-26'));
    expect(wednesday.missing.map((m) => [m.firmId, m.endDate, m.severity])).toEqual([
      ['acme', '2025-11-24', 'warning'],
      ['acme', '2025-11-25', 'critical'],
      ['beta', '2025-11-24', 'warning'],
      ['beta', '2025-11-25', 'critical'],
      ['gamma', '2025-11-24', 'warning'],
      ['gamma', '2025-11-25', 'critical'],
    ]);
    expect(wednesday.alerts.filter((a) => a.created).map((a) => `${a.kind} ${a.endDate}`)).toEqual([
      'missing-filing 2025-11-25',
      'missing-filing 2025-11-25',
      'missing-filing 2025-11-25',
      'digest 2025-11-25',
    ]);
    const again = await runScheduledCheck(deps, at('2025-11-26'));
    expect(again.alerts.filter((a) => a.created)).toEqual([]);
    const alerts = db.all().filter((i) => i.type === 'alert');
    const ids = alerts.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(alerts.filter((i) => i.kind === 'missing-filing')).toHaveLength(6);
    expect(
      alerts
        .filter((i) => i.kind === 'digest')
        .map((i) => i.gsi2pk)
        .sort(),
    ).toEqual(['DAY#2025-11-25', 'DAY#2025-11-26']);
    expect(alerts.filter((i) => i.kind === 'digest').every((i) => i.pk === DIGEST_PK)).toBe(true);
    // The severity is stored as raised: critical stays critical.
    expect(
      alerts
        .filter((i) => i.kind === 'missing-filing' && i.endDate === '2025-11-25')
        .every((i) => i.severity === 'critical'),
    ).toBe(true);
  });

  it('a holiday is skipped without reading or writing the table', async () => {
    const { calls, store } = world();
    const out = await runScheduledCheck({ store, now: () => new Date() }, at('2025-12-25'));
    expect(out.skipped).toMatch(/Christmas Day/);
    expect(calls).toEqual([]);
  });

  it('notify publishes both kinds from the outbox: subjects, plain-text bodies, attributes', async () => {
    const { db, store } = world();
    await seed(store, ['acme', 'beta'], '2025-11-10', '2025-11-25');
    await store.advanceHead(headOf('acme', '2025-11-26', '249876543'));
    await runScheduledCheck({ store, now: () => new Date() }, at('2025-11-28'));
    const sent: AlertMessage[] = [];
    const publisher: Publisher = { publish: async (m) => (sent.push(m), `m-${sent.length}`) };
    for (const i of db.all().filter((x) => x.type === 'alert'))
      await notifyAlert({ store, publisher, now: () => new Date() }, i.pk as string, i.sk as string);
    expect(sent.map((m) => m.subject).sort()).toEqual([
      '[DIGEST] as of 2025-11-26: 1 missing filing (2 firms watched)',
      '[MISSING FILING] beta LLC 2025-11-26 not filed by 2025-11-28 noon',
    ]);
    const missing = sent.find((m) => m.subject.startsWith('[MISSING'))!;
    expect(missing.attributes).toEqual({ severity: 'warning', kind: 'missing-filing', firmId: 'beta' });
    expect(missing.body).toMatch(
      /^MISSING FILING \(warning\)\n\nFirm: +beta LLC \(beta\)\nEnd date: +2025-11-26\nStatements: +Segregation Statement, Secured Amounts, Cleared Swaps Statement required as of 2025-11-26\nDue: +2025-11-28 12:00 New York time/,
    );
    expect(missing.body).toMatch(/Last filed: +2025-11-25 \(INITIAL, submitted 2025-11-26\)/);
    expect(missing.body).toMatch(/Alert id: [0-9a-f]{32}$/);
    const digest = sent.find((m) => m.subject.startsWith('[DIGEST'))!;
    expect(digest.attributes).toEqual({ severity: 'info', kind: 'digest' });
    expect(digest.body).toMatch(/^as of 2025-11-26: 1 missing filing \(2 firms watched\)\n/);
    expect(digest.body).toMatch(
      /segregation +\$249,876,543 +\$100,000,000 +\$149,876,543 +-\$123,457 \(2025-11-25\) +ok/,
    );
    // Sent once: a second delivery of the stream record finds it sent.
    const again = db.all().filter((x) => x.type === 'alert');
    for (const i of again)
      await notifyAlert({ store, publisher, now: () => new Date() }, i.pk as string, i.sk as string);
    expect(sent).toHaveLength(2);
  });

  it('the kinds are in the alert maps, and their subjects fit SNS whatever the firm name', () => {
    expect(ALERT_SEVERITY['missing-filing']).toBe('warning');
    expect(ALERT_SEVERITY.digest).toBe('info');
    expect(ALERT_RULE['missing-filing']).toMatch(/1\.32\(d\)/);
    const long = {
      id: 'x',
      kind: 'missing-filing' as const,
      severity: 'critical' as const,
      firmId: 'f',
      firmName: 'Ünïcödé Clearing & Futures Corporation of the Very Long Name Incorporated International Holdings LLC',
      endDate: '2025-11-26',
      submitDate: null,
      filingType: null,
      versionKey: null,
      statement: null,
      excess: null,
      target: null,
      targetSource: null,
      shortfall: null,
      previousExcess: null,
      previousDate: null,
      detail: 'Due:         2025-11-28 12:00',
      source: { bucket: '', key: '' },
    };
    const subject = alertSubject(long);
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^\[MISSING FILING\] Unicode Clearing .*\.\.\. 2025-11-26 not filed by 2025-11-28 noon$/);
    expect(alertBody(long)).toContain('Firm:        Unicode Clearing & Futures');
    expect(alertAttributes(long)).toEqual({ severity: 'critical', kind: 'missing-filing', firmId: 'f' });
  });

  it('the handler takes only the scheduler input it is configured with', () => {
    expect(ScheduleEventSchema.parse({ scheduledTime: '2025-11-28T17:30:00Z' })).toEqual({
      scheduledTime: '2025-11-28T17:30:00Z',
    });
    expect(() => ScheduleEventSchema.parse({})).toThrow();
    expect(() => ScheduleEventSchema.parse({ scheduledTime: 'Friday' })).toThrow();
  });
});
