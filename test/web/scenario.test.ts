/**
 * The dashboard's scenario is what its tests say it is, and survives the real pipeline's parser:
 * every filing rendered as text parses back to the same figures and findings, so the browser
 * tests can move to `segwatch serve` on a local stack loaded with these files.
 */
import { describe, expect, it } from 'vitest';
import { parseFilingText } from '../../shared/domain/parser';
import { reconcile } from '../../shared/domain/reconcile';
import { filingToJson } from '../../shared/domain/model';
import {
  firmId,
  HARBOR_TARGET_CHANGE,
  renderScenario,
  RJO_MISSED,
  scenarioDays,
  SCENARIO_TO,
} from '../support/web-scenario';

const files = renderScenario();

describe('the scenario', () => {
  it('every filing day of the month, for every firm but the missed one', () => {
    const days = scenarioDays();
    expect(days[0]).toBe('2014-10-07');
    expect(days.at(-1)).toBe(SCENARIO_TO);
    const rjo = files.filter((f) => f.version.filing.firmId === firmId('rjo')).map((f) => f.version.filing.endDate);
    expect(rjo).not.toContain(RJO_MISSED);
    expect(rjo).toHaveLength(days.length - 1);
    expect(days).toContain(HARBOR_TARGET_CHANGE);
  });

  it('its story: one deficiency, one broken total, three below-target days, a late filing', () => {
    const last = files
      .filter((f) => f.version.filing.endDate === SCENARIO_TO)
      .map((f) => ({ id: f.version.filing.firmId, rec: reconcile(f.version.filing), f: f.version.filing }));
    const statuses = (id: string) =>
      last.filter((x) => x.id === id).map((x) => Object.values(x.rec.statements).map((s) => s!.status));
    expect(statuses(firmId('northwind'))[0]).toContain('deficiency');
    expect(statuses(firmId('broken'))[0]).toContain('unreconciled');
    expect(
      last
        .find((x) => x.id === firmId('broken'))!
        .rec.findings.filter((f) => f.severity === 'error')
        .map((f) => [f.ruleId, f.line]),
    ).toEqual([['SW110', '7180']]);
    expect(last.find((x) => x.id === firmId('rjo'))!.rec.findings.map((f) => f.ruleId)).toContain('SW130');
    const harborBelow = files.filter(
      (f) =>
        f.version.filing.firmId === firmId('harbor') &&
        reconcile(f.version.filing).statements.clearedSwaps!.status === 'below-target',
    );
    expect(harborBelow).toHaveLength(3);
  });

  it('every rendered file parses back to the same filing (so the real pipeline tells the same story)', () => {
    for (const { name, text, version } of files) {
      const parsed = parseFilingText(text).filing;
      const expected = filingToJson(version.filing);
      const got = filingToJson(parsed);
      if (version.filing.firmId === firmId('markup')) {
        // Tags do not survive the parser (cleanText): the name and the marked-up title and label differ.
        expect(got.firmName, name).not.toContain('<');
        expect(got.statements.segregation?.lines, name).toEqual(expected.statements.segregation?.lines);
        continue;
      }
      expect(
        { ...got, statements: Object.fromEntries(Object.entries(got.statements).map(([k, s]) => [k, s!.lines])) },
        name,
      ).toEqual({
        ...expected,
        statements: Object.fromEntries(Object.entries(expected.statements).map(([k, s]) => [k, s!.lines])),
      });
      expect(
        reconcile(parsed).findings.map((f) => f.ruleId),
        name,
      ).toEqual(reconcile(version.filing).findings.map((f) => f.ruleId));
    }
  });
});
