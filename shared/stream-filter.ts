/**
 * (Used by the local stack's stream driver, infra/local/streams.ts, and by the stream-failure
 * redrive, shared/pipeline/stream-redrive.ts, to tell which records a function was given.)
 *
 * A small matcher for Lambda event filtering patterns (the "filter criteria" of an event source
 * mapping), enough for shared/table.ts STREAM_FILTERS and a bit more:
 *  - a pattern is an object; every key in it must match (AND);
 *  - a nested object descends into the record;
 *  - an array lists the accepted values (OR): exact strings, numbers, booleans, null, or the
 *    operator objects { prefix }, { suffix }, { exists }, { "anything-but": value | [values] },
 *    { "equals-ignore-case" };
 *  - when the record's value is an array, any element may match.
 * Anything else in a pattern (numeric ranges, $or, wildcards) is refused loudly rather than
 * silently matched.
 */

export type FilterPattern = { readonly [key: string]: FilterPattern | readonly unknown[] };

function matchOperator(op: Record<string, unknown>, present: boolean, value: unknown): boolean {
  const [name, arg] = Object.entries(op)[0] ?? [];
  switch (name) {
    case 'exists':
      return arg === present;
    case 'prefix':
      return present && typeof value === 'string' && value.startsWith(String(arg));
    case 'suffix':
      return present && typeof value === 'string' && value.endsWith(String(arg));
    case 'equals-ignore-case':
      return present && typeof value === 'string' && value.toLowerCase() === String(arg).toLowerCase();
    case 'anything-but': {
      if (!present) return false;
      const excluded = Array.isArray(arg) ? arg : [arg];
      return !excluded.some((x) => x === value);
    }
    default:
      throw new Error(`filter pattern operator ${JSON.stringify(op)} is not supported by the local stack`);
  }
}

function matchValues(accepted: readonly unknown[], present: boolean, value: unknown): boolean {
  const candidates = Array.isArray(value) ? value : [value];
  return accepted.some((a) => {
    if (a !== null && typeof a === 'object')
      return candidates.some((c) => matchOperator(a as Record<string, unknown>, present, c));
    return present && candidates.some((c) => c === a);
  });
}

export function matchesFilter(pattern: FilterPattern, record: unknown): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    const obj =
      record !== null && typeof record === 'object' && !Array.isArray(record)
        ? (record as Record<string, unknown>)
        : undefined;
    const present = obj !== undefined && Object.hasOwn(obj, key) && obj[key] !== undefined;
    const value = present ? obj![key] : undefined;
    if (Array.isArray(sub)) {
      if (!matchValues(sub, present, value)) return false;
    } else if (sub !== null && typeof sub === 'object') {
      if (!present) {
        // A nested pattern can still match an absent field only through { exists: false } leaves.
        if (!matchesFilter(sub as FilterPattern, undefined)) return false;
      } else if (Array.isArray(value)) {
        if (!value.some((v) => matchesFilter(sub as FilterPattern, v))) return false;
      } else if (!matchesFilter(sub as FilterPattern, value)) return false;
    } else {
      throw new Error(`filter pattern value for "${key}" must be an array or an object`);
    }
  }
  return true;
}

/** Lambda runs a function for a record when any of its filters matches (no filters: every record). */
export function matchesAny(patterns: readonly FilterPattern[], record: unknown): boolean {
  return patterns.length === 0 || patterns.some((p) => matchesFilter(p, record));
}
