import { readFileSync, writeFileSync } from 'node:fs';
const base = readFileSync('test/fixtures/citigroup-2014-11-06-initial.txt', 'utf8');
writeFileSync('/tmp/time-scratch/extra7010b.txt', base.replace('[7010]', '[7010]\n' + Array.from({ length: 3500 }, (_, i) => `${1000+i} [7010]`).join('\n')));
