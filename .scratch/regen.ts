import { readFileSync, writeFileSync } from 'node:fs';
import { generatedDocs } from '../shared/domain/docs';
const r = readFileSync('README.md', 'utf8');
writeFileSync('README.md', r.replace(/(<!-- forms:start -->\n)[\s\S]*(<!-- forms:end -->)/, (_, a, b) => a + generatedDocs() + b));
