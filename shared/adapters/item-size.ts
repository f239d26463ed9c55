/**
 * DynamoDB's item size, estimated from the document the store writes (before the request is
 * sent), by DynamoDB's published rules: attribute names and strings by UTF-8 length, a number
 * about one byte per two significant digits plus one (counted here as one byte per digit plus
 * one: an upper bound), booleans and nulls one byte, lists and maps three bytes plus one per
 * element (and the element names of a map). An item over 400 KB is refused by DynamoDB; the store
 * refuses it first, with a clear error, instead of sending it.
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';

/** DynamoDB's item limit (400 KB, names and values). */
export const DYNAMODB_ITEM_LIMIT = 400 * 1024;

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

function valueSize(v: unknown): number {
  if (v === undefined) return 0;
  if (v === null || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return utf8(v);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v).length + 1;
  if (v instanceof NumberValue) return v.value.length + 1;
  if (v instanceof Uint8Array) return v.length;
  if (v instanceof Set) {
    let n = 0;
    for (const x of v) n += valueSize(x);
    return n;
  }
  if (Array.isArray(v)) {
    let n = 3;
    for (const x of v) if (x !== undefined) n += 1 + valueSize(x);
    return n;
  }
  if (typeof v === 'object') {
    if ('value' in v && Object.keys(v).length === 1 && typeof (v as { value: unknown }).value === 'string')
      return (v as { value: string }).value.length + 1;
    let n = 3;
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      if (x !== undefined) n += 1 + utf8(k) + valueSize(x);
    return n;
  }
  return utf8(String(v));
}

/** The item's size in bytes (an upper bound of what DynamoDB counts). */
export function itemSize(item: Record<string, unknown>): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) if (v !== undefined) n += utf8(k) + valueSize(v);
  return n;
}

/** Thrown, before anything is sent, for an item DynamoDB would refuse as too large. */
export class ItemTooLargeError extends Error {
  constructor(
    readonly what: string,
    readonly bytes: number,
  ) {
    super(`the ${what} item would be ${bytes} bytes, over DynamoDB's ${DYNAMODB_ITEM_LIMIT}-byte item limit`);
    this.name = 'ItemTooLargeError';
  }
}

export function assertItemFits(item: Record<string, unknown>, what: string): void {
  const bytes = itemSize(item);
  if (bytes > DYNAMODB_ITEM_LIMIT) throw new ItemTooLargeError(what, bytes);
}
