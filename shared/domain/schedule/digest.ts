/**
 * The daily digest: one message per business day, all clear or not, so a silent watch is noticed.
 * Every watched firm with its statements as of the latest filing day whose deadline has passed
 * (excess, target, excess over target, change from the statement's previous filing day), the
 * open alerts (effective filings of the window below target or deficient) and the missing
 * filings. Plain text for email, exact dollars with separators, within SNS's message size. Pure.
 */
import { alertId, ascii, SUBJECT_MAX, type AlertRecord } from '../alerts';
import { CALENDAR, type FilingCalendar } from '../calendar';
import { FORMS, STATEMENT_KEYS, type StatementKey } from '../forms';
import { dec, str, usd, ZERO, type Decimal } from '../money';
import { excessRecomputed, markRecomputed, RECOMPUTED_LEGEND, table } from '../report';
import {
  findMissing,
  firmStatements,
  safePreviousFilingDay,
  watchedFirms,
  WATCH_FILING_DAYS,
  type CheckWindow,
  type HeadLike,
  type MissingFiling,
} from './missing';
import { newYorkTime } from './time';

/** The digest's text is kept under this many bytes (SNS allows 256 KiB for the whole message). */
export const DIGEST_MAX_BYTES = 200_000;

export interface DigestStatementJson {
  excess: string | null;
  /** The excess is funds - required, not the excess line as filed (a statement that does not reconcile: report.ts excessRecomputed). */
  excessRecomputed: boolean;
  target: string | null;
  /** excess - target (null without a target, or when the statement does not reconcile). */
  overTarget: string | null;
  /** excess - the excess of the statement's previous filing day (null when that day has no figure, or either day's statement does not reconcile). */
  changeFromPrevious: string | null;
  previousDate: string | null;
  status: string;
}

export interface DigestFirmJson {
  firmId: string;
  firmName: string;
  /** An effective filing as of the digest's day. */
  filed: boolean;
  /** Whether any of the firm's statements was required that day. */
  required: boolean;
  filingType: 'INITIAL' | 'AMENDMENT' | null;
  submitDate: string | null;
  /** An initial filing submitted after its due day. */
  late: boolean;
  statements: Partial<Record<StatementKey, DigestStatementJson>>;
  /** Days of the window this firm's filing is missing for. */
  missing: string[];
}

export interface OpenAlertJson {
  firmId: string;
  firmName: string;
  endDate: string;
  statement: StatementKey;
  kind: 'deficiency' | 'below-target';
  excess: string | null;
  target: string | null;
  /** target - excess (0 - excess for a deficiency without a target). */
  shortfall: string | null;
}

export interface MissingJson {
  id: string;
  firmId: string;
  firmName: string;
  endDate: string;
  statements: StatementKey[];
  due: string;
  deadline: string;
  inARow: number;
  severity: string;
}

export interface DigestJson {
  id: string;
  /** The business day it is sent for (New York date of the check). */
  businessDay: string;
  /** The filing day it reports on: the latest whose deadline has passed (null when the window is empty). */
  day: string | null;
  window: { from: string | null; to: string | null; days: number };
  watchedFirms: number;
  filedFirms: number;
  allClear: boolean;
  headline: string;
  subject: string;
  missing: MissingJson[];
  openAlerts: OpenAlertJson[];
  firms: DigestFirmJson[];
  /** Calendar facts worth knowing today (a holiday skipped, a rule of low confidence, the calendar's end). */
  notes: string[];
  /** Firms left out of the text to stay within the message size (0 normally). */
  firmsNotShown: number;
}

const s = (d: Decimal | null | undefined) => (d === null || d === undefined ? null : str(d));

export const digestId = (businessDay: string) => alertId('digest', businessDay);

export function missingJson(m: MissingFiling): MissingJson {
  return {
    id: m.id,
    firmId: m.firmId,
    firmName: m.firmName,
    endDate: m.endDate,
    statements: m.statements,
    due: m.due,
    deadline: m.deadline,
    inARow: m.inARow,
    severity: m.severity,
  };
}

/** The digest of a window (the same one the missing-filing check used). */
export function buildDigest(
  window: CheckWindow,
  headsByDay: ReadonlyMap<string, readonly HeadLike[]>,
  cal: FilingCalendar = CALENDAR,
  missing: MissingFiling[] = findMissing(window, headsByDay, cal),
): DigestJson {
  const day = window.days.length ? window.days[window.days.length - 1]! : null;
  const firms = watchedFirms(window, headsByDay);
  const missingByFirm = new Map<string, string[]>();
  for (const m of missing) missingByFirm.set(m.firmId, [...(missingByFirm.get(m.firmId) ?? []), m.endDate]);

  const firmRows: DigestFirmJson[] = [];
  const open: OpenAlertJson[] = [];
  for (const [firmId, byDay] of firms) {
    const days = [...byDay.keys()].sort();
    const latest = byDay.get(days[days.length - 1]!)!;
    const head = day ? byDay.get(day) : undefined;
    const stmts = firmStatements(byDay);
    const statements: DigestFirmJson['statements'] = {};
    if (head) {
      for (const k of STATEMENT_KEYS) {
        const st = head.statements[k];
        if (!st) continue;
        const prevDate = safePreviousFilingDay(cal, k, head.endDate);
        const before = prevDate ? byDay.get(prevDate)?.statements[k] : undefined;
        // Nothing is derived from figures that do not add up (as in the read model).
        const ok = reconciles(st.status);
        const prev = before && reconciles(before.status) ? before.excess : null;
        statements[k] = {
          excess: s(st.excess),
          excessRecomputed: excessRecomputed(st),
          target: s(st.target),
          overTarget: ok && st.excess && st.target ? str(st.excess.minus(st.target)) : null,
          changeFromPrevious: ok && st.excess && prev ? str(st.excess.minus(prev)) : null,
          previousDate: prevDate,
          status: st.status,
        };
      }
    }
    for (const d of days) {
      const h = byDay.get(d)!;
      for (const k of STATEMENT_KEYS) {
        const st = h.statements[k];
        if (!st || (st.status !== 'deficiency' && st.status !== 'below-target')) continue;
        const shortfall = st.excess ? (st.target ?? ZERO).minus(st.excess) : null;
        open.push({
          firmId,
          firmName: latest.firmName,
          endDate: d,
          statement: k,
          kind: st.status,
          excess: s(st.excess),
          target: s(st.target),
          shortfall: s(shortfall),
        });
      }
    }
    firmRows.push({
      firmId,
      firmName: latest.firmName,
      filed: !!head,
      required: day ? stmts.some((k) => cal.covers(day) && cal.isFilingDay(k, day)) : false,
      filingType: head?.filingType ?? null,
      submitDate: head?.submitDate ?? null,
      late: !!head && head.filingType === 'INITIAL' && head.submitDate > cal.dueDay('segregation', head.endDate),
      statements,
      missing: missingByFirm.get(firmId) ?? [],
    });
  }
  firmRows.sort((a, b) => a.firmName.localeCompare(b.firmName, 'en') || a.firmId.localeCompare(b.firmId));
  open.sort(
    (a, b) =>
      (a.kind === b.kind ? 0 : a.kind === 'deficiency' ? -1 : 1) ||
      b.endDate.localeCompare(a.endDate) ||
      a.firmName.localeCompare(b.firmName, 'en'),
  );

  const notes = calendarNotes(window, cal);
  // A firm whose statements of the day do not add up: nothing can be said of its excess, so the day is not all clear.
  const notAddingUp = firmRows.filter((f) => STATEMENT_KEYS.some((k) => notReconciled(f.statements[k]))).length;
  const allClear = firms.size > 0 && missing.length === 0 && open.length === 0 && notAddingUp === 0;
  const headline = headlineOf(window, day, firms.size, missing, open, notAddingUp, allClear);
  return {
    id: digestId(window.businessDay),
    businessDay: window.businessDay,
    day,
    window: { from: window.days[0] ?? null, to: day, days: window.days.length },
    watchedFirms: firms.size,
    filedFirms: firmRows.filter((f) => f.filed).length,
    allClear,
    headline,
    subject: digestSubject(headline),
    missing: missing.map(missingJson),
    openAlerts: open,
    firms: firmRows,
    notes,
    firmsNotShown: 0,
  };
}

function headlineOf(
  window: CheckWindow,
  day: string | null,
  watched: number,
  missing: MissingFiling[],
  open: OpenAlertJson[],
  notAddingUp: number,
  allClear: boolean,
): string {
  const problem = window.calendarProblem ? 'CALENDAR NOT COVERED, ' : '';
  if (!day) return `${problem}${window.businessDay}: no filing day in the calendar to report on`;
  if (watched === 0)
    return `${problem}as of ${day}: no filing from any firm in the last ${WATCH_FILING_DAYS} filing days`;
  const firms = (n: number) => `${n} firm${n === 1 ? '' : 's'}`;
  if (allClear) return `${problem}as of ${day}: all clear, ${firms(watched)}`;
  const parts: string[] = [];
  if (missing.length) parts.push(`${missing.length} missing filing${missing.length === 1 ? '' : 's'}`);
  const deficient = new Set(open.filter((o) => o.kind === 'deficiency').map((o) => o.firmId));
  const below = new Set(open.filter((o) => o.kind === 'below-target' && !deficient.has(o.firmId)).map((o) => o.firmId));
  if (deficient.size) parts.push(`${firms(deficient.size)} deficient`);
  if (below.size) parts.push(`${firms(below.size)} below target`);
  if (notAddingUp) parts.push(`${firms(notAddingUp)} not adding up`);
  return `${problem}as of ${day}: ${parts.join(', ')} (${firms(watched)} watched)`;
}

/** Whether a statement's status is one the reconciler gives a statement that adds up. */
const reconciles = (status: string) => status === 'ok' || status === 'below-target' || status === 'deficiency';
const notReconciled = (st: DigestStatementJson | undefined) => st !== undefined && !reconciles(st.status);

export function digestSubject(headline: string): string {
  const subject = ascii(`[DIGEST] ${headline}`);
  return subject.length <= SUBJECT_MAX ? subject : `${subject.slice(0, SUBJECT_MAX - 3)}...`;
}

/** Weekdays between the window's last two days that were not filing days (or were, by a holiday rule), and the calendar's end. */
function calendarNotes(window: CheckWindow, cal: FilingCalendar): string[] {
  const notes: string[] = [];
  if (window.calendarProblem) notes.push(`The calendar cannot answer for today: ${window.calendarProblem}.`);
  const to = window.days[window.days.length - 1];
  const from = window.days[window.days.length - 2];
  if (to && from) {
    for (let n = Date.parse(`${from}T00:00:00Z`) + 86_400_000; n <= Date.parse(`${to}T00:00:00Z`); n += 86_400_000) {
      const d = new Date(n).toISOString().slice(0, 10);
      const info = cal.day(d);
      if (info.basis !== 'holiday rule' && info.basis !== 'dated entry') continue;
      const yes = STATEMENT_KEYS.filter((k) => info.required[k]);
      const what =
        yes.length === 0
          ? 'no statement required'
          : yes.length === STATEMENT_KEYS.length
            ? 'every statement required'
            : `required: ${yes.map((k) => FORMS.statements[k].shortName).join(', ')}`;
      notes.push(
        `${info.weekday} ${d} ${info.name}: ${what} (${info.basis}, ${info.confidence} confidence; correct shared/domain/calendar/nfa-filing-days.json if NFA says otherwise).`,
      );
    }
  }
  const end = `${cal.lastYear}-12-31`;
  const daysLeft = (Date.parse(`${end}T00:00:00Z`) - Date.parse(`${window.businessDay}T00:00:00Z`)) / 86_400_000;
  if (daysLeft >= 0 && daysLeft <= 45)
    notes.push(
      `The filing calendar ends ${end} (in ${daysLeft} days): add ${cal.lastYear + 1} to shared/domain/calendar/nfa-filing-days.json.`,
    );
  return notes;
}

// ---- text ----------------------------------------------------------------------------------

const money = (x: string | null) => (x === null ? '-' : usd(dec(x)));

const signed = (x: string | null) =>
  x === null ? '-' : x.startsWith('-') || dec(x).isZero() ? money(x) : `+${money(x)}`;
const shortName = (k: StatementKey) => FORMS.statements[k].shortName;
const WEEKDAY = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const weekday = (iso: string) => WEEKDAY[new Date(`${iso}T00:00:00Z`).getUTCDay()]!;
const ordinal = (n: number) =>
  `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`;

/**
 * The digest's mark after an excess recomputed from the lines: the text is plain ASCII (as its
 * subject), so a word where the CLI's tables print `†` (and `*`, check's mark of a Cover Page
 * target, would mislead); the legend says what the CLI's says.
 */
const DIGEST_MARK = ' (recomputed)';
const DIGEST_LEGEND = RECOMPUTED_LEGEND.replace(/^† recomputed /, '(recomputed): ');
const markedExcess = (st: DigestStatementJson, any: boolean) =>
  st.excess === null ? '-' : markRecomputed(money(st.excess), st.excessRecomputed, any, DIGEST_MARK);
const anyMarked = (f: DigestFirmJson) =>
  STATEMENT_KEYS.some((k) => f.statements[k]?.excessRecomputed && f.statements[k]?.excess !== null);

function firmLines(f: DigestFirmJson, day: string): string[] {
  const name = `${ascii(f.firmName)} (${f.firmId})`;
  if (!f.filed) {
    if (f.missing.includes(day)) return [`  ${name}: NO FILING as of ${day} (missing)`];
    return [`  ${name}: no filing as of ${day}${f.required ? '' : ' (none of its statements was required)'}`];
  }
  const lines = [`  ${name}: ${f.filingType} submitted ${f.submitDate}${f.late ? ' (LATE)' : ''}`];
  const rows = [['statement', 'excess', 'target', 'over (under) target', 'change from previous day', 'status']];
  const any = anyMarked(f);
  for (const k of STATEMENT_KEYS) {
    const st = f.statements[k];
    if (!st) continue;
    const change = st.changeFromPrevious === null ? '-' : `${signed(st.changeFromPrevious)} (${st.previousDate})`;
    rows.push([
      shortName(k),
      markedExcess(st, any),
      money(st.target),
      money(st.overTarget),
      change,
      st.status === 'ok' ? 'ok' : st.status.toUpperCase(),
    ]);
  }
  if (rows.length > 1)
    lines.push(
      ...table(rows, [false, true, true, true, true, false])
        .split('\n')
        .map((l) => `    ${l}`),
    );
  return lines;
}

/** The digest as plain text; its first line is the headline (the subject without `[DIGEST]`). */
export function renderDigest(
  d: DigestJson,
  checkedAt: string,
  maxBytes = DIGEST_MAX_BYTES,
): { text: string; firmsNotShown: number } {
  const head: string[] = [];
  const ny = newYorkTime(checkedAt);
  head.push(d.headline, '');
  head.push(
    `segwatch daily digest for ${weekday(d.businessDay)} ${d.businessDay} (checked ${ny.date} ${ny.time} New York time)`,
  );
  if (d.day) {
    head.push(
      `Statements as of ${weekday(d.day)} ${d.day}. Watched: the ${d.watchedFirms} firm${d.watchedFirms === 1 ? '' : 's'} that filed in the last ${d.window.days} filing days (${d.window.from} to ${d.window.to}); ${d.filedFirms} filed as of ${d.day}.`,
    );
  }
  head.push('');
  if (d.allClear)
    head.push('ALL CLEAR: every watched firm filed; no deficiency, none below target, no missing filing.', '');
  else if (d.watchedFirms === 0)
    head.push(
      'NO FILINGS: no firm filed in the window. If filings are expected, the pipeline is not receiving them.',
      '',
    );

  const sections: string[][] = [];
  if (d.missing.length) {
    const rows = [['severity', 'firm', 'as of', 'in a row', 'due (noon New York)', 'statements']];
    for (const m of d.missing)
      rows.push([
        m.severity,
        `${ascii(m.firmName)} (${m.firmId})`,
        m.endDate,
        ordinal(m.inARow),
        m.due,
        m.statements.map(shortName).join(', '),
      ]);
    sections.push([
      `Missing filings (${d.missing.length})`,
      ...table(rows, [false, false, false, false, false, false])
        .split('\n')
        .map((l) => `  ${l}`),
      '',
    ]);
  }
  if (d.openAlerts.length) {
    // One row per firm, statement and kind: the latest day's figures, and how many earlier days of the window too.
    const groups = new Map<string, OpenAlertJson[]>();
    for (const o of d.openAlerts) {
      const k = `${o.kind}\u0000${o.firmId}\u0000${o.statement}`;
      groups.set(k, [...(groups.get(k) ?? []), o]);
    }
    const rows = [['alert', 'firm', 'statement', 'as of', 'excess', 'target', 'shortfall', 'earlier days']];
    for (const g of groups.values()) {
      const [o, ...earlier] = g; // newest first
      rows.push([
        o!.kind,
        `${ascii(o!.firmName)} (${o!.firmId})`,
        shortName(o!.statement),
        o!.endDate,
        money(o!.excess),
        money(o!.target),
        money(o!.shortfall),
        earlier.length ? `+${earlier.length} since ${earlier[earlier.length - 1]!.endDate}` : '',
      ]);
    }
    sections.push([
      `Open alerts (${d.openAlerts.length}): effective filings of the window below target or deficient`,
      ...table(rows, [false, false, false, false, true, true, true, false])
        .split('\n')
        .map((l) => `  ${l}`),
      '',
    ]);
  }
  const notAddingUp = d.firms.flatMap((f) =>
    STATEMENT_KEYS.filter((k) => notReconciled(f.statements[k])).map((k) => ({ f, k, st: f.statements[k]! })),
  );
  if (notAddingUp.length) {
    const any = notAddingUp.some(({ st }) => st.excessRecomputed && st.excess !== null);
    const rows = [['firm', 'statement', 'excess', 'target']];
    for (const { f, k, st } of notAddingUp)
      rows.push([`${ascii(f.firmName)} (${f.firmId})`, shortName(k), markedExcess(st, any), money(st.target)]);
    sections.push([
      `Not adding up (${notAddingUp.length}): statements of ${d.day} whose lines do not reconcile; no deficiency or target alert can be raised from them, and nothing is derived from their figures (see the reconciliation alert)`,
      ...table(rows, [false, false, true, true])
        .split('\n')
        .map((l) => `  ${l}`),
      '',
    ]);
  }
  const tail: string[] = [];
  if (d.notes.length) tail.push('Calendar', ...d.notes.map((n) => `  ${n}`), '');
  const marked = d.firms.some(anyMarked);
  tail.push(
    `All amounts in US dollars, exact, as filed${marked ? ' (but those marked recomputed)' : ''}. Change: this day's excess minus that of the statement's previous filing day.`,
  );
  if (marked) tail.push(DIGEST_LEGEND);

  const firmBlocks = d.day ? d.firms.map((f) => firmLines(f, d.day!)) : [];
  const compose = (shown: number) => {
    const lines = [...head, ...sections.flat()];
    if (firmBlocks.length) {
      lines.push(`Firms (${d.firms.length})`);
      for (const b of firmBlocks.slice(0, shown)) lines.push(...b);
      if (shown < firmBlocks.length)
        lines.push(
          `  ... ${firmBlocks.length - shown} more firm(s) not shown (message size limit): see \`segwatch board ${d.day}\``,
        );
      lines.push('');
    }
    lines.push(...tail);
    return lines.join('\n');
  };
  let shown = firmBlocks.length;
  let text = compose(shown);
  while (Buffer.byteLength(text, 'utf8') > maxBytes && shown > 0) {
    shown = Math.max(0, Math.floor(shown * 0.8));
    text = compose(shown);
  }
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    // Even without firms (thousands of missing filings): cut the text itself, saying so.
    const note = '\n... (cut at the message size limit: see `segwatch alerts`)';
    text = `${Buffer.from(text, 'utf8')
      .subarray(0, maxBytes - note.length)
      .toString('utf8')
      .replace(/\uFFFD+$/, '')}${note}`;
  }
  return { text, firmsNotShown: firmBlocks.length - shown };
}

/** The digest's outbox record: its text prepared here, sent by notify like any alert. */
export function digestAlert(d: DigestJson, text: string): AlertRecord {
  return {
    id: d.id,
    kind: 'digest',
    severity: 'info',
    targetSource: null,
    firmId: null,
    firmName: null,
    endDate: d.day,
    submitDate: null,
    filingType: null,
    versionKey: null,
    statement: null,
    excess: null,
    target: null,
    shortfall: null,
    previousExcess: null,
    previousDate: null,
    detail: text,
    source: { bucket: '', key: '' },
  };
}
