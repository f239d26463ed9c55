/**
 * The read commands on the local state, as a user runs them after `segwatch run`: the demo filings
 * go through the real pipeline into a state directory (its own DynamoDB Local on disk); then
 * `segwatch history|board|alerts|show --state DIR` start DynamoDB Local on that database and
 * answer from it (the real CLI in a child process once, the command in process for the rest).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCommand, type ReadCommand } from '../../bin/read';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { LocalPipeline } from '../../infra/local/stack';
import { javaFor, noStackTrace, run } from '../support/cli';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

const DEMO = 'test/fixtures/demo';
const state = join(mkdtempSync(join(tmpdir(), 'segwatch-read-')), 'segwatch');

beforeAll(async () => {
  const stack = await LocalPipeline.start({
    stateDir: state,
    fresh: true,
    queue: { failedVisibilityMs: 50 },
    stream: { retryBaseDelayMs: 10 },
  });
  try {
    for (const f of [
      'example-clearing-2014-11-06-initial-deficiency.txt',
      'example-clearing-2014-11-06-amendment-cured.txt',
      'not-a-filing.txt',
    ]) {
      const key = await stack.upload(join(DEMO, f));
      await stack.waitUntilProcessed([key]);
    }
  } finally {
    await stack.stop();
  }
}, 180_000);
afterAll(() => expect(javaFor(state)).toEqual([]));

async function read(command: ReadCommand, ...args: string[]) {
  const out = new Sink();
  const err = new Sink();
  const code = await readCommand(command, [...args, '--state', state], out, err);
  return { code, out: out.text, err: err.text };
}

describe('read commands on the local state', () => {
  it('segwatch history (the real CLI): the demo firm, its amendment effective', async () => {
    const r = await run(['history', 'example', '--state', state, '--json']);
    noStackTrace(r.stderr);
    expect(r.code).toBe(0);
    const h = JSON.parse(r.stdout);
    expect(h).toMatchObject({ firmId: 'example-clearing-llc', firmName: 'Example Clearing LLC' });
    expect(h.days).toHaveLength(1);
    expect(h.days[0]).toMatchObject({ endDate: '2014-11-06', filingType: 'AMENDMENT', versions: 2, late: false });
    expect(h.days[0].statements.clearedSwaps).toMatchObject({
      excess: '237808536',
      target: '208075000',
      status: 'ok',
      headroom: '29733536',
      cushion: '1.1428',
    });
    expect(existsSync(join(state, 'lock'))).toBe(false);
  }, 120_000);

  it('segwatch board (in process, starting DynamoDB Local on the state itself)', async () => {
    const b = await read('board', '--json');
    expect(b.code).toBe(0);
    expect(JSON.parse(b.out)).toMatchObject({
      date: '2014-11-06',
      firms: [{ firmId: 'example-clearing-llc', filed: true }],
    });
  }, 120_000);

  it('refuses a state another segwatch is using; reads through a running DynamoDB Local with --endpoint (alerts, show)', async () => {
    // Another live process (our parent) holds the state, as a running `segwatch run --watch` does.
    writeFileSync(join(state, 'lock'), JSON.stringify({ pid: process.ppid, startedAt: new Date().toISOString() }));
    try {
      const r = await read('board');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^segwatch board: segwatch \(pid \d+\) is using .* --endpoint http:\/\/127\.0\.0\.1:PORT/);
    } finally {
      rmSync(join(state, 'lock'), { force: true });
    }
    const java = await startDynamoDbLocal({ dbPath: join(state, 'dynamodb'), sharedDb: true });
    try {
      const a = await read(
        'alerts',
        '--from',
        '2014-11-01',
        '--to',
        '2014-11-30',
        '--json',
        '--endpoint',
        java.endpoint,
      );
      expect(
        JSON.parse(a.out)
          .alerts.map((x: { kind: string; state: string }) => [x.kind, x.state])
          .sort(),
      ).toEqual([
        ['deficiency', 'sent'],
        ['resolved', 'sent'],
      ]);
      const s = await read('show', 'example-clearing-llc', '2014-11-06', '--endpoint', java.endpoint);
      expect(s.code).toBe(0);
      expect(s.out).toMatch(/\* +1#2014-11-10#\w+ +AMENDMENT +2014-11-10/);
      expect(s.out).toContain('s3://segwatch-filings-local/incoming/example-clearing-2014-11-06-amendment-cured.txt');
      expect(s.out).toMatch(
        /0#2014-11-07#\w+ +INITIAL .* superseded by 1#2014-11-10#\w+ \(an amendment replaces the initial filing\)/,
      );
    } finally {
      await java.stop();
    }
  }, 120_000);
});
