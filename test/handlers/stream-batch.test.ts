import { describe, expect, it } from 'vitest';
import type { DynamoDBRecord } from 'aws-lambda';
import { processStreamByKey, streamKey } from '../../shared/stream-batch';

const rec = (seq: string, pk: string, sk = 'V#1'): DynamoDBRecord => ({
  eventName: 'INSERT',
  dynamodb: { SequenceNumber: seq, Keys: { pk: { S: pk }, sk: { S: sk } } },
});
const tick = () => new Promise((r) => setImmediate(r));

describe('processStreamByKey', () => {
  it('runs one key in stream order and different keys at the same time', async () => {
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const records = [rec('1', 'A'), rec('2', 'B'), rec('3', 'A'), rec('4', 'C'), rec('5', 'B')];
    const out = await processStreamByKey(
      records,
      (r) => streamKey(r, false),
      async (r) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        log.push(`start ${r.dynamodb!.SequenceNumber}`);
        await tick();
        await tick();
        log.push(`end ${r.dynamodb!.SequenceNumber}`);
        running--;
      },
    );
    expect(out).toEqual({ batchItemFailures: [] });
    expect(maxRunning).toBe(3);
    // Within key A: 1 ends before 3 starts; within B: 2 before 5.
    expect(log.indexOf('end 1')).toBeLessThan(log.indexOf('start 3'));
    expect(log.indexOf('end 2')).toBeLessThan(log.indexOf('start 5'));
  });

  it('reports a failed record and the later records of its key, not the other keys', async () => {
    const seen: string[] = [];
    const records = [rec('1', 'A'), rec('2', 'B'), rec('3', 'A'), rec('4', 'A'), rec('5', 'B')];
    const errors: string[] = [];
    const out = await processStreamByKey(
      records,
      (r) => streamKey(r, false),
      async (r) => {
        seen.push(r.dynamodb!.SequenceNumber!);
        if (r.dynamodb!.SequenceNumber === '3') throw new Error('boom');
      },
      (r, e) => errors.push(`${r.dynamodb!.SequenceNumber}: ${(e as Error).message}`),
    );
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: '3' }, { itemIdentifier: '4' }]);
    expect(seen.sort()).toEqual(['1', '2', '3', '5']);
    expect(errors).toEqual(['3: boom']);
  });

  it('keys by pk, or by pk and sk', () => {
    expect(streamKey(rec('1', 'P', 'A#1'), false)).toBe('P');
    expect(streamKey(rec('1', 'P', 'A#1'), true)).not.toBe(streamKey(rec('1', 'P', 'A#2'), true));
  });
});
