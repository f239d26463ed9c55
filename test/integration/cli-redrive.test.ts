/**
 * `segwatch redrive --local` as a user runs it, after a run whose reconcile gave up on a filing:
 * the local stack's failure record (Lambda's shape) is redriven through the shared code (the
 * CLI starts DynamoDB Local on the state directory for it), and the next `segwatch run`
 * reconciles the filing and sends its alert. Real CLI in child processes, its own Java.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalPipeline } from '../../infra/local/stack';
import { statePaths, readJson } from '../../infra/local/state';
import { makeFiling } from '../support/filings';
import { javaFor, noStackTrace, run } from '../support/cli';

const SLOW = 180_000;

describe('segwatch redrive --local', () => {
  it(
    'redrives the failure record of a filing reconcile gave up on; the next run reconciles it and sends its alert once',
    async () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'segwatch-redrive-')), 'segwatch');
      const paths = statePaths(dir);

      // A run in which reconcile is broken: its retries run out and a failure record is left.
      const stack = await LocalPipeline.start({
        stateDir: dir,
        fresh: true,
        stream: { maxRetryAttempts: 1, retryBaseDelayMs: 5 },
        handlers: {
          reconcile: async () => {
            throw new Error('reconcile is broken');
          },
        },
      });
      let key: string;
      try {
        key = await stack.upload(
          Buffer.from(makeFiling({ firmName: 'Redrive Clearing LLC', swapsCashCut: 300_000_000n })),
          'incoming/redrive clearing.txt',
        );
        const [o] = await stack.waitUntilProcessed([key]);
        expect(o.status).toBe('incomplete');
        expect(stack.onFailure()).toHaveLength(1);
      } finally {
        await stack.stop();
      }
      expect(readJson<unknown[]>(paths.streamFailures, [])).toHaveLength(1);

      const redrive = await run(['redrive', '--local', '--state', dir]);
      noStackTrace(redrive.stderr);
      expect(redrive.code).toBe(0);
      expect(redrive.stdout).toMatch(
        /failure record [0-9a-f-]+: reconcile gave up \(RetryAttemptsExhausted, 2 invocations\) on 1 record\(s\) of shard /,
      );
      expect(redrive.stdout).toMatch(
        /re-queued\s+filing\s+Redrive Clearing LLC 2014-11-06 initial version 0#2014-11-07#[0-9a-f]{16}/,
      );
      expect(redrive.stdout).toMatch(/failure record deleted/);
      expect(redrive.stdout).toMatch(/the next `segwatch run` runs the re-queued items/);
      expect(readJson<unknown[]>(paths.streamFailures, [])).toEqual([]);
      expect(javaFor(dir)).toEqual([]);

      // The next run (with the real reconcile) processes it along with its own file.
      const other = join(dir, '..', 'other.txt');
      writeFileSync(other, makeFiling({ firmName: 'Other Clearing LLC' }));
      const next = await run(['run', '--json', '--state', dir, other]);
      noStackTrace(next.stderr);
      expect(next.code).toBe(0);
      const published = readFileSync(paths.published, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { subject?: string });
      expect(published.filter((m) => m.subject?.includes('Redrive Clearing LLC'))).toHaveLength(1);
      expect(published.find((m) => m.subject?.includes('Redrive Clearing LLC'))!.subject).toMatch(/DEFICIENCY/);

      // Nothing left: a second redrive says so.
      const again = await run(['redrive', '--local', '--state', dir]);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/nothing to move or redrive/);
      expect(javaFor(dir)).toEqual([]);
      void key!;
    },
    SLOW,
  );
});
