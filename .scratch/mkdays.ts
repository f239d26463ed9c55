import { writeFileSync, mkdirSync } from 'node:fs';
import { filingText, DAYS } from '../test/support/histories';
mkdirSync('/tmp/time-scratch/days', { recursive: true });
const all = (l: any) => ({ segregation: l, secured: l, clearedSwaps: l });
writeFileSync('/tmp/time-scratch/days/d2.txt', filingText({ firm: 'Demo Drop LLC', endDate: DAYS[4], filingType: 'INITIAL', submitDate: DAYS[5], levels: all('normal') }));
writeFileSync('/tmp/time-scratch/days/d1.txt', filingText({ firm: 'Demo Drop LLC', endDate: DAYS[3], filingType: 'INITIAL', submitDate: DAYS[4], levels: { segregation: 'high', secured: 'normal', clearedSwaps: 'normal' } }));
console.log(DAYS[3], DAYS[4]);
