import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyze, checkJson } from '../../shared/domain/check';
import { FORMS, STATEMENT_KEYS, type StatementKey } from '../../shared/domain/forms';
import { filingFromJson, filingToJson, Lines, type Filing } from '../../shared/domain/model';
import { Decimal, str, ZERO } from '../../shared/domain/money';
import { parseFilingText } from '../../shared/domain/parser';
import { reconcile } from '../../shared/domain/reconcile';
import { computeDerived, filingArb, slackCode } from '../support/generate';
import { render } from '../support/render';
import { SAMPLES, SAMPLE_2014, canonical, sampleText } from './samples';

const copy = (f: Filing) => filingFromJson(filingToJson(f));
const sample2014 = () => copy(parseFilingText(sampleText(SAMPLE_2014)).filing);

/** Move the cash line of a statement's funds by `delta` and recompute its totals (a consistent filing). */
function shiftFunds(f: Filing, key: StatementKey, delta: Decimal): void {
  const st = f.statements[key]!;
  const v = FORMS.variantById.get(st.variant)!;
  const values = new Map(st.lines);
  const cash = slackCode(v);
  values.set(cash, values.get(cash)!.plus(delta));
  computeDerived(v, values);
  st.lines = Lines.from(values);
}
function setLine(f: Filing, key: StatementKey, code: string, amount: Decimal): void {
  const st = f.statements[key]!;
  const values = new Map(st.lines);
  values.set(code, amount);
  computeDerived(FORMS.variantById.get(st.variant)!, values);
  st.lines = Lines.from(values);
}
const roles = (f: Filing, key: StatementKey) => FORMS.variantById.get(f.statements[key]!.variant)!.roles;

describe.each(STATEMENT_KEYS)('alerts in the %s statement', (key) => {
  it('deficiency: excess below zero raises a critical alert through bytes -> parse -> reconcile -> JSON', async () => {
    const f = sample2014();
    const r = roles(f, key);
    const excess = f.statements[key]!.lines.get(r.excess)!;
    shiftFunds(f, key, excess.plus(1).negated()); // excess becomes -1
    const outcome = await analyze(Buffer.from(render(f, 'markup')));
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const rec = outcome.analysis.reconciliation;
    expect(rec.findings.filter((x) => x.severity === 'error' && x.ruleId !== 'SW120')).toEqual([]);
    const target = f.statements[key]!.lines.get(r.target!)!;
    expect(checkJson('f.txt', outcome).alerts).toEqual([
      {
        statement: key,
        kind: 'deficiency',
        excess: '-1',
        target: str(target),
        targetSource: 'statement',
        shortfall: str(target.plus(1)),
      },
    ]);
    expect(rec.statements[key]!.status).toBe('deficiency');
    expect(rec.findings.find((x) => x.ruleId === 'SW120')).toMatchObject({
      severity: 'error',
      statement: key,
      line: r.excess,
      expected: '0',
      actual: '-1',
    });
  });

  it('below target: 0 <= excess < target raises a warning with shortfall = target - excess', () => {
    const f = sample2014();
    const r = roles(f, key);
    const excess = f.statements[key]!.lines.get(r.excess)!;
    setLine(f, key, r.target!, excess.plus(1));
    const rec = reconcile(f);
    expect(rec.alerts).toEqual([
      {
        statement: key,
        kind: 'below-target',
        excess,
        target: excess.plus(1),
        targetSource: 'statement',
        shortfall: new Decimal(1),
      },
    ]);
    expect(rec.statements[key]!.status).toBe('below-target');
    expect(rec.findings.filter((x) => x.severity === 'error')).toEqual([]);
  });

  it('excess exactly at the target: no alert; excess exactly zero under a target: below-target, not deficiency', () => {
    const f = sample2014();
    const r = roles(f, key);
    setLine(f, key, r.target!, f.statements[key]!.lines.get(r.excess)!);
    expect(reconcile(f).alerts).toEqual([]);

    const g = sample2014();
    shiftFunds(g, key, g.statements[key]!.lines.get(r.excess)!.negated());
    const rec = reconcile(g);
    expect(g.statements[key]!.lines.get(r.excess)!.isZero()).toBe(true);
    expect(rec.alerts.map((a) => [a.kind, str(a.excess), str(a.shortfall)])).toEqual([
      ['below-target', '0', str(g.statements[key]!.lines.get(r.target!)!)],
    ]);
  });
});

describe('deficiency on a form without a management target', () => {
  it('shortfall is 0 - excess and target is null', () => {
    const f = copy(parseFilingText(sampleText(SAMPLES[0])).filing);
    shiftFunds(f, 'segregation', new Decimal('-400000000'));
    const excess = f.statements.segregation!.lines.get('7190')!;
    expect(excess.isNegative()).toBe(true);
    expect(reconcile(f).alerts).toEqual([
      {
        statement: 'segregation',
        kind: 'deficiency',
        excess,
        target: null,
        targetSource: null,
        shortfall: ZERO.minus(excess),
      },
    ]);
  });
});

describe.each(SAMPLES)('a total off by $1 in $name', (sample) => {
  const base = parseFilingText(sampleText(sample)).filing;
  const totals = STATEMENT_KEYS.flatMap((key) =>
    FORMS.variantById
      .get(base.statements[key]!.variant)!
      .lines.filter((l) => l.sum || l.greaterOf || l.equals)
      .map((l) => ({ key, code: l.code, kind: l.greaterOf ? 'SW111' : l.equals ? 'SW112' : 'SW110' })),
  );

  it.each([1, -1])('every total changed by %i is caught at that very line, expected the printed amount', (delta) => {
    expect(totals.length).toBeGreaterThan(10);
    for (const { key, code, kind } of totals) {
      const f = copy(base);
      f.statements[key]!.lines.set(code, f.statements[key]!.lines.get(code)!.plus(delta));
      const at = reconcile(f).findings.filter((x) => x.line === code && x.statement === key && x.severity === 'error');
      expect(
        at.map((x) => x.ruleId),
        `${key} [${code}]`,
      ).toEqual([kind]);
      const printedOther = kind === 'SW112' ? sample.amounts[key]['7770'] : sample.amounts[key][code];
      expect(at[0].expected, `${key} [${code}]`).toBe(canonical(printedOther));
      expect(at[0].actual).toBe(new Decimal(canonical(sample.amounts[key][code])).plus(delta).toFixed());
    }
  });
});

describe('generated alerts (property)', () => {
  it.each(STATEMENT_KEYS)('a forced alert in %s is the only alert, with shortfall = target - excess', (key) => {
    fc.assert(
      fc.property(
        fc
          .constantFrom('deficiency' as const, 'below-target' as const)
          .chain((kind) => filingArb({ alerts: { [key]: kind } }).map((f) => [kind, f] as const)),
        ([kind, f]) => {
          const rec = reconcile(f);
          expect(rec.alerts).toHaveLength(1);
          const a = rec.alerts[0];
          expect([a.statement, a.kind]).toEqual([key, kind]);
          const r = roles(f, key);
          expect(a.excess.eq(f.statements[key]!.lines.get(r.excess)!)).toBe(true);
          expect(a.shortfall.eq((a.target ?? ZERO).minus(a.excess))).toBe(true);
          if (kind === 'deficiency') expect(a.excess.isNegative()).toBe(true);
          else expect(!a.excess.isNegative() && a.excess.lt(a.target!)).toBe(true);
          expect(rec.findings.filter((x) => x.severity === 'error' && x.ruleId !== 'SW120')).toEqual([]);
        },
      ),
      { numRuns: 25 },
    );
  });
});
