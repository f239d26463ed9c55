import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { analyze } from '../../shared/domain/check';

describe('samples', () => {
  it('the 2014 sample reconciles clean', () => {
    const out = analyze(readFileSync('test/fixtures/citigroup-2014-11-06-initial.txt'));
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.analysis.reconciliation.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(out.analysis.reconciliation.alerts).toEqual([]);
  });
});
