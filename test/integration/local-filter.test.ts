import { describe, expect, it } from 'vitest';
import { STREAM_FILTERS } from '../../shared/table';
import { matchesAny, matchesFilter } from '../../infra/local/filter';

const rec = (eventName: string, image?: Record<string, unknown>) => ({
  eventName,
  dynamodb: image ? { NewImage: image, SequenceNumber: '1' } : { SequenceNumber: '1' },
});
const filing = (state: string) => ({
  pk: { S: 'FIRM#a#DAY#2014-11-06' },
  sk: { S: 'V#0#x' },
  type: { S: 'filing' },
  state: { S: state },
});
const alert = (state: string) => ({
  pk: { S: 'FIRM#a#DAY#2014-11-06' },
  sk: { S: 'A#1' },
  type: { S: 'alert' },
  state: { S: state },
});

describe('stream filters (Lambda filter pattern syntax)', () => {
  it('reconcile gets new and re-queued pending filing versions only', () => {
    expect(matchesFilter(STREAM_FILTERS.reconcile, rec('INSERT', filing('pending')))).toBe(true);
    expect(matchesFilter(STREAM_FILTERS.reconcile, rec('MODIFY', filing('pending')))).toBe(true);
    expect(matchesFilter(STREAM_FILTERS.reconcile, rec('MODIFY', filing('done')))).toBe(false);
    expect(matchesFilter(STREAM_FILTERS.reconcile, rec('REMOVE', filing('pending')))).toBe(false);
    expect(matchesFilter(STREAM_FILTERS.reconcile, rec('INSERT', alert('pending')))).toBe(false);
    expect(matchesFilter(STREAM_FILTERS.reconcile, rec('INSERT'))).toBe(false);
  });

  it('notify gets pending alerts only', () => {
    expect(matchesFilter(STREAM_FILTERS.notify, rec('INSERT', alert('pending')))).toBe(true);
    expect(matchesFilter(STREAM_FILTERS.notify, rec('MODIFY', alert('sent')))).toBe(false);
    expect(matchesFilter(STREAM_FILTERS.notify, rec('INSERT', filing('pending')))).toBe(false);
    expect(matchesFilter(STREAM_FILTERS.notify, rec('INSERT', { type: { N: 'alert' }, state: { S: 'pending' } }))).toBe(
      false,
    );
  });

  it('supports prefix, exists, anything-but and null; arrays in the record match any element', () => {
    expect(matchesFilter({ a: [{ prefix: 'FIRM#' }] }, { a: 'FIRM#x' })).toBe(true);
    expect(matchesFilter({ a: [{ prefix: 'FIRM#' }] }, { a: 'OBJ#x' })).toBe(false);
    expect(matchesFilter({ a: [{ exists: false }] }, {})).toBe(true);
    expect(matchesFilter({ a: [{ exists: true }] }, {})).toBe(false);
    expect(matchesFilter({ a: { b: [{ exists: false }] } }, {})).toBe(true);
    expect(matchesFilter({ a: [{ 'anything-but': ['x', 'y'] }] }, { a: 'z' })).toBe(true);
    expect(matchesFilter({ a: [{ 'anything-but': 'x' }] }, { a: 'x' })).toBe(false);
    expect(matchesFilter({ a: [null] }, { a: null })).toBe(true);
    expect(matchesFilter({ a: ['q'] }, { a: ['p', 'q'] })).toBe(true);
    expect(matchesFilter({ a: [5] }, { a: '5' })).toBe(false);
  });

  it('refuses what it does not implement rather than matching it', () => {
    expect(() => matchesFilter({ a: [{ numeric: ['>', 1] }] }, { a: 2 })).toThrow(/not supported/);
  });

  it('no filters: every record; several: any of them', () => {
    expect(matchesAny([], { anything: 1 })).toBe(true);
    expect(matchesAny([STREAM_FILTERS.reconcile, STREAM_FILTERS.notify], rec('INSERT', alert('pending')))).toBe(true);
  });
});
