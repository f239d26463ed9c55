/**
 * `segwatch run` and `segwatch redrive --local` as a user runs them: the real CLI in a child
 * process, its own DynamoDB Local (Java) and state directory.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFiling } from '../support/filings';
import { javaFor, noStackTrace, run } from '../support/cli';

// Each test starts the CLI (and Java) in child processes: slow when the machine is busy.
const SLOW = 150_000;

describe('segwatch run', () => {
  it(
    '--json: every file through the pipeline; only JSON on stdout; state kept for the next run',
    async () => {
      const state = mkdtempSync(join(tmpdir(), 'segwatch-cli-'));
      const inbox = join(state, 'inbox');
      mkdirSync(inbox);
      writeFileSync(
        join(inbox, 'acme 2014-11-06.txt'),
        makeFiling({ firmName: 'Acme Clearing LLC', swapsCashCut: 300_000_000n }),
      );
      writeFileSync(join(inbox, 'minutes.txt'), 'Board minutes, nothing more.\n');
      const first = await run([
        'run',
        '--json',
        '--fresh',
        '--state',
        join(state, 'segwatch'),
        inbox,
        'test/fixtures/citigroup-2014-11-06-initial.txt',
      ]);
      expect(first.stderr).toMatch(/processed 3 object\(s\)/);
      expect(first.code).toBe(0);
      noStackTrace(first.stderr);
      const out = JSON.parse(first.stdout);
      expect(Object.keys(out).sort()).toEqual(['alerts', 'filings', 'rejected']);
      expect(out.filings.map((f: { source: string }) => f.source)).toEqual([
        'incoming/acme 2014-11-06.txt',
        'incoming/citigroup-2014-11-06-initial.txt',
      ]);
      expect(out.filings[0]).toMatchObject({
        firmName: 'Acme Clearing LLC',
        endDate: '2014-11-06',
        filingType: 'INITIAL',
        version: 1,
        effective: true,
        status: 'deficiency',
      });
      expect(out.filings[0].statements.clearedSwaps).toEqual({
        required: '5574863884',
        funds: '5512672420',
        excess: '-62191464',
        excessRecomputed: false,
        target: '208075000',
        status: 'deficiency',
      });
      expect(out.alerts).toContainEqual(
        expect.objectContaining({
          firmName: 'Acme Clearing LLC',
          statement: 'clearedSwaps',
          kind: 'deficiency',
          severity: 'critical',
          excess: '-62191464',
          target: '208075000',
          shortfall: '270266464',
        }),
      );
      expect(out.rejected).toEqual([
        expect.objectContaining({
          source: 'incoming/minutes.txt',
          reason: expect.stringMatching(/not a daily segregation filing/),
        }),
      ]);
      expect(javaFor(join(state, 'segwatch'))).toEqual([]);

      // Second run, same state: an amendment for Acme supersedes its initial filing.
      const amendment = join(state, 'acme-amendment.txt');
      writeFileSync(amendment, makeFiling({ firmName: 'Acme Clearing LLC', filingType: 'AMENDMENT' }));
      const second = await run(['run', '--state', join(state, 'segwatch'), amendment]);
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(
        /Acme Clearing LLC · end date 2014-11-06 · AMENDMENT submitted 2014-11-07 · version 2 of 2 · effective · OK/,
      );
      expect(second.stdout).toMatch(/cleared swaps\s+237,808,536\s+208,075,000\s+29,733,536\s+ok/);
      expect(second.stdout).toMatch(/info\s+resolved/);
      expect(
        readFileSync(join(state, 'segwatch', 'sns', 'published.jsonl'), 'utf8')
          .trim()
          .split('\n').length,
      ).toBeGreaterThanOrEqual(3);

      const redrive = await run(['redrive', '--local', '--state', join(state, 'segwatch')]);
      expect(redrive.code).toBe(0);
      expect(redrive.stdout).toMatch(/nothing to move/);
    },
    SLOW,
  );

  it(
    'says plainly what is wrong: a missing path, a taken port, no Java',
    async () => {
      const missing = await run(['run', 'no/such/file.txt']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/no\/such\/file.txt: no such file or folder/);

      const server = createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const port = (server.address() as { port: number }).port;
      try {
        const taken = await run([
          'run',
          '--state',
          mkdtempSync(join(tmpdir(), 'segwatch-port-')),
          '--dynamodb-port',
          String(port),
        ]);
        expect(taken.code).toBe(2);
        expect(taken.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
        expect(taken.stderr).toContain('--dynamodb-port');
        noStackTrace(taken.stderr);
      } finally {
        server.close();
      }

      const noJava = await run(['run', '--state', mkdtempSync(join(tmpdir(), 'segwatch-nojava-'))], {
        PATH: '/nonexistent',
      });
      expect(noJava.code).toBe(2);
      expect(noJava.stderr).toContain(
        'segwatch needs Java 17+ for DynamoDB Local: apt-get install openjdk-17-jre-headless',
      );
      noStackTrace(noJava.stderr);
    },
    SLOW,
  );
});
