/**
 * The dashboard's one stylesheet, served from the app (the CSP allows styles from 'self' only: no
 * inline style anywhere, charts styled by class). Its URL carries a hash of its content, so it can
 * be cached for good and a new release is fetched at once. Screen and print in one file.
 */
import { createHash } from 'node:crypto';

export const STYLESHEET = `
:root { --fg:#1b1f24; --muted:#5b6470; --line:#d5dae0; --bg:#fff; --band:#f4f6f8; --link:#0b5cad;
  --ok:#1a7f37; --warn:#9a6700; --warnbg:#fff4d6; --bad:#b42318; --badbg:#fde8e6; --ur:#6e40c9; --urbg:#efe7fd;
  --excess:#0b5cad; --target:#9a6700; --required:#444; --funds:#1a7f37; }
* { box-sizing: border-box; }
html { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
body { margin: 0; }
a { color: var(--link); }
a:focus-visible { outline: 2px solid var(--link); outline-offset: 2px; }
header.top { display: flex; flex-wrap: wrap; align-items: baseline; gap: .5rem 1.5rem; padding: .6rem 1.25rem; border-bottom: 1px solid var(--line); background: var(--band); }
.brand { font-weight: 700; font-size: 1.1rem; text-decoration: none; color: var(--fg); }
header nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
header nav a[aria-current="page"] { font-weight: 700; text-decoration: none; color: var(--fg); }
.who { margin: 0 0 0 auto; color: var(--muted); font-size: .85rem; }
main { padding: 1rem 1.25rem 2rem; max-width: 1400px; }
footer { padding: .5rem 1.25rem 1.5rem; color: var(--muted); font-size: .8rem; border-top: 1px solid var(--line); }
h1 { font-size: 1.45rem; margin: .2rem 0 .6rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p.lede { color: var(--muted); margin-top: 0; }
.pager { display: flex; gap: 1rem; align-items: baseline; margin: .4rem 0 .8rem; flex-wrap: wrap; }
table { border-collapse: collapse; margin: .4rem 0 1rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 400; color: var(--muted); font-size: .85rem; padding: .3rem 0; caption-side: top; }
th, td { padding: .25rem .55rem; border-bottom: 1px solid var(--line); vertical-align: top; text-align: left; }
thead th { border-bottom: 2px solid var(--fg); font-size: .85rem; white-space: nowrap; }
tbody th { font-weight: 600; }
td.n, th.n { text-align: right; white-space: nowrap; }
table.days td, table.days th { font-size: .82rem; padding: .15rem .45rem; }
table.days td, table.days tbody th { text-align: right; white-space: nowrap; }
table.days tbody th { text-align: left; }
table.days td:nth-child(5) { text-align: left; }
table.days small { color: var(--warn); font-weight: 600; margin-left: .3rem; }
table.days tr.bt th, table.days tr.bt td { background: var(--warnbg); }
table.days tr.df th, table.days tr.df td { background: var(--badbg); }
table.days tr.ur th, table.days tr.ur td { background: var(--urbg); }
nav.views ul { display: flex; gap: 0; list-style: none; margin: 0 0 .4rem; padding: 0; }
nav.views a { display: block; padding: .25rem .8rem; border: 1px solid var(--line); text-decoration: none; font-size: .9rem; }
nav.views li + li a { border-left: 0; }
nav.views a[aria-current] { background: var(--link); border-color: var(--link); color: #fff; font-weight: 600; }
.wrap { overflow-x: auto; }
.chip { display: inline-block; padding: 0 .45rem; border-radius: .7rem; font-size: .78rem; font-weight: 600; white-space: nowrap; border: 1px solid currentColor; }
.st-ok { color: var(--ok); }
.st-below-target { color: var(--warn); background: var(--warnbg); }
.st-deficiency { color: var(--bad); background: var(--badbg); }
.st-unreconciled { color: var(--ur); background: var(--urbg); }
.sev-critical { color: var(--bad); background: var(--badbg); }
.sev-warning { color: var(--warn); background: var(--warnbg); }
.sev-info { color: var(--muted); }
.sev-cured { color: var(--muted); border-style: dashed; }
.mark { font-size: .78rem; font-weight: 600; color: var(--bad); }
.mark.late { color: var(--warn); }
.muted { color: var(--muted); }
.neg { color: var(--bad); }
/* board */
table.board td.st { min-width: 15.5rem; }
table.board td.st p { display: flex; gap: .5rem; align-items: baseline; margin: 0; white-space: nowrap; }
table.board .cushion { font-size: .8rem; font-weight: 600; font-variant-numeric: tabular-nums; }
table.board dl { display: grid; grid-template-columns: auto auto; gap: 0 .6rem; margin: .2rem 0 0; font-size: .8rem; }
table.board dt { color: var(--muted); }
table.board dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
table.board ul.alerts { list-style: none; margin: .3rem 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: .2rem; font-weight: 400; }
table.board ul.alerts a { text-decoration: none; }
svg.bar { display: block; margin-top: .2rem; width: 150px; height: 12px; background: var(--band); }
svg.bar .ok { fill: var(--excess); }
svg.bar .bt { fill: var(--warn); }
svg.bar .df { fill: var(--bad); }
svg.bar .ur { fill: var(--ur); }
svg.bar .t { stroke: var(--fg); stroke-width: 2; }
svg.bar .z { stroke: var(--muted); stroke-width: 1; }
tr.missing th, tr.missing td { background: var(--badbg); }
table.alerts td.d { white-space: nowrap; }
/* charts */
p.charttitle { margin: .6rem 0 .2rem; font-weight: 600; font-size: .9rem; }
figure.chart { margin: .5rem 0 1rem; max-width: 980px; }
figure.chart svg { width: 100%; height: auto; display: block; border: 1px solid var(--line); background: #fff; }
figcaption { font-size: .85rem; color: var(--muted); margin-top: .3rem; }
.legend { display: flex; flex-wrap: wrap; gap: .3rem 1rem; font-size: .8rem; margin: .2rem 0 0; padding: 0; list-style: none; }
figure.chart .legend svg { vertical-align: middle; width: 22px; height: 12px; border: 0; display: inline; background: none; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .zero { stroke: var(--bad); stroke-width: 1; stroke-dasharray: 4 3; }
svg .axis { fill: var(--muted); font-size: 11px; }
svg .ex { fill: none; stroke: var(--excess); stroke-width: 2; }
svg .tg { fill: none; stroke: var(--target); stroke-width: 2; stroke-dasharray: 6 3; }
svg .rq { fill: none; stroke: var(--required); stroke-width: 2; }
svg .fd { fill: none; stroke: var(--funds); stroke-width: 2; stroke-dasharray: 5 3; }
svg .pts path { fill: none; stroke: var(--excess); stroke-width: 6; stroke-linecap: round; }
svg .pt { fill: var(--excess); }
svg .pt.bt { fill: var(--warn); stroke: #fff; stroke-width: 1; }
svg .pt.df { fill: var(--bad); stroke: #fff; stroke-width: 1; }
svg .pt.ur { fill: #fff; stroke: var(--ur); stroke-width: 2; }
svg .tc { stroke: var(--target); stroke-width: 1; stroke-dasharray: 2 2; }
svg .tcl { fill: var(--target); font-size: 11px; font-weight: 600; }
/* filing */
table.form td.code, table.form th.code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; color: var(--muted); }
table.form td.label { max-width: 46rem; }
table.form tr.derived td { font-weight: 600; }
table.form tr.bad th, table.form tr.bad td { background: var(--badbg); }
table.form tr.why td { background: var(--badbg); color: var(--bad); font-size: .85rem; border-bottom: 2px solid var(--bad); }
table.form tr.part td.label { padding-left: 1.6rem; }
ul.findings { padding-left: 1.1rem; }
ul.findings li { margin: .2rem 0; }
.finding-error { color: var(--bad); }
.finding-warning { color: var(--warn); }
/* forms */
form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin: .3rem 0 1rem; padding: .6rem .8rem; background: var(--band); border: 1px solid var(--line); }
form.filters label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); }
form.filters input, form.filters select, form.filters button { font: inherit; padding: .2rem .4rem; }
/* calendar */
.months { display: grid; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); gap: 1rem; }
table.month { width: 100%; margin: 0; }
table.month th, table.month td { text-align: center; padding: .15rem; font-size: .78rem; border: 1px solid var(--line); height: 2.6rem; width: 14.28%; }
table.month thead th { height: auto; }
table.month td.we { background: var(--band); color: var(--muted); }
table.month td.hol { background: var(--warnbg); }
table.month td b { display: block; font-size: .85rem; }
table.month td span { display: block; font-size: .66rem; color: var(--muted); }
table.month td span.due { color: var(--warn); }
p.note { font-size: .85rem; color: var(--muted); }
abbr.rc { text-decoration: none; cursor: help; }
.notice { padding: .6rem .8rem; border-left: 4px solid var(--warn); background: var(--warnbg); }
.notice.bad { border-color: var(--bad); background: var(--badbg); }
@media print {
  header.top nav, header.top .who, form.filters, .noprint { display: none; }
  header.top { background: none; border: 0; padding: 0; }
  main { padding: 0; max-width: none; }
  html { font-size: 10.5pt; }
  a { color: inherit; text-decoration: none; }
  .wrap { overflow: visible; }
  table { page-break-inside: auto; }
  tr { page-break-inside: avoid; }
  thead { display: table-header-group; }
  figure.chart { page-break-inside: avoid; max-width: 100%; }
  .chip { border-width: 1px; background: none !important; }
  h2 { page-break-after: avoid; }
}
`;

const hash = createHash('sha256').update(STYLESHEET).digest('hex').slice(0, 12);
export const STYLESHEET_PATH = `/static/app-${hash}.css`;

export const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b5cad"/><path d="M3 11l3-4 3 2 4-5" stroke="#fff" stroke-width="2" fill="none"/></svg>`;
