/**
 * `segwatch run`'s summary (infra/local/summary.ts renderSummary): an excess that is not the
 * excess line as filed is marked with the CLI's dagger and legend, and no over (under) target is
 * derived from a statement that does not reconcile.
 */
import { describe, expect, it } from 'vitest';
import { renderSummary, type FilingSummary, type SummaryStatement } from '../../infra/local/summary';

const st = (excess: string, status: string, excessRecomputed = false): SummaryStatement => ({
  required: '5574863884',
  funds: '5812672420',
  excess,
  excessRecomputed,
  target: '208075000',
  status,
});
const filing = (statements: Record<string, SummaryStatement>): FilingSummary => ({
  source: 'incoming/dagger.txt',
  firmName: 'Dagger Futures LLC',
  firmId: 'dagger-futures-llc',
  endDate: '2014-11-06',
  submitDate: '2014-11-07',
  filingType: 'INITIAL',
  version: 1,
  versions: 1,
  versionKey: 'v1',
  effective: true,
  superseded: false,
  duplicate: false,
  status: 'error',
  statements,
});
const summary = (f: FilingSummary) => renderSummary({ filings: [f], alerts: [], rejected: [], failed: [] });

describe('segwatch run: the summary of a filing', () => {
  it('marks a recomputed excess, lines the others up, and derives nothing from a statement that does not reconcile', () => {
    const out = summary(
      filing({
        segregation: st('284415796', 'ok'),
        secured: st('237808536', 'unreconciled'),
        clearedSwaps: st('237808536', 'unreconciled', true),
      }),
    );
    expect(out).toMatch(/segregation +284,415,796  +208,075,000 +76,340,796 +ok/);
    expect(out).toMatch(/secured amounts +237,808,536  +208,075,000 +- +UNRECONCILED/);
    expect(out).toMatch(/cleared swaps +237,808,536† +208,075,000 +- +UNRECONCILED/);
    expect(out).toContain('    † recomputed from the lines (funds - required): not the excess line as filed');
  });

  it('no mark and no legend where every excess is the line as filed', () => {
    const out = summary(filing({ clearedSwaps: st('237808536', 'ok') }));
    expect(out).toMatch(/cleared swaps +237,808,536 +208,075,000 +29,733,536 +ok/);
    expect(out).not.toContain('†');
  });
});
