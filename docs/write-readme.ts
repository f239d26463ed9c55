/**
 * `npm run docs`: writes the sections generated from the definitions (forms, rules, alert kinds,
 * firm ids: shared/domain/docs.ts) into README.md between `<!-- forms:start -->` and
 * `<!-- forms:end -->`. test/docs/readme.test.ts fails when the README and the definitions differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedDocs } from '../shared/domain/docs';

const path = join(__dirname, '..', 'README.md');
const readme = readFileSync(path, 'utf8');
const re = /(<!-- forms:start -->\n)[\s\S]*(<!-- forms:end -->)/;
if (!re.test(readme)) throw new Error('README.md has no <!-- forms:start --> ... <!-- forms:end --> section');
const next = readme.replace(re, (_m, a: string, b: string) => `${a}${generatedDocs()}${b}`);
writeFileSync(path, next);
process.stdout.write(
  next === readme ? 'README.md: generated sections already up to date\n' : 'README.md: generated sections rewritten\n',
);
