/**
 * Load (issue 4): 1,000 files uploaded at once into the local stack with the real handlers.
 * Every one must end processed (stored with its result and alerts sent, or rejected with a
 * reason), filings + rejected = uploaded, and no alert published twice. The wall time is printed
 * for the record (the benchmark measures throughput; this test asserts no time).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPipeline } from '../../infra/local/stack';
import { generateRendered } from '../support/generate';
import { startTestStack } from '../support/local-stack';

const TOTAL = Number.parseInt(process.env.SEGWATCH_LOAD_FILES ?? '1000', 10);
const JUNK = Math.round(TOTAL / 25); // files that are not filings
const SAME_BYTES = Math.round(TOTAL / 25); // the same filing uploaded a second time under another name

let stack: LocalPipeline;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('1,000 files uploaded at once', () => {
  it('every one is processed; filings + rejected = uploaded; no alert is published twice', async () => {
    const cases = generateRendered(TOTAL - JUNK - SAME_BYTES, 20261122, { alerts: { clearedSwaps: 'deficiency' } });
    const files: [string, string][] = cases.map((c, i) => [
      `incoming/load/${String(i).padStart(4, '0')} ${c.rendering}.txt`,
      c.text,
    ]);
    for (let i = 0; i < SAME_BYTES; i++) files.push([`incoming/load/copy of ${i}.txt`, cases[i].text]);
    for (let i = 0; i < JUNK; i++) files.push([`incoming/load/junk-${i}.txt`, `not a filing #${i}\n`.repeat(i + 1)]);
    expect(files).toHaveLength(TOTAL);

    const started = Date.now();
    // All 1,000 go in at once, 50 PUTs in flight at a time (the S3 client's socket pool).
    const keys: string[] = [];
    for (let i = 0; i < files.length; i += 50)
      keys.push(
        ...(await Promise.all(
          files.slice(i, i + 50).map(([key, text]) => stack.upload(Buffer.from(text, 'utf8'), key)),
        )),
      );
    const outcomes = await stack.waitUntilProcessed(keys, 600_000);
    const wallMs = Date.now() - started;
    console.log(`load: ${TOTAL} files processed in ${wallMs} ms (${((TOTAL * 1000) / wallMs).toFixed(1)} files/s)`);

    const byStatus = new Map<string, number>();
    for (const o of outcomes) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
    expect(Object.fromEntries(byStatus)).toEqual({ stored: TOTAL - JUNK, rejected: JUNK });
    expect((byStatus.get('stored') ?? 0) + (byStatus.get('rejected') ?? 0)).toBe(keys.length);
    for (const o of outcomes.filter((x) => x.status === 'rejected')) {
      expect(o.key).toMatch(/junk-/);
      expect(o.object?.reason).toBeTruthy();
    }
    // The same bytes under a second name are one filing version.
    const copies = outcomes.filter((o) => o.key.includes('copy of'));
    expect(copies.every((o) => o.object?.duplicate === true)).toBe(true);

    // Every alert in the outbox was published exactly once.
    const published = stack.published();
    const ids = published.map((m) => /Alert id: ([0-9a-f]{32})/.exec(m.message)?.[1]);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const sentIds = new Set(outcomes.flatMap((o) => o.alerts.filter((a) => a.state === 'sent').map((a) => a.id)));
    expect(new Set(ids)).toEqual(sentIds);
    // Each filing was made to alert (a cleared swaps deficiency), and each rejection alerts too.
    expect(published.filter((m) => m.subject?.startsWith('[DEFICIENCY]')).length).toBeGreaterThan(0);
    expect(published.filter((m) => m.subject?.startsWith('[REJECTED]'))).toHaveLength(JUNK);
  }, 900_000);
});
