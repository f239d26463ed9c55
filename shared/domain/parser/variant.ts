/**
 * Which variant of its statement a set of filed codes is: the form definitions compiled into the
 * lookups the parser needs (once per FormSet), and the choice by codes present, required codes
 * missing, the words of the labels that differ between variants, and the printed title.
 */
import { STATEMENT_KEYS, type FormSet, type StatementKey, type Variant } from '../forms';
import type { Statement } from '../model';
import { memo } from './chars';

/** What the parser needs to know about a code the form has, looked up once per cell. */
export interface CodeInfo {
  /**
   * The code as the form definitions spell it: the very string their lines hold, so the
   * reconciler's comparisons of a filed code with the form's (its merge walk, the byCode maps)
   * find it equal by identity, and its hash is computed once.
   */
  code: string;
  key: StatementKey;
  /** Index of `key` in STATEMENT_KEYS. */
  keyIndex: number;
  /** Its label decides the variant. */
  label: boolean;
  /** Its uncoded sub-lines (8715's 12A-12C), if any. */
  parts?: { id: string; label: string }[];
  /**
   * The words (lower case) its label has right before a dash inside it (7351 `... debit balances -
   * gross amount`: `balances`), in any variant: an amount after one of them and a lone sign may be
   * the label's dash and an amount (dashWordsOf).
   */
  dashWords?: Set<string>;
  /**
   * The numbers its label ends in, each with the word before it (7520 `... qualified under
   * Regulation 30.7`: `regulation` and `30.7`), in any variant: such a number right before a
   * small amount is the label's, not money the amount is a footnote's mark of (labelNumbersOf).
   */
  labelNumbers?: { word: string; number: string }[];
  /** Per variant of its statement (forms.statements[key].variants order): 0 not a line of it, 1 an optional line, 2 a required one. */
  member: Uint8Array;
  /**
   * `member` packed for count(), a byte per variant (PACKED_VARIANTS at most, else -1): 1 in
   * variant i's byte where the code is one of its lines (presentBits), and where it is one of
   * its required lines (requiredBits). A code is counted once per parse, and a statement has far
   * fewer than 256 codes, so the bytes never carry into each other.
   */
  presentBits: number;
  requiredBits: number;
}

/** At most this many variants per statement are counted in packed bytes (4 bytes: unsigned 32-bit arithmetic). */
const PACKED_VARIANTS = 4;

function packed(member: Uint8Array, least: number): number {
  if (member.length > PACKED_VARIANTS) return -1;
  let bits = 0;
  for (let i = 0; i < member.length; i++) if (member[i] >= least) bits += 1 << (8 * i);
  return bits >>> 0;
}

export interface Compiled {
  forms: FormSet;
  /** Every known code (forms.knownCodes, within a statement's range), by the code's number. */
  codeByNum: (CodeInfo | undefined)[];
  /** Per variant id: the words of each label-deciding line's label. */
  labelWords: Map<string, Map<string, Set<string>>>;
  /** Per variant id: its titles, lower case. */
  titlesLower: Map<string, string[]>;
  /** Per statement, per variant: how many required lines it has. */
  requiredCount: Record<StatementKey, number[]>;
  /** labelScores (by code, then label) and titleMatches, remembered for these forms. */
  labelScoreCache: Map<string, Map<string, number[]>>;
  titleCache: Map<string, Map<string, boolean[]>>;
}

/** Codes whose label decides the variant: the ones whose label differs between variants. */
function labelCodes(forms: FormSet): Set<string> {
  const out = new Set<string>();
  for (const key of STATEMENT_KEYS) {
    const labels = new Map<string, Set<string>>();
    for (const v of forms.statements[key].variants)
      for (const l of v.lines) {
        let s = labels.get(l.code);
        if (!s) labels.set(l.code, (s = new Set()));
        s.add(l.label);
      }
    for (const [code, s] of labels) if (s.size > 1) out.add(code);
  }
  return out;
}

/** The words right before a dash inside the labels (`balances` of `... debit balances - gross amount`), lower case. */
export function dashWordsOf(labels: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const l of labels) for (const m of l.matchAll(/(\p{L}+)\s+[-\u2212\u2013]\s+\S/gu)) out.add(m[1].toLowerCase());
  return out;
}

/** The number each label ends in and the word before it (`regulation`, `30.7`), the word lower case; distinct pairs. */
export function labelNumbersOf(labels: readonly string[]): { word: string; number: string }[] {
  const out: { word: string; number: string }[] = [];
  for (const l of labels) {
    const m = /(\p{L}+)\s+(\d+(?:\.\d+)?)\s*$/u.exec(l);
    if (m && !out.some((x) => x.word === m[1].toLowerCase() && x.number === m[2]))
      out.push({ word: m[1].toLowerCase(), number: m[2] });
  }
  return out;
}

function words(s: string): Set<string> {
  return new Set(s.toLowerCase().match(/[a-z]+/g) ?? []);
}
const labelWordsOf = memo(words);

function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  for (const w of a) if (b.has(w)) common++;
  return common / (a.size + b.size - common);
}

const compiledCache = new WeakMap<FormSet, Compiled>();
export function compiled(forms: FormSet): Compiled {
  let c = compiledCache.get(forms);
  if (!c) {
    const partCodes = new Map<string, { id: string; label: string }[]>();
    const labelWords = new Map<string, Map<string, Set<string>>>();
    const deciding = labelCodes(forms);
    for (const v of forms.variants) {
      const m = new Map<string, Set<string>>();
      for (const l of v.lines) {
        if (l.parts) partCodes.set(l.code, l.parts);
        if (deciding.has(l.code)) m.set(l.code, words(l.label));
      }
      labelWords.set(v.id, m);
    }
    const codeByNum: (CodeInfo | undefined)[] = new Array(10000).fill(undefined);
    for (const code of forms.knownCodes) {
      const key = forms.statementOfCode(code);
      if (!key) continue;
      const member = Uint8Array.from(forms.statements[key].variants, (v) => {
        const l = v.byCode.get(code);
        return l ? (l.optional ? 1 : 2) : 0;
      });
      codeByNum[Number.parseInt(code, 10)] = {
        code,
        key,
        keyIndex: STATEMENT_KEYS.indexOf(key),
        label: deciding.has(code),
        parts: partCodes.get(code),
        member,
        presentBits: packed(member, 1),
        requiredBits: packed(member, 2),
      };
      const labels = forms.statements[key].variants.flatMap((v) => v.byCode.get(code)?.label ?? []);
      const dashes = dashWordsOf(labels);
      if (dashes.size > 0) codeByNum[Number.parseInt(code, 10)]!.dashWords = dashes;
      const numbers = labelNumbersOf(labels);
      if (numbers.length > 0) codeByNum[Number.parseInt(code, 10)]!.labelNumbers = numbers;
    }
    const titlesLower = new Map(forms.variants.map((v) => [v.id, v.titles.map((t) => t.toLowerCase())]));
    const requiredCount = {} as Record<StatementKey, number[]>;
    for (const key of STATEMENT_KEYS)
      requiredCount[key] = forms.statements[key].variants.map((v) => v.lines.filter((l) => !l.optional).length);
    c = { forms, codeByNum, labelWords, titlesLower, requiredCount, labelScoreCache: new Map(), titleCache: new Map() };
    compiledCache.set(forms, c);
  }
  return c;
}

/** What the scan counted for a statement: codes found, and per variant how many of its lines (and of its required lines) are among them. */
export interface Tally {
  st: Statement;
  /** The statement's codes (by number), in the order first found. */
  nums: number[];
  present: number[];
  presentRequired: number[];
  /** The same counts for codes with packed members (CodeInfo.presentBits), a byte per variant. */
  packedPresent: number;
  packedRequired: number;
}

/** Count a code first found in a statement: per variant, whether it is one of its lines (required or not). */
export function count(tally: Tally, info: CodeInfo, num: number): void {
  tally.nums.push(num);
  if (info.presentBits >= 0) {
    tally.packedPresent += info.presentBits;
    tally.packedRequired += info.requiredBits;
    return;
  }
  const member = info.member;
  for (let i = 0; i < member.length; i++)
    if (member[i] !== 0) {
      tally.present[i]++;
      if (member[i] === 2) tally.presentRequired[i]++;
    }
}

/** A tally for a statement, in scratch reused by every (synchronous) parse. */
const TALLIES: Tally[] = STATEMENT_KEYS.map(() => ({
  st: undefined as unknown as Statement,
  nums: [],
  present: [],
  presentRequired: [],
  packedPresent: 0,
  packedRequired: 0,
}));
export function freshTally(keyIndex: number, st: Statement, variants: number): Tally {
  const t = TALLIES[keyIndex];
  t.st = st;
  t.nums.length = 0;
  t.packedPresent = 0;
  t.packedRequired = 0;
  t.present.length = variants;
  t.presentRequired.length = variants;
  for (let i = 0; i < variants; i++) {
    t.present[i] = 0;
    t.presentRequired[i] = 0;
  }
  return t;
}

/** The variant of `key` the statement's codes, labels and title fit best. */
export function chooseVariant(
  c: Compiled,
  key: StatementKey,
  st: Statement,
  tally: Tally,
  title: string | undefined,
): Variant {
  const variants = c.forms.statements[key].variants;
  if (variants.length === 1) return variants[0];
  const foundCount = tally.nums.length;
  const labelled: number[][] = [];
  for (const [code, label] of st.labels) labelled.push(labelScores(c, key, code, label));
  const titled = title ? titleMatches(c, key, title) : undefined;
  const required = c.requiredCount[key];
  let best = variants[0];
  let bestScore = -Infinity;
  for (let i = 0; i < variants.length; i++) {
    const v = variants[i];
    // Lines of the variant that are there, lines filed that it does not have, required lines missing.
    const present = tally.present[i] + ((tally.packedPresent >>> (8 * i)) & 255);
    const missing = required[i] - tally.presentRequired[i] - ((tally.packedRequired >>> (8 * i)) & 255);
    let score = 10 * present - 10 * (foundCount - present) - 10 * missing;
    for (const scores of labelled) score += scores[i];
    if (titled?.[i]) score += 1;
    if (score > bestScore) {
      best = v;
      bestScore = score;
    }
  }
  return best;
}

/** Per variant of the statement: what a label filed for `code` adds to its score (3 x word similarity; 0 where the variant's line has no deciding label). Remembered. */
function labelScores(c: Compiled, key: StatementKey, code: string, label: string): number[] {
  let cache = c.labelScoreCache.get(code);
  if (!cache) c.labelScoreCache.set(code, (cache = new Map()));
  let scores = cache.get(label);
  if (scores === undefined) {
    const w = labelWordsOf(label);
    scores = c.forms.statements[key].variants.map((v) => {
      const lw = c.labelWords.get(v.id)!.get(code);
      return lw ? 3 * similarity(w, lw) : 0;
    });
    if (cache.size >= 4096) cache.clear();
    cache.set(label, scores);
  }
  return scores;
}

/** Per variant of the statement: whether `title` is one of its titles (case and spacing aside). Remembered. */
function titleMatches(c: Compiled, key: StatementKey, title: string): boolean[] {
  let cache = c.titleCache.get(key);
  if (!cache) c.titleCache.set(key, (cache = new Map()));
  let out = cache.get(title);
  if (out === undefined) {
    const titleText = title.toLowerCase().replace(/\s+/g, ' ');
    out = c.forms.statements[key].variants.map((v) => c.titlesLower.get(v.id)!.includes(titleText));
    if (cache.size >= 256) cache.clear();
    cache.set(title, out);
  }
  return out;
}
