/**
 * Hand-written SVG charts: one point per filing day on an evenly spaced axis (a filing day's
 * position, as the trend line counts them), lines that break where a value is missing, a step
 * line for a target, and markers where the target changes. Coordinates are computed in exact
 * integer arithmetic (BigInt whole dollars) and written as whole units of the view box: an amount
 * never passes through a JS number, not even on its way to a pixel. Styling is by class (the
 * stylesheet), so the CSP needs no inline style.
 */
import { Decimal } from '../../../shared/domain/money';
import { h, raw, shortMoney, type Html } from './html';

export type PointKind = 'ok' | 'bt' | 'df' | 'ur';

export interface ChartLine {
  /** Class of the line (stylesheet): ex, tg, rq, fd. */
  cls: string;
  /** Decimal strings (null: no value that day). */
  values: (string | null)[];
  /** Draw as a step line (a target holds until it changes). */
  step?: boolean;
}

export interface ChartPoints {
  values: (string | null)[];
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

const DECIMAL = /^(-?\d+)(?:\.\d+)?$/;

/**
 * Whole dollars of a decimal string, as an exact integer (the cents are below a pixel). The
 * chart's arithmetic is integer arithmetic on BigInt: exact, and an amount never passes through
 * a JS number on its way to a pixel.
 */
export function dollars(s: string): bigint {
  const m = DECIMAL.exec(s);
  if (!m) throw new Error(`not a decimal string: ${JSON.stringify(s)}`);
  return BigInt(m[1]);
}

const abs = (x: bigint) => (x < 0n ? -x : x);
const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
const ceilDiv = (a: bigint, b: bigint) => -floorDiv(-a, b);

/** A "nice" tick step (1, 2 or 5 times a power of ten) for about `n` intervals over `range`. */
export function niceStep(range: bigint, n = 4n): bigint {
  if (range <= 0n) return 1n;
  const rough = range / n > 0n ? range / n : 1n;
  const mag = 10n ** BigInt(rough.toString().length - 1);
  // rough / mag in [1, 10): compare in tenths.
  const norm10 = (rough * 10n) / mag;
  const f = norm10 < 15n ? 1n : norm10 < 30n ? 2n : norm10 < 70n ? 5n : 10n;
  return mag * f;
}

export interface Scale {
  lo: bigint;
  hi: bigint;
  ticks: bigint[];
}

/** The value range of a chart: every value, zero when anything is at or below it, some air, nice ticks. */
export function scaleFor(values: (bigint | null)[]): Scale {
  let lo: bigint | null = null;
  let hi: bigint | null = null;
  for (const v of values) {
    if (v === null) continue;
    if (lo === null || v < lo) lo = v;
    if (hi === null || v > hi) hi = v;
  }
  if (lo === null || hi === null) return { lo: 0n, hi: 1n, ticks: [0n] };
  if (lo <= 0n && hi < 0n) hi = 0n;
  let range = hi - lo;
  if (range === 0n) range = abs(lo) / 10n > 1n ? abs(lo) / 10n : 1n;
  const step = niceStep(range);
  const pad = range / 12n > 0n ? range / 12n : 1n;
  const from = floorDiv(lo - pad, step) * step;
  let to = ceilDiv(hi + pad, step) * step;
  if (to <= from) to = from + step;
  const ticks: bigint[] = [];
  for (let t = from; t <= to; t += step) ticks.push(t);
  return { lo: from, hi: to, ticks };
}

export function chart(o: ChartOptions): Html {
  const n = o.dates.length;
  const lines = o.lines.map((l) => ({ ...l, units: l.values.map((v) => (v === null ? null : dollars(v))) }));
  const points = o.points ? o.points.values.map((v) => (v === null ? null : dollars(v))) : [];
  const s = scaleFor([...lines.flatMap((l) => l.units), ...points]);
  // y = TOP + (hi - v) * PLOT_H / (hi - lo), rounded to a whole unit of the view box.
  const span = s.hi - s.lo;
  const half = span / 2n;
  const ph = BigInt(PLOT_H);
  const y = (v: bigint) => String(BigInt(TOP) + floorDiv((s.hi - v) * ph + half, span));
  // x: the day's position, evenly spaced (pixels from an index, no amount involved).
  const xs = o.dates.map((_, i) => String(n > 1 ? LEFT + Math.round((i * PLOT_W) / (n - 1)) : LEFT + PLOT_W / 2));
  const x = (i: number) => xs[i];

  const grid: string[] = [];
  for (const t of s.ticks) {
    const yy = y(t);
    grid.push(`<line class="${t === 0n ? 'zero' : 'grid'}" x1="${LEFT}" x2="${W - RIGHT}" y1="${yy}" y2="${yy}"/>`);
    grid.push(
      `<text class="axis" x="${LEFT - 6}" y="${yy}" dy="4" text-anchor="end">${shortMoney(new Decimal(t.toString()))}</text>`,
    );
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
    grid.push(
      `<text class="axis" x="${x(i)}" y="${H - 8}" text-anchor="${i === 0 ? 'start' : 'middle'}">${label}</text>`,
    );
  });

  const paths = lines.map((l) => {
    let d = '';
    let open = false;
    let lastY = '';
    let pendingH = '';
    l.units.forEach((v, i) => {
      if (v === null) {
        d += pendingH;
        pendingH = '';
        open = false;
        return;
      }
      const yy = y(v);
      if (!open) d += `M${x(i)} ${yy}`;
      else if (l.step) {
        // A level run is one H to its last day: drawn where the level changes, or where the line ends.
        if (yy === lastY) pendingH = `H${x(i)}`;
        else {
          d += `H${x(i)}V${yy}`;
          pendingH = '';
        }
      } else d += `L${x(i)} ${yy}`;
      open = true;
      lastY = yy;
    });
    d += pendingH;
    return d ? `<path class="${l.cls}" d="${d}"/>` : '';
  });

  const markers = (o.markers ?? []).map(
    (m) =>
      h`<line class="tc" x1="${x(m.index)}" x2="${x(m.index)}" y1="${TOP}" y2="${H - BOTTOM}"/><text class="tcl" x="${x(m.index)}" y="${TOP - 6}" text-anchor="${m.index > n / 2 ? 'end' : 'start'}">${m.label}</text>`,
  );

  const marks: Html[] = [];
  if (o.points) {
    const p = o.points;
    points.forEach((v, i) => {
      if (v === null) return;
      const cx = x(i);
      const cy = y(v);
      const title = p.titles[i];
      const t = title ? h`<title>${title}</title>` : '';
      switch (p.kinds[i]) {
        case 'bt':
          marks.push(h`<path class="pt bt" d="M${cx} ${Number(cy) - 6}l6 6-6 6-6-6z">${t}</path>`);
          break;
        case 'df':
          marks.push(h`<path class="pt df" d="M${Number(cx) - 5} ${Number(cy) - 5}h10v10h-10z">${t}</path>`);
          break;
        case 'ur':
          marks.push(h`<circle class="pt ur" cx="${cx}" cy="${cy}" r="4">${t}</circle>`);
          break;
        default:
          // A dot: a zero-length path with a round cap (the stylesheet), the smallest mark there is;
          // a year of days is a few kilobytes of these.
          marks.push(title ? h`<path d="M${cx} ${cy}h0">${t}</path>` : raw(`<path d="M${cx} ${cy}h0"/>`));
      }
    });
  }

  return h`<svg id="${o.id}" class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${o.id}-t ${o.id}-d" xmlns="http://www.w3.org/2000/svg"><title id="${o.id}-t">${o.title}</title><desc id="${o.id}-d">${o.desc}</desc>${raw(grid.join(''))}${markers}${raw(paths.join(''))}<g class="pts">${marks}</g></svg>`;
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
