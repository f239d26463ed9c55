/** A firm's history: per statement a chart of excess against target, one of required and funds, and the table of days. */
import { STATEMENT_KEYS, type StatementKey } from '../../../shared/domain/forms';
import { dec, usd } from '../../../shared/domain/money';
import type { HistoryDay, HistoryJson, ReadStatus, StatementDay } from '../../../shared/read/types';
import { chart, swatch, type PointKind } from './chart';
import { chip, h, money, page, raw, pct, ratioPct, shortMoney, signedMoney, statementName, STATUS_LABEL, url, type Html, type PageOptions } from './html';

export interface FirmRange {
  from: string;
  to: string;
  /** The default 12 months held nothing, so the page shows the firm's last 12 months of filings instead. */
  fellBack: boolean;
}

const KIND: Record<ReadStatus, PointKind> = { ok: 'ok', 'below-target': 'bt', deficiency: 'df', unreconciled: 'ur' };
const list = (dates: string[]) => (dates.length <= 6 ? dates.join(', ') : `${dates.slice(0, 5).join(', ')} and ${dates.length - 5} more`);

interface Row {
  day: HistoryDay;
  s: StatementDay;
  targetChanged: boolean;
}

function rowsOf(days: HistoryDay[], key: StatementKey): Row[] {
  const rows: Row[] = [];
  let prevTarget: string | null | undefined;
  for (const day of days) {
    const s = day.statements[key];
    if (!s) continue;
    const targetChanged = prevTarget !== undefined && s.target !== null && prevTarget !== null && s.target !== prevTarget && !dec(s.target).eq(dec(prevTarget));
    rows.push({ day, s, targetChanged });
    prevTarget = s.target;
  }
  return rows;
}

function statementSection(firm: HistoryJson, key: StatementKey, rows: Row[]): Html {
  const name = statementName(key);
  const dates = rows.map((r) => r.day.endDate);
  const below = rows.filter((r) => r.s.status === 'below-target').map((r) => r.day.endDate);
  const deficient = rows.filter((r) => r.s.status === 'deficiency').map((r) => r.day.endDate);
  const unrec = rows.filter((r) => r.s.status === 'unreconciled').map((r) => r.day.endDate);
  const changes = rows
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.targetChanged)
    .map(({ r, i }) => ({ i, date: r.day.endDate, from: rows[i - 1].s.target!, to: r.s.target! }));
  const last = rows.at(-1)!;
  const id = `c-${key}`;
  const descParts = [
    `${rows.length} filing day${rows.length === 1 ? '' : 's'} from ${dates[0]} to ${dates.at(-1)}.`,
    `Below target on ${below.length} day${below.length === 1 ? '' : 's'}${below.length ? ` (${list(below)})` : ''}.`,
    `Deficient on ${deficient.length}${deficient.length ? ` (${list(deficient)})` : ''}.`,
    unrec.length ? `Unreconciled on ${unrec.length} (${list(unrec)}).` : '',
    ...changes.map((c) => `Target changed on ${c.date} from ${usd(dec(c.from))} to ${usd(dec(c.to))}.`),
    `On ${last.day.endDate}: excess ${last.s.excess === null ? 'not given' : usd(dec(last.s.excess))}, target ${last.s.target === null ? 'none' : usd(dec(last.s.target))}.`,
    'The figures are in the table below.',
  ].filter(Boolean);
  const desc = descParts.join(' ');
  const titleOf = (r: Row) =>
    r.s.status === 'ok' && !r.targetChanged
      ? null
      : `${r.day.endDate}: ${STATUS_LABEL[r.s.status]}, excess ${money(r.s.excess)}, target ${money(r.s.target)}`;
  const excessChart = chart({
    id: `${id}-ex`,
    title: `${name}: excess and management target`,
    desc,
    dates,
    lines: [
      { cls: 'tg', values: rows.map((r) => r.s.target), step: true },
      { cls: 'ex', values: rows.map((r) => r.s.excess) },
    ],
    points: { values: rows.map((r) => r.s.excess), kinds: rows.map((r) => KIND[r.s.status]), titles: rows.map(titleOf) },
    markers: changes.map((c) => ({ index: c.i, label: `target ${shortMoney(dec(c.to))}` })),
  });
  const rfChart = chart({
    id: `${id}-rf`,
    title: `${name}: amount required and funds held`,
    desc: `${rows.length} filing days from ${dates[0]} to ${dates.at(-1)}. On ${last.day.endDate}: required ${last.s.required === null ? 'not given' : usd(dec(last.s.required))}, funds ${last.s.funds === null ? 'not given' : usd(dec(last.s.funds))}. The figures are in the table below.`,
    dates,
    lines: [
      { cls: 'rq', values: rows.map((r) => r.s.required) },
      { cls: 'fd', values: rows.map((r) => r.s.funds) },
    ],
  });
  // Compact rows (optional end tags left out, as HTML allows): twelve months of three statements
  // are 750 of them, and the page stays small.
  const base = `${encodeURIComponent(firm.firmId)}/days/`;
  const tr = rows.map(({ day, s, targetChanged }) => {
    const marks = `${day.filingType === 'AMENDMENT' ? ' amended' : ''}${day.late ? ' late' : ''}`;
    return h`<tr${s.status === 'ok' ? '' : raw(` class="${s.status}"`)}><th scope="row"><a href="${base}${day.endDate}">${day.endDate}</a>${marks ? h`<small>${marks}</small>` : ''}<td>${money(s.required)}<td>${money(s.funds)}<td>${money(s.excess)}<td>${money(s.target)}${targetChanged ? h`<small> changed</small>` : ''}<td>${signedMoney(s.overTarget)}<td class="s">${s.status === 'ok' ? 'ok' : chip(s.status)}<td>${signedMoney(s.changeFromPrevious)}<td>${pct(s.changePct)}<td>${ratioPct(s.cushion)}<td>${money(s.headroom)}\n`;
  });
  return h`<section aria-labelledby="h-${key}" data-statement="${key}">
<h2 id="h-${key}">${name}</h2>
<p class="charttitle" aria-hidden="true">Excess and management target</p>
<figure class="chart">${excessChart}
<figcaption><ul class="legend"><li>${swatch('ex')} excess</li><li>${swatch('tg')} management target</li><li>${swatch('bt')} below target</li><li>${swatch('df')} deficient</li><li>${swatch('ur')} unreconciled</li></ul>${desc}</figcaption></figure>
<p class="charttitle" aria-hidden="true">Amount required and funds held</p>
<figure class="chart">${rfChart}
<figcaption><ul class="legend"><li>${swatch('rq')} amount required</li><li>${swatch('fd')} funds held</li></ul></figcaption></figure>
<div class="wrap"><table class="days">
<caption>${name}: daily figures, ${dates[0]} to ${dates.at(-1)} (the effective filing of each day)</caption>
<thead><tr><th scope="col">Day</th><th scope="col" class="n">Required</th><th scope="col" class="n">Funds</th><th scope="col" class="n">Excess</th><th scope="col" class="n">Target</th><th scope="col" class="n">Over target</th><th scope="col">Status</th><th scope="col" class="n">Change</th><th scope="col" class="n">Change %</th><th scope="col" class="n">Cushion</th><th scope="col" class="n">Headroom</th></tr></thead>
<tbody>${tr}</tbody>
</table></div>
</section>`;
}

export function firmPage(firm: HistoryJson, range: FirmRange, o: Omit<PageOptions, 'title' | 'nav'>): Html {
  const q = { from: range.from, to: range.to };
  const sections = STATEMENT_KEYS.map((k) => ({ k, rows: rowsOf(firm.days, k) }))
    .filter((x) => x.rows.length > 0)
    .map((x) => statementSection(firm, x.k, x.rows));
  const late = firm.days.filter((d) => d.late).map((d) => d.endDate);
  const amended = firm.days.filter((d) => d.filingType === 'AMENDMENT').length;
  const body = h`<h1>${firm.firmName}</h1>
<p class="lede">Firm id <code>${firm.firmId}</code> · ${firm.days.length} filing day${firm.days.length === 1 ? '' : 's'} from ${range.from} to ${range.to}${amended ? ` · ${amended} amended` : ''}${late.length ? ` · late on ${list(late)}` : ''}</p>
${range.fellBack ? h`<p class="notice">No filings in the last 12 months: showing the 12 months up to this firm's latest filing.</p>` : ''}
<form class="filters" action="" method="get">
<label>From <input type="date" name="from" value="${range.from}" required></label>
<label>To <input type="date" name="to" value="${range.to}" required></label>
<button type="submit">Show</button>
<a href="${url(`/firms/${encodeURIComponent(firm.firmId)}/history.csv`, q)}" download>Download CSV</a>
<a href="${url(`/api/firms/${encodeURIComponent(firm.firmId)}/history`, q)}">JSON</a>
<a href="${url('/alerts', { firm: firm.firmId, ...q })}">Alerts</a>
</form>
${sections.length ? sections : h`<p class="notice">No filings from ${range.from} to ${range.to}.</p>`}`;
  return page({ ...o, title: firm.firmName }, body);
}
