/** `segwatch run --watch`: which files are complete (infra/local/watch.ts), on a fake folder and clock, and /proc for real. */
import { closeSync, mkdtempSync, openSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CompleteFiles,
  inProgressName,
  openForWriting,
  QUIET_MS,
  QUIET_MS_WITHOUT_PROC,
  type FileState,
  type WatchDeps,
} from '../../infra/local/watch';

function fakeFolder() {
  const files = new Map<string, FileState>();
  const open = new Set<string>();
  let now = 1_000_000;
  let proc = true;
  const deps: WatchDeps = {
    list: () => [...files.keys()],
    stat: (n) => files.get(n),
    realpath: (n) => `/inbox/${n}`,
    now: () => now,
    openForWriting: (paths) => (proc ? new Set([...paths].filter((p) => open.has(p))) : undefined),
  };
  return {
    deps,
    write: (name: string, size: number) => files.set(name, { size, mtimeMs: now }),
    rename: (from: string, to: string) => {
      files.set(to, files.get(from)!);
      files.delete(from);
    },
    open: (name: string) => open.add(`/inbox/${name}`),
    close: (name: string) => open.delete(`/inbox/${name}`),
    tick: (ms: number) => (now += ms),
    noProc: () => (proc = false),
  };
}

/** Scan every 300 ms for `ms`; the names taken, in order. */
function scanFor(w: CompleteFiles, f: ReturnType<typeof fakeFolder>, ms: number): string[] {
  const out: string[] = [];
  for (let t = 0; t < ms; t += 300) {
    f.tick(300);
    out.push(...w.scan());
  }
  return out;
}

describe('a watched folder: a file is taken once complete', () => {
  it('written in two writes 1.5 s apart, held open between them: taken once, whole, after it is closed and quiet', () => {
    const f = fakeFolder();
    const w = new CompleteFiles(f.deps);
    f.open('slow.txt');
    f.write('slow.txt', 4000);
    expect(scanFor(w, f, 1500)).toEqual([]);
    f.write('slow.txt', 9517);
    expect(scanFor(w, f, 3000)).toEqual([]); // quiet, but still open
    f.close('slow.txt');
    expect(scanFor(w, f, 600)).toEqual(['slow.txt']);
    expect(scanFor(w, f, 5000)).toEqual([]);
  });

  it('written in two separate writes 1.5 s apart (closed in between): the quiet period keeps the first half out', () => {
    const f = fakeFolder();
    const w = new CompleteFiles(f.deps);
    f.write('two.txt', 4000);
    expect(scanFor(w, f, 1500)).toEqual([]);
    f.write('two.txt', 9517);
    const taken = scanFor(w, f, QUIET_MS + 600);
    expect(taken).toEqual(['two.txt']);
  });

  it('*.part, *.tmp and dotfiles are ignored until renamed; the renamed file is taken', () => {
    const f = fakeFolder();
    const w = new CompleteFiles(f.deps);
    for (const n of ['a.txt.part', 'b.TMP', '.c.txt']) f.write(n, 100);
    expect(scanFor(w, f, 5000)).toEqual([]);
    f.rename('a.txt.part', 'a.txt');
    expect(scanFor(w, f, QUIET_MS + 600)).toEqual(['a.txt']);
    expect(['x.part', 'x.tmp', '.x', 'x.txt'].map(inProgressName)).toEqual([true, true, true, false]);
  });

  it('a file changed after it was taken is taken again; files there before the watch are left alone', () => {
    const f = fakeFolder();
    f.write('old.txt', 10);
    const w = new CompleteFiles(f.deps);
    expect(w.baseline()).toBe(1);
    f.write('new.txt', 10);
    expect(scanFor(w, f, QUIET_MS + 600)).toEqual(['new.txt']);
    f.write('new.txt', 20);
    expect(scanFor(w, f, QUIET_MS + 600)).toEqual(['new.txt']);
  });

  it('without /proc: a longer quiet period alone', () => {
    const f = fakeFolder();
    f.noProc();
    const w = new CompleteFiles(f.deps);
    f.write('x.txt', 10);
    expect(scanFor(w, f, QUIET_MS + 600)).toEqual([]);
    expect(scanFor(w, f, QUIET_MS_WITHOUT_PROC - QUIET_MS)).toEqual(['x.txt']);
  });

  it('/proc tells a file open for writing from one that is closed or open to read only', () => {
    if (process.platform !== 'linux') return;
    const dir = mkdtempSync(join(tmpdir(), 'segwatch-watch-proc-'));
    const a = join(dir, 'a.txt');
    const b = join(dir, 'b.txt');
    writeFileSync(a, 'x');
    writeFileSync(b, 'x');
    const fa = openSync(a, 'a');
    const fb = openSync(b, 'r');
    try {
      const open = openForWriting(new Set([realpathSync(a), realpathSync(b)]));
      expect(open).toEqual(new Set([realpathSync(a)]));
    } finally {
      closeSync(fa);
      closeSync(fb);
    }
    expect(openForWriting(new Set([realpathSync(a)]))).toEqual(new Set());
  });
});
