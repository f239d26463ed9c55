/**
 * The pipeline end to end on the local stack, with the real parse / reconcile / notify handlers:
 * S3 upload -> queue -> parse -> table -> stream -> reconcile -> outbox -> stream -> notify -> SNS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { LocalPipeline } from '../../infra/local/stack';
import type { PublishedMessage } from '../../infra/local/sns';
import { makeFiling, startTestStack } from '../support/local-stack';

let stack: LocalPipeline;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const bytes = (s: string) => Buffer.from(s, 'utf8');
const about = (firm: string) => (m: PublishedMessage) => m.subject?.includes(firm) || m.message.includes(firm);
const firmIdOf = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

describe('local pipeline, real handlers', () => {
  it('a filing with a cleared swaps deficiency: stored, reconciled, one critical alert published', async () => {
    const firm = 'Deficient Futures LLC';
    const key = await stack.upload(
      bytes(makeFiling({ firmName: firm, swapsCashCut: 300_000_000n })),
      'incoming/deficient.txt',
    );
    const [o] = await stack.waitUntilProcessed([key]);

    expect(o.status).toBe('stored');
    expect(o.version).toMatchObject({
      firmName: firm,
      firmId: firmIdOf(firm),
      endDate: '2014-11-06',
      filingType: 'INITIAL',
      superseded: false,
    });
    const swaps = o.result!.statements.clearedSwaps!;
    expect(swaps.status).toBe('deficiency');
    expect(swaps.excess!.toFixed()).toBe('-62191464');
    expect((await stack.store.getHead(o.version!.firmId, '2014-11-06'))?.effective).toBe(o.version!.versionKey);

    const deficiency = o.alerts.filter((a) => a.kind === 'deficiency');
    expect(deficiency).toHaveLength(1);
    expect(deficiency[0]).toMatchObject({ severity: 'critical', statement: 'clearedSwaps', state: 'sent' });
    expect(deficiency[0].shortfall!.toFixed()).toBe('270266464');
    const published = stack.published().filter((m) => m.messageId === deficiency[0].messageId);
    expect(published).toHaveLength(1);
    expect(published[0].topicArn).toBe(stack.topicArn);
    expect(published[0].subject).toMatch(/DEFICIENCY/);
    expect(published[0].subject!.length).toBeLessThanOrEqual(100);
    expect(published[0].message).toContain('62,191,464');
    expect(stack.deadLetters()).toEqual([]);
    expect(stack.onFailure()).toEqual([]);
  });

  it('the same S3 event delivered several times: one filing, one alert', async () => {
    const firm = 'Repeated Events LLC';
    const key = await stack.upload(
      bytes(makeFiling({ firmName: firm, swapsCashCut: 300_000_000n })),
      'incoming/repeated.txt',
    );
    stack.redeliver(key); // at once: the copies race each other in parse
    stack.redeliver(key);
    await stack.waitUntilProcessed([key]);
    stack.redeliver(key); // and again later, after everything was done
    const [o] = await stack.waitUntilProcessed([key]);

    expect(o.status).toBe('stored');
    expect(await stack.store.listVersions(firmIdOf(firm), '2014-11-06')).toHaveLength(1);
    expect(await stack.store.listObjectRecords(stack.bucket, key)).toHaveLength(1);
    const alerts = await stack.store.listAlerts(firmIdOf(firm), '2014-11-06');
    expect(alerts.map((a) => a.kind)).toEqual(['deficiency']);
    expect(stack.published().filter(about(firm))).toHaveLength(1);
  });

  it('the same bytes under two names: one filing version, two object records, one alert', async () => {
    const firm = 'Twice Named LLC';
    const body = bytes(makeFiling({ firmName: firm, swapsCashCut: 300_000_000n }));
    const a = await stack.upload(body, 'incoming/copy-a.txt');
    const b = await stack.upload(body, 'incoming/copy-b.txt');
    const [oa, ob] = await stack.waitUntilProcessed([a, b]);

    expect([oa.status, ob.status]).toEqual(['stored', 'stored']);
    expect(oa.object!.versionKey).toBe(ob.object!.versionKey);
    expect([oa.object!.duplicate, ob.object!.duplicate].sort()).toEqual([false, true]);
    expect(await stack.store.listVersions(firmIdOf(firm), '2014-11-06')).toHaveLength(1);
    expect(stack.published().filter(about(firm))).toHaveLength(1);
  });

  it('a file that is not a filing: recorded as rejected with its reason, object kept, a rejected alert published', async () => {
    const key = await stack.upload(bytes('Quarterly newsletter\nNothing to see here.\n'), 'incoming/newsletter.txt');
    const [o] = await stack.waitUntilProcessed([key]);

    expect(o.status).toBe('rejected');
    expect(o.object).toMatchObject({ status: 'rejected', reasonCode: 'not-a-filing' });
    expect(o.object!.reason).toMatch(/not a daily segregation filing/);
    const head = await stack.s3.send(new HeadObjectCommand({ Bucket: stack.bucket, Key: key }));
    expect(head.ContentLength).toBe(42);
    expect(o.alerts).toHaveLength(1);
    const [m] = stack.published().filter((p) => p.messageId === o.alerts[0].messageId);
    expect(m.subject).toMatch(/^\[REJECTED\]/);
    expect(m.messageAttributes.kind?.value).toBe('rejected');
    expect(m.message).toContain('newsletter.txt');
  });

  it('keys with spaces, "+", "%", "=" and unicode work end to end', async () => {
    const names = [
      'incoming/Spaced Out Futures 2014-11-06.txt',
      'incoming/a+b=c.txt',
      'incoming/100% sure.txt',
      'incoming/Ünïcødé 日本.txt',
    ];
    const keys: string[] = [];
    for (const [i, key] of names.entries())
      keys.push(await stack.upload(bytes(makeFiling({ firmName: `Odd Key ${i} LLC` })), key));
    const junk = await stack.upload(bytes('not a filing'), 'incoming/Ärger + 50% off.txt');
    const outcomes = await stack.waitUntilProcessed([...keys, junk]);

    expect(outcomes.map((o) => o.status)).toEqual(['stored', 'stored', 'stored', 'stored', 'rejected']);
    for (const o of outcomes) {
      expect(o.object!.key).toBe(o.key);
      expect(stack.lastEvent(o.key)!.s3.object.key).not.toBe(o.key); // the handler saw the encoded key
      expect(stack.lastEvent(o.key)!.s3.object.key).not.toMatch(/ /);
    }
    expect(outcomes[0].version!.source.key).toBe('incoming/Spaced Out Futures 2014-11-06.txt');
    const rejected = stack.published().filter((m) => m.messageId === outcomes[4].alerts[0].messageId);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].message).toContain('incoming/Ärger + 50% off.txt');
    expect(stack.deadLetters()).toEqual([]);
  });
});

describe('amendments', () => {
  it('an amendment supersedes the initial filing: the amendment is effective, the initial kept and marked superseded', async () => {
    const firm = 'Amended Futures LLC';
    const initial = await stack.upload(
      bytes(makeFiling({ firmName: firm, swapsCashCut: 300_000_000n })),
      'incoming/amended-initial.txt',
    );
    const [oi] = await stack.waitUntilProcessed([initial]);
    expect(oi.alerts.map((a) => a.kind)).toContain('deficiency');

    const amendment = await stack.upload(
      bytes(makeFiling({ firmName: firm, filingType: 'AMENDMENT' })),
      'incoming/amended-amendment.txt',
    );
    const [oa] = await stack.waitUntilProcessed([amendment]);
    expect(oa.status).toBe('stored');

    const id = firmIdOf(firm);
    const versions = await stack.store.listVersions(id, '2014-11-06');
    expect(versions).toHaveLength(2);
    const byType = Object.fromEntries(versions.map((v) => [v.filingType, v]));
    expect(byType.INITIAL.superseded).toBe(true);
    expect(byType.AMENDMENT.superseded).toBe(false);
    const head = await stack.store.getHead(id, '2014-11-06');
    expect(head?.effective).toBe(byType.AMENDMENT.versionKey);
    expect(head?.filingType).toBe('AMENDMENT');
    expect(head?.statements.clearedSwaps?.status).toBe('ok');
    const kinds = stack
      .published()
      .filter(about(firm))
      .map((m) => m.messageAttributes.kind?.value);
    expect(kinds.filter((k) => k === 'deficiency')).toHaveLength(1);
    expect(kinds).toContain('resolved');
  });

  it('an amendment that arrives first stays effective; the late initial is stored superseded and raises no alert', async () => {
    const firm = 'Out Of Order LLC';
    const amendment = await stack.upload(
      bytes(makeFiling({ firmName: firm, filingType: 'AMENDMENT' })),
      'incoming/ooo-amendment.txt',
    );
    await stack.waitUntilProcessed([amendment]);
    const initial = await stack.upload(
      bytes(makeFiling({ firmName: firm, swapsCashCut: 300_000_000n })),
      'incoming/ooo-initial.txt',
    );
    const [oi] = await stack.waitUntilProcessed([initial]);

    expect(oi.status).toBe('stored');
    expect(oi.version!.superseded).toBe(true);
    expect(oi.result!.statements.clearedSwaps!.status).toBe('deficiency');
    const head = await stack.store.getHead(firmIdOf(firm), '2014-11-06');
    expect(head?.filingType).toBe('AMENDMENT');
    expect(stack.published().filter(about(firm))).toEqual([]);
  });

  it("the table's access patterns: a firm's history, every firm on a day, alerts by day and severity", async () => {
    // Days no other test uses: March 2015 (Monday 2nd, Tuesday 3rd).
    const a = 'History Alpha LLC';
    const b = 'History Beta LLC';
    const keys = [
      await stack.upload(bytes(makeFiling({ firmName: a, endDate: '2015-03-02' })), 'incoming/history-a-0302.txt'),
      await stack.upload(bytes(makeFiling({ firmName: a, endDate: '2015-03-03' })), 'incoming/history-a-0303.txt'),
      await stack.upload(
        bytes(makeFiling({ firmName: b, endDate: '2015-03-03', swapsCashCut: 300_000_000n })),
        'incoming/history-b-0303.txt',
      ),
    ];
    const outcomes = await stack.waitUntilProcessed(keys);
    expect(outcomes.map((o) => o.status)).toEqual(['stored', 'stored', 'stored']);
    const [a2, a3, b3] = outcomes.map((o) => o.version!);

    const history = await stack.store.firmHistory(firmIdOf(a), '2015-03-01', '2015-03-31');
    expect(history.map((h) => [h.endDate, h.effective, h.status])).toEqual([
      ['2015-03-02', a2.versionKey, 'ok'],
      ['2015-03-03', a3.versionKey, 'ok'],
    ]);
    expect(history[1].statements.segregation!.excess!.toFixed()).toBe('284415796');
    expect((await stack.store.firmHistory(firmIdOf(a), '2015-03-03', '2015-03-03')).map((h) => h.endDate)).toEqual([
      '2015-03-03',
    ]);
    expect(await stack.store.firmHistory(firmIdOf(a), '2015-04-01', '2015-04-30')).toEqual([]);

    const onDay = await stack.store.firmsOnDay('2015-03-03');
    expect(onDay.map((h) => [h.firmId, h.effective, h.status])).toEqual([
      [firmIdOf(a), a3.versionKey, 'ok'],
      [firmIdOf(b), b3.versionKey, 'deficiency'],
    ]);
    expect((await stack.store.firmsOnDay('2015-03-02')).map((h) => h.firmId)).toEqual([firmIdOf(a)]);

    const critical = await stack.store.alertsByDay('2015-03-03', 'critical');
    expect(critical.map((x) => [x.firmId, x.kind, x.statement, x.shortfall?.toFixed()])).toEqual([
      [firmIdOf(b), 'deficiency', 'clearedSwaps', '270266464'],
    ]);
    expect(await stack.store.alertsByDay('2015-03-03', 'warning')).toEqual([]);
    expect((await stack.store.alertsByDay('2015-03-03')).map((x) => x.id)).toEqual(critical.map((x) => x.id));
    expect(await stack.store.alertsByDay('2015-03-02')).toEqual([]);

    // The firm registry: each firm once, under its name as filed.
    const firms = (await stack.store.listFirms()).filter((f) => [firmIdOf(a), firmIdOf(b)].includes(f.firmId));
    expect(firms).toEqual([
      { firmId: firmIdOf(a), firmName: a },
      { firmId: firmIdOf(b), firmName: b },
    ]);
  });
});
