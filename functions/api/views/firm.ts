/** A firm's history: per statement a chart of excess against target, one of required and funds, and the table of days. */
import { STATEMENT_KEYS, type StatementKey } from '../../../shared/domain/forms';
import { dec, usd } from '../../../shared/domain/money';
import type { HistoryDay, HistoryJson, ReadStatus, StatementDay } from '../../../shared/read/types';
import { chart, swatch, type PointKind } from './chart';
import {
  chip,
  firmUrl,
  h,
  excessMoney,
  marksRecomputed,
  money,
  RECOMPUTED_NOTE,
  recomputedNote,
  page,
  raw,
  pct,
  ratioPct,
  shortMoney,
  signedMoney,
  statementName,
  STATUS_LABEL,
  url,
  type Html,
  type PageOptions,
} from './html';

export interface FirmRange {
  from: string;
  to: string;
  view?: FirmView;
  /** The page was asked for as `/firms/{id}` (no trailing slash): its relative links then name the firm. */
  slash?: boolean;
  /** The default 12 months held nothing, so the page shows the firm's last 12 months of filings instead. */
  fellBack: boolean;
}

const KIND: Record<ReadStatus, PointKind> = { ok: 'ok', 'below-target': 'bt', deficiency: 'df', unreconciled: 'ur' };
/** A table row's class by status (the stylesheet colours the row). */
const ROW_CLASS: Record<Exclude<ReadStatus, 'ok'>, string> = {
  'below-target': 'bt',
  deficiency: 'df',
  unreconciled: 'ur',
};

/** What the page charts: excess against target (the default), or the amount required and the funds held. */
export type FirmView = 'excess' | 'funds';
export const FIRM_VIEWS: readonly FirmView[] = ['excess', 'funds'];
const list = (dates: string[]) =>
  dates.length <= 6 ? dates.join(', ') : `${dates.slice(0, 5).join(', ')} and ${dates.length - 5} more`;

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
    const targetChanged =
      prevTarget !== undefined &&
      s.target !== null &&
      prevTarget !== null &&
      s.target !== prevTarget &&
      !dec(s.target).eq(dec(prevTarget));
    rows.push({ day, s, targetChanged });
    prevTarget = s.target;
  }
  return rows;
}

function statementSection(_firm: HistoryJson, key: StatementKey, rows: Row[], view: FirmView, base: string): Html {
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
    `On ${last.day.endDate}: excess ${last.s.excess === null ? 'not given' : usd(dec(last.s.excess))}${last.s.excessRecomputed ? ` (${RECOMPUTED_NOTE})` : ''}, target ${last.s.target === null ? 'none' : usd(dec(last.s.target))}.`,
    'The figures are in the table below.',
  ].filter(Boolean);
  const desc = descParts.join(' ');
  const titleOf = (r: Row) =>
    r.s.status === 'ok' && !r.targetChanged
      ? null
      : `${r.day.endDate}: ${STATUS_LABEL[r.s.status]}, excess ${money(r.s.excess)}${r.s.excessRecomputed ? ` (${RECOMPUTED_NOTE})` : ''}, target ${money(r.s.target)}`;
  const excessChart = chart({
    id: `${id}-ex`,
    title: `${name}: excess and management target`,
    desc,
    dates,
    lines: [
      { cls: 'tg', values: rows.map((r) => r.s.target), step: true },
      { cls: 'ex', values: rows.map((r) => r.s.excess) },
    ],
    points: {
      values: rows.map((r) => r.s.excess),
      kinds: rows.map((r) => KIND[r.s.status]),
      titles: rows.map(titleOf),
    },
    markers: changes.map((c) => ({ index: c.i, label: `target ${shortMoney(dec(c.to))}` })),
  });
  const rfChart = () =>
    chart({
      id: `${id}-rf`,
      title: `${name}: amount required and funds held`,
      desc: `${rows.length} filing days from ${dates[0]} to ${dates.at(-1)}. On ${last.day.endDate}: required ${last.s.required === null ? 'not given' : usd(dec(last.s.required))}, funds ${last.s.funds === null ? 'not given' : usd(dec(last.s.funds))}. The figures are in the table below.`,
      dates,
      lines: [
        { cls: 'rq', values: rows.map((r) => r.s.required) },
        { cls: 'fd', values: rows.map((r) => r.s.funds) },
      ],
    });
  // Compact rows: optional end tags left out (as HTML allows), the row header's scope implied (a
  // th starting a row of tds), the status column styled by position. Twelve months of three
  // statements are 750 rows, and the page stays well under 200 KB.
  const day = (r: Row) => {
    const marks = `${r.day.filingType === 'AMENDMENT' ? ' amended' : ''}${r.day.late ? ' late' : ''}`;
    return h`<tr${r.s.status === 'ok' ? '' : raw(` class="${ROW_CLASS[r.s.status]}"`)}><th><a href="${base}${r.day.endDate}">${r.day.endDate}</a>${marks ? h`<small>${marks}</small>` : ''}`;
  };
  const note = rows.some((r) => marksRecomputed(r.s)) ? recomputedNote() : '';
  const caption = h`<caption>${name}: daily figures, ${dates[0]} to ${dates.at(-1)} (the effective filing of each day)</caption>`;
  const head = (cols: string[]) =>
    raw(
      `<thead><tr><th scope="col">Day</th>${cols.map((c) => `<th scope="col"${c === 'Status' ? '' : ' class="n"'}>${c}</th>`).join('')}</tr></thead>`,
    );
  if (view === 'funds') {
    const tr = rows.map(
      (r) =>
        h`${day(r)}<td>${money(r.s.required)}<td>${money(r.s.funds)}<td>${excessMoney(r.s)}<td>${r.s.status === 'ok' ? 'ok' : chip(r.s.status)}\n`,
    );
    return h`<section aria-labelledby="h-${key}" data-statement="${key}">
<h2 id="h-${key}">${name}</h2>
<p class="charttitle" aria-hidden="true">Amount required and funds held</p>
<figure class="chart">${rfChart()}
<figcaption><ul class="legend"><li>${swatch('rq')} amount required</li><li>${swatch('fd')} funds held</li></ul></figcaption></figure>
<div class="wrap"><table class="days rf">
${caption}
${head(['Required', 'Funds', 'Excess', 'Status'])}
<tbody>${tr}</tbody>
</table></div>
${note}
</section>`;
  }
  const tr = rows.map(
    (r) =>
      h`${day(r)}<td>${excessMoney(r.s)}<td>${money(r.s.target)}${r.targetChanged ? h`<small> changed</small>` : ''}<td>${signedMoney(r.s.overTarget)}<td>${r.s.status === 'ok' ? 'ok' : chip(r.s.status)}<td>${signedMoney(r.s.changeFromPrevious)}<td>${pct(r.s.changePct)}<td>${ratioPct(r.s.cushion)}<td>${money(r.s.headroom)}\n`,
  );
  return h`<section aria-labelledby="h-${key}" data-statement="${key}">
<h2 id="h-${key}">${name}</h2>
<p class="charttitle" aria-hidden="true">Excess and management target</p>
<figure class="chart">${excessChart}
<figcaption><ul class="legend"><li>${swatch('ex')} excess</li><li>${swatch('tg')} management target</li><li>${swatch('bt')} below target</li><li>${swatch('df')} deficient</li><li>${swatch('ur')} unreconciled</li></ul>${desc}</figcaption></figure>
<div class="wrap"><table class="days">
${caption}
${head(['Excess', 'Target', 'Over target', 'Status', 'Change', 'Change %', 'Cushion', 'Headroom'])}
<tbody>${tr}</tbody>
</table></div>
${note}
</section>`;
}

export function firmPage(firm: HistoryJson, range: FirmRange, o: Omit<PageOptions, 'title' | 'nav'>): Html {
  const view = range.view ?? 'excess';
  const q = { from: range.from, to: range.to };
  const self = `/firms/${encodeURIComponent(firm.firmId)}`;
  const page_ = firmUrl(firm.firmId);
  const sections = STATEMENT_KEYS.map((k) => ({ k, rows: rowsOf(firm.days, k) }))
    .filter((x) => x.rows.length > 0)
    .map((x) =>
      statementSection(
        firm,
        x.k,
        x.rows,
        view,
        range.slash === false ? `${encodeURIComponent(firm.firmId)}/days/` : 'days/',
      ),
    );
  const late = firm.days.filter((d) => d.late).map((d) => d.endDate);
  const amended = firm.days.filter((d) => d.filingType === 'AMENDMENT').length;
  // The two charts of each statement as a toggle without script: plain links to the page in either view.
  const toggle = (v: FirmView, label: string) =>
    h`<li><a href="${url(page_, { ...q, view: v === 'excess' ? undefined : v })}"${v === view ? raw(' aria-current="true"') : ''}>${label}</a></li>`;
  const body = h`<h1>${firm.firmName}</h1>
<p class="lede">Firm id <code>${firm.firmId}</code> · ${firm.days.length} filing day${firm.days.length === 1 ? '' : 's'} from ${range.from} to ${range.to}${amended ? ` · ${amended} amended` : ''}${late.length ? ` · late on ${list(late)}` : ''}</p>
${range.fellBack ? h`<p class="notice">No filings in the last 12 months: showing the 12 months up to this firm's latest filing.</p>` : ''}
<form class="filters" action="" method="get">
<label>From <input type="date" name="from" value="${range.from}" required></label>
<label>To <input type="date" name="to" value="${range.to}" required></label>
${view === 'excess' ? '' : h`<input type="hidden" name="view" value="${view}">`}<button type="submit">Show</button>
<a href="${url(`${self}/history.csv`, q)}" download>Download CSV</a>
<a href="${url(`/api${self}/history`, q)}">JSON</a>
<a href="${url('/alerts', { firm: firm.firmId, ...q })}">Alerts</a>
</form>
<nav class="views noprint" aria-label="Charts"><ul>${toggle('excess', 'Excess against target')}${toggle('funds', 'Required and funds')}</ul></nav>
${sections.length ? sections : h`<p class="notice">No filings from ${range.from} to ${range.to}.</p>`}`;
  return page({ ...o, title: firm.firmName }, body);
}
