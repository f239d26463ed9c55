/**
 * The scheduled check's two alert kinds, self-contained: alerts.ts includes these entries in its
 * maps and calls these renderers for them. Pure; imports only types from alerts.ts (no cycle).
 *  - `missing-filing`: a watched firm filed nothing for a day on which one of its statements was
 *    required, and the deadline (noon New York time of the due day) has passed. One per firm and
 *    day; warning, critical from the second missing filing day in a row.
 *  - `digest`: the daily digest, one per business day (info), its text prepared by the check.
 */
import type { AlertRecord, AlertSeverity } from '../alerts';

export const SCHEDULE_ALERT_KINDS = ['missing-filing', 'digest'] as const;
export type ScheduleAlertKind = (typeof SCHEDULE_ALERT_KINDS)[number];

export function isScheduleKind(kind: string): kind is ScheduleAlertKind {
  return kind === 'missing-filing' || kind === 'digest';
}

export const SCHEDULE_ALERT_SEVERITY: Record<ScheduleAlertKind, AlertSeverity> = {
  'missing-filing': 'warning',
  digest: 'info',
};

export const SCHEDULE_ALERT_RULE: Record<ScheduleAlertKind, string> = {
  'missing-filing':
    'No filing for a day on which a statement was required, and its deadline (noon New York time of the next business day, 17 CFR 1.32(d)) has passed. Critical from the second filing day in a row. If the filing arrives later, it is a late filing.',
  digest:
    'The daily digest: every watched firm (one that filed in the last 10 filing days) with its excess, target and change from the previous filing day, the open alerts and the missing filings. Sent every business day, all clear or not: no digest means the watch itself is not running.',
};

export const SCHEDULE_LABEL: Record<ScheduleAlertKind, string> = {
  'missing-filing': 'MISSING FILING',
  digest: 'DIGEST',
};

/** The part of the subject after `[LABEL] firm` (alerts.ts composes and caps it). */
export function scheduleSubjectTail(a: AlertRecord): string {
  if (a.kind === 'missing-filing') {
    const due = /^Due: +(\d{4}-\d{2}-\d{2})/m.exec(a.detail)?.[1];
    return `${a.endDate} not filed${due ? ` by ${due} noon` : ''}`;
  }
  // digest: the first line of its text is the headline.
  return a.detail.split('\n', 1)[0] ?? '';
}

/** Plain-text email body. The check prepared the text (detail). */
export function scheduleBody(a: AlertRecord): string {
  if (a.kind === 'digest') return `${a.detail}\n\nAlert id: ${a.id}`;
  const lines = [`${SCHEDULE_LABEL['missing-filing']} (${a.severity})`, ''];
  if (a.firmName) lines.push(`Firm:        ${printable(a.firmName)} (${a.firmId})`);
  if (a.endDate) lines.push(`End date:    ${a.endDate}`);
  lines.push(a.detail, '', `Rule: ${SCHEDULE_ALERT_RULE['missing-filing']}`, '', `Alert id: ${a.id}`);
  return lines.join('\n');
}

/** One line of printable ASCII (as alerts.ts ascii(), which this file cannot import without a cycle). */
function printable(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
