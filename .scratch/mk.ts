import { readFileSync, writeFileSync } from 'node:fs';
const base = readFileSync('test/fixtures/citigroup-2014-11-06-initial.txt', 'utf8');
writeFileSync('/tmp/time-scratch/extra7010.txt', base.replace('[7010]', '[7010]\n' + Array.from({ length: 3500 }, (_, i) => `${i % 10} [7010]`).join('\n')));
writeFileSync('/tmp/time-scratch/unknown.txt', base + '\n' + Array.from({ length: 60000 }, (_, i) => `${i} [${1000 + (i % 5000)}]`).join('\n'));
writeFileSync('/tmp/time-scratch/unreadable.txt', base + '\n' + Array.from({ length: 60000 }, () => `x [7010]`).join('\n'));
