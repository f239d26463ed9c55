/**
 * One firm, one id: however a filing writes the firm's name, its filings share one firm id; and the
 * ids the names in use already had stay as they were (history is keyed by them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firmIdsMarkdown } from '../../shared/domain/docs';
import { FIRM_NAMES } from '../support/generate';
import { firmIdOf, LEGAL_FORMS, parseFilingText } from '../../shared/domain/parser';

/** firmIdOf as it was before legal forms and entities were folded (commit 6e302c0), to hold today's ids to. */
function legacyFirmIdOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

/** The firm names of the committed fixtures, and those the tests and generators file under. */
const fixtureNames = ['test/fixtures', 'test/fixtures/demo', 'test/fixtures/renderings']
  .flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.txt'))
      .map((f) => `${dir}/${f}`),
  )
  .flatMap((path) => {
    try {
      return [parseFilingText(readFileSync(path, 'utf8')).filing.firmName];
    } catch {
      return [];
    }
  });
const TEST_NAMES = [
  'Amended Futures LLC',
  'Deficient Futures LLC',
  'Flaky Topic LLC',
  'Out Of Order LLC',
  'Outage Futures LLC',
  'Repeated Events LLC',
  'Topic Down LLC',
  'Twice Named LLC',
  'Acme Clearing LLC',
  'Alpha FCM LLC',
  'Deleted Object LLC',
  'Dropped In LLC',
  'Smith & Co',
  'Other FCM LLC',
  'Garbage Futures',
  'Bench Firm 0001 LLC',
];

describe('firm ids', () => {
  it.each([
    [
      'Smith & Co',
      [
        'Smith &amp; Co',
        'SMITH & CO.',
        'Smith and Co',
        'smith  &  co',
        'Smith & Company',
        'Smith &#38; Co',
        'Smith\u00a0& Co',
        'Smith & Co,',
      ],
    ],
    [
      'Goldman Sachs & Co. LLC',
      [
        'GOLDMAN SACHS & CO. L.L.C.',
        'Goldman Sachs and Company LLC',
        'Goldman, Sachs & Co., LLC',
        'Goldman Sachs &amp; Co. L.L.C',
      ],
    ],
    [
      'Citigroup Global Markets Inc.',
      ['CITIGROUP GLOBAL MARKETS, INCORPORATED', 'Citigroup Global Markets, Inc', 'citigroup global markets inc'],
    ],
    ['Example Partners L.P.', ['Example Partners LP', 'EXAMPLE PARTNERS, L. P.', 'Example Partners lp']],
    [
      'Soci\u00e9t\u00e9 G\u00e9n\u00e9rale Ltd.',
      [
        'Societe Generale Limited',
        'SOCIE\u0301TE\u0301 GE\u0301NE\u0301RALE LTD',
        'Soci&eacute;t&eacute; G&eacute;n&eacute;rale Ltd',
      ],
    ],
    [
      "R.J. O'Brien & Associates, LLC",
      ['R.J. O\u2019Brien & Associates LLC', 'R.J. O&#39;Brien &amp; Associates, L.L.C.'],
    ],
  ])('%s: every spelling is one id', (name, spellings) => {
    const id = firmIdOf(name);
    for (const s of spellings) expect(firmIdOf(s), s).toBe(id);
  });

  it('different firms stay different (a legal form is folded only at the end of the name; a name is never only a legal form)', () => {
    expect(firmIdOf('Morgan Stanley & Co. LLC')).not.toBe(firmIdOf('Morgan Stanley Smith Barney LLC'));
    expect(firmIdOf('LP Capital Inc.')).toBe('lp-capital-inc');
    expect(firmIdOf('Co')).toBe('co');
    expect(firmIdOf('Company')).toBe('company');
    expect(firmIdOf('Limited Brands Inc')).toBe('limited-brands-inc');
  });

  it('the ids of the names in use stay as they were; only a dotted legal form moves (L.L.C. is now LLC)', () => {
    const names = [...new Set([...fixtureNames, ...FIRM_NAMES, ...TEST_NAMES])];
    expect(fixtureNames).toContain('Citigroup Global Markets Inc.');
    expect(fixtureNames).toContain('Example Clearing LLC');
    const moved = names
      .filter((n) => firmIdOf(n) !== legacyFirmIdOf(n))
      .map((n) => [n, legacyFirmIdOf(n), firmIdOf(n)]);
    expect(moved).toEqual([['Dorman Trading, L.L.C.', 'dorman-trading-l-l-c', 'dorman-trading-llc']]);
  });

  it('names without a dotted or spelled-out legal form or an entity keep their ids (property)', () => {
    const word = fc
      .stringMatching(/^[A-Za-z][A-Za-z0-9']{0,9}$/)
      .filter((w) => !/^(?:incorporated|corporation|limited|company|[a-z])$/i.test(w));
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 5 }),
        fc.constantFrom('', ' LLC', ' Inc.', ' & Co.', ' Ltd', ' Corp.', ' LP'),
        (words, tail) => {
          // A legal form spelled with punctuation between its letters (`A'L'p` ends in L'P, as
          // `L.P.`) is a dotted form, folded on purpose: not a name this property is about.
          fc.pre(
            !/(?:^|[^a-z0-9])(?:l[^a-z0-9]+l[^a-z0-9]+[cp]|l[^a-z0-9]+p|p[^a-z0-9]+l[^a-z0-9]+c)$/i.test(
              words.join(' '),
            ),
          );
          const name = `${words.join(' ')}${tail}`;
          expect(firmIdOf(name)).toBe(legacyFirmIdOf(name));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the README shows how names fold, from the same table the code uses', () => {
    const md = firmIdsMarkdown();
    for (const f of LEGAL_FORMS) expect(md).toContain(`\`${f.id}\``);
    expect(readFileSync('README.md', 'utf8')).toContain(md);
  });
});
