import { readFileSync } from 'node:fs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { parseFiling } from '../shared/domain/parser';
import { reconcile } from '../shared/domain/reconcile';
import { filingAmounts } from '../shared/domain/model';
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { str } from '../shared/domain/money';
const base = readFileSync('test/fixtures/citigroup-2014-11-06-initial.txt', 'utf8');
const mk = (n: number, f: (i: number) => string) => base.replace('[7010]', '[7010]\n' + Array.from({ length: n }, (_, i) => f(i)).join('\n'));
const cases: Record<string, string> = {
  a: mk(3500, (i) => `${i % 10} [7010]`),
  b: base + '\n' + Array.from({ length: 3500 }, (_, i) => `${i % 10} [7010]`).join('\n'),
};
for (const [n, t] of Object.entries(cases)) {
  const p = parseFiling(Buffer.from(t));
  const r = reconcile(p.filing, { unreadable: p.unreadable });
  const item = marshall({ filing: { form: p.filing.form, ...filingAmounts(p.filing, (d: any) => NumberValue.from(str(d))) } }, { removeUndefinedValues: true });
  const res = marshall({ findings: r.findings }, { removeUndefinedValues: true });
  console.log(n, Buffer.byteLength(t), 'findings', r.findings.length, 'version item ~', JSON.stringify(item).length, 'result ~', JSON.stringify(res).length, r.findings.map(f => f.ruleId).join(','));
}
