/**
 * Inputs far larger than any real filing, through `segwatch run` on the local stack (DynamoDB
 * Local, whose item limit is the real one): each ends as a recorded rejection with its reason, not
 * stuck in retries or the dead-letter queue; and the run, its output piped into a reader that goes
 * away (`| head`), ends quietly: no EPIPE, no stack trace.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLE_2014 } from '../support/filings';
import { CLI, javaFor, noStackTrace, run } from '../support/cli';

const SLOW = 200_000;

describe('segwatch run with oversized inputs', () => {
  it(
    '3,500 extra [7010] cells (41 KB), 60,000 unknown cells, 60,000 unreadable cells: three rejections with the reason; a real filing beside them is stored; then piped into a reader that closes at once: exit 0, no EPIPE',
    async () => {
      const state = mkdtempSync(join(tmpdir(), 'segwatch-limits-'));
      const inbox = join(state, 'inbox');
      mkdirSync(inbox);
      const extra = SAMPLE_2014.replace(
        '[7010]',
        `[7010]\n${Array.from({ length: 3500 }, (_, i) => `${i % 10} [7010]`).join('\n')}`,
      );
      expect(Buffer.byteLength(extra)).toBeGreaterThan(40_000);
      expect(Buffer.byteLength(extra)).toBeLessThan(42_000);
      writeFileSync(join(inbox, 'extra-7010.txt'), extra);
      writeFileSync(
        join(inbox, 'unknown-cells.txt'),
        `${SAMPLE_2014}\n${Array.from({ length: 60000 }, (_, i) => `${i} [${1000 + (i % 5000)}]`).join('\n')}`,
      );
      writeFileSync(
        join(inbox, 'unreadable-cells.txt'),
        `${SAMPLE_2014}\n${Array.from({ length: 60000 }, () => 'x [7010]').join('\n')}`,
      );
      writeFileSync(join(inbox, 'real.txt'), SAMPLE_2014);

      const first = await run(['run', '--json', '--fresh', '--state', join(state, 'segwatch'), inbox]);
      noStackTrace(first.stderr);
      expect(first.stderr).not.toMatch(/EPIPE|dead-letter|on-failure/);
      expect(first.code).toBe(0);
      const out = JSON.parse(first.stdout);
      expect(out.failed).toBeUndefined();
      expect(out.filings.map((f: { source: string }) => f.source)).toEqual(['incoming/real.txt']);
      expect(out.rejected.map((r: { source: string }) => r.source).sort()).toEqual([
        'incoming/extra-7010.txt',
        'incoming/unknown-cells.txt',
        'incoming/unreadable-cells.txt',
      ]);
      for (const r of out.rejected) expect(r.reason).toMatch(/cells .* far more than any daily segregation filing/);
      expect(out.alerts.filter((a: { kind: string }) => a.kind === 'rejected')).toHaveLength(3);

      // The same run again, its stdout closed before it writes: it finishes its work and exits quietly.
      const again = join(state, 'again');
      mkdirSync(again);
      writeFileSync(
        join(again, 'unreadable-again.txt'),
        `${SAMPLE_2014.replace('Citigroup Global Markets Inc.', 'Other Firm LLC')}\n${Array.from({ length: 60000 }, () => 'x [7010]').join('\n')}`,
      );
      const child = spawn(process.execPath, [CLI, 'run', '--state', join(state, 'segwatch'), again], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
      noStackTrace(stderr);
      expect(stderr).not.toMatch(/EPIPE/);
      expect(stderr).toMatch(/processed 1 object\(s\)/);
      expect(code).toBe(0);
      expect(javaFor(join(state, 'segwatch'))).toEqual([]);
    },
    SLOW,
  );
});
