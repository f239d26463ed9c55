/**
 * Hand-written SVG charts: one point per filing day on an evenly spaced axis (a filing day's
 * position, as the trend line counts them), lines that break where a value is missing, a step
 * line for a target, and markers where the target changes. Coordinates are computed in exact
 * decimals and written with one decimal place: an amount never passes through a JS number, not
 * even on its way to a pixel. Styling is by class (the stylesheet), so the CSP needs no inline style.
 */
import { Decimal, ZERO } from '../../../shared/domain/money';
import { h, raw, shortMoney, type Html } from './html';

export type PointKind = 'ok' | 'bt' | 'df' | 'ur';

export interface ChartLine {
  /** Class of the line (stylesheet): ex, tg, rq, fd. */
  cls: string;
  values: (Decimal | null)[];
  /** Draw as a step line (a target holds until it changes). */
  step?: boolean;
}

export interface ChartPoints {
  values: (Decimal | null)[];
  kinds: PointKind[];
  /** A tooltip per point (the SVG <title>), or null for none. */
  titles: (string | null)[];
}

export interface ChartOptions {
  id: string;
  title: string;
  desc: string;
  dates: string[];
  lines: ChartLine[];
  points?: ChartPoints;
  /** Vertical markers (target changes): the day's index and a short label. */
  markers?: { index: number; label: string }[];
}

const W = 900;
const H = 250;
const LEFT = 74;
const RIGHT = 14;
const TOP = 22;
const BOTTOM = 28;
const PLOT_W = W - LEFT - RIGHT;
const PLOT_H = H - TOP - BOTTOM;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A coordinate: whole units of the 900-wide view box (finer than any screen shows it). */
const c = (d: Decimal) => d.toFixed(0);

/** A "nice" tick step (1, 2 or 5 times a power of ten) for about `n` intervals over `range`. */
export function niceStep(range: Decimal, n = 4): Decimal {
  if (range.lte(0)) return new Decimal(1);
  const rough = range.div(n);
  // The power of ten at or below `rough`, read off its exponent (a logarithm at the money
  // precision costs more than drawing the chart).
  const exponent = Number.parseInt(rough.toExponential(0).split('e')[1], 10);
  const mag = new Decimal(10).pow(exponent);
  const norm = rough.div(mag);
  const f = norm.lt('1.5') ? 1 : norm.lt(3) ? 2 : norm.lt(7) ? 5 : 10;
  return mag.times(f);
}

export interface Scale {
  lo: Decimal;
  hi: Decimal;
  ticks: Decimal[];
}

/** The value range of a chart: every value, zero when anything is at or below it, some air, nice ticks. */
export function scaleFor(values: (Decimal | null)[]): Scale {
  let lo: Decimal | null = null;
  let hi: Decimal | null = null;
  for (const v of values) {
    if (v === null) continue;
    if (lo === null || v.lt(lo)) lo = v;
    if (hi === null || v.gt(hi)) hi = v;
  }
  if (lo === null || hi === null) return { lo: ZERO, hi: new Decimal(1), ticks: [ZERO] };
  if (lo.lte(0)) hi = Decimal.max(hi, ZERO);
  if (hi.lt(0)) hi = ZERO;
  let range = hi.minus(lo);
  if (range.isZero()) range = Decimal.max(lo.abs().div(10), new Decimal(1));
  const step = niceStep(range);
  const from = lo.minus(range.div(12)).div(step).floor().times(step);
  const to = hi.plus(range.div(12)).div(step).ceil().times(step);
  const ticks: Decimal[] = [];
  for (let t = from; t.lte(to); t = t.plus(step)) ticks.push(t);
  return { lo: from, hi: to, ticks };
}

export function chart(o: ChartOptions): Html {
  const n = o.dates.length;
  const all = [...o.lines.flatMap((l) => l.values), ...(o.points?.values ?? [])];
  const s = scaleFor(all);
  // y = TOP + (hi - v) * PLOT_H / (hi - lo), to the nearest whole unit, by integer division in
  // decimals (a full-precision quotient per point would cost more than the rest of the page).
  const span = s.hi.minus(s.lo);
  const half = span.div(2);
  const y = (v: Decimal) => c(s.hi.minus(v).times(PLOT_H).plus(half).dividedToIntegerBy(span).plus(TOP));
  // x: the day's position, evenly spaced (pixels from an index, no amount involved).
  const xs = o.dates.map((_, i) => String(n > 1 ? LEFT + Math.round((i * PLOT_W) / (n - 1)) : LEFT + PLOT_W / 2));
  const x = (i: number) => xs[i];

  const grid: string[] = [];
  for (const t of s.ticks) {
    const yy = y(t);
    grid.push(`<line class="${t.isZero() ? 'zero' : 'grid'}" x1="${LEFT}" x2="${W - RIGHT}" y1="${yy}" y2="${yy}"/>`);
    grid.push(`<text class="axis" x="${LEFT - 6}" y="${yy}" dy="4" text-anchor="end">${shortMoney(t)}</text>`);
  }
  // Month labels at the first filing day of each month (every other one past 14 months).
  let lastMonth = '';
  let shown = 0;
  const monthsSpanned = new Set(o.dates.map((d) => d.slice(0, 7))).size;
  const every = monthsSpanned > 28 ? 3 : monthsSpanned > 14 ? 2 : 1;
  o.dates.forEach((d, i) => {
    const m = d.slice(0, 7);
    if (m === lastMonth) return;
    lastMonth = m;
    if (shown++ % every !== 0) return;
    const mi = Number.parseInt(d.slice(5, 7), 10) - 1;
    const label = shown === 1 || mi === 0 ? `${MONTHS[mi]} ${d.slice(0, 4)}` : MONTHS[mi];
    grid.push(`<text class="axis" x="${x(i)}" y="${H - 8}" text-anchor="${i === 0 ? 'start' : 'middle'}">${label}</text>`);
  });

  const paths = o.lines.map((l) => {
    let d = '';
    let open = false;
    let lastY = '';
    l.values.forEach((v, i) => {
      if (v === null) {
        open = false;
        return;
      }
      const yy = y(v);
      if (!open) d += `M${x(i)} ${yy}`;
      else if (l.step) d += `H${x(i)}${yy === lastY ? '' : `V${yy}`}`;
      else d += `L${x(i)} ${yy}`;
      open = true;
      lastY = yy;
    });
    return d ? `<path class="${l.cls}" d="${d}"/>` : '';
  });

  const markers = (o.markers ?? []).map(
    (m) =>
      h`<line class="tc" x1="${x(m.index)}" x2="${x(m.index)}" y1="${TOP}" y2="${H - BOTTOM}"/><text class="tcl" x="${x(m.index)}" y="${TOP - 6}" text-anchor="${m.index > n / 2 ? 'end' : 'start'}">${m.label}</text>`,
  );

  const points: Html[] = [];
  if (o.points) {
    const p = o.points;
    p.values.forEach((v, i) => {
      if (v === null) return;
      const cx = x(i);
      const cy = y(v);
      const title = p.titles[i];
      const t = title ? h`<title>${title}</title>` : '';
      switch (p.kinds[i]) {
        case 'bt':
          points.push(h`<path class="pt bt" d="M${cx} ${cy}m0 -6l6 6l-6 6l-6 -6z">${t}</path>`);
          break;
        case 'df':
          points.push(h`<path class="pt df" d="M${cx} ${cy}m-5 -5h10v10h-10z">${t}</path>`);
          break;
        case 'ur':
          points.push(h`<circle class="pt ur" cx="${cx}" cy="${cy}" r="4">${t}</circle>`);
          break;
        default:
          points.push(title ? h`<circle class="pt" cx="${cx}" cy="${cy}" r="3">${t}</circle>` : raw(`<circle class="pt" cx="${cx}" cy="${cy}" r="3"/>`));
      }
    });
  }

  return h`<svg id="${o.id}" class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${o.id}-t ${o.id}-d" xmlns="http://www.w3.org/2000/svg"><title id="${o.id}-t">${o.title}</title><desc id="${o.id}-d">${o.desc}</desc>${raw(grid.join(''))}${markers}${raw(paths.join(''))}<g class="pts">${points}</g></svg>`;
}

/** A small legend swatch (an inline SVG line or marker), hidden from screen readers. */
export function swatch(kind: 'ex' | 'tg' | 'rq' | 'fd' | 'bt' | 'df' | 'ur'): Html {
  const inner =
    kind === 'bt'
      ? '<path class="pt bt" d="M11 0l6 6l-6 6l-6 -6z"/>'
      : kind === 'df'
        ? '<path class="pt df" d="M6 1h10v10h-10z"/>'
        : kind === 'ur'
          ? '<circle class="pt ur" cx="11" cy="6" r="4"/>'
          : `<path class="${kind}" d="M1 6H21"/>`;
  return raw(`<svg viewBox="0 0 22 12" aria-hidden="true">${inner}</svg>`);
}
