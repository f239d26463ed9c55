/** Character classes and small caches the parser's modules share. */

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;

export const isAsciiLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * Whether `t` holds `word` (lower case ASCII letters) in any case ending at t[end - 1], with no
 * letter right before it; -1 if not, else where the word starts.
 */
export function wordAt(t: string, end: number, word: string): number {
  const start = end - word.length;
  if (start < 0) return -1;
  for (let i = 0; i < word.length; i++) if ((t.charCodeAt(start + i) | 32) !== word.charCodeAt(i)) return -1;
  return start > 0 && isAsciiLetter(t.charCodeAt(start - 1)) ? -1 : start;
}

/**
 * `t.startsWith(s, at)` for `at >= 0`, as a slice compared with `===`: the same answer, in a
 * quarter of the time here (startsWith with a position costs 150-220 ns a call whatever it finds;
 * a slice and a string comparison about 50 ns).
 */
export function startsAt(t: string, s: string, at: number): boolean {
  return t.slice(at, at + s.length) === s;
}

/** Whitespace the cell reader skips between an amount and its code (and over tags). */
export const isWs = (c: number): boolean =>
  c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0;

/**
 * Horizontal space that may sit inside one amount: between digit groups (`2 563 559 677`, with a
 * no-break, thin or narrow no-break space too) or after a sign (`- 1,234`). A tab, a line break or
 * a tag ends an amount: it separates cells.
 */
export const isInnerSpace = (c: number): boolean =>
  c === 32 || c === 0xa0 || c === 0x202f || c === 0x2009 || c === 0x2007;

/** Whitespace as the regular expression `\s` (and String.prototype.trim) know it. */
export function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return (
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * Small caches of pure string functions, for what repeats from filing to filing (firm names, the
 * form's labels): cleared when full, so they stay bounded whatever the input.
 */
export function memo<T>(f: (s: string) => T, max = 512): (s: string) => T {
  const cache = new Map<string, T>();
  return (s) => {
    let v = cache.get(s);
    if (v === undefined) {
      if (cache.size >= max) cache.clear();
      v = f(s);
      // Kept as strings of their own (own): a key or value sliced from a filing's text would keep
      // the whole text alive for as long as the cache holds it.
      cache.set(own(s), (typeof v === 'string' ? own(v) : v) as T);
    }
    return v;
  };
}

/**
 * `s` as a string of its own. V8 makes a slice of 13 characters or more (`text.slice`, a match) a
 * view into the string it came from, which it keeps alive: a label cached from a 1 MB filing
 * would keep the megabyte. Concatenating makes a new string, and slicing that flattens it into
 * one that holds only these characters (a copy; for what the caches keep, not for every slice).
 */
export function own(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}
