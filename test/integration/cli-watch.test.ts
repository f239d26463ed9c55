/** `segwatch run --watch DIR`: the real CLI in a child process, stopped with Ctrl-C (SIGINT). */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFiling } from '../support/filings';
import { CLI, javaFor, noStackTrace } from '../support/cli';

// The CLI and Java in child processes: slow when the machine is busy.
const SLOW = 150_000;

describe('segwatch run --watch', () => {
  it(
    '--watch: pushes a file dropped in the folder through the pipeline, a slowly written one only once complete, a *.part one once renamed; Ctrl-C shuts down cleanly and stops Java',
    async () => {
      const state = mkdtempSync(join(tmpdir(), 'segwatch-watch-'));
      const inbox = join(state, 'inbox');
      mkdirSync(inbox);
      const child: ChildProcess = spawn(
        process.execPath,
        [CLI, 'run', '--json', '--fresh', '--state', join(state, 'segwatch'), '--watch', inbox],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      const until = async (cond: () => boolean, what: string) => {
        const end = Date.now() + 100_000;
        while (!cond()) {
          if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await until(() => /watching/.test(stderr), 'the watch to start');
      expect(javaFor(join(state, 'segwatch'))).toHaveLength(1);
      writeFileSync(join(inbox, 'dropped.txt'), makeFiling({ firmName: 'Dropped In LLC', swapsCashCut: 300_000_000n }));
      await until(() => stdout.includes('\n'), 'an outcome line');
      const line = JSON.parse(stdout.split('\n')[0]);
      expect(line.filings[0]).toMatchObject({
        source: 'incoming/dropped.txt',
        firmName: 'Dropped In LLC',
        status: 'deficiency',
      });
      expect(line.alerts.map((a: { kind: string }) => a.kind)).toEqual(['deficiency']);

      // A file written in two writes 1.5 s apart, held open in between (a slow copy): taken once,
      // whole, after it is closed. Taken when the first half stopped growing, it would be a filing
      // without its Cleared Swaps statement, and the deficiency in it would never be alerted.
      const slow = makeFiling({ firmName: 'Slow Copy LLC', swapsCashCut: 300_000_000n });
      const cut = slow.indexOf('[8500]');
      expect(cut).toBeGreaterThan(0);
      const fd = openSync(join(inbox, 'slow.txt'), 'w');
      writeSync(fd, slow.slice(0, cut - 200));
      await new Promise((r) => setTimeout(r, 1500));
      writeSync(fd, slow.slice(cut - 200));
      closeSync(fd);
      // And one written as *.part, renamed when complete.
      writeFileSync(join(inbox, 'renamed.txt.part'), makeFiling({ firmName: 'Renamed Later LLC' }));
      await new Promise((r) => setTimeout(r, 3000));
      renameSync(join(inbox, 'renamed.txt.part'), join(inbox, 'renamed.txt'));
      await until(() => stdout.split('\n').filter(Boolean).length >= 3, 'the outcomes of slow.txt and renamed.txt');
      await new Promise((r) => setTimeout(r, 3000));
      const lines = stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      const sources = lines.flatMap((l) => l.filings.map((f: { source: string }) => f.source));
      expect(sources).toEqual(['incoming/dropped.txt', 'incoming/slow.txt', 'incoming/renamed.txt']);
      expect(lines[1].filings[0]).toMatchObject({ firmName: 'Slow Copy LLC', status: 'deficiency' });
      expect(Object.keys(lines[1].filings[0].statements)).toEqual(['segregation', 'secured', 'clearedSwaps']);
      expect(lines[1].alerts.map((a: { kind: string }) => a.kind)).toEqual(['deficiency']);

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stderr).toMatch(/stopped/);
      noStackTrace(stderr);
      expect(javaFor(join(state, 'segwatch'))).toEqual([]);
    },
    SLOW,
  );
});
