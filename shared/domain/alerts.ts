/**
 * Alerts as records: which ones a reconciled filing raises, their deterministic ids (so a retry
 * or a repeated event never doubles one), and how they read in an email and an SNS subject.
 * Pure: no AWS, no clock (callers pass times in).
 */
import { rule } from './rules';
import { createHash } from 'node:crypto';
import { FORMS, STATEMENT_KEYS, type StatementKey } from './forms';
import { str, usd, ZERO, type Decimal } from './money';
import type { FilingType } from './model';
import type { Finding, Reconciliation, StatementResult, TargetSource } from './reconcile';
import { previousFilingDay } from './calendar';
import { MAX_ALERT_DETAIL_LINE, MAX_ALERT_DETAIL_LINES } from './limits';
import { errorFindings, isLate } from './versions';
import {
  isScheduleKind,
  SCHEDULE_ALERT_RULE,
  SCHEDULE_ALERT_SEVERITY,
  SCHEDULE_LABEL,
  scheduleBody,
  scheduleSubjectTail,
  type ScheduleAlertKind,
} from './schedule/alerts';

export type AlertKind =
  | 'deficiency'
  | 'below-target'
  | 'excess-drop'
  | 'late-filing'
  | 'reconciliation-errors'
  | 'rejected'
  | 'resolved'
  | 'target-changed'
  | 'trend-to-target'
  | ScheduleAlertKind;
export type AlertSeverity = 'critical' | 'warning' | 'info';
/** Kinds said per statement on a channel (shared/domain/episodes.ts); issue 12 adds its day-to-day kinds here. */
export type StatementAlertKind = 'deficiency' | 'below-target' | 'excess-drop';

export const ALERT_SEVERITY: Record<AlertKind, AlertSeverity> = {
  deficiency: 'critical',
  'below-target': 'warning',
  'excess-drop': 'warning',
  'late-filing': 'warning',
  'reconciliation-errors': 'warning',
  rejected: 'warning',
  resolved: 'info',
  ...SCHEDULE_ALERT_SEVERITY,
  'target-changed': 'info',
  'trend-to-target': 'warning',
};

/** What each alert means, in the rule's own terms (shown in the email). */
export const ALERT_RULE: Record<AlertKind, string> = {
  deficiency:
    'Excess (deficiency) below zero: the FCM is under-segregated. 17 CFR 1.12(h) requires immediate notice to the CFTC and the DSRO.',
  'below-target':
    'Excess below the management target (targeted residual interest). 17 CFR 1.12(j) requires immediate notice to the CFTC and the DSRO.',
  'excess-drop':
    'Excess fell by more than 25% from the previous day on which the statement was required (proxy for the 25% residual-interest withdrawal rules, 17 CFR 1.23(d), 30.7(g), 22.17(c)): review.',
  'late-filing':
    'Submitted after the next business day (due by noon, 17 CFR 1.32(d)); NFA charges a late fee of $200 per day.',
  'reconciliation-errors':
    "A statement's figures do not add up (a total, a line that cannot be read, a missing statement or line): the filing cannot be trusted until it is corrected, and no deficiency or below-target alert is raised from those figures. Critical when the excess as filed or as recomputed from the lines is below zero.",
  rejected: 'The file dropped in the bucket is not a usable daily segregation filing. The object stays in the bucket.',
  resolved:
    'The effective filing no longer shows what the last alert for this firm, day and statement said: an amendment (or a later re-filing) cured the shortfall, or corrected figures no longer show the excess drop; or, with the recent days of the firm as they now are (a late or amended earlier day), the target change or the trend warning of that day no longer holds.',
  ...SCHEDULE_ALERT_RULE,
  'target-changed':
    "The statement's management target (targeted residual interest) differs from the one on the firm's previous filing of that statement; the alert gives both.",
  'trend-to-target':
    'The excess is still at or above the management target, but a Theil-Sen line through the excess of the last (up to) 10 filing days of the statement falls below the target within the next 5 filing days. Raised once, when the projection first enters that window.',
};

export interface SourceRef {
  bucket: string;
  key: string;
}

/** The filing version an alert is about. */
export interface VersionRef {
  firmId: string;
  firmName: string;
  endDate: string;
  submitDate: string;
  filingType: FilingType;
  versionKey: string;
  source: SourceRef;
}

export interface AlertRecord {
  id: string;
  kind: AlertKind;
  severity: AlertSeverity;
  firmId: string | null;
  firmName: string | null;
  endDate: string | null;
  submitDate: string | null;
  filingType: FilingType | null;
  versionKey: string | null;
  statement: StatementKey | null;
  excess: Decimal | null;
  target: Decimal | null;
  /** Where `target` comes from: the statement's own target line, or the Cover Page (null without a target). */
  targetSource: TargetSource | null;
  shortfall: Decimal | null;
  previousExcess: Decimal | null;
  previousDate: string | null;
  /** target-changed: the target on `previousDate` (optional: the other kinds do not set it). */
  previousTarget?: Decimal | null;
  /**
   * trend-to-target (optional: the other kinds do not set them): the Theil-Sen line's slope per
   * filing day and its value on the first filing day it is below the target, both in whole cents
   * (half-even), that day (null beyond the calendar) and how many filing days ahead it is.
   */
  slope?: Decimal | null;
  projectedExcess?: Decimal | null;
  projectedDate?: string | null;
  filingDaysToTarget?: number | null;
  /** Free text: the rejection reason, the errors found, what was resolved. */
  detail: string;
  source: SourceRef;
  /**
   * Per-statement words (deficiency, below-target, excess-drop, resolved) are said on a channel
   * (`shortfall:<statement>`, `drop:<statement>`, shared/domain/episodes.ts) and numbered there:
   * the highest `seq` is the subscriber's last word on it. Absent on one-off alerts.
   */
  channel?: string | null;
  seq?: number | null;
  /** A `resolved` notice: the kind of the word it takes back. */
  resolves?: AlertKind | null;
}

export function alertId(...parts: (string | null | undefined)[]): string {
  return createHash('sha256')
    .update(parts.map((p) => p ?? '').join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}

const base = (v: VersionRef) => ({
  firmId: v.firmId,
  firmName: v.firmName,
  endDate: v.endDate,
  submitDate: v.submitDate,
  filingType: v.filingType,
  versionKey: v.versionKey,
  source: v.source,
  previousExcess: null,
  previousDate: null,
});

export interface PreviousDay {
  endDate: string;
  statements: Partial<Record<StatementKey, { excess: Decimal | null }>>;
}

/** Figures of a per-statement alert. */
export interface StatementFigures {
  statement: StatementKey;
  excess: Decimal | null;
  target: Decimal | null;
  targetSource?: TargetSource | null;
  shortfall: Decimal | null;
  previousExcess?: Decimal | null;
  previousDate?: string | null;
}

/** A deficiency, below-target or excess-drop alert about `v`, with a caller-made id (see episodes.ts). */
export function statementAlert(
  v: VersionRef,
  kind: StatementAlertKind,
  f: StatementFigures,
  id: string,
  on?: { channel: string; seq: number },
): AlertRecord {
  return {
    ...base(v),
    id,
    kind,
    severity: ALERT_SEVERITY[kind],
    statement: f.statement,
    excess: f.excess,
    target: f.target,
    targetSource: f.targetSource ?? null,
    shortfall: f.shortfall,
    previousExcess: f.previousExcess ?? null,
    previousDate: f.previousDate ?? null,
    detail: '',
    ...(on ? { channel: on.channel, seq: on.seq } : {}),
  };
}

/** What a `resolved` notice takes back: the last word said on its channel. */
export interface ResolvedWord {
  kind: AlertKind;
  statement: StatementKey | null;
  endDate: string | null;
  filingType: FilingType | null;
  submitDate: string | null;
  excess: Decimal | null;
  shortfall: Decimal | null;
  previousExcess?: Decimal | null;
  previousDate?: string | null;
}

/**
 * A notice that `v` (now effective) no longer shows the word `p` said. `now` carries the
 * statement's current figures.
 */
export function resolvedAlert(
  v: VersionRef,
  p: ResolvedWord,
  id: string,
  now?: { excess: Decimal | null; target: Decimal | null; targetSource?: TargetSource | null },
  on?: { channel: string; seq: number },
): AlertRecord {
  const money = (d: Decimal | null | undefined) => (d ? usd(d) : '-');
  const detail =
    p.kind === 'target-changed'
      ? `The target change of ${p.endDate} is no longer shown: the effective filings of the firm's recent days no longer give a different target before it.`
      : p.kind === 'trend-to-target'
        ? `The trend-to-target warning of ${p.endDate} is withdrawn: with the effective filings of the firm's recent days the projection no longer enters the window on that day (it entered earlier, or not at all).`
        : p.kind === 'excess-drop'
          ? `The excess drop of ${p.endDate} (from ${money(p.previousExcess)} on ${p.previousDate} to ${money(p.excess)}) is no longer shown: the effective filings now give ${money(now?.excess)}.`
          : `The ${p.kind} of ${p.endDate} (${p.filingType} submitted ${p.submitDate}, excess ${money(p.excess)}) is cured by this ${v.filingType.toLowerCase()}${now?.excess ? ` (excess now ${money(now.excess)})` : ''}.`;
  return {
    ...base(v),
    id,
    kind: 'resolved',
    severity: ALERT_SEVERITY.resolved,
    statement: p.statement,
    excess: now?.excess ?? null,
    target: now?.target ?? null,
    targetSource: now?.targetSource ?? null,
    shortfall: p.shortfall,
    detail,
    resolves: p.kind,
    ...(on ? { channel: on.channel, seq: on.seq } : {}),
  };
}

/** What the reconciliation alert says of an unreconciled statement (a StatementResult, or the summary the result item keeps). */
export interface UnreconciledFigures {
  status: string;
  variant: string;
  target: Decimal | null;
  targetSource: TargetSource | null;
  filedExcess?: Decimal | null;
  computedExcess?: Decimal | null;
  failingLines?: readonly string[];
}

/**
 * The reconciliation-errors alert of a version, when its findings hold errors (other than the
 * deficiency itself). One per version: a retry or a later evaluation of the day never repeats it.
 * For each statement that does not reconcile it names the failing lines, gives the excess as filed
 * and as recomputed from the lines (funds - required), and says plainly that the figures do not
 * add up; it is critical when either excess is below zero (a possible deficiency nobody may
 * dismiss as a typo), a warning otherwise. Then the error findings: `errorCount` is how many there
 * are in all, when `findings` is a capped list (the ones not quoted are counted in the text).
 */
export function errorsAlert(
  v: VersionRef,
  findings: readonly Finding[],
  errorCount?: number,
  statements: Partial<Record<StatementKey, UnreconciledFigures>> = {},
): AlertRecord | undefined {
  const errors = errorFindings(findings);
  const total = Math.max(errorCount ?? 0, errors.length);
  if (total === 0) return undefined;
  const money = (d: Decimal | null | undefined) => (d ? usd(d) : 'not known');
  const below = (d: Decimal | null | undefined, than: Decimal) => d !== null && d !== undefined && d.lt(than);
  let critical = false;
  const lines: string[] = [];
  const unreconciled = STATEMENT_KEYS.flatMap((k) => {
    const s = statements[k];
    return s?.status === 'unreconciled' ? [{ key: k, s }] : [];
  });
  for (const { key, s } of unreconciled) {
    const variant = FORMS.variantById.get(s.variant);
    const roles = variant?.roles;
    const label = (code: string) => `[${code}] ${variant?.byCode.get(code)?.label ?? ''}`.trim();
    const negative = below(s.filedExcess, ZERO) || below(s.computedExcess, ZERO);
    critical ||= negative;
    lines.push(
      `${FORMS.statements[key].name}: THE FIGURES DO NOT ADD UP, so they cannot be trusted; no deficiency or target check was made from them.`,
    );
    if (s.failingLines?.length) lines.push(`  Failing lines: ${s.failingLines.map(label).join('; ')}`);
    lines.push(
      `  Excess as filed${roles ? ` [${roles.excess}]` : ''}: ${money(s.filedExcess)}; recomputed from the lines${roles ? ` (funds [${roles.funds}] - required [${roles.required}])` : ''}: ${money(s.computedExcess)}.`,
    );
    if (negative) lines.push('  At least one of them is BELOW ZERO: the statement may show a deficiency.');
    else if (s.target && (below(s.filedExcess, s.target) || below(s.computedExcess, s.target)))
      lines.push(
        `  At least one of them is below the target ${money(s.target)} (${s.targetSource === 'cover-page' ? 'Cover Page' : "statement's target line"}).`,
      );
  }
  if (lines.length) lines.push('');
  const shown = errors.slice(0, MAX_ALERT_DETAIL_LINES).map((f) => {
    const line = `${f.ruleId} ${f.message}`.replace(/\s*\n\s*/g, ' ');
    return line.length <= MAX_ALERT_DETAIL_LINE ? line : `${line.slice(0, MAX_ALERT_DETAIL_LINE - 3)}...`;
  });
  const more = total - shown.length;
  if (more > 0) shown.push(`... and ${more} more error(s) (segwatch check on the filing object lists them all)`);
  const one = unreconciled.length === 1 ? unreconciled[0] : undefined;
  return {
    ...base(v),
    id: alertId('errors', v.firmId, v.endDate, v.versionKey),
    kind: 'reconciliation-errors',
    severity: critical ? 'critical' : ALERT_SEVERITY['reconciliation-errors'],
    statement: one?.key ?? null,
    excess: one ? lower(one.s.filedExcess ?? null, one.s.computedExcess ?? null) : null,
    target: one?.s.target ?? null,
    targetSource: one?.s.targetSource ?? null,
    shortfall: null,
    detail: [...lines, ...shown].join('\n'),
  };
}

function lower(a: Decimal | null, b: Decimal | null): Decimal | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.lt(a) ? b : a;
}

/** The late-filing alert of a version, when it was submitted late (SW130). One per firm, day and submit date. */
export function lateAlert(v: VersionRef, findings: readonly Finding[]): AlertRecord | undefined {
  if (!isLate(findings)) return undefined;
  const late = findings.find((f) => f.ruleId === rule('late-filing').id)!;
  return {
    ...base(v),
    id: alertId('late', v.firmId, v.endDate, v.submitDate),
    kind: 'late-filing',
    severity: ALERT_SEVERITY['late-filing'],
    statement: null,
    excess: null,
    target: null,
    targetSource: null,
    shortfall: null,
    detail: late.message,
  };
}

/**
 * The 25% rule: is `now` more than 25% below `before`, the excess of the previous day on which the
 * statement was required? Exact decimals (now < 0.75 * before); a non-positive `before` never drops.
 */
export function isExcessDrop(now: Decimal, before: Decimal): boolean {
  return before.isPositive() && !before.isZero() && now.times(4).lt(before.times(3));
}

/**
 * Every alert a reconciled filing version would raise if it were effective and nothing had been
 * said about its day yet (`segwatch check`, tests). The pipeline decides what to say from what was
 * said before (shared/domain/episodes.ts), with the same builders.
 */
export function alertsForVersion(v: VersionRef, rec: Reconciliation, previousDay?: PreviousDay): AlertRecord[] {
  const out: AlertRecord[] = [];
  for (const a of rec.alerts)
    out.push(
      statementAlert(
        v,
        a.kind,
        a,
        alertId('shortfall', v.firmId, v.endDate, a.statement, a.kind, str(a.excess), a.target && str(a.target)),
      ),
    );
  const errors = errorsAlert(v, rec.findings, undefined, rec.statements);
  if (errors) out.push(errors);
  const late = lateAlert(v, rec.findings);
  if (late) out.push(late);
  if (previousDay) {
    for (const key of STATEMENT_KEYS) {
      const now = rec.statements[key]?.excess;
      const before = previousDay.statements[key]?.excess;
      if (
        !now ||
        !before ||
        previousDay.endDate !== safePreviousFilingDay(key, v.endDate) ||
        !isExcessDrop(now, before)
      )
        continue;
      out.push(
        statementAlert(
          v,
          'excess-drop',
          {
            statement: key,
            excess: now,
            target: rec.statements[key]?.target ?? null,
            targetSource: rec.statements[key]?.targetSource ?? null,
            shortfall: before.minus(now),
            previousExcess: before,
            previousDate: previousDay.endDate,
          },
          alertId('drop', v.firmId, v.endDate, key, str(now), previousDay.endDate, str(before)),
        ),
      );
    }
  }
  return out;
}

/** The calendar's previous filing day, or undefined outside the years it covers. */
export function safePreviousFilingDay(statement: StatementKey, endDate: string): string | undefined {
  try {
    return previousFilingDay(statement, endDate);
  } catch {
    return undefined;
  }
}

/** Notices that `v` cured the shortfalls `previous` alerts reported and `current` no longer does. */
export function resolvedAlerts(v: VersionRef, previous: AlertRecord[], current: AlertRecord[]): AlertRecord[] {
  const out: AlertRecord[] = [];
  for (const p of previous) {
    if (p.kind !== 'deficiency' && p.kind !== 'below-target') continue;
    const still = current.some(
      (c) => c.statement === p.statement && (c.kind === 'deficiency' || c.kind === 'below-target'),
    );
    if (!still) out.push(resolvedAlert(v, p, alertId('resolved', p.id, v.versionKey)));
  }
  return out;
}

export function rejectedAlert(source: SourceRef, objectId: string, code: string, reason: string): AlertRecord {
  return {
    id: alertId('rejected', source.bucket, source.key, objectId),
    kind: 'rejected',
    severity: ALERT_SEVERITY.rejected,
    firmId: null,
    firmName: null,
    endDate: null,
    submitDate: null,
    filingType: null,
    versionKey: null,
    statement: null,
    excess: null,
    target: null,
    targetSource: null,
    shortfall: null,
    previousExcess: null,
    previousDate: null,
    detail: `${code}: ${reason}`,
    source,
  };
}

// ---- rendering -------------------------------------------------------------------------------

/** Printable ASCII only, one line: safe in an SNS subject whatever the firm name holds. */
export function ascii(s: string): string {
  return (
    s
      .normalize('NFKD')
      // Drop the accents NFKD splits off ("é" -> "e" + U+0301); as spaces they read "Socie te Ge ne rale".
      .replace(/\p{M}/gu, '')
      .replace(/[^\x20-\x7e]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

const LABEL: Record<AlertKind, string> = {
  deficiency: 'DEFICIENCY',
  'below-target': 'BELOW TARGET',
  'excess-drop': 'EXCESS DROP',
  'late-filing': 'LATE FILING',
  'reconciliation-errors': 'DATA ERROR',
  rejected: 'REJECTED',
  resolved: 'RESOLVED',
  ...SCHEDULE_LABEL,
  'target-changed': 'TARGET CHANGED',
  'trend-to-target': 'TREND TO TARGET',
};

export const SUBJECT_MAX = 100;

function statementName(s: StatementKey | null): string {
  return s ? FORMS.statements[s].shortName : '';
}

/** Subject: at most 100 printable ASCII characters, no line breaks. */
export function alertSubject(a: AlertRecord): string {
  const tail = (() => {
    switch (a.kind) {
      case 'deficiency':
        // The figure that matters first: how far customer funds are below zero.
        return `${statementName(a.statement)} ${a.endDate} short ${a.excess ? usd(a.excess.negated()) : ''}`;
      case 'below-target':
        return `${statementName(a.statement)} ${a.endDate} ${a.shortfall ? usd(a.shortfall) : ''} under target`;
      case 'excess-drop':
        return `${statementName(a.statement)} ${a.endDate} excess down ${a.shortfall ? usd(a.shortfall) : ''}`;
      case 'late-filing':
        return `${a.endDate} submitted ${a.submitDate}`;
      case 'reconciliation-errors':
        return `${a.statement ? `${statementName(a.statement)} ` : ''}${a.endDate} figures do not add up${a.severity === 'critical' ? ', excess below zero' : ''}`;
      case 'resolved':
        return a.resolves === 'excess-drop'
          ? `${statementName(a.statement)} ${a.endDate} excess drop no longer shown`
          : a.resolves === 'target-changed'
            ? `${statementName(a.statement)} ${a.endDate} target change no longer shown`
            : a.resolves === 'trend-to-target'
              ? `${statementName(a.statement)} ${a.endDate} trend warning withdrawn`
              : `${statementName(a.statement)} ${a.endDate} shortfall cured by ${a.filingType === 'INITIAL' ? 're-filing' : 'amendment'}`;
      case 'rejected':
        return `${a.source.key}`;
      case 'missing-filing':
      case 'digest':
        return scheduleSubjectTail(a);
      case 'target-changed':
        // (A store that does not keep previousTarget still has both targets in the detail.)
        return `${statementName(a.statement)} ${a.endDate} target ${a.previousTarget ? `${usd(a.previousTarget)} -> ` : 'now '}${a.target ? usd(a.target) : '-'}`;
      case 'trend-to-target':
        return `${statementName(a.statement)} ${a.endDate} ${a.excess && a.target ? usd(a.excess.minus(a.target)) : ''} over target, falling`;
    }
  })();
  const head = `[${LABEL[a.kind]}]`;
  const name = a.kind === 'rejected' ? 'file' : ascii(a.firmName ?? '');
  const room = SUBJECT_MAX - head.length - ascii(tail).length - 2;
  const firm = name.length <= room ? name : `${name.slice(0, Math.max(0, room - 3)).trimEnd()}...`;
  const subject = ascii(`${head} ${firm} ${tail}`);
  return subject.length <= SUBJECT_MAX ? subject : `${subject.slice(0, SUBJECT_MAX - 3)}...`;
}

/** Plain-text email body. */
export function alertBody(
  a: AlertRecord,
  result?: Pick<StatementResult, 'required' | 'funds'> & Partial<StatementResult>,
): string {
  if (isScheduleKind(a.kind)) return scheduleBody(a);
  const lines: string[] = [];
  const money = (d: Decimal | null) => (d ? usd(d) : '-');
  lines.push(`${LABEL[a.kind]} (${a.severity})`);
  lines.push('');
  if (a.firmName) lines.push(`Firm:        ${ascii(a.firmName)} (${a.firmId})`);
  if (a.endDate) lines.push(`End date:    ${a.endDate}`);
  if (a.filingType) lines.push(`Filing:      ${a.filingType}, submitted ${a.submitDate} (version ${a.versionKey})`);
  if (a.statement) lines.push(`Statement:   ${FORMS.statements[a.statement].name}`);
  if (result) {
    lines.push(`Required:    ${money(result.required)}`);
    lines.push(`Funds:       ${money(result.funds)}`);
  }
  if (a.excess) lines.push(`Excess:      ${money(a.excess)}`);
  if (a.kind === 'deficiency' || a.kind === 'below-target') {
    lines.push(`Target:      ${money(a.target)}`);
    if (a.targetSource)
      lines.push(
        `Target from: ${a.targetSource === 'statement' ? "the statement's management target line" : 'the Cover Page (the statement has no target line)'}`,
      );
    lines.push(`Shortfall:   ${money(a.shortfall)} (target - excess)`);
    if (a.excess?.isNegative()) lines.push(`Below zero:  ${money(a.excess.negated())}`);
  }
  if (a.kind === 'target-changed') {
    lines.push(`Target:      ${money(a.target)}`);
    lines.push(`Previous:    ${money(a.previousTarget ?? null)}${a.previousDate ? ` on ${a.previousDate}` : ''}`);
  }
  if (a.kind === 'trend-to-target') {
    lines.push(`Target:      ${money(a.target)}`);
    if (a.excess && a.target) lines.push(`Over target: ${money(a.excess.minus(a.target))}`);
    if (a.slope) lines.push(`Trend:       ${money(a.slope)} per filing day (Theil-Sen, whole cents)`);
    if (a.projectedExcess)
      lines.push(
        `Projected:   ${money(a.projectedExcess)}${a.projectedDate ? ` on ${a.projectedDate}` : ''}${a.filingDaysToTarget ? `, ${a.filingDaysToTarget} filing day${a.filingDaysToTarget === 1 ? '' : 's'} ahead` : ''}`,
      );
  }
  if (a.kind === 'excess-drop') {
    lines.push(`Previous:    ${money(a.previousExcess)} on ${a.previousDate}`);
    lines.push(`Drop:        ${money(a.shortfall)}`);
  }
  if (a.kind === 'resolved' && a.resolves) lines.push(`Resolves:    ${LABEL[a.resolves]}`);
  if (a.seq) {
    const family = a.channel?.split(':')[0];
    const notices =
      family === 'drop'
        ? 'excess-drop notices'
        : family === 'shortfall'
          ? 'shortfall notices'
          : family === 'target'
            ? 'target-change notices'
            : family === 'trend'
              ? 'trend notices'
              : 'notices';
    lines.push(`Update:      #${a.seq} of this statement's ${notices} for the day (the highest number is the latest)`);
  }
  lines.push('');
  lines.push(`Rule: ${ALERT_RULE[a.kind]}`);
  if (a.detail) {
    lines.push('');
    // Line by line: a control character has the length of the space ascii() turns it into, so a
    // length comparison of the whole text let "a\u0007b" through raw.
    lines.push(
      a.detail
        .split('\n')
        .map((l) => (/^[\x20-\x7e]*$/.test(l) ? l : ascii(l)))
        .join('\n'),
    );
  }
  lines.push('');
  // The key as uploaded, but with control, line-separator and direction characters escaped (\u0007):
  // an S3 key may hold any of them, and raw they would break or disguise the email.
  // eslint-disable-next-line no-control-regex
  const key = a.source.key.replace(
    /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  lines.push(`Filing object: s3://${a.source.bucket}/${key}`);
  lines.push(`Alert id: ${a.id}`);
  return lines.join('\n');
}

export function alertAttributes(a: AlertRecord): Record<string, string> {
  const attrs: Record<string, string> = { severity: a.severity, kind: a.kind };
  if (a.firmId) attrs.firmId = a.firmId;
  if (a.statement) attrs.statement = a.statement;
  if (a.resolves) attrs.resolves = a.resolves;
  return attrs;
}
