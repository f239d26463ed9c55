/**
 * `segwatch run --watch DIR`: which files in DIR are complete, so they can go through the
 * pipeline (S3 only ever shows whole objects; a watched folder shows files while they are being
 * written). A file is taken once it is
 *   - not named like a file in progress: `*.part`, `*.tmp`, or starting with `.` (until renamed);
 *   - no longer growing: its size and modification time unchanged for QUIET_MS;
 *   - closed: no process holds it open for writing (on Linux, from /proc/<pid>/fd and fdinfo;
 *     where /proc cannot tell, the quiet period alone, longer: QUIET_MS_WITHOUT_PROC).
 * A file taken is taken again when it changes (a new version of it), by the same rules.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Unchanged this long (and closed) before a file is taken. */
export const QUIET_MS = 2000;
/** Unchanged this long when whether it is open cannot be known. */
export const QUIET_MS_WITHOUT_PROC = 4000;

/** Names of files still being written (renamed when complete). */
export function inProgressName(name: string): boolean {
  return name.startsWith('.') || /\.(part|tmp)$/i.test(name);
}

/**
 * The real paths among `paths` that some process holds open for writing, or undefined when that
 * cannot be known here (no /proc).
 */
export function openForWriting(paths: ReadonlySet<string>, proc = '/proc'): Set<string> | undefined {
  if (paths.size === 0) return new Set();
  if (!existsSync(join(proc, 'self', 'fd'))) return undefined;
  const out = new Set<string>();
  let pids: string[];
  try {
    pids = readdirSync(proc).filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(join(proc, pid, 'fd'));
    } catch {
      continue; // gone, or another user's
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(join(proc, pid, 'fd', fd));
      } catch {
        continue;
      }
      if (!paths.has(target)) continue;
      try {
        const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(join(proc, pid, 'fdinfo', fd), 'utf8'))?.[1];
        // O_WRONLY (1) or O_RDWR (2).
        if (flags === undefined || (Number.parseInt(flags, 8) & 3) !== 0) out.add(target);
      } catch {
        out.add(target); // cannot tell how it is open: assume for writing
      }
    }
  }
  return out;
}

export interface FileState {
  size: number;
  mtimeMs: number;
}

export interface WatchDeps {
  list(): string[];
  stat(name: string): FileState | undefined;
  realpath(name: string): string;
  now(): number;
  openForWriting(realPaths: ReadonlySet<string>): Set<string> | undefined;
}

export function folderDeps(dir: string): WatchDeps {
  return {
    list: () => readdirSync(dir),
    stat: (name) => {
      try {
        const st = statSync(join(dir, name));
        return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
      } catch {
        return undefined; // gone between readdir and stat
      }
    },
    realpath: (name) => {
      try {
        return realpathSync(join(dir, name));
      } catch {
        return join(dir, name);
      }
    },
    now: () => Date.now(),
    openForWriting: (p) => openForWriting(p),
  };
}

/** Scans a folder and says which files became complete since the last scan. */
export class CompleteFiles {
  /** The signature (size:mtime) of each file as last taken. */
  private readonly taken = new Map<string, string>();
  /** Files seen changing: their signature and since when it has not changed. */
  private readonly settling = new Map<string, { sig: string; since: number }>();

  constructor(private readonly deps: WatchDeps) {}

  /** Mark the files there now as taken (a watch leaves the files already there alone). Returns how many. */
  baseline(): number {
    for (const name of this.deps.list()) {
      const st = this.deps.stat(name);
      if (st && !inProgressName(name)) this.taken.set(name, `${st.size}:${st.mtimeMs}`);
    }
    return this.taken.size;
  }

  /** One scan: the names (sorted) that are complete now and not taken in this state before. */
  scan(): string[] {
    const now = this.deps.now();
    const due: string[] = [];
    const present = new Set<string>();
    for (const name of this.deps.list().sort()) {
      if (inProgressName(name)) continue;
      const st = this.deps.stat(name);
      if (!st) continue;
      present.add(name);
      const sig = `${st.size}:${st.mtimeMs}`;
      if (this.taken.get(name) === sig) {
        this.settling.delete(name);
        continue;
      }
      const s = this.settling.get(name);
      if (!s || s.sig !== sig) {
        this.settling.set(name, { sig, since: now });
        continue;
      }
      if (now - s.since >= QUIET_MS) due.push(name);
    }
    for (const name of this.settling.keys()) if (!present.has(name)) this.settling.delete(name);
    if (due.length === 0) return [];
    const real = new Map(due.map((n) => [n, this.deps.realpath(n)]));
    const open = this.deps.openForWriting(new Set(real.values()));
    const ready: string[] = [];
    for (const name of due) {
      const s = this.settling.get(name)!;
      if (open === undefined ? now - s.since < QUIET_MS_WITHOUT_PROC : open.has(real.get(name)!)) continue;
      this.taken.set(name, s.sig);
      this.settling.delete(name);
      ready.push(name);
    }
    return ready;
  }
}
