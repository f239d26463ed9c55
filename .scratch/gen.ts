import { generateRendered } from '../shared/domain/generate';
import { parseFiling } from '../shared/domain/parser';
const cases = generateRendered(920, 20261122, { alerts: { clearedSwaps: 'deficiency' } });
const days = new Map<string, number>();
for (const c of cases) { const f = parseFiling(Buffer.from(c.text)).filing; const k = `${f.firmId} ${f.endDate}`; days.set(k, (days.get(k) ?? 0) + 1); }
const counts = [...days.values()].sort((a, b) => b - a);
console.log('days', days.size, 'max versions', counts[0], 'top', counts.slice(0, 10));
