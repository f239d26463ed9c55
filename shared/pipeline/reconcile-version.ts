/**
 * reconcile's work for one new filing version: check it, store the result, decide which version
 * of the firm's day is effective (the latest submitted amendment), mark the others superseded,
 * and put the effective version's alerts in the outbox. Every step is idempotent, so a retry
 * after a failure anywhere repeats nothing that was done.
 */
import { reconcile } from '../domain/reconcile';
import { alertsForVersion, resolvedAlerts, type AlertRecord, type VersionRef } from '../domain/alerts';
import { overallStatus, summaryOf, type Store, type VersionItem } from '../adapters/store';

export interface ReconcileDeps {
  store: Store;
  now: () => Date;
}

export interface ReconcileOutcome {
  versionKey: string;
  effective: boolean;
  status: string;
  alerts: AlertRecord[];
}

export async function reconcileVersion(deps: ReconcileDeps, v: VersionItem): Promise<ReconcileOutcome> {
  const { store } = deps;
  const at = deps.now().toISOString();
  const rec = reconcile(v.filing, { unreadable: v.unreadable });
  const errorCount = rec.findings.filter((f) => f.severity === 'error' && f.ruleId !== 'SW120').length;
  const statements = summaryOf(rec);
  const status = overallStatus({ statements, errorCount });
  const ref: VersionRef = {
    firmId: v.firmId,
    firmName: v.firmName,
    endDate: v.endDate,
    submitDate: v.submitDate,
    filingType: v.filingType,
    versionKey: v.versionKey,
    source: { bucket: v.source.bucket, key: v.source.key },
  };

  const versionKeys = await store.listVersionKeys(v.firmId, v.endDate);
  const effectiveKey = versionKeys.length ? versionKeys[versionKeys.length - 1] : v.versionKey;
  const effective = effectiveKey <= v.versionKey;

  let alerts: AlertRecord[] = [];
  let prevDay: Awaited<ReturnType<Store['previousHead']>>;
  if (effective) {
    prevDay = await store.previousHead(v.firmId, v.endDate);
    alerts = alertsForVersion(ref, rec, prevDay ? { endDate: prevDay.endDate, statements: prevDay.statements } : undefined);
  }
  await store.putResult({ firmId: v.firmId, endDate: v.endDate, versionKey: v.versionKey, statements, findings: rec.findings, errorCount, alertIds: alerts.map((a) => a.id), reconciledAt: at });

  if (effective) {
    // Everything that depends on the versions this one replaces (marking them superseded, the
    // notices that this one cures their shortfalls) is done while the head still points at the
    // old one, and the head moves last: a retry after a failure at any step sees the same head
    // and repeats the same idempotent writes. (Moving the head first lost both on a retry: the
    // head already pointed here, so there was nothing left to supersede or resolve.)
    // Replaced: the current effective version, and any later one that never became the head (it
    // may have put its alerts in the outbox while it was the latest, then failed before moving the
    // head, and been overtaken by this version before its retry).
    // Only versions before this one can be replaced; the first version of a day (the usual
    // case) has none, and needs no read of the head.
    const earlier = versionKeys.filter((k) => k < v.versionKey);
    const current = earlier.length ? await store.getHead(v.firmId, v.endDate) : undefined;
    const replaced = earlier.filter((k) => !current || k >= current.effective);
    // No earlier day and no effective version of this one yet: most likely the firm's first
    // filing, so register the firm (a conditional put: a firm whose earlier day arrives late is
    // registered already, and nothing changes).
    if (!prevDay && !current) await store.putFirm({ firmId: v.firmId, firmName: v.firmName });
    const replacedAlertIds = new Set<string>();
    for (const k of replaced) {
      await store.markSuperseded(v.firmId, v.endDate, k, v.versionKey);
      for (const id of (await store.getResult(v.firmId, v.endDate, k))?.alertIds ?? []) replacedAlertIds.add(id);
    }
    if (replacedAlertIds.size) {
      const prevAlerts = (await store.listAlerts(v.firmId, v.endDate)).filter((a) => replacedAlertIds.has(a.id));
      alerts.push(...resolvedAlerts(ref, prevAlerts, alerts));
    }
    for (const a of alerts) await store.putAlert(a, at, v.endDate);
    await store.advanceHead({
      firmId: v.firmId,
      firmName: v.firmName,
      endDate: v.endDate,
      effective: v.versionKey,
      filingType: v.filingType,
      submitDate: v.submitDate,
      status,
      statements,
      updatedAt: at,
    });
  } else {
    await store.markSuperseded(v.firmId, v.endDate, v.versionKey, effectiveKey);
  }
  // The version is not written back as done: that update cost as much as its put. Its stream
  // records after this are a superseding (state done) or a redrive (pending, on purpose).
  return { versionKey: v.versionKey, effective, status, alerts };
}
