import { describe, expect, it } from 'vitest';
import { analyze } from '../../shared/domain/check';
import { STATEMENT_KEYS } from '../../shared/domain/forms';
import { str } from '../../shared/domain/money';
import { SAMPLES, canonical, sampleBytes } from './samples';

const OUTCOMES = new Map(await Promise.all(SAMPLES.map(async (s) => [s.name, await analyze(sampleBytes(s))] as const)));

describe.each(SAMPLES)('sample $name', (sample) => {
  const outcome = OUTCOMES.get(sample.name)!;
  if (!outcome.ok) throw new Error(`${sample.name}: ${outcome.error.message}`);
  const { filing, reconciliation } = outcome.analysis;

  it('reads the header: filing type, ISO dates, firm name and id, form', () => {
    expect({
      filingType: filing.filingType,
      endDate: filing.endDate,
      submitDate: filing.submitDate,
      firmName: filing.firmName,
      firmId: filing.firmId,
      form: filing.form,
    }).toEqual(sample.header);
  });

  it.each(STATEMENT_KEYS)('%s: every code has the amount printed, and nothing else is read', (key) => {
    const st = filing.statements[key]!;
    expect(st).toBeDefined();
    const got = Object.fromEntries([...st.lines].map(([code, d]) => [code, str(d)]));
    const want = Object.fromEntries(
      Object.entries(sample.amounts[key]).map(([code, printed]) => [code, canonical(printed)]),
    );
    expect(got).toEqual(want);
    expect(st.conflicts).toEqual([]);
  });

  it.each(STATEMENT_KEYS)('%s: variant and title', (key) => {
    expect(filing.statements[key]!.variant).toBe(sample.variants[key]);
    expect(filing.statements[key]!.title).toBe(sample.titles[key]);
  });

  it('reads the uncoded 12A-12C sub-lines of 8715', () => {
    const uncoded = filing.statements.clearedSwaps!.uncoded;
    expect(uncoded.map((u) => ({ id: u.id, amount: str(u.amount) }))).toEqual(sample.uncoded);
    expect(uncoded.every((u) => u.partOf === '8715')).toBe(true);
    expect(uncoded[0].label).toBe('Cash');
  });

  it('has no unknown codes and no unreadable amounts', () => {
    expect(filing.unknownCodes).toEqual([]);
    expect(reconciliation.findings.filter((f) => f.ruleId === 'SW103' || f.ruleId === 'SW140')).toEqual([]);
  });

  it('reconciles with no error or warning finding and no alert', () => {
    expect(reconciliation.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(reconciliation.alerts).toEqual([]);
    for (const key of STATEMENT_KEYS) expect(reconciliation.statements[key]!.status).toBe('ok');
  });

  it('reports the Segregation Statement code order as an info finding', () => {
    const info = reconciliation.findings.filter((f) => f.ruleId === 'SW141');
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({ severity: 'info', statement: 'segregation', line: null });
    expect(info[0].message).toContain(`${sample.codeOrder} code order`);
    const [b, c, twelve] = sample.codeOrder === '2013' ? ['7150', '7160', '7170'] : ['7160', '7170', '7150'];
    expect(info[0].message).toContain(`11B ${b}, 11C ${c}, 12 ${twelve}`);
  });

  it('takes requirement, funds, excess and target from the printed lines', () => {
    const roles = {
      segregation: ['7060', '7180', '7190', '7194'],
      secured:
        sample.variants.secured === 'secured-summary'
          ? ['7360', '7370', '7380', '7780']
          : ['7360', '7770', '7380', '7780'],
      clearedSwaps: ['8590', '8720', '8730', '8760'],
    } as const;
    for (const key of STATEMENT_KEYS) {
      const r = reconciliation.statements[key]!;
      const printed = (code: string) => sample.amounts[key][code];
      const [req, funds, excess, target] = roles[key];
      expect(str(r.required!)).toBe(canonical(printed(req)));
      expect(str(r.funds!)).toBe(canonical(printed(funds)));
      expect(str(r.excess!)).toBe(canonical(printed(excess)));
      if (printed(target) === undefined) expect(r.target).toBeNull();
      else expect(str(r.target!)).toBe(canonical(printed(target)));
    }
  });
});
