import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseFilingText } from '../../shared/domain/parser';
import { reconcile } from '../../shared/domain/reconcile';

const sample = readFileSync('test/fixtures/citigroup-2014-11-06-initial.txt', 'utf8');

describe('a filed excess line cannot hide a shortfall', () => {
  it('alerts on funds - required when the filed excess (8730) is higher', () => {
    // Funds (8720) cut below the requirement (8590 = 5,574,863,884); the excess line still says +237,808,536.
    const text = sample.replace('5,812,672,420</u></b> [8720]', '5,000,000,000</u></b> [8720]');
    const { filing } = parseFilingText(text);
    const r = reconcile(filing);
    const swaps = r.statements.clearedSwaps!;
    expect(swaps.status).toBe('deficiency');
    expect(swaps.excess!.toFixed()).toBe('-574863884');
    expect(r.alerts).toHaveLength(1);
    expect(r.alerts[0]).toMatchObject({ statement: 'clearedSwaps', kind: 'deficiency' });
    expect(r.alerts[0].shortfall.toFixed()).toBe('782938884'); // target 208,075,000 - (-574,863,884)
    // and the inconsistency itself is an error at the lines that do not add up
    const lines = r.findings.filter((f) => f.ruleId === 'SW110').map((f) => f.line);
    expect(lines).toEqual(expect.arrayContaining(['8720', '8730']));
  });
  it('keeps the filed excess when it is the lower figure', () => {
    const text = sample.replace('237,808,536</u></b> [8730]', '200,000,000</u></b> [8730]');
    const r = reconcile(parseFilingText(text).filing);
    expect(r.statements.clearedSwaps!.excess!.toFixed()).toBe('200000000');
    expect(r.alerts.map((a) => a.kind)).toEqual(['below-target']);
  });
});
