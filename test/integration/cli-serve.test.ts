/**
 * `segwatch serve` and `segwatch start` (npm start): the real CLI in a child process, on a local
 * stack of its own (Java), stopped with Ctrl-C (SIGINT). The dashboard listens on 127.0.0.1 only
 * and says so; every answer carries the security headers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, javaFor, noStackTrace, run } from '../support/cli';

const SLOW = 240_000;

function start(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const io = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (io.stdout += d));
  child.stderr!.on('data', (d) => (io.stderr += d));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const until = async (cond: () => boolean, what: string) => {
    const end = Date.now() + 180_000;
    while (!cond()) {
      if (Date.now() > end)
        throw new Error(`timed out waiting for ${what}; stdout: ${io.stdout}; stderr: ${io.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, io, exited, until };
}

/** Whether something accepts a TCP connection at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    setTimeout(() => (s.destroy(), resolve(false)), 3000);
  });
}

const URL_LINE = /segwatch dashboard: (http:\/\/127\.0\.0\.1:(\d+)\/)/;

describe('segwatch serve', () => {
  it(
    'serves the dashboard on 127.0.0.1 only, says so, answers with the security headers; Ctrl-C stops it and Java',
    async () => {
      const state = join(mkdtempSync(join(tmpdir(), 'segwatch-serve-')), 'segwatch');
      const p = start(['serve', '--port', '0', '--state', state]);
      await p.until(() => URL_LINE.test(p.io.stdout), 'the dashboard URL');
      const [, url, port] = URL_LINE.exec(p.io.stdout)!;
      expect(p.io.stdout).toMatch(/no sign-in: listening on 127\.0\.0\.1 only/);
      expect(javaFor(state)).toHaveLength(1);

      const health = await fetch(`${url}health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(health.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      const board = await fetch(url);
      // A fresh state: the read queries answer, and nobody has filed yet.
      expect(board.status).toBe(404);
      expect(await board.text()).toContain('no firm has filed anything yet');
      expect(board.headers.get('x-frame-options')).toBe('DENY');
      const calendar = await fetch(`${url}calendar/2025`);
      expect(calendar.status).toBe(200);
      expect(await calendar.text()).toContain('Filing calendar 2025');

      // Not on any other interface of this machine.
      const others = Object.values(networkInterfaces())
        .flat()
        .filter((i) => i && !i.internal && i.family === 'IPv4')
        .map((i) => i!.address);
      for (const address of others) expect(await accepts(address, Number(port)), address).toBe(false);
      expect(await accepts('127.0.0.1', Number(port))).toBe(true);

      p.child.kill('SIGINT');
      expect(await p.exited).toBe(0);
      noStackTrace(p.io.stderr);
      expect(javaFor(state)).toEqual([]);
      expect(await accepts('127.0.0.1', Number(port))).toBe(false);
    },
    SLOW,
  );

  it('refuses a bad port with a one-line reason and the usage', async () => {
    const r = await run(['serve', '--port', '99999']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--port must be a port number/);
    expect(r.stderr).toMatch(/usage: segwatch serve/);
    noStackTrace(r.stderr);
  });
});

describe('segwatch start (npm start)', () => {
  it(
    'runs the sample filings through the pipeline, then serves the dashboard until Ctrl-C',
    async () => {
      const state = join(mkdtempSync(join(tmpdir(), 'segwatch-start-')), 'segwatch');
      const p = start(['start', '--port', '0', '--fresh', '--state', state]);
      await p.until(() => URL_LINE.test(p.io.stdout), 'the dashboard URL');
      // What `segwatch run` prints for the samples comes first.
      const before = p.io.stdout.slice(0, p.io.stdout.search(URL_LINE));
      expect(before).toMatch(/Citigroup Global Markets Inc\./);
      const [, url] = URL_LINE.exec(p.io.stdout)!;
      expect((await fetch(`${url}health`)).status).toBe(200);
      // The board reads the local table: the samples' firm, on its latest filing day.
      const board = await fetch(url);
      expect(board.status).toBe(200);
      expect(await board.text()).toContain('Citigroup Global Markets Inc.');
      const api = (await (await fetch(`${url}api/board`)).json()) as { date: string; firms: { firmId: string }[] };
      expect(api.date).toBe('2014-11-06');
      expect(api.firms.map((f) => f.firmId)).toEqual(['citigroup-global-markets-inc']);
      p.child.kill('SIGINT');
      expect(await p.exited).toBe(0);
      noStackTrace(p.io.stderr);
      await new Promise((r) => setTimeout(r, 500));
      expect(javaFor(state)).toEqual([]);
    },
    SLOW,
  );
});
