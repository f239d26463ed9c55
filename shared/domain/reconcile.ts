/**
 * The reconciler: checks every identity of the matched form variant in exact decimals, derives
 * each statement's requirement, funds, excess and target, and raises the alerts.
 *
 * A deficiency or below-target alert comes only from a statement that reconciles (every line read,
 * every identity holding): a statement whose figures do not add up is `unreconciled`, and what it
 * shows (its failing lines, the filed excess and the excess recomputed from its lines) goes into
 * the reconciliation alert instead (alerts.ts). A doubt is never sent out as a deficiency.
 */
import { FORMS, STATEMENT_KEYS, type FormSet, type LineDef, type StatementKey, type Variant } from './forms';
import { cmp, grouped, readAmount, str, sum, sumEquals, ZERO, type Decimal } from './money';
import type { CoverTarget, Filing, Lines, Statement } from './model';
import { rule, type RuleName, type Severity } from './rules';
import { dueDay } from './calendar';
import type { AlertKind } from './alerts';

export interface Finding {
  ruleId: string;
  severity: Severity;
  statement: StatementKey | null;
  /** Line code the finding is about. */
  line: string | null;
  label: string | null;
  expected: string | null;
  actual: string | null;
  message: string;
}

/** The alert kinds the reconciler decides from one statement's figures (shared/domain/alerts.ts has every kind). */
export type ShortfallKind = Extract<AlertKind, 'deficiency' | 'below-target'>;

/** Where a statement's target comes from: its own management target line, or the Cover Page. */
export type TargetSource = 'statement' | 'cover-page';

export interface Alert {
  statement: StatementKey;
  kind: ShortfallKind;
  excess: Decimal;
  target: Decimal | null;
  targetSource: TargetSource | null;
  /** target - excess (a deficiency with no target: 0 - excess). */
  shortfall: Decimal;
}

/**
 * `unreconciled`: the statement's figures do not add up (a line unreadable, missing or filed twice
 * differently, an identity that does not hold), so no deficiency or target status is given from them.
 */
export type StatementStatus = 'ok' | 'below-target' | 'deficiency' | 'unreconciled';

export interface StatementResult {
  statement: StatementKey;
  title: string;
  variant: string;
  required: Decimal | null;
  funds: Decimal | null;
  /** The excess: the lower of the filed excess line and funds - required where both exist. */
  excess: Decimal | null;
  target: Decimal | null;
  targetSource: TargetSource | null;
  status: StatementStatus;
  /** The excess line as filed, and the excess recomputed from the lines (funds - required). */
  filedExcess: Decimal | null;
  computedExcess: Decimal | null;
  /** The lines whose error findings make the statement unreconciled (totals that do not add up, lines unreadable, missing or in conflict), in code order. */
  failingLines: string[];
}

export interface Reconciliation {
  findings: Finding[];
  alerts: Alert[];
  statements: Partial<Record<StatementKey, StatementResult>>;
}

export interface ReconcileOptions {
  forms?: FormSet;
  /** Codes the parser found with no readable amount. */
  unreadable?: string[];
  /** How the file was read (parser notes: an encoding other than UTF-8), reported as info findings. */
  notes?: { rule: RuleName; message: string }[];
}

const fmt = (d: Decimal) => grouped(d);

function where(forms: FormSet, key: StatementKey, l: { code: string; line: string; label: string }): string {
  const line = l.line ? `line ${l.line} ` : '';
  return `${forms.statements[key].name} ${line}[${l.code}] ${l.label}`;
}

function termsText(l: LineDef): string {
  if (l.greaterOf) return `greater of ${l.greaterOf.join(', ')}`;
  return (l.sum ?? []).map((t, i) => (t.weight < 0 ? `- ${t.code}` : i === 0 ? t.code : `+ ${t.code}`)).join(' ');
}

export function nextBusinessDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  do d.setUTCDate(d.getUTCDate() + 1);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6);
  return d.toISOString().slice(0, 10);
}

/**
 * The filing calendar's due day of an end date (the business day after it, holidays counted; the
 * same for every statement), remembered (end dates repeat).
 */
const dueDates = new Map<string, string>();
function dueDate(endDate: string): string {
  let due = dueDates.get(endDate);
  if (due === undefined) {
    if (dueDates.size >= 4096) dueDates.clear();
    due = dueDay('segregation', endDate);
    dueDates.set(endDate, due);
  }
  return due;
}

/** Record a finding. (Module functions, not closures made per call: the bundles keep names, and each closure made costs a defineProperty.) */
function addFinding(
  findings: Finding[],
  name: RuleName,
  statement: StatementKey | null,
  line: LineDef | { code: string; line: string; label: string } | null,
  expected: Decimal | null,
  actual: Decimal | null,
  message: string,
): void {
  const r = rule(name);
  findings.push({
    ruleId: r.id,
    severity: r.severity,
    statement,
    line: line?.code ?? null,
    label: line?.label ?? null,
    expected: expected === null ? null : str(expected),
    actual: actual === null ? null : str(actual),
    message,
  });
}

export function reconcile(filing: Filing, options: ReconcileOptions = {}): Reconciliation {
  const forms = options.forms ?? FORMS;
  const findings: Finding[] = [];
  const alerts: Alert[] = [];
  const statements: Reconciliation['statements'] = {};

  // Dates.
  if (filing.submitDate < filing.endDate) {
    addFinding(
      findings,
      'submit-before-end',
      null,
      null,
      null,
      null,
      `Submit Date ${filing.submitDate} is before End Date ${filing.endDate}`,
    );
  } else {
    // Only the initial filing has a deadline; an amendment is by nature filed later.
    const due = dueDate(filing.endDate);
    if (filing.filingType === 'INITIAL' && filing.submitDate > due)
      addFinding(
        findings,
        'late-filing',
        null,
        null,
        null,
        null,
        `submitted ${filing.submitDate}, after ${due}, the business day after End Date ${filing.endDate} (due by noon): late`,
      );
  }
  for (const u of filing.unknownCodes) {
    const key = forms.statementOfCode(u.code) ?? null;
    addFinding(
      findings,
      'unknown-code',
      key,
      { code: u.code, line: '', label: '' },
      null,
      u.amount,
      `${key ? `${forms.statements[key].name}: ` : ''}code [${u.code}] (amount ${fmt(u.amount)}) is not on any statement of the form; kept as filed`,
    );
  }
  for (const n of options.notes ?? []) addFinding(findings, n.rule, null, null, null, null, n.message);
  // Unreadable codes: of a statement (reported with it, and it does not reconcile), or of none.
  const unreadableOf: Partial<Record<StatementKey, string[]>> = {};
  for (const code of options.unreadable ?? []) {
    const key = forms.statementOfCode(code);
    if (key && filing.statements[key]) (unreadableOf[key] ??= []).push(code);
    else
      addFinding(
        findings,
        'unreadable-amount',
        key ?? null,
        { code, line: '', label: '' },
        null,
        null,
        `${key ? `${forms.statements[key].name} ` : ''}[${code}]: the amount before the code cannot be read`,
      );
  }

  for (const key of STATEMENT_KEYS) {
    const def = forms.statements[key];
    const st = filing.statements[key];
    if (!st) {
      addFinding(findings, 'missing-statement', key, null, null, null, `the ${def.name} is missing from the filing`);
      continue;
    }
    const variant = forms.variantById.get(st.variant) ?? def.variants[0];
    statements[key] = checkStatement(
      forms,
      variant,
      st,
      findings,
      alerts,
      unreadableOf[key] ?? [],
      filing.coverPage?.[key],
    );
  }
  return { findings, alerts, statements };
}

/**
 * A variant's checks as indexes into its lines, worked out once: the statement's amounts are read
 * from `lines` once per line, and the ~30 sums per statement are decided by sumEquals without building a
 * Decimal per partial sum. decimal.js computes a sum only when sumEquals cannot say it is right.
 */
interface CheckPlan {
  line: LineDef;
  at: number;
  /** A sum's items (indexes) and which are subtracted; none for a greater-of. */
  terms?: number[];
  negate?: boolean[];
}
interface Plan {
  optional: boolean[];
  /** Indexes of the variant's lines in ascending code order (Lines' order), for one merge walk. */
  byCode: number[];
  codesSorted: string[];
  /** The derived lines, in evaluation order. */
  checks: CheckPlan[];
  /** The code-order note (the same text every time). */
  codeOrderNote?: string;
  /** Indexes of the role lines in the variant's lines (-1: not a line of it). */
  requiredAt: number;
  fundsAt: number;
  excessAt: number;
  targetAt: number;
  /** The check of the excess line when it is exactly funds - required (then, when it holds, the computed excess is the filed one). */
  excessCheck: CheckPlan | undefined;
}
const plans = new WeakMap<Variant, Plan>();
function planOf(forms: FormSet, variant: Variant): Plan {
  let plan = plans.get(variant);
  if (plan) return plan;
  const index = new Map(variant.lines.map((l, i) => [l.code, i]));
  const checks: CheckPlan[] = [];
  for (const l of variant.evaluationOrder)
    if (l.sum)
      checks.push({
        line: l,
        at: index.get(l.code)!,
        terms: l.sum.map((t) => index.get(t.code)!),
        negate: l.sum.map((t) => t.weight < 0),
      });
    else if (l.greaterOf) checks.push({ line: l, at: index.get(l.code)! });
  let codeOrderNote: string | undefined;
  if (variant.codeOrder) {
    const order = variant.lines.filter((l) => ['11B', '11C', '12'].includes(l.line)).map((l) => `${l.line} ${l.code}`);
    codeOrderNote = `${forms.statements[variant.statement].name} uses the ${variant.codeOrder} code order (${order.join(', ')}), told apart by label`;
  }
  const byCode = variant.lines
    .map((_, i) => i)
    .sort((a, b) => (variant.lines[a].code < variant.lines[b].code ? -1 : 1));
  const at = (code: string | undefined) => (code === undefined ? -1 : (index.get(code) ?? -1));
  const roles = variant.roles;
  const excessCheck = checks.find(
    (ck) =>
      ck.line.code === roles.excess &&
      ck.line.sum?.length === 2 &&
      ck.line.sum.some((t) => t.code === roles.funds && t.weight === 1) &&
      ck.line.sum.some((t) => t.code === roles.required && t.weight === -1),
  );
  plan = {
    optional: variant.lines.map((l) => l.optional),
    byCode,
    codesSorted: byCode.map((i) => variant.lines[i].code),
    checks,
    codeOrderNote,
    requiredAt: at(roles.required),
    fundsAt: at(roles.funds),
    excessAt: at(roles.excess),
    targetAt: at(roles.target),
    excessCheck,
  };
  plans.set(variant, plan);
  return plan;
}

/** The failing lines of a statement that reconciles: none (shared, never changed). */
const NO_LINES: string[] = [];

/** Scratch reused by every (synchronous) checkStatement: a line's amount by its index in the variant. */
const valsScratch: (Decimal | undefined)[] = [];
const termValues: Decimal[] = [];
const termNegate: boolean[] = [];

/** A role line's amount: from `vals` by its index in the variant, or from `lines` when it is not a line of the variant. */
function roleValue(
  vals: readonly (Decimal | undefined)[],
  lines: Lines,
  at: number,
  code: string,
): Decimal | undefined {
  return at >= 0 ? vals[at] : lines.get(code);
}

/** A line's amount for a derived line: filed, or 0 for an optional line left out. */
function valueOf(lines: Lines, variant: Variant, code: string): Decimal | undefined {
  const v = lines.get(code);
  if (v !== undefined) return v;
  return variant.byCode.get(code)?.optional ? ZERO : undefined;
}

function checkStatement(
  forms: FormSet,
  variant: Variant,
  st: Statement,
  findings: Finding[],
  alerts: Alert[],
  unreadable: readonly string[],
  cover: CoverTarget | undefined,
): StatementResult {
  const key = st.key;
  const lines = st.lines;
  const name = forms.statements[key].name;

  const plan = planOf(forms, variant);
  // Each line's amount, read once: vals[i] for variant.lines[i]; `known` counts the filed codes
  // that are lines of the variant, so the unknown ones are looked for only when there are any.
  const vals = valsScratch;
  vals.length = variant.lines.length;
  for (let i = 0; i < vals.length; i++) vals[i] = undefined;
  let known = 0;
  const n = lines.size;
  for (let k = 0, j = 0; k < plan.byCode.length && j < n; k++) {
    const code = plan.codesSorted[k];
    // (The parser's codes are the form's own strings: equal ones are the same string, told at once.)
    let c = lines.codeAt(j);
    if (c !== code) while (c < code && ++j < n) c = lines.codeAt(j);
    if (c === code) {
      vals[plan.byCode[k]] = lines.amountAt(j++);
      known++;
    }
  }

  if (plan.codeOrderNote !== undefined && variant.codeOrder)
    addFinding(findings, 'code-order', key, null, null, null, plan.codeOrderNote);
  if (st.readings)
    for (const r of st.readings) {
      const l = variant.byCode.get(r.code) ?? { code: r.code, line: '', label: '' };
      addFinding(
        findings,
        'amount-reading',
        key,
        l,
        null,
        r.amount,
        // A lone sign that may be the label's dash (`debit balances - 334`) is one well-formed number, read two ways.
        readAmount(r.filed) !== null && /^[-\u2212]\s/.test(r.filed)
          ? `${where(forms, key, l)}: filed as "${r.filed}" right after the label, whose dash the sign may be; read as ${fmt(r.amount)}, the only reading with which every identity of the line holds`
          : `${where(forms, key, l)}: filed as "${r.filed}", which is not one well-formed number; read as ${fmt(r.amount)}, the only reading with which every identity of the line holds`,
      );
    }
  /** Codes filed that the variant does not have: no identity checks them. */
  let outside: string[] | undefined;
  if (known < lines.size)
    for (const [code, amount] of lines)
      if (!variant.byCode.has(code) && (outside ??= []).push(code))
        addFinding(
          findings,
          'unknown-code',
          key,
          { code, line: '', label: '' },
          null,
          amount,
          `${name} [${code}] (amount ${fmt(amount)}) is not a line of the ${variant.id} form; kept as filed`,
        );
  // Error findings of this statement are counted from here (code-order, readings and unknown-code are info).
  const errorsFrom = findings.length;
  for (const code of unreadable) {
    const l = variant.byCode.get(code) ?? { code, line: '', label: '' };
    const filed = st.unsettled?.find((u) => u.code === code)?.filed;
    const unread = filed === undefined ? st.unread?.find((u) => u.code === code)?.filed : undefined;
    addFinding(
      findings,
      'unreadable-amount',
      key,
      l,
      null,
      null,
      filed === undefined
        ? `${where(forms, key, l)}: the amount before the code cannot be read${unread === undefined ? '' : unread === '' ? ': no number stands before it' : `: filed as "${unread}", which is not one well-formed number`}`
        : `${where(forms, key, l)}: the amount before the code cannot be read: filed as "${filed}", which is not one well-formed number, and no reading of it makes every identity of the line hold`,
    );
  }
  // Sub-lines there but unread: the total they make up (8715 = 12A + 12B + 12C) cannot be checked.
  for (const u of st.unreadParts ?? []) {
    const line = variant.byCode.get(u.partOf);
    const total = line ?? { code: u.partOf, line: '', label: '' };
    const partLabel = line?.parts?.find((p) => p.id === u.id)?.label;
    addFinding(
      findings,
      'unreadable-sub-line',
      key,
      total,
      null,
      null,
      `${where(forms, key, total)}: sub-line ${u.id}${partLabel ? ` ${partLabel}` : ''} cannot be read${u.filed ? `: filed as "${u.filed}", which is not one well-formed number` : ''}; the total's check against its sub-lines cannot be made`,
    );
  }
  for (const c of st.conflicts) {
    const l = variant.byCode.get(c.code) ?? null;
    addFinding(
      findings,
      'conflicting-amounts',
      key,
      l,
      null,
      c.amounts[1],
      `${l ? where(forms, key, l) : `${name} [${c.code}]`} is filed more than once with different amounts (${c.amounts.map(fmt).join(', ')}); the first is used`,
    );
  }
  for (let i = 0; i < variant.lines.length; i++) {
    const l = variant.lines[i];
    if (vals[i] === undefined && !l.optional && !unreadable.includes(l.code))
      addFinding(findings, 'missing-line', key, l, null, null, `${where(forms, key, l)} is missing`);
  }

  // Derived lines in evaluation order. A sum is decided exactly by sumEquals; decimal.js computes
  // it only when sumEquals cannot say it is right (then it is almost surely an error to report).
  let excessHolds = false;
  /** Derived lines whose identity could not be checked (an item missing or unreadable). */
  let unchecked: string[] | undefined;
  for (const ck of plan.checks) {
    const l = ck.line;
    const actual = vals[ck.at];
    if (actual === undefined) continue;
    if (ck.terms) {
      let n = 0;
      for (; n < ck.terms.length; n++) {
        const t = ck.terms[n];
        const x = vals[t] ?? (plan.optional[t] ? ZERO : undefined);
        if (x === undefined) break;
        termValues[n] = x;
      }
      if (n < ck.terms.length) {
        // An item missing or unreadable: this total cannot be checked (its statement does not reconcile anyway).
        (unchecked ??= []).push(l.code);
        continue;
      }
      const negate = ck.negate!;
      if (sumEquals(termValues, negate, n, actual) === true) {
        if (ck === plan.excessCheck) excessHolds = true;
        continue;
      }
      let expected: Decimal = ZERO;
      for (let i = 0; i < n; i++) expected = negate[i] ? expected.minus(termValues[i]) : expected.plus(termValues[i]);
      if (!expected.eq(actual))
        addFinding(
          findings,
          'sum',
          key,
          l,
          expected,
          actual,
          `${where(forms, key, l)}: filed ${fmt(actual)}, but ${termsText(l)} = ${fmt(expected)} (off by ${fmt(actual.minus(expected))})`,
        );
    } else if (l.greaterOf) {
      const items = l.greaterOf.map((code) => valueOf(lines, variant, code));
      if (items.some((x) => x === undefined)) {
        (unchecked ??= []).push(l.code);
        continue;
      }
      const expected = items.reduce((a, b) => (cmp(b!, a!) > 0 ? b : a))!;
      if (cmp(expected, actual) !== 0)
        addFinding(
          findings,
          'greater-of',
          key,
          l,
          expected,
          actual,
          `${where(forms, key, l)}: filed ${fmt(actual)}, but the ${termsText(l)} is ${fmt(expected)}`,
        );
    }
  }
  for (const l of variant.crossChecks) {
    const actual = lines.get(l.code);
    if (actual === undefined) continue;
    if (l.equals) {
      const other = lines.get(l.equals);
      if (other === undefined) (unchecked ??= []).push(l.code);
      if (other !== undefined && cmp(other, actual) !== 0) {
        const o = variant.byCode.get(l.equals)!;
        addFinding(
          findings,
          'cross-page',
          key,
          l,
          other,
          actual,
          `${where(forms, key, l)}: filed ${fmt(actual)}, but it must equal [${o.code}] ${o.label} = ${fmt(other)}`,
        );
      }
    }
    if (l.parts) {
      let n = 0;
      for (const u of st.uncoded)
        if (u.partOf === l.code) {
          termValues[n] = u.amount;
          termNegate[n++] = false;
        }
      if (n !== l.parts.length) (unchecked ??= []).push(l.code);
      else if (sumEquals(termValues, termNegate, n, actual) !== true) {
        const parts = st.uncoded.filter((u) => u.partOf === l.code);
        const expected = sum(parts.map((p) => p.amount));
        if (!expected.eq(actual))
          addFinding(
            findings,
            'uncoded-total',
            key,
            l,
            expected,
            actual,
            `${where(forms, key, l)}: filed ${fmt(actual)}, but ${parts.map((p) => p.id).join(' + ')} = ${fmt(expected)}`,
          );
      }
    }
  }

  const roles = variant.roles;
  const required = roleValue(vals, lines, plan.requiredAt, roles.required) ?? null;
  const funds = roleValue(vals, lines, plan.fundsAt, roles.funds) ?? null;
  const filedExcess = roleValue(vals, lines, plan.excessAt, roles.excess);
  // funds - required, unless the excess line was just found to be exactly that.
  const computedExcess = required && funds ? (excessHolds && filedExcess ? filedExcess : funds.minus(required)) : null;
  // A filed excess that disagrees with funds - required is an error (SW110); for the alert the
  // lower of the two counts, so a wrong excess line can never hide a shortfall.
  const excess =
    filedExcess && computedExcess
      ? cmp(computedExcess, filedExcess) < 0
        ? computedExcess
        : filedExcess
      : (filedExcess ?? computedExcess);
  // The target: the statement's own line where the form has one, else the Cover Page's.
  const lineTarget = roles.target ? (roleValue(vals, lines, plan.targetAt, roles.target) ?? null) : null;
  const coverTarget = cover?.effectiveTarget ?? null;
  let target: Decimal | null = null;
  let targetSource: TargetSource | null = null;
  if (lineTarget !== null) {
    target = lineTarget;
    targetSource = 'statement';
  } else if (coverTarget !== null) {
    target = coverTarget;
    targetSource = 'cover-page';
  }
  const targetLine = roles.target ? variant.byCode.get(roles.target) : undefined;
  if (cover && coverTarget === null)
    addFinding(
      findings,
      'cover-target-unreadable',
      key,
      null,
      null,
      null,
      `${name}: the Cover Page's residual interest target (${cover.type}, ${cover.values.map((v) => (v === null ? 'unreadable' : fmt(v))).join(' / ')}) cannot be worked out${lineTarget !== null ? `; the statement's target line [${roles.target}] ${fmt(lineTarget)} is used` : '; no target is known for this statement'}`,
    );
  if (lineTarget !== null && coverTarget !== null && cmp(lineTarget, coverTarget) !== 0)
    addFinding(
      findings,
      'target-mismatch',
      key,
      targetLine ?? null,
      coverTarget,
      lineTarget,
      `${where(forms, key, targetLine!)} is ${fmt(lineTarget)}, but the Cover Page's residual interest target (${cover!.type}) is ${fmt(coverTarget)}; the statement's ${fmt(lineTarget)} is used`,
    );

  // Only a statement whose figures add up gives a status from them.
  // Lines of this statement's error findings (none when it reconciles: the common case allocates nothing).
  let reconciles = true;
  for (let i = errorsFrom; i < findings.length; i++)
    if (findings[i].severity === 'error') {
      reconciles = false;
      break;
    }
  let failing = NO_LINES;
  if (!reconciles) {
    failing = [];
    for (let i = errorsFrom; i < findings.length; i++) {
      const f = findings[i];
      if (f.severity === 'error' && f.line && !failing.includes(f.line)) failing.push(f.line);
    }
    // The totals that could not be checked fail with it, and so do the lines no identity of the variant checks.
    for (const code of [...(unchecked ?? []), ...(outside ?? [])]) if (!failing.includes(code)) failing.push(code);
    failing.sort();
  }
  let status: StatementStatus = reconciles ? 'ok' : 'unreconciled';
  if (reconciles && excess !== null) {
    const excessLine = variant.byCode.get(roles.excess)!;
    if (excess.isNegative() && !excess.isZero()) {
      status = 'deficiency';
      const shortfall = (target ?? ZERO).minus(excess);
      alerts.push({ statement: key, kind: 'deficiency', excess, target, targetSource, shortfall });
      addFinding(
        findings,
        'deficiency',
        key,
        excessLine,
        ZERO,
        excess,
        `${where(forms, key, excessLine)}: DEFICIENCY, ${fmt(excess)} is below zero (0): customer funds are under-segregated by ${fmt(excess.negated())}`,
      );
    } else if (target !== null && cmp(excess, target) < 0) {
      status = 'below-target';
      const shortfall = target.minus(excess);
      alerts.push({ statement: key, kind: 'below-target', excess, target, targetSource, shortfall });
      const from = targetSource === 'statement' ? `[${roles.target}]` : '(Cover Page)';
      addFinding(
        findings,
        'below-target',
        key,
        excessLine,
        target,
        excess,
        `${where(forms, key, excessLine)}: excess ${fmt(excess)} is below the management target ${fmt(target)} ${from} by ${fmt(shortfall)}`,
      );
    }
  }
  return {
    statement: key,
    title: st.title,
    variant: variant.id,
    required,
    funds,
    excess,
    target,
    targetSource,
    status,
    filedExcess: filedExcess ?? null,
    computedExcess,
    failingLines: failing,
  };
}
