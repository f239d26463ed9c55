/**
 * A statement whose figures do not add up raises no deficiency or below-target alert (a parsing
 * doubt or a typo is never sent out as a deficiency); it is `unreconciled`, and the
 * reconciliation alert says so with both figures: the excess as filed and as recomputed from the
 * lines. Critical when either is below zero, so a wrong excess line can never hide a shortfall.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { alertsForVersion, type VersionRef } from '../../shared/domain/alerts';
import { parseFilingText } from '../../shared/domain/parser';
import { reconcile } from '../../shared/domain/reconcile';

const sample = readFileSync('test/fixtures/citigroup-2014-11-06-initial.txt', 'utf8');
const ref: VersionRef = {
  firmId: 'citigroup-global-markets-inc',
  firmName: 'Citigroup Global Markets Inc.',
  endDate: '2014-11-06',
  submitDate: '2014-11-07',
  filingType: 'INITIAL',
  versionKey: '0#2014-11-07#abc',
  source: { bucket: 'b', key: 'incoming/x.txt' },
};

describe('a statement whose lines do not add up', () => {
  it('funds (8720) cut below the requirement while the excess line says +237,808,536: no deficiency; a critical reconciliation alert with both figures', () => {
    const text = sample.replace('5,812,672,420</u></b> [8720]', '5,000,000,000</u></b> [8720]');
    const { filing } = parseFilingText(text);
    const r = reconcile(filing);
    const swaps = r.statements.clearedSwaps!;
    expect(swaps.status).toBe('unreconciled');
    expect(swaps.filedExcess!.toFixed()).toBe('237808536');
    expect(swaps.computedExcess!.toFixed()).toBe('-574863884');
    // The lower of the two is the excess shown.
    expect(swaps.excess!.toFixed()).toBe('-574863884');
    expect(swaps.failingLines).toEqual(['8720', '8730']);
    expect(r.alerts).toEqual([]);
    expect(r.findings.filter((f) => f.ruleId === 'SW120' || f.ruleId === 'SW121')).toEqual([]);

    const alerts = alertsForVersion(ref, r);
    expect(alerts.map((a) => [a.kind, a.severity, a.statement])).toEqual([
      ['reconciliation-errors', 'critical', 'clearedSwaps'],
    ]);
    const detail = alerts[0].detail;
    expect(detail).toContain('Cleared Swaps Statement: THE FIGURES DO NOT ADD UP');
    expect(detail).toContain(
      'Failing lines: [8720] Total amount in cleared swaps customer segregation (add lines 7 through 12); [8730] Excess (deficiency)',
    );
    expect(detail).toContain(
      'Excess as filed [8730]: $237,808,536; recomputed from the lines (funds [8720] - required [8590]): -$574,863,884.',
    );
    expect(detail).toContain('BELOW ZERO');
  });

  it('an excess line below the target that does not match funds - required: no below-target alert; a warning that names both', () => {
    const text = sample.replace('237,808,536</u></b> [8730]', '200,000,000</u></b> [8730]');
    const r = reconcile(parseFilingText(text).filing);
    const swaps = r.statements.clearedSwaps!;
    expect(swaps.status).toBe('unreconciled');
    expect(swaps.excess!.toFixed()).toBe('200000000');
    expect(r.alerts).toEqual([]);
    const [a] = alertsForVersion(ref, r);
    expect([a.kind, a.severity]).toEqual(['reconciliation-errors', 'warning']);
    expect(a.detail).toContain(
      'Excess as filed [8730]: $200,000,000; recomputed from the lines (funds [8720] - required [8590]): $237,808,536.',
    );
    expect(a.detail).toContain('below the target $208,075,000');
  });

  it('the same filing with its figures added up raises the deficiency itself', () => {
    // Funds cut (a margin line and the total) and the excess and over-target lines made to follow: it reconciles, and is short.
    expect(sample).toContain('3,738,317,630</u></b> [8630]');
    const text = sample
      .replace('3,738,317,630</u></b> [8630]', '2,925,645,210</u></b> [8630]')
      .replace('5,812,672,420</u></b> [8720]', '5,000,000,000</u></b> [8720]')
      .replace('237,808,536</u></b> [8730]', '-574,863,884</u></b> [8730]')
      .replace('29,733,536</u></b> [8770]', '-782,938,884</u></b> [8770]');
    const r = reconcile(parseFilingText(text).filing);
    expect(r.statements.clearedSwaps!.status).toBe('deficiency');
    expect(r.alerts.map((a) => [a.kind, a.excess.toFixed(), a.shortfall.toFixed()])).toEqual([
      ['deficiency', '-574863884', '782938884'],
    ]);
  });
});
