/**
 * Crashes around the outbox: an alert is stored by reconcile, published by notify, then marked
 * sent. Every crash point is tried; the alert must always be delivered, and delivered twice only
 * inside the one window below.
 *
 * THE REMAINING DUPLICATE WINDOW (verified here and in enumerated.test.ts): from the moment SNS
 * accepts the Publish until the UpdateItem that marks the alert `sent` commits. A stop anywhere
 * in it leaves the alert `pending` with the message already out, and the stream's retry of that
 * record publishes it again: one extra copy per retry that lands in the window. What puts a run
 * in the window:
 *   - the Publish response is lost (socket timeout / connection reset after SNS accepted it);
 *   - the function dies after Publish returned (Lambda timeout, out of memory, crash);
 *   - the mark-sent UpdateItem fails without being applied (throttling, 5xx, timeout before it
 *     reached DynamoDB).
 * Nothing else doubles an alert: a mark-sent that was applied but whose response was lost leaves
 * the alert `sent` (the retry finds it sent), a crash before Publish leaves nothing out, a crash
 * between "alert stored" and "alert published" only delays it (the alert's own stream record
 * still reaches notify), and every later delivery of a sent alert's record (stream retry, replay,
 * redrive) finds it `sent` and publishes nothing. Two notify runs on one pending alert at the same
 * time would both publish (see the last test): the event source excludes that (one shard holds
 * every record of an item and is processed in order, ParallelizationFactor 1, notify processes a
 * batch sequentially, redrive goes through the stream).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { FaultDecision, Request } from '../support/mock-dynamodb';
import { awsError, World } from '../support/mock-pipeline';
import { notifyAlert } from '../../shared/pipeline/notify-alert';
import { FIRM_ID, DAY, INITIAL_SHORT, checkScenario, runScenario } from './support';
import { keys } from '../../shared/adapters/store';

const tally = { injected: 0, survived: 0 };
afterAll(() => console.log(`faults/crash-window: ${tally.injected} crashes injected, ${tally.survived} survived`));

const crash = (): FaultDecision => ({ throwBefore: new Error('Runtime exited with error: signal: killed') });

async function deficiencyOnly(w: World) {
  await w.run(w.upload('acme/initial.txt', INITIAL_SHORT));
  const alerts = w.itemsOfType('alert');
  expect(alerts.map((a) => a.kind)).toEqual(['deficiency']);
  return alerts[0];
}

describe('a crash between "alert stored" and "alert published"', () => {
  it('reconcile dies right after putting the alert: the alert is still published once, and the retry does not store it again', async () => {
    const w = new World();
    let alertPut = false;
    let crashed = false;
    w.dynamo.faults = (r: Request) => {
      if (r.kind === 'put' && r.sk.startsWith('A#')) alertPut = true;
      else if (alertPut && !crashed && r.write) {
        crashed = true;
        return crash();
      }
      return undefined;
    };
    const alert = await deficiencyOnly(w);
    tally.injected++;
    expect(crashed).toBe(true);
    expect(w.failures.stream).toBe(1);
    // The retry read the outbox first, found the alert said, and did not put it again; one stream record.
    expect(w.dynamo.log.filter((r) => r.kind === 'put' && r.sk === `A#${alert.id}`)).toHaveLength(1);
    expect(
      w.dynamo.stream.filter((s) => s.dynamodb.Keys.sk.S === `A#${alert.id}` && s.eventName === 'INSERT'),
    ).toHaveLength(1);
    expect(w.publishCounts().get(alert.id as string)).toBe(1);
    expect(w.dynamo.get(alert.pk as string, alert.sk as string)?.state).toBe('sent');
    tally.survived++;
  });

  it('reconcile dies after the alert and is never retried (record given up): the alert still goes out, from its own stream record', async () => {
    const w = new World(1); // one attempt: the failed reconcile is not retried
    let alertPut = false;
    w.dynamo.faults = (r) => {
      if (r.kind === 'put' && r.sk.startsWith('A#')) alertPut = true;
      else if (alertPut && r.write && r.describe.includes('HEAD')) return crash();
      return undefined;
    };
    const rec = w.upload('acme/initial.txt', INITIAL_SHORT);
    await w.deliver(rec);
    await expect(w.drain()).rejects.toThrow(/killed/);
    tally.injected++;
    // The shard moves on (the record went to the on-failure destination); the alert's record is next.
    w.dynamo.faults = undefined;
    const alert = w.itemsOfType('alert')[0];
    const notifyRecord = w.dynamo.stream.find((s) => s.dynamodb.Keys.sk.S === `A#${alert.id}`)!;
    const out = await notifyAlert(w.notifyDeps, notifyRecord.dynamodb.Keys.pk.S!, notifyRecord.dynamodb.Keys.sk.S!);
    expect(out.status).toBe('sent');
    expect(w.publishCounts().get(alert.id as string)).toBe(1);
    tally.survived++;
  });

  for (const step of ['getAlert', 'getResult'] as const) {
    it(`notify dies at ${step}, before publishing: published once on the retry`, async () => {
      const w = new World();
      let done = false;
      let inNotify = false;
      w.dynamo.faults = (r) => {
        if (r.kind === 'get' && r.sk.startsWith('A#')) inNotify = true;
        const hit = inNotify && r.kind === 'get' && r.sk.startsWith(step === 'getAlert' ? 'A#' : 'R#');
        if (hit && !done) {
          done = true;
          return crash();
        }
        return undefined;
      };
      const alert = await deficiencyOnly(w);
      tally.injected++;
      expect(done).toBe(true);
      expect(w.failures.stream).toBe(1);
      expect(w.publishCounts().get(alert.id as string)).toBe(1);
      tally.survived++;
    });
  }
});

describe('a crash between "published" and "marked sent": the only duplicate window', () => {
  const cases: [string, (w: World) => void][] = [
    ['the Publish response is lost', (w) => (w.snsFaults = (n) => (n === 0 ? 'lost-response' : undefined))],
    ['the function dies after Publish returned', (w) => (w.crashes = { afterPublish: (n) => n === 0 })],
    [
      'the mark-sent UpdateItem is throttled',
      (w) => {
        let once = false;
        w.dynamo.faults = (r) =>
          r.kind === 'update' && r.describe.includes(':sent') && !once
            ? ((once = true),
              { throwBefore: awsError('ThrottlingException', 'Rate of requests exceeds the allowed throughput.', 400) })
            : undefined;
      },
    ],
  ];
  for (const [name, arrange] of cases) {
    it(`${name}: still delivered, and delivered exactly twice (one retry in the window)`, async () => {
      const w = new World();
      arrange(w);
      const alert = await deficiencyOnly(w);
      tally.injected++;
      expect(w.publishCounts().get(alert.id as string)).toBe(2);
      expect(w.dynamo.get(alert.pk as string, alert.sk as string)?.state).toBe('sent');
      // Two copies, identical but for the SNS message id: a reader can tell them apart by the alert id.
      expect(w.published[0].input.Message).toBe(w.published[1].input.Message);
      tally.survived++;
    });
  }

  it('a mark-sent applied but whose response was lost is not in the window: published once', async () => {
    const w = new World();
    let once = false;
    w.dynamo.faults = (r) =>
      r.kind === 'update' && r.describe.includes(':sent') && !once
        ? ((once = true), { throwAfter: awsError('TimeoutError', 'response lost', 0) })
        : undefined;
    const alert = await deficiencyOnly(w);
    tally.injected++;
    expect(once).toBe(true);
    expect(w.failures.stream).toBe(1);
    expect(w.publishCounts().get(alert.id as string)).toBe(1);
    tally.survived++;
  });

  it('every crash point of notify, one at a time: a second copy exactly when the stop falls between Publish and the committed mark-sent', async () => {
    // Crash points, in order: before each DynamoDB request notify makes, after Publish, after mark-sent.
    const clean = new World();
    await deficiencyOnly(clean);
    const notifyStart = clean.dynamo.log.findIndex((r) => r.kind === 'get' && r.sk.startsWith('A#'));
    const notifyRequests = clean.dynamo.log.slice(notifyStart);
    expect(notifyRequests.map((r) => r.kind)).toEqual(['get', 'query', 'get', 'update']); // alert, its channel's words, result, mark-sent
    const outcomes: string[] = [];
    for (let k = 0; k <= notifyRequests.length + 1; k++) {
      const w = new World();
      let seen = 0;
      let started = false;
      let fired = false;
      const point =
        k < notifyRequests.length
          ? `before ${notifyRequests[k].describe.split(' ')[0]} ${notifyRequests[k].sk.slice(0, 2)}`
          : k === notifyRequests.length
            ? 'after Publish'
            : 'after mark-sent committed';
      if (k < notifyRequests.length) {
        w.dynamo.faults = (r) => {
          if (r.kind === 'get' && r.sk.startsWith('A#')) started = true;
          if (!started || fired) return undefined;
          if (seen++ === k) {
            fired = true;
            return crash();
          }
          return undefined;
        };
      } else if (k === notifyRequests.length) {
        w.crashes = { afterPublish: (n) => (n === 0 ? (fired = true) : false) };
      } else {
        w.dynamo.faults = (r) =>
          r.kind === 'update' && r.describe.includes(':sent') && !fired
            ? ((fired = true), { throwAfter: new Error('killed after the write') })
            : undefined;
      }
      const alert = await deficiencyOnly(w);
      tally.injected++;
      expect(fired, point).toBe(true);
      const copies = w.publishCounts().get(alert.id as string);
      outcomes.push(`${point}: ${copies}`);
      tally.survived++;
    }
    expect(outcomes).toEqual([
      'before get A#: 1',
      'before query pk: 1',
      'before get R#: 1',
      'before update A#: 2',
      'after Publish: 2',
      'after mark-sent committed: 1',
    ]);
  });
});

describe('a sent alert is never delivered again', () => {
  it('its stream record delivered again: no publish, no write', async () => {
    const w = new World();
    const alert = await deficiencyOnly(w);
    const writes = w.dynamo.writes;
    const out = await notifyAlert(w.notifyDeps, alert.pk as string, alert.sk as string);
    expect(out.status).toBe('already-sent');
    expect(w.published).toHaveLength(1);
    expect(w.dynamo.writes).toBe(writes);
  });

  it('the whole stream replayed from the start (every record twice): nothing published, nothing changed', async () => {
    const w = new World();
    await runScenario(w);
    checkScenario(w);
    const before = w.snapshot();
    const published = w.published.length;
    const records = [...w.dynamo.stream];
    w.dynamo.stream.push(...records);
    await w.drain();
    expect(w.published).toHaveLength(published);
    expect(w.snapshot()).toEqual(before);
    checkScenario(w);
  });

  it('a redrive (touch) of a sent alert is refused: no stream record, no publish', async () => {
    const w = new World();
    const alert = await deficiencyOnly(w);
    const stream = w.dynamo.stream.length;
    expect(await w.store.touchAlert(alert.pk as string, alert.sk as string, '2014-11-08T00:00:00.000Z')).toBe(false);
    await w.drain();
    expect(w.dynamo.stream).toHaveLength(stream);
    expect(w.published).toHaveLength(1);
  });

  it('a redrive of a pending alert (SNS was down past every retry) sends it once', async () => {
    const w = new World(3);
    w.snsFaults = (n) => (n < 3 ? 'throttle' : undefined);
    await w.deliver(w.upload('acme/initial.txt', INITIAL_SHORT));
    await expect(w.drain()).rejects.toThrow(/Rate exceeded/);
    const [alert] = w.itemsOfType('alert');
    expect(alert.state).toBe('pending');
    expect(w.published).toHaveLength(0);
    expect(await w.store.touchAlert(alert.pk as string, alert.sk as string, '2014-11-08T00:00:00.000Z')).toBe(true);
    expect(w.dynamo.get(keys.firmDay(FIRM_ID, DAY), alert.sk as string)?.attempts).toMatchObject({ value: '1' });
    // The shard moved past the given-up record; the touch's MODIFY brings the alert back to notify.
    const touched = w.dynamo.stream[w.dynamo.stream.length - 1];
    expect(touched.eventName).toBe('MODIFY');
    expect(await notifyAlert(w.notifyDeps, alert.pk as string, alert.sk as string)).toMatchObject({ status: 'sent' });
    expect(await notifyAlert(w.notifyDeps, alert.pk as string, alert.sk as string)).toMatchObject({
      status: 'already-sent',
    });
    expect(w.publishCounts().get(alert.id as string)).toBe(1);
  });

  it('outside the event source guarantees: two notify runs on one pending alert at once would both publish (why notify must stay serial per shard)', async () => {
    const w = new World();
    await w.deliver(w.upload('acme/initial.txt', INITIAL_SHORT));
    // Reconcile only (stop before notify): run the stream until the alert exists.
    const rec = w.dynamo.stream[0];
    const { reconcileVersion } = await import('../../shared/pipeline/reconcile-version');
    const { versionFromItem } = await import('../../shared/adapters/store');
    const { unmarshall } = await import('@aws-sdk/util-dynamodb');
    await reconcileVersion(w.reconcileDeps, versionFromItem(unmarshall(rec.dynamodb.NewImage, { wrapNumbers: true })));
    const [alert] = w.itemsOfType('alert');
    const outs = await Promise.all([
      notifyAlert(w.notifyDeps, alert.pk as string, alert.sk as string),
      notifyAlert(w.notifyDeps, alert.pk as string, alert.sk as string),
    ]);
    expect(outs.map((o) => o.status)).toEqual(['sent', 'sent']);
    expect(w.publishCounts().get(alert.id as string)).toBe(2);
  });
});
