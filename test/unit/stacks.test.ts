/**
 * shared/adapters/stacks.ts: a minified bundle's error, logged through errorDetails, names the
 * original source file, line and column, in a Node process without --enable-source-maps (as the
 * functions run). The bundle is made with the functions' esbuild settings (infra/bundling.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { esbuildOptions } from '../../infra/bundling';
import { errorDetails, mapFrame, mapStack } from '../../shared/adapters/stacks';

const STACKS = resolve(__dirname, '../../shared/adapters/stacks.ts');
let dir: string;
let source: string;

// The line (1-based) of `throw` in the source below, and its column.
const THROW_LINE = 6;
const THROW_COLUMN = 9;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'segwatch-stacks-'));
  source = join(dir, 'thrower.ts');
  writeFileSync(
    source,
    [
      `import { errorDetails } from ${JSON.stringify(STACKS)};`,
      "export class LedgerError extends Error { override name = 'LedgerError'; }",
      'export function failing(amount: string): never {',
      '  // a few lines, so the mapped line is not the first',
      '  const why = `cannot add ${amount}`;',
      '  throw new LedgerError(why);',
      '}',
      'export function details(): unknown {',
      "  try { failing('1,234'); } catch (e) { return errorDetails(e); }",
      '}',
      'export function rawStack(): string {',
      "  try { failing('1'); } catch (e) { return (e as Error).stack ?? ''; }",
      "  return '';",
      '}',
    ].join('\n'),
  );
  await build({ ...esbuildOptions(source, { outdir: join(dir, 'out') }), logLevel: 'silent' });
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Run `code` in a fresh node (no NODE_OPTIONS) with the bundle as `m`; its stdout, parsed. */
function inNode(code: string): unknown {
  const bundle = join(dir, 'out', 'index.js');
  const out = execFileSync(process.execPath, ['-e', `const m = require(${JSON.stringify(bundle)}); ${code}`], {
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

describe('errorDetails in a minified bundle', () => {
  it('maps the throwing frame to the source file, line and column', () => {
    const d = inNode('process.stdout.write(JSON.stringify(m.details()))') as {
      error: string;
      message: string;
      stack: string;
    };
    expect(d.error).toBe('LedgerError');
    expect(d.message).toBe('cannot add 1,234');
    const frames = d.stack.split('\n').slice(1);
    expect(frames[0]).toContain(`${source}:${THROW_LINE}:${THROW_COLUMN}`);
    expect(frames[0]).toMatch(/at failing \(/);
    // The caller's frame too, and none of the bundle's own positions is left in these two.
    expect(frames[1]).toContain(`${source}:9:`);
    expect(frames.slice(0, 2).join('\n')).not.toContain('index.js');
  });

  it('without the mapping the same stack names only the minified bundle (so the test above could fail)', () => {
    const raw = inNode('process.stdout.write(JSON.stringify(m.rawStack()))') as string;
    expect(raw).toContain(join(dir, 'out', 'index.js'));
    expect(raw).not.toContain('thrower.ts');
    // Mapped in this process, from the stack printed by the other: the same file and line.
    expect(mapStack(raw)).toContain(`${source}:${THROW_LINE}:${THROW_COLUMN}`);
  });
});

describe('mapStack leaves alone what it cannot map', () => {
  it('frames of files without a map, Node internals and message lines', () => {
    const lines = [
      'Error: boom (at /x/index.js:1:2)',
      `    at helper (${join(dir, 'nomap.js')}:3:4)`,
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at async Promise.all (index 0)',
    ];
    expect(mapStack(lines.join('\n'))).toBe(lines.join('\n'));
  });

  it('a frame past the end of the map, and a damaged map, stay as they are', () => {
    const bundle = join(dir, 'out', 'index.js');
    const far = `    at x (${bundle}:99999:1)`;
    expect(mapFrame(far)).toBe(far);
    const damaged = join(dir, 'damaged.js');
    writeFileSync(damaged, '');
    writeFileSync(`${damaged}.map`, '{"version":3,"mappings":');
    const line = `    at y (${damaged}:1:1)`;
    expect(mapFrame(line)).toBe(line);
  });

  it('what is thrown need not be an Error', () => {
    expect(errorDetails('just a string')).toEqual({ error: 'string', message: 'just a string' });
    expect(errorDetails(undefined)).toEqual({ error: 'undefined', message: 'undefined' });
  });
});
