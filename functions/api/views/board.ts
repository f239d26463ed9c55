/** The board: every watched firm on one filing day, worst first (in the order the query gives). */
import { STATEMENT_KEYS, type StatementKey } from '../../../shared/domain/forms';
import { dec, Decimal, ZERO } from '../../../shared/domain/money';
import type { AlertRow, BoardFirm, BoardJson, StatementDay } from '../../../shared/read/types';
import {
  chip,
  dayUrl,
  firmUrl,
  h,
  excessMoney,
  marksRecomputed,
  money,
  recomputedNote,
  raw,
  nothing,
  page,
  pct,
  ratioPct,
  signedMoney,
  STATEMENT_LABEL,
  url,
  type Html,
  type PageOptions,
} from './html';

export interface BoardNav {
  previous: string | null;
  next: string | null;
  /** The filing for this day is not due yet (by noon of this day). */
  dueDay: string | null;
  today: string;
}

const BAR_W = 150;
const BAR_H = 12;

/**
 * Excess against target as a small bar: the fill is the excess, from zero; the tick is the target.
 * Its size and track come from the stylesheet, so each bar is three short paths.
 */
export function excessBar(s: StatementDay): Html {
  if (s.excess === null) return nothing;
  const excess = dec(s.excess);
  const target = s.target === null ? null : dec(s.target);
  const lo = Decimal.min(ZERO, excess);
  const hi = Decimal.max(ZERO, excess, target ?? ZERO).times('1.1');
  const span = hi.minus(lo);
  if (span.isZero()) return nothing;
  // Pixels of the bar (not amounts): a tenth of a pixel is fine enough.
  const x = (v: Decimal) => v.minus(lo).times(BAR_W).div(span).toDecimalPlaces(1).toFixed();
  const zero = x(ZERO);
  const ex = x(excess);
  const [from, to] = excess.isNegative() ? [ex, zero] : [zero, ex];
  const tick = target === null ? '' : `<path class="t" d="M${x(target)} 0v${BAR_H}"/>`;
  return raw(
    `<svg class="bar" viewBox="0 0 ${BAR_W} ${BAR_H}" aria-hidden="true"><path class="${BAR_CLASS[s.status]}" d="M${from} 2H${to}v${BAR_H - 4}H${from}z"/><path class="z" d="M${zero} 0v${BAR_H}"/>${tick}</svg>`,
  );
}
const BAR_CLASS: Record<StatementDay['status'], string> = {
  ok: 'ok',
  'below-target': 'bt',
  deficiency: 'df',
  unreconciled: 'ur',
};

function statementCell(f: BoardFirm, key: StatementKey): Html {
  const s = f.statements[key];
  if (!s) return h`<td class="st muted">${f.filed ? 'not in this filing' : '\u2013'}</td>`;
  const change =
    s.changeFromPrevious === null
      ? '\u2013'
      : `${signedMoney(s.changeFromPrevious)}${s.changePct === null ? '' : ` (${pct(s.changePct)})`}`;
  // Optional end tags left out (dt, dd): sixty firms of three statements stay small.
  return h`<td class="st" data-statement="${key}"><p>${chip(s.status)}${s.cushion === null ? '' : h`<span class="cushion">${ratioPct(s.cushion)} of ${s.target === null ? 'required' : 'target'}</span>`}</p>${excessBar(s)}<dl><dt>Excess<dd class="excess${s.excess !== null && dec(s.excess).isNegative() ? ' neg' : ''}">${excessMoney(s)}<dt>Target<dd class="target">${money(s.target)}<dt>Change<dd class="change">${change}<dt>Headroom<dd class="headroom">${money(s.headroom)}</dl></td>`;
}

/**
 * The day's alerts of a firm, one chip per kind (coloured by severity, counted when more than one),
 * linking to where they are listed. A deficiency or below-target alert that a later version cured
 * (a `resolved` notice for its statement) is one muted chip, "deficiency cured", instead of two.
 */
function alertChips(b: BoardJson, f: BoardFirm): Html {
  const alerts = f.alerts ?? [];
  if (alerts.length === 0) return nothing;
  // Newest first (the query's order): a statement is cured when its newest deficiency, below-target
  // or resolved alert is the resolved one; a deficiency raised again after a cure stays critical.
  const lastWord = new Map<AlertRow['statement'], string>();
  for (const a of alerts)
    if (EPISODE_KINDS.has(a.kind) && !lastWord.has(a.statement)) lastWord.set(a.statement, a.kind);
  const cured = new Set([...lastWord].filter(([, kind]) => kind === 'resolved').map(([st]) => st));
  const isCured = (a: AlertRow) => (a.kind === 'deficiency' || a.kind === 'below-target') && cured.has(a.statement);
  const curedStatements = new Set(alerts.filter(isCured).map((a) => a.statement));
  const chips = new Map<string, { severity: AlertRow['severity'] | 'cured'; n: number }>();
  for (const a of alerts) {
    if (a.kind === 'resolved' && curedStatements.has(a.statement)) continue;
    const label = `${a.kind.replace(/-/g, ' ')}${isCured(a) ? ' cured' : ''}`;
    const severity = isCured(a) ? 'cured' : a.severity;
    const k = chips.get(label);
    if (!k) chips.set(label, { severity, n: 1 });
    else {
      k.n++;
      if (SEVERITY_RANK[severity] < SEVERITY_RANK[k.severity]) k.severity = severity;
    }
  }
  const href = f.filed
    ? `${dayUrl(f.firmId, b.date)}#h-alerts`
    : url('/alerts', { firm: f.firmId, from: b.date, to: b.date });
  const sorted = [...chips].sort(
    (a, c) => SEVERITY_RANK[a[1].severity] - SEVERITY_RANK[c[1].severity] || (a[0] < c[0] ? -1 : 1),
  );
  return h`<ul class="alerts" aria-label="Alerts for this day">${sorted.map(([label, k]) => h`<li><a class="chip sev-${k.severity}" href="${href}">${label}${k.n > 1 ? ` \u00d7${k.n}` : ''}</a></li>`)}</ul>`;
}
const EPISODE_KINDS: ReadonlySet<string> = new Set(['deficiency', 'below-target', 'resolved']);
const SEVERITY_RANK: Record<AlertRow['severity'] | 'cured', number> = { critical: 0, warning: 1, info: 2, cured: 3 };

function filingCell(b: BoardJson, f: BoardFirm, nav: BoardNav): Html {
  if (!f.filed) {
    const notDue = nav.dueDay !== null && nav.today <= nav.dueDay;
    return notDue
      ? h`<td class="filing"><span class="mark late">not filed yet</span><br><span class="muted">due by noon ${nav.dueDay}</span></td>`
      : h`<td class="filing"><span class="mark missing">missing</span></td>`;
  }
  return h`<td class="filing"><a href="${dayUrl(f.firmId, b.date)}">filing</a>${f.late ? h`<br><span class="mark late">late</span>` : ''}</td>`;
}

export function boardPage(b: BoardJson, nav: BoardNav, o: Omit<PageOptions, 'title' | 'nav'>): Html {
  const count = (p: (f: BoardFirm) => boolean) => b.firms.filter(p).length;
  const has = (f: BoardFirm, st: string) => STATEMENT_KEYS.some((k) => f.statements[k]?.status === st);
  const summary = [
    `${b.firms.length} firm${b.firms.length === 1 ? '' : 's'}`,
    `${count((f) => has(f, 'deficiency'))} deficient`,
    `${count((f) => has(f, 'unreconciled'))} unreconciled`,
    `${count((f) => has(f, 'below-target'))} below target`,
    `${count((f) => !f.filed)} without a filing`,
    `${count((f) => f.late)} late`,
    `${b.firms.reduce((n, f) => n + (f.alerts?.length ?? 0), 0)} alerts`,
  ].join(' · ');
  const rows = b.firms.map(
    (f) => h`<tr${f.filed ? '' : raw(' class="missing"')} data-firm="${f.firmId}">
<th scope="row"><a class="firm" href="${firmUrl(f.firmId)}">${f.firmName}</a>${alertChips(b, f)}</th>
${filingCell(b, f, nav)}
${STATEMENT_KEYS.map((k) => statementCell(f, k))}
</tr>`,
  );
  const body = h`<h1>Board for ${b.date}</h1>
<p class="lede">${summary}</p>
<nav class="pager" aria-label="Filing days">
${nav.previous ? h`<a rel="prev" href="/days/${nav.previous}">\u2190 ${nav.previous}</a>` : ''}
${nav.next ? h`<a rel="next" href="/days/${nav.next}">${nav.next} \u2192</a>` : ''}
<form class="noprint" action="/" method="get"><label>Go to day <input type="date" name="date" value="${b.date}" required></label> <button type="submit">Show</button></form>
<a class="noprint" href="/board.csv?date=${b.date}" download>Download CSV</a>
<a class="noprint" href="/api/board?date=${b.date}">JSON</a>
</nav>
<div class="wrap">
<table class="board">
<caption>Every watched firm on ${b.date}, worst first: a deficiency, a missing filing, a statement that does not add up, below target, then the smallest cushion (excess / target). Beside each status, the cushion (excess as a percentage of the target, or of the amount required when there is none); the bar shows the excess from zero, the tick the target. Under each firm, the day's alerts.</caption>
<thead><tr><th scope="col">Firm</th><th scope="col">Filing</th>${STATEMENT_KEYS.map((k) => h`<th scope="col">${STATEMENT_LABEL[k]}</th>`)}</tr></thead>
<tbody>
${rows}
</tbody>
</table>
</div>
${b.firms.some((f) => STATEMENT_KEYS.some((k) => marksRecomputed(f.statements[k]))) ? recomputedNote() : ''}
${b.firms.length === 0 ? h`<p class="notice">No watched firm for this day.</p>` : ''}`;
  return page({ ...o, title: `Board ${b.date}`, nav: 'board' }, body);
}
