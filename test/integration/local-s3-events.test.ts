import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeS3Key } from '../../shared/events';
import {
  encodeS3EventKey,
  nextSequencer,
  s3QueueBody,
  toRealS3Records,
  type S3rverEvent,
} from '../../infra/local/s3-events';

const s3rverPut = (key: string, extra: Partial<S3rverEvent['Records'][0]> = {}): S3rverEvent => ({
  Records: [
    {
      eventVersion: '2.0',
      eventName: 'ObjectCreated:Put',
      eventTime: '2026-01-02T03:04:05.000Z',
      s3: { bucket: { name: 'filings' }, object: { key, size: 42, eTag: 'abc123', sequencer: '18C3' } },
      ...extra,
    },
  ],
});

describe('S3 event keys are URL-encoded as S3 does', () => {
  it.each([
    ['incoming/red flower.txt', 'incoming/red+flower.txt'],
    ['incoming/c++ a+b.txt', 'incoming/c%2B%2B+a%2Bb.txt'],
    ['incoming/100%.txt', 'incoming/100%25.txt'],
    ['incoming/année ü.txt', 'incoming/ann%C3%A9e+%C3%BC.txt'],
    ['incoming/dt=2014-11-06/x.txt', 'incoming/dt%3D2014-11-06/x.txt'],
    ['incoming/(1) copy.txt', 'incoming/%281%29+copy.txt'],
    ['incoming/plain-name_1.2*.txt', 'incoming/plain-name_1.2*.txt'],
    // The form-urlencoded set: `*` kept, `~` and `!'` encoded (the encoder the fixtures once had did the opposite).
    ['incoming/a*b~c.txt', 'incoming/a*b%7Ec.txt'],
    ["incoming/it's!.txt", 'incoming/it%27s%21.txt'],
    ['incoming/a&b=c?d#e.txt', 'incoming/a%26b%3Dc%3Fd%23e.txt'],
  ])('%s -> %s', (key, encoded) => {
    expect(encodeS3EventKey(key)).toBe(encoded);
    expect(decodeS3Key(encoded)).toBe(key);
  });

  it('the production decoding gives back any key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (name) => {
        const key = `incoming/${name}`;
        const encoded = encodeS3EventKey(key);
        expect(encoded).not.toMatch(/[ ]/);
        expect(decodeS3Key(encoded)).toBe(key);
      }),
    );
  });
});

describe('s3rver records become real S3 records', () => {
  it('has the real shape: version 2.1, encoded key, ARN, size, unquoted eTag, hex sequencer', () => {
    const [r] = toRealS3Records(
      s3rverPut('incoming/a b+c.txt', {
        s3: { bucket: { name: 'filings' }, object: { key: 'incoming/a b+c.txt', size: 42, eTag: '"abc123"' } },
      }),
    );
    expect(r.eventVersion).toBe('2.1');
    expect(r.eventSource).toBe('aws:s3');
    expect(r.eventName).toBe('ObjectCreated:Put');
    expect(r.s3.bucket).toMatchObject({ name: 'filings', arn: 'arn:aws:s3:::filings' });
    expect(r.s3.object).toMatchObject({ key: 'incoming/a+b%2Bc.txt', size: 42, eTag: 'abc123' });
    expect(r.s3.object.sequencer).toMatch(/^[0-9A-F]{18}$/);
    expect(JSON.parse(s3QueueBody(r))).toEqual({ Records: [r] });
  });

  it('only object-created events under the prefix are delivered', () => {
    expect(toRealS3Records(s3rverPut('other/a.txt'))).toEqual([]);
    expect(toRealS3Records(s3rverPut('incoming/a.txt', { eventName: 'ObjectRemoved:Delete' }))).toEqual([]);
    expect(toRealS3Records(s3rverPut('incoming/a.txt'))).toHaveLength(1);
  });

  it('a copy without an eTag gets the looked-up one', () => {
    const ev = s3rverPut('incoming/copy.txt', {
      eventName: 'ObjectCreated:Copy',
      s3: { bucket: { name: 'filings' }, object: { key: 'incoming/copy.txt', size: 3 } },
    });
    const [r] = toRealS3Records(ev, {
      eTagOf: (b, k) => (b === 'filings' && k === 'incoming/copy.txt' ? '"feed"' : undefined),
    });
    expect(r.eventName).toBe('ObjectCreated:Copy');
    expect(r.s3.object.eTag).toBe('feed');
  });

  it('sequencers only grow, even within one millisecond', () => {
    const now = Date.now();
    const seqs = Array.from({ length: 50 }, () => nextSequencer(now));
    expect([...seqs].sort()).toEqual(seqs);
    expect(new Set(seqs).size).toBe(50);
  });
});
