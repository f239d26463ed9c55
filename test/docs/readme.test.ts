import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { generatedDocs } from '../../shared/domain/docs';
import { FORMS } from '../../shared/domain/forms';
import { RULES } from '../../shared/domain/rules';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('embeds the docs generated from the form definitions, rules and alert kinds, unchanged', () => {
    const m = /<!-- forms:start -->\n([\s\S]*)<!-- forms:end -->/.exec(readme);
    expect(m, 'README.md lacks the forms markers').not.toBeNull();
    expect(m![1]).toBe(generatedDocs());
  });
  it('names every variant and every rule id', () => {
    for (const v of FORMS.variants) expect(readme).toContain(`\`${v.id}\``);
    for (const r of RULES) expect(readme).toContain(`| ${r.id} |`);
  });
  it('gives the commands a newcomer runs', () => {
    for (const cmd of ['npm install', 'npm start', 'npm test', 'npm run bench']) expect(readme).toContain(cmd);
  });
});
