/**
 * Consistent filings generated from the form definitions, for property tests and the benchmark.
 *
 * Per statement: a variant, random whole-dollar inputs (negative where the form allows it: short
 * and granted options, "less: offset" lines always; unrealized P/L, net settlement and net
 * liquidating equity either way), the 8715 sub-lines 12A-12C, then every derived line through
 * `variant.evaluationOrder` (sums with weights, greater-of, `equals` lines copied). The funds are
 * then steered, through one cash input that feeds the funds total with weight +1, so that the
 * excess lands where asked: at or above the management target (the default: no alert), below the
 * target, or below zero.
 *
 * Amounts are built from random digits as decimal strings, never from JS numbers, and may run past
 * 2^53 so exactness is exercised.
 */
import fc from 'fast-check';
import { Decimal, ZERO } from '../../shared/domain/money';
import {
  FORMS,
  STATEMENT_KEYS,
  type FormSet,
  type LineDef,
  type StatementKey,
  type Variant,
} from '../../shared/domain/forms';
import {
  COVER_TARGET_TYPES,
  Lines,
  type CoverPage,
  type CoverTargetType,
  type Filing,
  type FilingType,
  type Statement,
  type UncodedLine,
} from '../../shared/domain/model';
import { firmIdOf } from '../../shared/domain/parser/firm';
import { nextBusinessDay, type ShortfallKind } from '../../shared/domain/reconcile';
import { mulberry32, RENDERINGS, render, type Rendering } from './render';

/** A source of random integers, inclusive bounds, |bounds| < 2^31. */
export interface Rng {
  int(min: number, max: number): number;
}

/** A seeded Rng (mulberry32): the same seed, the same filings. */
export function seededRng(seed: number): Rng {
  const next = mulberry32(seed);
  return { int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

/** An Rng drawing from fast-check, so generated filings shrink towards zeros and first choices. */
export function fcRng(g: fc.GeneratorValue): Rng {
  return { int: (min, max) => g(fc.integer, { min, max }) };
}

export interface GenerateOptions {
  forms?: FormSet;
  /** Force a variant per statement (by id). */
  variants?: Partial<Record<StatementKey, string>>;
  /** Force an alert in a statement. 'below-target' picks a variant with a management target. */
  alerts?: Partial<Record<StatementKey, ShortfallKind>>;
  /** Statements to leave out. */
  omit?: StatementKey[];
  /** Submit after the next business day (a late filing). */
  late?: boolean;
  /** Probability (0-100) that an amount runs to 16-24 digits. Default 3. */
  hugePercent?: number;
  /**
   * Probability (0-100) that the filing has a Cover Page. Its targets agree with the statements:
   * where a statement has a target line, the cover's effective target equals it; where it has
   * none, the cover's target lies at or below the excess (no alert), or is forced with `coverType`.
   * Default 0.
   */
  coverPercent?: number;
  /** Force the Cover Page's target type of every class (with coverPercent > 0). */
  coverType?: CoverTargetType;
}

/** Firm names the generators use (real FCM names; one written with a dotted legal form). */
export const FIRM_NAMES = [
  'Citigroup Global Markets Inc.',
  'Goldman Sachs & Co. LLC',
  "R.J. O'Brien & Associates, LLC",
  'Morgan Stanley & Co. LLC',
  'ADM Investor Services, Inc.',
  'Marex North America LLC',
  'StoneX Financial Inc.',
  'Wedbush Securities Inc.',
  'Phillip Capital Inc.',
  'Straits Financial LLC',
  'Dorman Trading, L.L.C.',
  'Advantage Futures LLC',
];

/** Lines filed negative: short / granted options, "less" offsets, deductions. */
const NEGATIVE = /granted|short option|\bLess:|\bDeduct\b/i;
/** Lines that may go either way: P/L, settlement, variation, net liquidating equity. */
const EITHER = /profit \(loss\)|gain \(loss\)|from \(to\)|to \(from\)|net liquidating equity/i;

function digits(rng: Rng, n: number): string {
  let s = String(rng.int(1, 9));
  while (s.length < n) {
    const k = Math.min(9, n - s.length);
    s += String(rng.int(0, 10 ** k - 1)).padStart(k, '0');
  }
  return s;
}

/** A whole-dollar amount of 1..maxDigits digits (zero 1 time in 5). */
function randomAmount(rng: Rng, maxDigits: number, hugePercent: number): Decimal {
  if (rng.int(0, 4) === 0) return ZERO;
  const n = rng.int(0, 99) < hugePercent ? rng.int(16, 24) : rng.int(1, maxDigits);
  return new Decimal(digits(rng, n));
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(0, xs.length - 1)];
}

/** Every code a line depends on. */
function deps(l: LineDef): string[] {
  return [...(l.sum ?? []).map((t) => t.code), ...(l.greaterOf ?? []), ...(l.equals ? [l.equals] : [])];
}

/** Codes the given line is built from, transitively, itself included. */
function closure(v: Variant, code: string, out = new Set<string>()): Set<string> {
  if (out.has(code)) return out;
  out.add(code);
  const l = v.byCode.get(code);
  if (l) for (const d of deps(l)) closure(v, d, out);
  return out;
}

/**
 * The input that moves a total one for one: follow weight +1 items (the computed side of a
 * greater-of) and `equals` lines down to an input. For the funds total: the first cash line.
 */
export function slackCode(v: Variant, code: string = v.roles.funds): string {
  let l = v.byCode.get(code)!;
  for (;;) {
    if (l.equals) l = v.byCode.get(l.equals)!;
    else if (l.sum) l = v.byCode.get(l.sum.find((t) => t.weight > 0)!.code)!;
    else if (l.greaterOf) l = v.byCode.get(l.greaterOf[l.greaterOf.length - 1])!;
    else return l.code;
  }
}

interface InputPlan {
  line: LineDef;
  sign: 'negative' | 'either' | 'positive';
  offset: boolean;
  greaterOfItem: boolean;
}
/** What generation needs to know about a variant, worked out once. */
interface Plan {
  /** Inputs the requirement is built from, in form order. */
  requirement: InputPlan[];
  /** The other inputs on the funds side, less the slack and the target. */
  funds: InputPlan[];
  /** The cash input that balances the funds. */
  slack: string;
  /** The computed requirement (7355 under the 7360 greater-of) and the cash input that moves it. */
  computed: string;
  computedCash: string;
}
const plans = new WeakMap<Variant, Plan>();
function planOf(v: Variant): Plan {
  let plan = plans.get(v);
  if (plan) return plan;
  const requiredSide = closure(v, v.roles.required);
  const greaterOfItems = new Set(v.lines.flatMap((l) => l.greaterOf ?? []));
  const slack = slackCode(v);
  const inputs = v.lines
    .filter((l) => l.kind === 'input' && !l.equals && l.code !== slack && l.code !== v.roles.target)
    .map(
      (line): InputPlan => ({
        line,
        sign: NEGATIVE.test(line.label) ? 'negative' : EITHER.test(line.label) ? 'either' : 'positive',
        offset: /^Less:/.test(line.label),
        greaterOfItem: greaterOfItems.has(line.code),
      }),
    );
  const requiredLine = v.byCode.get(v.roles.required)!;
  const computed = requiredLine.greaterOf
    ? requiredLine.greaterOf[requiredLine.greaterOf.length - 1]
    : v.roles.required;
  plan = {
    requirement: inputs.filter((p) => requiredSide.has(p.line.code)),
    funds: inputs.filter((p) => !requiredSide.has(p.line.code)),
    slack,
    computed,
    computedCash: slackCode(v, computed),
  };
  plans.set(v, plan);
  return plan;
}

/** Compute every derived line (and `equals` line) from the inputs in `values`. */
export function computeDerived(
  v: Variant,
  values: { get(code: string): Decimal | undefined; set(code: string, amount: Decimal): unknown },
): void {
  const get = (code: string): Decimal => {
    const l = v.byCode.get(code)!;
    if (l.equals) values.set(code, get(l.equals));
    return values.get(code)!;
  };
  for (const l of v.evaluationOrder) {
    if (l.sum) {
      let total = ZERO;
      for (const t of l.sum) total = t.weight > 0 ? total.plus(get(t.code)) : total.minus(get(t.code));
      values.set(l.code, total);
    } else if (l.greaterOf) {
      values.set(
        l.code,
        l.greaterOf.map(get).reduce((a, b) => (b.gt(a) ? b : a)),
      );
    }
  }
  for (const l of v.lines) if (l.equals) get(l.code);
}

function generateStatement(
  rng: Rng,
  forms: FormSet,
  key: StatementKey,
  opts: GenerateOptions,
  coverType: CoverTargetType | undefined,
): Statement {
  const alert = opts.alerts?.[key];
  const hugePercent = opts.hugePercent ?? 3;
  let candidates = forms.statements[key].variants;
  const forced = opts.variants?.[key];
  if (forced) {
    const v = forms.variantById.get(forced);
    if (!v || v.statement !== key) throw new Error(`generate: ${forced} is not a ${key} variant`);
    candidates = [v];
  }
  if (alert === 'below-target') candidates = candidates.filter((v) => v.roles.target);
  if (candidates.length === 0)
    throw new Error(`generate: no ${key} variant with a management target for a below-target alert`);
  const v = pick(rng, candidates);
  const { roles } = v;

  // The requirement side first (up to `scale` digits), then the funds side in shares of the
  // requirement, so the slack input that balances the funds stays positive.
  const plan = planOf(v);
  const scale = rng.int(4, 13);
  const values = new Map<string, Decimal>();
  const signed = (p: InputPlan, amount: Decimal) =>
    p.sign === 'negative' || (p.sign === 'either' && rng.int(0, 1) === 0) ? amount.negated() : amount;
  let previous = ZERO;
  for (const p of plan.requirement) {
    let amount: Decimal;
    // "Less: amount offset by customer securities" offsets at most the gross amount above it.
    if (p.offset) amount = previous.times(rng.int(0, 1000)).dividedToIntegerBy(1000).negated();
    // A greater-of input (7305, the foreign jurisdiction's amount) is mostly zero, sometimes the larger.
    else if (p.greaterOfItem) amount = rng.int(0, 3) === 0 ? randomAmount(rng, scale, hugePercent) : ZERO;
    else amount = signed(p, randomAmount(rng, scale, hugePercent));
    values.set(p.line.code, amount);
    previous = amount;
  }
  for (const p of plan.funds) values.set(p.line.code, ZERO);
  values.set(plan.slack, ZERO);
  if (roles.target) values.set(roles.target, ZERO);
  computeDerived(v, values);
  // Short options and losses can outweigh the net ledger balance: keep the requirement positive.
  if (values.get(plan.computed)!.isNegative()) {
    values.set(
      plan.computedCash,
      values
        .get(plan.computedCash)!
        .minus(values.get(plan.computed)!)
        .plus(randomAmount(rng, scale, 0)),
    );
    computeDerived(v, values);
  }
  const required = values.get(roles.required)!;
  const share = (): Decimal =>
    required.isZero() || rng.int(0, 4) === 0
      ? ZERO
      : required.times(rng.int(0, 900)).dividedToIntegerBy(1000 * (plan.funds.length + 2));
  const uncoded: UncodedLine[] = [];
  for (const p of plan.funds) {
    const l = p.line;
    if (l.parts) {
      let total = ZERO;
      for (const part of l.parts) {
        const amount = rng.int(0, 2) === 0 ? share() : ZERO;
        uncoded.push({ id: part.id, partOf: l.code, label: part.label, amount });
        total = total.plus(amount);
      }
      values.set(l.code, total);
    } else {
      values.set(l.code, signed(p, share()));
    }
  }

  // Management target and the excess to land on.
  if (roles.target) {
    let target =
      alert === 'below-target' || rng.int(0, 9) > 0
        ? required
            .times(rng.int(1, 60))
            .dividedToIntegerBy(1000)
            .plus(rng.int(alert === 'below-target' ? 1 : 0, 1000))
        : ZERO;
    // A Cover Page percentage sets the target: a whole percentage of the requirement (cents at most).
    if ((coverType === 'minimum-percent' || coverType === 'percent-range') && required.gt(0))
      target = required.times(rng.int(1, 6)).dividedBy(100);
    values.set(roles.target, target);
  }
  const target = roles.target ? values.get(roles.target)! : ZERO;
  let excess: Decimal;
  if (alert === 'deficiency')
    excess = required.times(rng.int(0, 50)).dividedToIntegerBy(1000).plus(rng.int(1, 1000)).negated();
  else if (alert === 'below-target') excess = target.times(rng.int(0, 999)).dividedToIntegerBy(1000);
  else
    excess =
      rng.int(0, 19) === 0
        ? target
        : target.plus(required.times(rng.int(1, 200)).dividedToIntegerBy(1000)).plus(rng.int(0, 99));

  // Steer the funds: the slack input moves the funds total one for one, so funds - required = excess.
  computeDerived(v, values);
  values.set(plan.slack, values.get(plan.slack)!.plus(required.plus(excess).minus(values.get(roles.funds)!)));
  computeDerived(v, values);

  const lines = Lines.from(v.lines.map((l) => [l.code, values.get(l.code)!] as const));
  return { key, title: pick(rng, v.titles), variant: v.id, lines, labels: new Map(), uncoded, conflicts: [] };
}

function isoDay(days: number): string {
  return new Date(Date.UTC(2013, 0, 1) + days * 86_400_000).toISOString().slice(0, 10);
}

/** A Cover Page value that is not zero (zero means "not chosen"). */
function atLeastOne(d: Decimal): Decimal {
  return d.lt(1) ? new Decimal(1) : d;
}

/**
 * The Cover Page of a generated filing (see GenerateOptions.coverPercent): per statement, a target
 * of the given type that agrees with the statement, and its effective target.
 */
function coverFor(
  rng: Rng,
  forms: FormSet,
  statements: Filing['statements'],
  types: Partial<Record<StatementKey, CoverTargetType>>,
): CoverPage {
  const cover: CoverPage = {};
  for (const key of STATEMENT_KEYS) {
    const st = statements[key];
    const type = types[key];
    if (!st || !type) continue;
    const v = forms.variantById.get(st.variant)!;
    const required = st.lines.get(v.roles.required)!;
    const excess = st.lines.get(v.roles.excess)!;
    const line = v.roles.target ? st.lines.get(v.roles.target)! : undefined;
    let values: Decimal[];
    let effective: Decimal;
    const percentOk = required.gt(0);
    const t: CoverTargetType =
      (type === 'minimum-percent' || type === 'percent-range') && !percentOk ? 'minimum-dollar' : type;
    if (line !== undefined) {
      // The statement's line is the target: the cover says the same.
      if (line.isZero()) continue;
      effective = line;
      if (t === 'minimum-dollar') values = [line];
      else if (t === 'dollar-range') values = [line, line.plus(rng.int(1, 1_000_000))];
      else {
        const p = line.times(100).dividedBy(required);
        values = t === 'minimum-percent' ? [p] : [p, p.plus(rng.int(1, 20))];
      }
    } else {
      // No target line: the cover's target at or below the excess (none when the excess is below 1).
      if (excess.lt(1)) continue;
      const room = excess;
      const max = room.times(10000).dividedToIntegerBy(required.gt(0) ? required : 1);
      if (t === 'minimum-dollar' || t === 'dollar-range' || max.lt(1)) {
        const type = t === 'minimum-dollar' || t === 'dollar-range' ? t : 'minimum-dollar';
        const low = atLeastOne(room.times(rng.int(0, 1000)).dividedToIntegerBy(1000));
        values = type === 'minimum-dollar' ? [low] : [low, low.plus(rng.int(1, 1_000_000))];
        cover[key] = { type, values, effectiveTarget: low };
        continue;
      } else {
        // A percentage with up to two decimals whose share of the requirement stays within the room.
        const p = atLeastOne(max.times(rng.int(0, 1000)).dividedToIntegerBy(1000)).dividedBy(100);
        values = t === 'minimum-percent' ? [p] : [p, p.plus(rng.int(1, 20))];
        effective = required.times(p).dividedBy(100);
      }
    }
    cover[key] = { type: t, values, effectiveTarget: effective };
  }
  return cover;
}

/** One consistent filing from a random source. */
export function generateFiling(rng: Rng, opts: GenerateOptions = {}): Filing {
  const forms = opts.forms ?? FORMS;
  let endDate = isoDay(rng.int(0, 13 * 365));
  const dow = new Date(`${endDate}T00:00:00Z`).getUTCDay();
  if (dow === 0 || dow === 6) endDate = nextBusinessDay(endDate);
  const due = nextBusinessDay(endDate);
  const submitDate = opts.late ? nextBusinessDay(due) : rng.int(0, 4) === 0 ? endDate : due;
  const firmName = pick(rng, FIRM_NAMES);
  const statements: Filing['statements'] = {};
  const withCover = (opts.coverPercent ?? 0) > 0 && rng.int(0, 99) < opts.coverPercent!;
  const types: Partial<Record<StatementKey, CoverTargetType>> = {};
  if (withCover) for (const key of STATEMENT_KEYS) types[key] = opts.coverType ?? pick(rng, COVER_TARGET_TYPES);
  for (const key of STATEMENT_KEYS)
    if (!opts.omit?.includes(key)) statements[key] = generateStatement(rng, forms, key, opts, types[key]);
  const coverPage = withCover ? coverFor(rng, forms, statements, types) : undefined;
  const filing: Filing = {
    // Only an initial filing can be late (an amendment has no deadline).
    filingType: opts.late ? 'INITIAL' : pick(rng, ['INITIAL', 'AMENDMENT'] as FilingType[]),
    endDate,
    submitDate,
    firmName,
    firmId: firmIdOf(firmName),
    form: forms.form,
    statements,
    unknownCodes: [],
  };
  if (coverPage && Object.keys(coverPage).length > 0) filing.coverPage = coverPage;
  return filing;
}

/** fast-check arbitrary of consistent filings. */
export function filingArb(opts: GenerateOptions = {}): fc.Arbitrary<Filing> {
  return fc.gen().map((g) => generateFiling(fcRng(g), opts));
}

/** `n` filings from a seed, cycling through every combination of variants so all appear. */
export function generateFilings(n: number, seed: number, opts: GenerateOptions = {}): Filing[] {
  const rng = seededRng(seed);
  const forms = opts.forms ?? FORMS;
  const out: Filing[] = [];
  for (let i = 0; i < n; i++) {
    let k = i;
    const variants: Partial<Record<StatementKey, string>> = {};
    for (const key of STATEMENT_KEYS) {
      const vs = forms.statements[key].variants.filter((v) => opts.alerts?.[key] !== 'below-target' || v.roles.target);
      variants[key] = vs[k % vs.length].id;
      k = Math.floor(k / vs.length);
    }
    out.push(generateFiling(rng, { ...opts, variants: { ...variants, ...opts.variants } }));
  }
  return out;
}

export interface RenderedCase {
  filing: Filing;
  rendering: Rendering;
  text: string;
}

/**
 * `n` filings rendered as text: every variant combination meets every rendering (of `renderings`,
 * default all) within (number of renderings) x (number of combinations) cases, with the renderers' own choices (headers, emphasis, page
 * lengths, stray spaces) varied by seed.
 */
export function generateRendered(
  n: number,
  seed: number,
  opts: GenerateOptions & { renderings?: readonly Rendering[] } = {},
): RenderedCase[] {
  const forms = opts.forms ?? FORMS;
  const renderings = opts.renderings ?? RENDERINGS;
  const combos = STATEMENT_KEYS.reduce((p, k) => p * forms.statements[k].variants.length, 1);
  return generateFilings(n, seed, opts).map((filing, i) => {
    const rendering = renderings[(i + Math.floor(i / combos)) % renderings.length];
    return { filing, rendering, text: render(filing, rendering, { forms, seed: seed + i }) };
  });
}
