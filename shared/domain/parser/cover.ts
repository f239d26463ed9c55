/**
 * The Cover Page (FORMS.md "The Cover Page"): for each account class, the FCM's residual interest
 * target, "choose one" of (a) a minimum dollar amount, (b) a minimum percentage of the customer
 * funds required, (c) a dollar range, (d) a percentage range. Unused choices hold 0. The page
 * carries no line codes: values stand after their labels, in the markup on the label's line, in a
 * PDF-to-text transcription run together (`...required:% ; or 0 c. Dollar amount range
 * between:and; or 155,000,000 200,000,000`), where a number may even come out broken
 * (`155,000, ,000,000`): such a value is not read (null), and the class's target with it.
 */
import type { StatementKey } from '../forms';
import { readAmount, ZERO, type Decimal } from '../money';
import { COVER_TARGET_TYPES, type CoverPage, type CoverTargetType } from '../model';

/** A section heading of the cover page: which class, and where its choices start (after `(choose one):`). */
export interface CoverHeading {
  key: StatementKey;
  /** Index just after the heading's colon. */
  from: number;
}

const CHOOSE_ONE = /\(\s*choose\s+one\s*\)\s*$/i;

/**
 * The cover page heading that ends at the colon at `colon` (`... Residual Interest Target (choose
 * one):`), found by the header's pass over the colons; null when it is not one.
 */
export function coverHeadingAt(t: string, colon: number): CoverHeading | null {
  const c = t.charCodeAt(colon - 1);
  if (c !== 41 /* ) */ && c !== 32 && c !== 9) return null;
  const before = t.slice(Math.max(0, colon - 200), colon);
  if (!CHOOSE_ONE.test(before)) return null;
  const words = before.toLowerCase().replace(/\s+/g, ' ');
  if (!words.includes('residual interest target')) return null;
  // The class named last before the colon (the window may reach into the section before).
  const at: [StatementKey, number][] = [
    ['segregation', words.lastIndexOf('segregated funds')],
    ['secured', words.lastIndexOf('secured amount')],
    ['clearedSwaps', words.lastIndexOf('cleared swaps')],
  ];
  at.sort((a, b) => b[1] - a[1]);
  if (at[0][1] < 0) return null;
  return { key: at[0][0], from: colon + 1 };
}

/** Where a section ends at the latest: the next header field, statement title or line code. */
const SECTION_END = /\b(?:INITIAL|AMENDMENT)\b|\b(?:End|Submit)\s*Date\s*:|\bFirm\s*Name\s*:|\bForm\s*:|\bDaily\s+Segregation\b|\bName\s+of\s+Company\b|\[\d{4}\]/i;
const CHOICE = /(?:^|[\s>*])([a-d])\s*[.)]\s/g;
const EXPECTED: Record<CoverTargetType, number> = { 'minimum-dollar': 1, 'minimum-percent': 1, 'dollar-range': 2, 'percent-range': 2 };

/**
 * The values after one choice's label, in order. Cells (split at tabs, line breaks and tags) hold
 * one value each when their words make one number (`<u>250 000 000</u>`), else one per word (a
 * PDF line: `155,000,000 200,000,000`). A word with digits that is not a number is null, and a run
 * of such words one null (`155,000, ,000,000`).
 */
function valuesOf(segment: string): (Decimal | null)[] {
  const out: (Decimal | null)[] = [];
  const cells = segment.replace(/\bPage\s+\d+\s+of\s+\d+\b/gi, '\t').split(/\t|\r?\n|<[^>]*>/);
  for (const cell of cells) {
    const words = cell
      .replace(/[:;%]/g, ' ')
      .split(/ +/)
      .map((w) => w.replace(/\.$/, ''))
      .filter((w) => /\d/.test(w));
    if (words.length === 0) continue;
    const whole = words.length > 1 ? readAmount(words.join(' '), { maxFraction: 10 }) : null;
    if (whole !== null) {
      out.push(whole);
      continue;
    }
    let prevNull = false;
    for (const w of words) {
      const v = readAmount(w, { maxFraction: 10 });
      if (v === null && prevNull) continue;
      out.push(v);
      prevNull = v === null;
    }
  }
  return out;
}

export interface CoverChoice {
  type: CoverTargetType;
  values: (Decimal | null)[];
  /** More than one choice holds a value. */
  ambiguous: boolean;
}

/** The choices of each class on the cover page, from its headings; undefined when there are none. */
export function readCoverPage(text: string, headings: readonly CoverHeading[]): Partial<Record<StatementKey, CoverChoice>> | undefined {
  if (headings.length === 0) return undefined;
  const out: Partial<Record<StatementKey, CoverChoice>> = {};
  for (let h = 0; h < headings.length; h++) {
    const { key, from } = headings[h];
    let to = h + 1 < headings.length ? headings[h + 1].from : Math.min(text.length, from + 2000);
    const end = SECTION_END.exec(text.slice(from, to));
    if (end) to = from + end.index;
    const section = text.slice(from, to);
    // The choices, a to d, in order.
    const marks: { letter: number; at: number; body: number }[] = [];
    CHOICE.lastIndex = 0;
    for (let m = CHOICE.exec(section); m; m = CHOICE.exec(section)) {
      const letter = m[1].charCodeAt(0) - 97;
      if (letter === marks.length) marks.push({ letter, at: m.index, body: m.index + m[0].length });
    }
    const filled: CoverChoice[] = [];
    for (let i = 0; i < marks.length; i++) {
      const type = COVER_TARGET_TYPES[marks[i].letter];
      const segment = section.slice(marks[i].body, i + 1 < marks.length ? marks[i + 1].at : section.length);
      const values = valuesOf(segment);
      if (values.every((v) => v !== null && v.isZero())) continue;
      filled.push({ type, values, ambiguous: false });
    }
    if (filled.length === 0) continue;
    out[key] = { ...filled[0], ambiguous: filled.length > 1 };
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * The target in dollars a choice sets, for a statement whose requirement is `required`: (a) the
 * amount, (b) the percentage of the requirement, (c) the lower bound, (d) the lower percentage of
 * the requirement. Exact (Decimal arithmetic: a percentage gives cents or finer as they fall);
 * null when a value is missing or unreadable, the choice is ambiguous, or a percentage has no
 * requirement to apply to.
 */
export function effectiveTarget(choice: CoverChoice, required: Decimal | undefined): Decimal | null {
  const { type, values } = choice;
  if (choice.ambiguous || values.length !== EXPECTED[type] || values.some((v) => v === null)) return null;
  const vs = values as Decimal[];
  const low = vs.length === 2 && vs[1].lt(vs[0]) ? vs[1] : vs[0];
  switch (type) {
    case 'minimum-dollar':
    case 'dollar-range':
      return low;
    case 'minimum-percent':
    case 'percent-range':
      if (required === undefined) return null;
      return required.times(low).dividedBy(100).plus(ZERO);
  }
}

/** The cover page of a filing: each class's choice and the target it sets against that class's requirement. */
export function coverPageOf(choices: Partial<Record<StatementKey, CoverChoice>>, requiredOf: (key: StatementKey) => Decimal | undefined): CoverPage {
  const out: CoverPage = {};
  for (const key of Object.keys(choices) as StatementKey[]) {
    const c = choices[key]!;
    out[key] = { type: c.type, values: c.values, effectiveTarget: effectiveTarget(c, requiredOf(key)) };
  }
  return out;
}
