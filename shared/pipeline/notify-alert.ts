/**
 * notify's work for one alert in the outbox: publish it unless it was sent already, then mark it
 * sent. At-least-once with dedupe: a publish that fails leaves the alert pending (and the stream
 * retries it); the only window for a second copy is a stop between publish and mark-sent.
 *
 * Words of one channel (shared/domain/episodes.ts) go out in their order: the handler takes a
 * firm-day's records one after another, and a word whose channel already sent a later one (it
 * was given up after its retries and redriven since) is marked sent without a publish, so it can
 * never arrive after the word that replaced it.
 */
import { alertAttributes, alertBody, alertSubject } from '../domain/alerts';
import type { Publisher } from '../adapters/publisher';
import type { Store, StoredAlert } from '../adapters/store';

export interface NotifyDeps {
  store: Store;
  publisher: Publisher;
  now: () => Date;
}

export type NotifyOutcome =
  | { status: 'sent'; messageId: string; alert: StoredAlert }
  | { status: 'already-sent' | 'gone'; alert?: StoredAlert }
  | { status: 'superseded'; alert: StoredAlert; by: string };

export async function notifyAlert(deps: NotifyDeps, pk: string, sk: string): Promise<NotifyOutcome> {
  const alert = await deps.store.getAlert(pk, sk);
  if (!alert) return { status: 'gone' };
  if (alert.state === 'sent') return { status: 'already-sent', alert };
  if (alert.channel && alert.seq) {
    const later = (await deps.store.listAlertsOf(pk)).find(
      (a) => a.channel === alert.channel && (a.seq ?? 0) > alert.seq! && a.state === 'sent',
    );
    if (later) {
      await deps.store.markAlertSuppressed(pk, sk, later.id, deps.now().toISOString());
      return { status: 'superseded', alert, by: later.id };
    }
  }
  const result =
    alert.statement && alert.firmId && alert.endDate && alert.versionKey
      ? (await deps.store.getResult(alert.firmId, alert.endDate, alert.versionKey))?.statements[alert.statement]
      : undefined;
  // A failed publish throws: the record is reported and the stream retries it. Nothing is
  // written to the alert on failure (a write would re-trigger the stream and loop while SNS is down).
  const messageId = await deps.publisher.publish({
    subject: alertSubject(alert),
    body: alertBody(alert, result ? { ...result, statement: alert.statement! } : undefined),
    attributes: alertAttributes(alert),
  });
  await deps.store.markAlertSent(pk, sk, messageId, deps.now().toISOString());
  return { status: 'sent', messageId, alert };
}
