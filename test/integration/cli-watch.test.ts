/** `segwatch run --watch DIR`: the real CLI in a child process, stopped with Ctrl-C (SIGINT). */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFiling } from '../support/filings';
import { CLI, javaFor, noStackTrace } from '../support/cli';

// The CLI and Java in child processes: slow when the machine is busy.
const SLOW = 150_000;

describe('segwatch run --watch', () => {
  it('--watch: pushes a file dropped in the folder through the pipeline; Ctrl-C shuts down cleanly and stops Java', async () => {
    const state = mkdtempSync(join(tmpdir(), 'segwatch-watch-'));
    const inbox = join(state, 'inbox');
    mkdirSync(inbox);
    const child: ChildProcess = spawn(process.execPath, [CLI, 'run', '--json', '--fresh', '--state', join(state, 'segwatch'), '--watch', inbox], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    expect(line.filings[0]).toMatchObject({ source: 'incoming/dropped.txt', firmName: 'Dropped In LLC', status: 'deficiency' });
    expect(line.alerts.map((a: { kind: string }) => a.kind)).toEqual(['deficiency']);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/stopped/);
    noStackTrace(stderr);
    expect(javaFor(join(state, 'segwatch'))).toEqual([]);
  }, SLOW);

});
