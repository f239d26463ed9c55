import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseFilingText } from '../../shared/domain/parser';
import { reconcile } from '../../shared/domain/reconcile';

const sample = readFileSync('test/fixtures/citigroup-2014-11-06-initial.txt', 'utf8');
const lateIds = (text: string) =>
  reconcile(parseFilingText(text).filing).findings.filter((f) => f.ruleId === 'SW130').length;

describe('late filing (SW130) is about the initial filing only', () => {
  it('an initial submitted the Monday after a Thursday end date is late', () => {
    expect(lateIds(sample.replaceAll('Submit Date:11/7/2014', 'Submit Date:11/10/2014'))).toBe(1);
  });
  it('an amendment submitted days later is not late', () => {
    expect(
      lateIds(
        sample.replaceAll('**INITIAL**', '**AMENDMENT**').replaceAll('Submit Date:11/7/2014', 'Submit Date:11/10/2014'),
      ),
    ).toBe(0);
  });
});
