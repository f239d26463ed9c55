/** Alerts: filterable (GET form, no JavaScript), newest first (the query's order). */
import { ALERT_SEVERITY } from '../../../shared/domain/alerts';
import type { AlertRow, AlertsJson, AlertsQuery } from '../../../shared/read/types';
import {
  dayUrl,
  firmUrl,
  h,
  money,
  page,
  severityChip,
  STATEMENT_LABEL,
  url,
  type Html,
  type PageOptions,
} from './html';

/** Alert kinds for the filter: the pipeline's, plus those other work adds (a query may name any). */
export function alertKinds(extra?: string): string[] {
  const kinds = new Set<string>([
    ...Object.keys(ALERT_SEVERITY),
    'target-changed',
    'trend-to-target',
    'missing-filing',
  ]);
  if (extra) kinds.add(extra);
  return [...kinds].sort();
}

/** An ISO time as "2014-11-07 17:39 UTC" (the JSON keeps the full time). */
function when(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/**
 * What the excess of a reconciliation alert is: its statement does not add up, so the alert carries
 * the lower of the excess as filed and as recomputed from the lines (shared/domain/alerts.ts
 * errorsAlert), which need not be the line as filed.
 */
export const LOWER_EXCESS_NOTE =
  'the statement does not add up: the lower of the excess as filed and as recomputed from the lines (funds - required); the alert gives both';

/** A reconciliation alert's excess: marked, as it need not be the excess line as filed. */
const marksLower = (a: AlertRow): boolean => a.kind === 'reconciliation-errors' && a.excess !== null;

export function alertsTable(alerts: AlertRow[], caption: string, showFirm = true): Html {
  const lower = alerts.some(marksLower);
  return h`<div class="wrap"><table class="alerts">
<caption>${caption}</caption>
<thead><tr><th scope="col">Day</th><th scope="col">Severity</th><th scope="col">Kind</th>${showFirm ? h`<th scope="col">Firm</th>` : ''}<th scope="col">Statement</th><th scope="col" class="n">Excess</th><th scope="col" class="n">Target</th><th scope="col" class="n">Shortfall</th><th scope="col">Subject</th><th scope="col">Sent</th></tr></thead>
<tbody>${alerts.map(
    (a) =>
      h`<tr data-kind="${a.kind}"><td class="d">${a.endDate && a.firmId ? h`<a href="${dayUrl(a.firmId, a.endDate)}">${a.endDate}</a>` : (a.endDate ?? '\u2013')}</td><td>${severityChip(a.severity)}</td><td>${a.kind}</td>${
        showFirm
          ? h`<td>${a.firmId ? h`<a href="${firmUrl(a.firmId)}">${a.firmName ?? a.firmId}</a>` : (a.firmName ?? '\u2013')}</td>`
          : ''
      }<td>${a.statement ? STATEMENT_LABEL[a.statement] : '\u2013'}</td><td class="n">${money(a.excess)}${marksLower(a) ? h`<abbr class="rc" title="${LOWER_EXCESS_NOTE}">‡</abbr>` : ''}</td><td class="n">${money(a.target)}</td><td class="n">${money(a.shortfall)}</td><td>${a.subject}</td><td class="d">${a.state === 'sent' ? (a.sentAt ? when(a.sentAt) : 'sent') : h`<span class="mark late">pending</span>`}</td></tr>`,
  )}</tbody>
</table>${lower ? h`<p class="note">‡ ${LOWER_EXCESS_NOTE}.</p>` : ''}</div>`;
}

/** The most rows one page shows (the JSON route has them all). */
export const ALERTS_PAGE_ROWS = 300;

export function alertsPage(json: AlertsJson, q: AlertsQuery, o: Omit<PageOptions, 'title' | 'nav'>): Html {
  const shown = json.alerts.slice(0, ALERTS_PAGE_ROWS);
  const more = json.alerts.length - shown.length;
  const option = (value: string, label: string, current?: string) =>
    h`<option value="${value}"${value === (current ?? '') ? h` selected` : ''}>${label}</option>`;
  const filtered = Object.values(q).some((v) => v);
  const body = h`<h1>Alerts</h1>
<form class="filters" action="/alerts" method="get">
<label>From <input type="date" name="from" value="${q.from ?? ''}"></label>
<label>To <input type="date" name="to" value="${q.to ?? ''}"></label>
<label>Firm (id or name) <input type="text" name="firm" value="${q.firm ?? ''}" size="24"></label>
<label>Kind <select name="kind">${option('', 'any')}${alertKinds(q.kind).map((k) => option(k, k, q.kind))}</select></label>
<label>Severity <select name="severity">${option('', 'any')}${['critical', 'warning', 'info'].map((s) => option(s, s, q.severity))}</select></label>
<button type="submit">Filter</button>
${filtered ? h`<a href="/alerts">Clear</a>` : ''}
<a href="${url('/api/alerts', { ...q })}">JSON</a>
</form>
${
  json.alerts.length
    ? h`${more > 0 ? h`<p class="notice">${json.alerts.length} alerts: the newest ${ALERTS_PAGE_ROWS} are shown. Narrow the dates, firm or kind, or <a href="${url('/api/alerts', { ...q })}">get them all as JSON</a>.</p>` : ''}${alertsTable(
        shown,
        `${json.alerts.length} alert${json.alerts.length === 1 ? '' : 's'}, newest first${filtered ? ' (filtered)' : ''}${more > 0 ? `, the newest ${ALERTS_PAGE_ROWS} shown` : ''}`,
      )}`
    : h`<p class="notice">No alerts${filtered ? ' match these filters' : ''}.</p>`
}`;
  return page({ ...o, title: 'Alerts', nav: 'alerts' }, body);
}
