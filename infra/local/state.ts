/**
 * Where the local stack keeps its state between runs (`.segwatch/` in the working directory), and
 * small helpers to read and write JSON there atomically (write a temp file, then rename), so a
 * Ctrl-C in the middle of a write never leaves half a queue behind.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface StatePaths {
  root: string;
  dynamodb: string;
  s3: string;
  queue: string;
  dlq: string;
  streamCheckpoints: string;
  streamFailures: string;
  published: string;
}

export function statePaths(root = '.segwatch'): StatePaths {
  const r = resolve(root);
  return {
    root: r,
    dynamodb: join(r, 'dynamodb'),
    s3: join(r, 's3'),
    queue: join(r, 'queue', 'messages.json'),
    dlq: join(r, 'queue', 'dlq.json'),
    streamCheckpoints: join(r, 'streams', 'checkpoints.json'),
    streamFailures: join(r, 'streams', 'on-failure.json'),
    published: join(r, 'sns', 'published.jsonl'),
  };
}

/** Remove everything the local stack keeps (for `--fresh`). */
export function clearState(paths: StatePaths): void {
  for (const p of [
    paths.dynamodb,
    paths.s3,
    dirname(paths.queue),
    dirname(paths.streamCheckpoints),
    dirname(paths.published),
  ])
    rmSync(p, { recursive: true, force: true });
}

export function readJson<T>(path: string, fallback: T): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${path} is not valid JSON; remove it or run with --fresh`);
  }
}

let tmpCounter = 0;
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${++tmpCounter}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 1)}\n`);
  renameSync(tmp, path);
}
