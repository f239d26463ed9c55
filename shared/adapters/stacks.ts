/**
 * Readable stack traces in the functions' logs, paid for only when an error is logged.
 *
 * A function's bundle is minified, with its source map beside it (`index.js.map`, infra/bundling.ts).
 * Node's `--enable-source-maps` would map every stack, but it reads the map and measures every
 * line of the bundle when the bundle loads: about 30 ms of each cold start of a 0.9 MB bundle
 * (bench `bundles`, PERFORMANCE.md round 6). The functions run without it, and the places that log
 * an unexpected error log `errorDetails(e)`: its stack mapped here, through Node's own source map
 * reader (`node:module` SourceMap), the map of a file read the first time one of its frames is
 * mapped. A frame with no map (Node's own, or a file without a map) stays as it is; so does a
 * stack when the map cannot be read or does not cover a frame: a log line is never lost to this.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The maps read so far, by the generated file's path (null: the file has no readable map). */
const maps = new Map<string, SourceMap | null>();
/** A process sees a handful of bundle files; more than this and the oldest map is dropped. */
const MAX_MAPS = 16;

function mapOf(file: string): SourceMap | null {
  const known = maps.get(file);
  if (known !== undefined) return known;
  let map: SourceMap | null = null;
  try {
    map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
  } catch {
    map = null;
  }
  if (maps.size >= MAX_MAPS) maps.delete(maps.keys().next().value as string);
  maps.set(file, map);
  return map;
}

/** `(file:line:col)` or `at file:line:col` at the end of a frame line. */
const FRAME = /^(\s*at (?:.*? \()?)((?:file:\/\/)?[^\s()]+?\.[cm]?js):(\d+):(\d+)(\)?)$/;

/** One frame line, mapped to the original source when the file's map covers it. */
export function mapFrame(line: string): string {
  const m = FRAME.exec(line);
  if (!m) return line;
  const [, head, where, l, c, tail] = m;
  const file = where.startsWith('file://') ? fileURLToPath(where) : where;
  const map = mapOf(file);
  if (!map) return line;
  const at = Number.parseInt(l, 10) - 1;
  const e = map.findEntry(at, Number.parseInt(c, 10) - 1) as Partial<{
    generatedLine: number;
    originalSource: string;
    originalLine: number;
    originalColumn: number;
  }>;
  // (For a position past the end, findEntry gives the nearest mapping, of another line.)
  if (e.generatedLine !== at || typeof e.originalSource !== 'string' || typeof e.originalLine !== 'number') return line;
  const source = e.originalSource.startsWith('file://')
    ? fileURLToPath(e.originalSource)
    : resolve(dirname(file), e.originalSource);
  return `${head}${source}:${e.originalLine + 1}:${(e.originalColumn ?? 0) + 1}${tail}`;
}

/** A stack trace with every frame that has a map mapped to its source (Node's format, as --enable-source-maps prints it). */
export function mapStack(stack: string): string {
  return stack
    .split('\n')
    .map((line) => {
      try {
        return mapFrame(line);
      } catch {
        return line;
      }
    })
    .join('\n');
}

/** What a log line says about an unexpected error: its name, message and mapped stack. */
export function errorDetails(e: unknown): { error: string; message: string; stack?: string } {
  if (!(e instanceof Error)) return { error: typeof e, message: String(e) };
  return {
    error: e.name,
    message: e.message,
    ...(typeof e.stack === 'string' ? { stack: mapStack(e.stack) } : {}),
  };
}
