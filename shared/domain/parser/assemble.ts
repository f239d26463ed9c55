/**
 * Assembly: a decoded filing text into a Filing. The header (header.ts), then every cell in one
 * pass (cells.ts) sorted into its statement by the code's range, each statement's variant chosen
 * (variant.ts), the doubtful amounts settled by the identities (identities.ts), and the cover
 * page's targets worked out against the statements' requirements (cover.ts).
 */
import { STATEMENT_KEYS, FORMS, type StatementKey } from '../forms';
import { cmp, readAmount, sum, sumEquals, type Decimal } from '../money';

const NO_NEGATE: readonly boolean[] = [false, false, false, false, false, false, false, false];
import { Lines, type Filing, type Statement, type UncodedLine, type UnreadPart } from '../model';
import { CellScanner, codeString, skipBack, type Codes, type Doubt } from './cells';
import { isInnerSpace, startsAt, wordAt } from './chars';
import { coverPageOf, readCoverPage } from './cover';
import { FilingError, type ParseNote } from './errors';
import { parseHeader } from './header';
import { settleDoubts } from './identities';
import { cleanLabelOf, filedBefore, readParts } from './labels';
import { chooseVariant, compiled, count, freshTally, type Tally } from './variant';
import type { FormSet } from '../forms';

export interface ParserOptions {
  forms?: FormSet;
}

export interface ParseResult {
  filing: Filing;
  /** Codes found with no readable amount before them (the identities settled no reading either). */
  unreadable: string[];
  /** How the file was read (an encoding other than UTF-8), for info findings. */
  notes: ParseNote[];
  /** Every `amount [code]` cell the file holds, repeats included (the size limit counts them: shared/domain/limits.ts). */
  cells: number;
}

/** Placeholder until a statement's lines are collected (never read). */
const EMPTY_LINES = new Lines();

/**
 * Per code number, scratch for one parse: the parse's stamp when the code was first seen, and its
 * first amount (cleared as the amounts go into `lines`). A parse is synchronous, so one set
 * serves every call; nothing outside this module sees it.
 */
const seenStamp = new Int32Array(10000);
const seenAmount: (Decimal | undefined)[] = new Array(10000).fill(undefined);
let stampCounter = 0;
function nextStamp(): number {
  if (stampCounter >= 0x7fffffff) {
    seenStamp.fill(0);
    stampCounter = 0;
  }
  return ++stampCounter;
}

/**
 * Whether the token at `at` starts with a 0 and another digit (`027`, `001`): a group of thousands
 * inside a number (`1 027`), never where a total starts. (`1 001 1 027 [8715]` is 12C 1,001 and
 * the total 1,027; read from `027` it would be 12C 1 and the total 27, which can add up too.)
 */
function groupStart(text: string, at: number): boolean {
  if (text.charCodeAt(at) !== 48) return false;
  const next = text.charCodeAt(at + 1);
  return next >= 48 && next <= 57;
}

/**
 * A total printed in one cell with its last sub-line (`0 0 [8715]`: 12C, then the total; the
 * 2014 sample does it): the split of the cell's tokens into sub-line amount and total for which
 * the sub-lines are all there and add up to the total; failing that (they do not add up: the
 * reconciler says so), the split with the total as short as it can be that leaves every sub-line
 * there. Undefined when no split does, or two add up: the cell is then read as any other.
 */
function splitTotal(
  defs: readonly { id: string; label: string }[],
  text: string,
  from: number,
  starts: readonly number[],
  end: number,
  partOf: string,
): { amount: Decimal; start: number; parts: UncodedLine[] } | undefined {
  let adds: { amount: Decimal; start: number; parts: UncodedLine[] } | undefined;
  let complete: { amount: Decimal; start: number; parts: UncodedLine[] } | undefined;
  let addsUp = 0;
  for (let s = 0; s < starts.length; s++) {
    if (groupStart(text, starts[s])) continue;
    const total = readAmount(text.slice(starts[s], end));
    if (total === null) continue;
    const parts = readParts(defs, text, from, starts[s], partOf);
    if (parts.length !== defs.length || !defs.every((d) => parts.some((p) => p.id === d.id))) continue;
    complete = { amount: total, start: starts[s], parts };
    const amounts = parts.map((p) => p.amount);
    if (sumEquals(amounts, NO_NEGATE, amounts.length, total) ?? cmp(sum(amounts), total) === 0) {
      addsUp++;
      adds = complete;
    }
  }
  if (addsUp > 1) return undefined;
  return adds ?? complete;
}

/**
 * Whether a doubt (its amount read, or the number standing before it) is settled by the line's
 * label: the doubt starts with exactly a number the label ends in (`30.7`, not `30.75` or
 * `130.7`), which is the doubt's other reading, right after the word the label has before it
 * (over spaces and simple tags, any case). A number after the label's own (`Regulation 30.7 30.7
 * (1)`) has no such word before it and stays a doubt.
 */
function labelsNumber(
  text: string,
  codes: Codes,
  doubt: Doubt,
  start: number,
  numbers: readonly { word: string; number: string }[],
): boolean {
  const strict = doubt.strict;
  if (strict === null || doubt.candidates.length !== 2 || doubt.strictStart <= start) return false;
  const other = cmp(doubt.candidates[0], strict) === 0 ? doubt.candidates[1] : doubt.candidates[0];
  for (const { word, number } of numbers) {
    if (!startsAt(text, number, start)) continue;
    const after = text.charCodeAt(start + number.length);
    if ((after >= 48 && after <= 57) || after === 44 || after === 46) continue;
    const value = readAmount(number);
    if (value === null || cmp(value, other) !== 0) continue;
    const wordEnd = skipBack(codes, start - 1) + 1;
    if (wordEnd === start) continue; // glued to what stands before it
    if (wordAt(text, wordEnd, word) >= 0) return true;
  }
  return false;
}

/**
 * A total with sub-lines read as one space-grouped number (`594 594 [8715]`: 594,594) when no split
 * into a sub-line's amount and the total works (splitTotal: the sub-lines before it did not read,
 * a page's running header between them): the cell may be the last sub-line's amount and the total
 * side by side, so the whole is not one number for sure. A doubt: the whole and each shorter total
 * the run's tokens can be are the candidates, and only the identities of the line may pick one
 * (identities.ts; SW105 says how it was read), else it is unreadable (SW103). Undefined when the
 * amount is one token (or the run has no other reading): nothing is in doubt.
 */
function wholeTotalDoubt(
  text: string,
  starts: readonly number[],
  end: number,
  start: number,
  amount: Decimal,
): Doubt | undefined {
  const first = starts.indexOf(start);
  if (first < 0 || first === starts.length - 1) return undefined;
  const candidates: Decimal[] = [amount];
  for (let s = first + 1; s < starts.length; s++) {
    if (groupStart(text, starts[s])) continue;
    const total = readAmount(text.slice(starts[s], end));
    if (total !== null && !candidates.some((c) => cmp(c, total) === 0)) candidates.push(total);
  }
  if (candidates.length === 1) return undefined;
  return { raw: text.slice(start, end), candidates, strictStart: start, strict: amount };
}

/**
 * Parse a filing's plain text (HTML is made text by formats/html.ts first). Throws FilingError
 * when the text is not a filing; anything short of that (a missing line, an unknown code, an
 * unreadable amount) is kept for the reconciler.
 */
export function assembleFiling(text: string, options: ParserOptions = {}): ParseResult {
  const c = compiled(options.forms ?? FORMS);
  if (!/\S/.test(text)) throw new FilingError('empty', 'the file is empty');
  const cells = new CellScanner(text);
  const hasCells = cells.next(0, 0);
  const { header, titles, coverHeadings, firmAtPageBreak } = parseHeader(text, hasCells);
  if (!hasCells) throw new FilingError('truncated', 'the filing has a header but no statement amounts (truncated?)');

  const statements: Filing['statements'] = {};
  // Tallies are scratch reused from parse to parse; `tallies[k]` is set when statement k is first met.
  const tallies: (Tally | undefined)[] = [undefined, undefined, undefined];
  /** Doubtful amounts, per statement (STATEMENT_KEYS order), by code. */
  const doubts: (Map<string, Doubt> | undefined)[] = [undefined, undefined, undefined];
  const unknownCodes: Filing['unknownCodes'] = [];
  const unreadable: string[] = [];
  const stamp = nextStamp();
  // The cells, one after another: `cells` holds each one until the next call to cells.next.
  let prevEnd = 0;
  let cellCount = 0;
  do {
    cellCount++;
    const num = cells.num;
    let amount = cells.amount;
    let doubt = cells.doubt;
    let start = cells.start;
    const info = c.codeByNum[num];
    if (!info) {
      if (amount !== null) unknownCodes.push({ code: codeString(num), amount });
      else unreadable.push(codeString(num));
    } else {
      let tally = tallies[info.keyIndex];
      if (!tally) {
        const key = info.key;
        const st: Statement = (statements[key] = {
          key,
          title: '',
          variant: '',
          lines: EMPTY_LINES,
          labels: new Map(),
          uncoded: [],
          conflicts: [],
        });
        tally = tallies[info.keyIndex] = freshTally(info.keyIndex, st, info.member.length);
      }
      const st = tally.st;
      if (seenStamp[num] !== stamp) {
        seenStamp[num] = stamp;
        let parts: UncodedLine[] | undefined;
        if (info.parts) {
          const split = cells.runStarts
            ? splitTotal(info.parts, text, prevEnd, cells.runStarts, cells.runEnd, info.code)
            : undefined;
          if (split) {
            ({ amount, start, parts } = split);
            doubt = null;
          } else {
            const unreadParts: UnreadPart[] = [];
            // The cell's reading starts inside its run (`1 444 543 350 015 | 890 ... [8715]`): the
            // last sub-line's number may go on into it (readParts' `continued`: the token there).
            const run = cells.runStarts;
            let continued: string | undefined;
            if (run && start > run[0]) {
              let e = start;
              while (e < cells.runEnd && !isInnerSpace(text.charCodeAt(e))) e++;
              continued = text.slice(start, e);
            }
            parts = readParts(info.parts, text, prevEnd, start, info.code, unreadParts, continued);
            if (unreadParts.length) (st.unreadParts ??= []).push(...unreadParts);
            if (amount !== null && cells.runStarts) {
              const grouped = wholeTotalDoubt(text, cells.runStarts, cells.runEnd, start, amount);
              if (grouped) {
                doubt = grouped;
                amount = null;
              }
            }
          }
        }
        // A doubt between a small amount and the number before it, where that number is the one
        // the line's label ends in, right after the label's word before it (`Regulation 30.7 21`):
        // the number is the label's, and the amount is what was read.
        if (doubt && info.labelNumbers && labelsNumber(text, cells.codes, doubt, start, info.labelNumbers)) {
          amount = doubt.strict;
          start = doubt.strictStart;
          doubt = null;
        }
        // A lone sign after a word the label has before a dash inside it: the dash may be the label's.
        const lone = cells.loneSign;
        if (amount !== null && !doubt && lone && info.dashWords?.has(lone.word)) {
          doubt = {
            raw: text.slice(start, cells.runEnd),
            candidates: [amount, lone.unsigned],
            strictStart: start,
            strict: amount,
          };
          amount = null;
        }
        if (amount === null && !doubt) {
          unreadable.push(info.code);
          (st.unread ??= []).push({ code: info.code, filed: filedBefore(text, prevEnd, cells.end - 6) });
        }
        count(tally, info, num);
        seenAmount[num] = amount ?? undefined;
        if (doubt) (doubts[info.keyIndex] ??= new Map()).set(info.code, doubt);
        // cleanLabel keeps the last 400 characters: slice no more (the slice is the cache key).
        if (info.label)
          st.labels.set(info.code, cleanLabelOf(text.slice(Math.max(prevEnd, start - 400), start)).slice(-160));
        if (parts) for (const p of parts) st.uncoded.push(p);
      } else if (amount !== null) {
        const prior = seenAmount[num];
        // The first readable amount of a code whose first cell was unreadable (it stays reported as unreadable).
        if (prior === undefined && !doubts[info.keyIndex]?.has(info.code)) seenAmount[num] = amount;
        else if (prior !== undefined && cmp(prior, amount) !== 0) {
          const code = info.code;
          const conflict = st.conflicts.find((x) => x.code === code);
          if (conflict) conflict.amounts.push(amount);
          else st.conflicts.push({ code, amounts: [prior, amount] });
        }
      }
    }
    prevEnd = cells.end;
  } while (cells.next(prevEnd, prevEnd));

  const requirements: Partial<Record<StatementKey, Decimal>> = {};
  for (let k = 0; k < STATEMENT_KEYS.length; k++) {
    const key = STATEMENT_KEYS[k];
    const tally = tallies[k];
    if (!tally) continue;
    const st = tally.st;
    // Ascending code order (codes come mostly in order: an insertion sort), as Lines keeps them.
    const nums = tally.nums;
    for (let i = 1; i < nums.length; i++) {
      const x = nums[i];
      let j = i - 1;
      while (j >= 0 && nums[j] > x) {
        nums[j + 1] = nums[j];
        j--;
      }
      nums[j + 1] = x;
    }
    const codes: string[] = [];
    const amounts: Decimal[] = [];
    for (let i = 0; i < nums.length; i++) {
      const num = nums[i];
      const amount = seenAmount[num];
      if (amount === undefined) continue;
      codes.push(c.codeByNum[num]!.code);
      amounts.push(amount);
      seenAmount[num] = undefined;
    }
    st.lines = new Lines(codes, amounts);
    let title: string | undefined;
    for (const t of titles)
      if (t.key === key) {
        title = t.title;
        break;
      }
    const variant = chooseVariant(c, key, st, tally, title);
    st.variant = variant.id;
    st.title = title ?? c.forms.statements[key].name;
    const open = doubts[k];
    if (open) {
      const settled = settleDoubts(variant, st.lines, st.uncoded, open);
      if (settled.length) st.readings = settled.map((s) => ({ code: s.code, filed: s.raw, amount: s.amount }));
      if (open.size) st.unsettled = [...open].map(([code, d]) => ({ code, filed: d.raw }));
      for (const code of open.keys()) unreadable.push(code);
    }
    const required = st.lines.get(variant.roles.required);
    if (required !== undefined) requirements[key] = required;
  }
  const filing: Filing = {
    filingType: header.filingType,
    endDate: header.endDate,
    submitDate: header.submitDate,
    firmName: header.firmName,
    firmId: header.firmId,
    form: header.form,
    statements,
    unknownCodes,
  };
  const choices = readCoverPage(text, coverHeadings);
  if (choices) filing.coverPage = coverPageOf(choices, (key) => requirements[key]);
  const notes: ParseNote[] = firmAtPageBreak
    ? [
        {
          rule: 'firm-name-page-break',
          message: `the Firm Name "${header.firmName}" is the last line of its page; if the name goes on past the page break it was read short (firm id ${header.firmId}): check the firm`,
        },
      ]
    : [];
  return { filing, unreadable, notes, cells: cellCount };
}
