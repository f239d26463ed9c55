/**
 * The read commands on the local state, as a user runs them after `segwatch run`: the demo filings
 * go through the real pipeline into a state directory (its own DynamoDB Local on disk); then
 * `segwatch history|board|alerts|show --state DIR` start DynamoDB Local on that database and
 * answer from it (the real CLI in a child process once, the command in process for the rest).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * Another firm's filing of the same day whose cleared swaps excess line cannot be read: the
 * statement does not reconcile, and the excess the views show is funds - required, not a filed one.
 */
function unreadableExcessFiling(): string {
  const text = readFileSync(join(DEMO, 'example-clearing-2014-11-06-amendment-cured.txt'), 'utf8')
    .replaceAll('**AMENDMENT**', '**INITIAL**')
    .replaceAll('Firm Name:Example Clearing LLC', 'Firm Name:Dagger Futures LLC')
    .replaceAll('Submit Date:11/10/2014', 'Submit Date:11/7/2014')
    .replace('<b><u>237,808,536</u></b> [8730]', '<b><u>n/a</u></b> [8730]');
  const path = join(mkdtempSync(join(tmpdir(), 'segwatch-read-file-')), 'dagger-futures-2014-11-06.txt');
  writeFileSync(path, text);
  return path;
}

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
    const key = await stack.upload(unreadableExcessFiling());
    expect((await stack.waitUntilProcessed([key]))[0].status).toBe('stored');
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
    const board = JSON.parse(b.out);
    expect(board.date).toBe('2014-11-06');
    expect(board.firms.map((f: { firmId: string; filed: boolean }) => [f.firmId, f.filed])).toEqual([
      ['dagger-futures-llc', true],
      ['example-clearing-llc', true],
    ]);
    // The other firm's excess line unreadable: the excess shown is funds - required, and says so;
    // every filed excess is unmarked.
    const [dagger, example] = board.firms;
    expect(dagger.statements.clearedSwaps).toMatchObject({
      excess: '237808536',
      excessRecomputed: true,
      status: 'unreconciled',
    });
    for (const f of [dagger, example])
      for (const [k, s] of Object.entries(f.statements) as [string, { excessRecomputed: boolean }][])
        expect(s.excessRecomputed, `${f.firmId} ${k}`).toBe(f === dagger && k === 'clearedSwaps');
  }, 120_000);

  it('refuses a state another segwatch is using; reads through a running DynamoDB Local with --endpoint (alerts, board, history, show)', async () => {
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
      const alerts: { firmId: string; kind: string; state: string }[] = JSON.parse(a.out).alerts;
      expect(
        alerts
          .filter((x) => x.firmId === 'example-clearing-llc')
          .map((x) => [x.kind, x.state])
          .sort(),
      ).toEqual([
        ['deficiency', 'sent'],
        ['resolved', 'sent'],
      ]);
      // The statement that does not add up: its reconciliation alert, and no deficiency.
      expect(alerts.filter((x) => x.firmId === 'dagger-futures-llc').map((x) => [x.kind, x.state])).toEqual([
        ['reconciliation-errors', 'sent'],
      ]);
      // As people read it: the recomputed excess marked, with the legend; the filed ones unmarked.
      const text = (await read('board', '--endpoint', java.endpoint)).out;
      expect(text).toMatch(
        /Dagger Futures LLC +segregation +284,415,796 .*\n +secured .*\n +cleared swaps +237,808,536† +208,075,000 +- +UNRECONCILED/,
      );
      expect(text).toMatch(/Example Clearing LLC +segregation +284,415,796  /);
      expect(text).toContain('† recomputed from the lines (funds - required): not the excess line as filed');
      const history = (await read('history', 'dagger', '--endpoint', java.endpoint)).out;
      expect(history).toMatch(/2014-11-06 +segregation +284,415,796 /);
      expect(history).toMatch(/cleared swaps +237,808,536† +208,075,000/);
      expect(history).toContain('† recomputed from the lines (funds - required): not the excess line as filed');
      expect((await read('history', 'example', '--endpoint', java.endpoint)).out).not.toContain('†');
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
