/** The board: every watched firm on one filing day, worst first (in the order the query gives). */
import { STATEMENT_KEYS, type StatementKey } from '../../../shared/domain/forms';
import { dec, Decimal, ZERO } from '../../../shared/domain/money';
import type { BoardFirm, BoardJson, StatementDay } from '../../../shared/read/types';
import { chip, dayUrl, firmUrl, h, money, raw, nothing, page, pct, ratioPct, signedMoney, STATEMENT_LABEL, type Html, type PageOptions } from './html';

export interface BoardNav {
  previous: string | null;
  next: string | null;
  /** The filing for this day is not due yet (by noon of this day). */
  dueDay: string | null;
  today: string;
}

const BAR_W = 150;
const BAR_H = 12;

/** Excess against target as a small bar: the fill is the excess, the tick the target, from zero. */
export function excessBar(s: StatementDay): Html {
  if (s.excess === null) return nothing;
  const excess = dec(s.excess);
  const target = s.target === null ? null : dec(s.target);
  const lo = Decimal.min(ZERO, excess);
  const hi = Decimal.max(ZERO, excess, target ?? ZERO).times('1.1');
  const span = hi.minus(lo);
  if (span.isZero()) return nothing;
  const x = (v: Decimal) => v.minus(lo).times(BAR_W).div(span).toFixed(1);
  const zero = x(ZERO);
  const ex = x(excess);
  const [from, to] = excess.isNegative() ? [ex, zero] : [zero, ex];
  const width = new Decimal(to).minus(from).toFixed(1);
  const tick = target === null ? '' : `<line class="tick" x1="${x(target)}" x2="${x(target)}" y1="0" y2="${BAR_H}"/>`;
  return h`<svg class="bar" width="${BAR_W}" height="${BAR_H}" viewBox="0 0 ${BAR_W} ${BAR_H}" aria-hidden="true"><rect class="track" width="${BAR_W}" height="${BAR_H}"/><rect class="fill ${s.status}" x="${from}" y="2" width="${width}" height="${BAR_H - 4}"/><line class="zero" x1="${zero}" x2="${zero}" y1="0" y2="${BAR_H}"/>${raw(tick)}</svg>`;
}

function statementCell(f: BoardFirm, key: StatementKey): Html {
  const s = f.statements[key];
  if (!s) return h`<td class="st muted">${f.filed ? 'not in this filing' : '\u2013'}</td>`;
  const change = s.changeFromPrevious === null ? '\u2013' : `${signedMoney(s.changeFromPrevious)}${s.changePct === null ? '' : ` (${pct(s.changePct)})`}`;
  return h`<td class="st" data-statement="${key}">${chip(s.status)}${excessBar(s)}<dl>
<dt>Excess</dt><dd class="excess${s.excess !== null && dec(s.excess).isNegative() ? ' neg' : ''}">${money(s.excess)}</dd>
<dt>Target</dt><dd class="target">${money(s.target)}</dd>
<dt>Change</dt><dd class="change">${change}</dd>
<dt>Headroom</dt><dd class="headroom">${money(s.headroom)}</dd>
<dt>Cushion</dt><dd class="cushion">${ratioPct(s.cushion)}</dd>
</dl></td>`;
}

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
  ].join(' · ');
  const rows = b.firms.map(
    (f) => h`<tr class="${f.filed ? '' : 'missing'}" data-firm="${f.firmId}">
<th scope="row"><a class="firm" href="${firmUrl(f.firmId)}">${f.firmName}</a></th>
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
<a class="noprint" href="/api/board?date=${b.date}">JSON</a>
</nav>
<div class="wrap">
<table class="board">
<caption>Every watched firm on ${b.date}, worst first: deficiency, unreconciled, below target, then the smallest cushion (excess / target). The bar shows the excess from zero; the tick is the target.</caption>
<thead><tr><th scope="col">Firm</th><th scope="col">Filing</th>${STATEMENT_KEYS.map((k) => h`<th scope="col">${STATEMENT_LABEL[k]}</th>`)}</tr></thead>
<tbody>
${rows}
</tbody>
</table>
</div>
${b.firms.length === 0 ? h`<p class="notice">No watched firm for this day.</p>` : ''}`;
  return page({ ...o, title: `Board ${b.date}`, nav: 'board' }, body);
}
