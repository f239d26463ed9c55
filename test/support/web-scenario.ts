/**
 * The dashboard's test data: the demo filings (Example Clearing's deficient initial and the
 * amendment that cures it) plus a generated month of history for a handful of firms, each built
 * from the real 2014 sample filing (every input scaled, every total recomputed from the form
 * definitions, the funds steered so the excess lands where the story wants it). The story:
 *
 * - Northwind Clearing LLC: deficient (segregation) on the last day.
 * - Broken Totals Futures LLC: on the last day its segregation line 13 [7180] does not add up.
 * - Harbor Futures & Co.: cleared swaps below target on the last three days; its segregation
 *   target raised part way through the month.
 * - R.J. O'Brien & Associates, LLC: files the last day late; missed one day mid-month.
 * - a firm whose name carries markup (`<script>`), to prove every value is escaped.
 * - Citigroup Global Markets Inc. and Example Clearing LLC: comfortable, except the demo day.
 *
 * `scenarioVersions()` gives Filing objects (for the fake); `renderScenario()` the same filings as
 * text files, for a local stack (the parser strips tags from firm names, so the markup firm only
 * keeps its name through the fake).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATEMENT_KEYS, FORMS, type StatementKey } from '../../shared/domain/forms';
import { computeDerived, seededRng, slackCode } from './generate';
import { Decimal, sum, ZERO } from '../../shared/domain/money';
import { Lines, type Filing, type Statement } from '../../shared/domain/model';
import { firmIdOf, parseFilingText } from '../../shared/domain/parser';
import { dueDay, isFilingDay, nextBusinessDay } from '../../shared/domain/calendar';
import { render } from './render';
import { INCOMING_PREFIX } from '../../shared/table';
import { anyFilingDays, type FakeVersion } from './fake-read';

export const FIXTURES = join(__dirname, '..', 'fixtures');
export const BUCKET = 'segwatch-filings-local';

export function parseFixture(path: string): Filing {
  return parseFilingText(readFileSync(path, 'utf8')).filing;
}

/** The 2014 sample (three statements, all with management targets). */
let templateCache: Filing | undefined;
export function template(): Filing {
  return (templateCache ??= parseFixture(join(FIXTURES, 'citigroup-2014-11-06-initial.txt')));
}

export interface StatementPlan {
  /** Scale of every input against the sample. */
  scale: Decimal;
  /** The management target, and the excess to land on. */
  target: Decimal;
  excess: Decimal;
}

/**
 * A consistent filing from the template: every input scaled (whole dollars), the target set,
 * the totals recomputed, the funds steered so the excess is exactly `plan.excess`.
 */
export function buildFiling(
  base: Filing,
  header: Pick<Filing, 'firmName' | 'firmId' | 'endDate' | 'submitDate' | 'filingType'>,
  plans: Partial<Record<StatementKey, StatementPlan>>,
): Filing {
  const statements: Filing['statements'] = {};
  for (const key of STATEMENT_KEYS) {
    const plan = plans[key];
    const t = base.statements[key];
    if (!plan || !t) continue;
    const v = FORMS.variantById.get(t.variant)!;
    const values = new Lines();
    const uncoded = t.uncoded.map((u) => ({ ...u, amount: u.amount.times(plan.scale).toDecimalPlaces(0) }));
    for (const l of v.lines) {
      const amount = t.lines.get(l.code) ?? ZERO;
      values.set(l.code, l.kind === 'input' ? amount.times(plan.scale).toDecimalPlaces(0) : amount);
      if (l.parts) values.set(l.code, sum(uncoded.filter((u) => u.partOf === l.code).map((u) => u.amount)));
    }
    if (v.roles.target) values.set(v.roles.target, plan.target);
    computeDerived(v, values);
    const slack = slackCode(v);
    values.set(slack, values.get(slack)!.plus(plan.excess.minus(values.get(v.roles.excess)!)));
    computeDerived(v, values);
    const st: Statement = {
      key,
      title: t.title,
      variant: t.variant,
      lines: values,
      labels: new Map(t.labels),
      uncoded,
      conflicts: [],
    };
    statements[key] = st;
  }
  return { ...header, form: base.form, statements, unknownCodes: [] };
}

export interface ScenarioFirm {
  firmName: string;
  scale: string;
  /** Cushion (excess / target) around which the excess wanders. */
  cushion: string;
}

export const SCENARIO_FIRMS = {
  citi: { firmName: 'Citigroup Global Markets Inc.', scale: '1', cushion: '1.25' },
  example: { firmName: 'Example Clearing LLC', scale: '1', cushion: '1.2' },
  northwind: { firmName: 'Northwind Clearing LLC', scale: '0.35', cushion: '1.3' },
  broken: { firmName: 'Broken Totals Futures LLC', scale: '0.12', cushion: '1.6' },
  harbor: { firmName: 'Harbor Futures & Co.', scale: '0.6', cushion: '1.12' },
  rjo: { firmName: "R.J. O'Brien & Associates, LLC", scale: '0.25', cushion: '1.45' },
  markup: { firmName: '<script>alert("pwned")</script> Evil & Sons <b>Futures</b>', scale: '0.08', cushion: '2.1' },
} as const satisfies Record<string, ScenarioFirm>;
export type ScenarioFirmKey = keyof typeof SCENARIO_FIRMS;

export const firmId = (k: ScenarioFirmKey) => firmIdOf(SCENARIO_FIRMS[k].firmName);

/** The month: the filing days from 2014-10-07 to the demo day 2014-11-06. */
export const SCENARIO_FROM = '2014-10-07';
export const SCENARIO_TO = '2014-11-06';
export function scenarioDays(): string[] {
  return anyFilingDays(SCENARIO_FROM, SCENARIO_TO);
}

/** The day Harbor's segregation target goes up, the day R.J. O'Brien misses. */
export const HARBOR_TARGET_CHANGE = '2014-10-22';
export const RJO_MISSED = '2014-10-20';

const arrival = (_endDate: string, submitDate: string, minute: number) =>
  `${submitDate}T${String(13 + (minute % 5)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00.000Z`;

export function scenarioVersions(): FakeVersion[] {
  const base = template();
  const days = scenarioDays();
  const last = days.at(-1)!;
  const rng = seededRng(20141106);
  const out: FakeVersion[] = [];
  const keyOf = (f: Filing) =>
    `${INCOMING_PREFIX}${f.firmId}-${f.endDate}-${f.filingType.toLowerCase()}-${f.submitDate}.txt`;
  let minute = 0;
  const push = (filing: Filing) =>
    out.push({
      filing,
      arrivedAt: arrival(filing.endDate, filing.submitDate, minute++),
      source: { bucket: BUCKET, key: keyOf(filing) },
    });

  for (const k of Object.keys(SCENARIO_FIRMS) as ScenarioFirmKey[]) {
    const firm = SCENARIO_FIRMS[k];
    const scale = new Decimal(firm.scale);
    const id = firmIdOf(firm.firmName);
    // A random walk of the cushion per statement, and of the size (so required moves too).
    const walk = Object.fromEntries(STATEMENT_KEYS.map((s) => [s, new Decimal(firm.cushion)])) as Record<
      StatementKey,
      Decimal
    >;
    let size = scale;
    days.forEach((d, i) => {
      size = size.times(new Decimal(1000 + rng.int(-15, 15)).div(1000));
      for (const s of STATEMENT_KEYS)
        walk[s] = Decimal.max('1.02', walk[s].plus(new Decimal(rng.int(-40, 40)).div(1000)));
      if (k === 'example' && d === last) return; // the demo filings below
      if (k === 'rjo' && d === RJO_MISSED) return;
      const plans: Partial<Record<StatementKey, StatementPlan>> = {};
      for (const s of STATEMENT_KEYS) {
        if (!isFilingDay(s, d)) continue;
        const sampleTarget = base.statements[s]!.lines.get(
          FORMS.variantById.get(base.statements[s]!.variant)!.roles.target!,
        )!;
        let target = scale.eq(1)
          ? sampleTarget
          : sampleTarget.times(scale).div(100000).toDecimalPlaces(0).times(100000);
        if (k === 'harbor' && s === 'segregation' && d >= HARBOR_TARGET_CHANGE)
          target = target.times('1.2').div(100000).toDecimalPlaces(0).times(100000);
        let cushion = walk[s];
        if (k === 'harbor' && s === 'clearedSwaps' && i >= days.length - 3)
          cushion = new Decimal(['0.93', '0.88', '0.81'][i - (days.length - 3)]);
        let excess = target.times(cushion).toDecimalPlaces(0);
        if (k === 'northwind' && s === 'segregation' && d === last) excess = new Decimal('-18250400');
        plans[s] = { scale: size, target, excess };
      }
      const late = k === 'rjo' && d === last;
      const submitDate = late ? nextBusinessDay(dueDay('segregation', d)) : dueDay('segregation', d);
      const filing = buildFiling(
        base,
        { firmName: firm.firmName, firmId: id, endDate: d, submitDate, filingType: 'INITIAL' },
        plans,
      );
      if (k === 'broken' && d === last) {
        // Line 13 (total in segregation) filed 1,000 dollars off the sum of its items; line 14 follows it.
        const seg = filing.statements.segregation!;
        seg.lines.set('7180', seg.lines.get('7180')!.plus(1000));
        seg.lines.set('7190', seg.lines.get('7180')!.minus(seg.lines.get('7060')!));
        seg.lines.set('7198', seg.lines.get('7190')!.minus(seg.lines.get('7194')!));
      }
      if (k === 'markup') {
        // Markup wherever a filing or its upload puts text: the statement title, an uncoded line's
        // label, the object's key.
        const swaps = filing.statements.clearedSwaps!;
        swaps.title = 'Daily Segregation - <img src=x onerror=alert(1)> Swaps Statement';
        if (swaps.uncoded[0]) swaps.uncoded[0] = { ...swaps.uncoded[0], label: '<i>Funds</i> on hand "12A" & more' };
        out.push({
          filing,
          arrivedAt: arrival(filing.endDate, filing.submitDate, minute++),
          source: { bucket: BUCKET, key: `${INCOMING_PREFIX}<script>alert(1)</script> ${d}.txt` },
        });
        return;
      }
      push(filing);
    });
  }
  // The demo day of Example Clearing: the deficient initial, then the amendment that cures it.
  for (const name of DEMO_FILES) {
    const filing = parseFixture(join(FIXTURES, 'demo', name));
    out.push({
      filing,
      arrivedAt: arrival(filing.endDate, filing.submitDate, minute++),
      source: { bucket: BUCKET, key: `${INCOMING_PREFIX}${name}` },
    });
  }
  return out;
}

export const DEMO_FILES = [
  'example-clearing-2014-11-06-initial-deficiency.txt',
  'example-clearing-2014-11-06-amendment-cured.txt',
];

/**
 * The scenario as text files (name -> content), for uploading to a local stack: the demo filings
 * as shipped, the generated ones rendered as WinJammer markup. (The parser strips tags from firm
 * names, titles and labels: through the real pipeline the markup firm arrives without them.)
 */
export function renderScenario(): { name: string; text: string; version: FakeVersion }[] {
  return scenarioVersions().map((v) => {
    const name = v.source.key.slice(INCOMING_PREFIX.length);
    const text = DEMO_FILES.includes(name)
      ? readFileSync(join(FIXTURES, 'demo', name), 'utf8')
      : render(v.filing, 'markup');
    return { name, text, version: v };
  });
}
