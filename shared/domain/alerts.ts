/**
 * Alerts as records: which ones a reconciled filing raises, their deterministic ids (so a retry
 * or a repeated event never doubles one), and how they read in an email and an SNS subject.
 * Pure: no AWS, no clock (callers pass times in).
 */
import { createHash } from 'node:crypto';
import { FORMS, STATEMENT_KEYS, type StatementKey } from './forms';
import { Decimal, str, usd } from './money';
import type { FilingType } from './model';
import { nextBusinessDay, type Reconciliation, type StatementResult, type TargetSource } from './reconcile';

export type AlertKind = 'deficiency' | 'below-target' | 'excess-drop' | 'late-filing' | 'reconciliation-errors' | 'rejected' | 'resolved';
export type AlertSeverity = 'critical' | 'warning' | 'info';

export const ALERT_SEVERITY: Record<AlertKind, AlertSeverity> = {
  deficiency: 'critical',
  'below-target': 'warning',
  'excess-drop': 'warning',
  'late-filing': 'warning',
  'reconciliation-errors': 'warning',
  rejected: 'warning',
  resolved: 'info',
};

/** What each alert means, in the rule's own terms (shown in the email). */
export const ALERT_RULE: Record<AlertKind, string> = {
  deficiency:
    'Excess (deficiency) below zero: the FCM is under-segregated. 17 CFR 1.12(h) requires immediate notice to the CFTC and the DSRO.',
  'below-target':
    'Excess below the management target (targeted residual interest). 17 CFR 1.12(j) requires immediate notice to the CFTC and the DSRO.',
  'excess-drop':
    'Excess fell by more than 25% from the previous business day (proxy for the 25% residual-interest withdrawal rules, 17 CFR 1.23(d), 30.7(g), 22.17(c)): review.',
  'late-filing': 'Submitted after the next business day (due by noon, 17 CFR 1.32(d)); NFA charges a late fee of $200 per day.',
  'reconciliation-errors':
    "A statement's figures do not add up (a total, a line that cannot be read, a missing statement or line): the filing cannot be trusted until it is corrected, and no deficiency or below-target alert is raised from those figures. Critical when the excess as filed or as recomputed from the lines is below zero.",
  rejected: 'The file dropped in the bucket is not a usable daily segregation filing. The object stays in the bucket.',
  resolved: 'An amendment is now the effective filing for this firm and day, and it no longer shows this shortfall.',
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
  /** Free text: the rejection reason, the errors found, what was resolved. */
  detail: string;
  source: SourceRef;
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

/**
 * The alerts a reconciled, effective filing version raises. Ids of shortfall alerts depend on
 * the firm, day, statement and figures, not on the version: an amendment that repeats the same
 * shortfall does not alert twice; one with new figures does.
 */
export function alertsForVersion(v: VersionRef, rec: Reconciliation, previousDay?: PreviousDay): AlertRecord[] {
  const out: AlertRecord[] = [];
  for (const a of rec.alerts) {
    out.push({
      ...base(v),
      id: alertId('shortfall', v.firmId, v.endDate, a.statement, a.kind, str(a.excess), a.target && str(a.target)),
      kind: a.kind,
      severity: ALERT_SEVERITY[a.kind],
      statement: a.statement,
      excess: a.excess,
      target: a.target,
      targetSource: a.targetSource,
      shortfall: a.shortfall,
      detail: '',
    });
  }
  const errors = rec.findings.filter((f) => f.severity === 'error' && f.ruleId !== 'SW120');
  if (errors.length > 0) out.push(reconciliationAlert(v, rec, errors));
  const late = rec.findings.find((f) => f.ruleId === 'SW130');
  if (late) {
    out.push({
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
    });
  }
  if (previousDay && isPreviousBusinessDay(previousDay.endDate, v.endDate)) {
    for (const key of STATEMENT_KEYS) {
      const now = rec.statements[key]?.excess;
      const before = previousDay.statements[key]?.excess;
      if (!now || !before || !before.isPositive() || before.isZero()) continue;
      // A drop of more than 25%: now < 0.75 * before, in exact decimals.
      if (now.times(4).lt(before.times(3))) {
        out.push({
          ...base(v),
          id: alertId('drop', v.firmId, v.endDate, key, str(now), previousDay.endDate, str(before)),
          kind: 'excess-drop',
          severity: ALERT_SEVERITY['excess-drop'],
          statement: key,
          excess: now,
          target: rec.statements[key]?.target ?? null,
          targetSource: rec.statements[key]?.targetSource ?? null,
          shortfall: before.minus(now),
          previousExcess: before,
          previousDate: previousDay.endDate,
          detail: '',
        });
      }
    }
  }
  return out;
}

/**
 * The reconciliation alert: one per version whose figures cannot be trusted. For each statement
 * that does not reconcile it names the failing lines and gives the excess as filed and as
 * recomputed from the lines (funds - required), and says plainly that the figures do not add up;
 * it is critical when either excess is below zero (a possible deficiency nobody may dismiss as a
 * typo), a warning otherwise. Then every error finding.
 */
function reconciliationAlert(v: VersionRef, rec: Reconciliation, errors: Reconciliation['findings']): AlertRecord {
  const money = (d: Decimal | null) => (d ? usd(d) : 'not known');
  const unreconciled = STATEMENT_KEYS.map((k) => rec.statements[k]).filter((s): s is StatementResult => s?.status === 'unreconciled');
  const below = (d: Decimal | null, than: Decimal) => d !== null && d.lt(than);
  let critical = false;
  const lines: string[] = [];
  for (const s of unreconciled) {
    const def = FORMS.statements[s.statement];
    const variant = FORMS.variantById.get(s.variant);
    const roles = variant?.roles;
    const label = (code: string) => `[${code}] ${variant?.byCode.get(code)?.label ?? ''}`.trim();
    const negative = below(s.filedExcess, ZERO_D) || below(s.computedExcess, ZERO_D);
    critical ||= negative;
    lines.push(`${def.name}: THE FIGURES DO NOT ADD UP, so they cannot be trusted; no deficiency or target check was made from them.`);
    if (s.failingLines.length) lines.push(`  Failing lines: ${s.failingLines.map(label).join('; ')}`);
    lines.push(
      `  Excess as filed${roles ? ` [${roles.excess}]` : ''}: ${money(s.filedExcess)}; recomputed from the lines${roles ? ` (funds [${roles.funds}] - required [${roles.required}])` : ''}: ${money(s.computedExcess)}.`,
    );
    if (negative) lines.push('  At least one of them is BELOW ZERO: the statement may show a deficiency.');
    else if (s.target && (below(s.filedExcess, s.target) || below(s.computedExcess, s.target)))
      lines.push(`  At least one of them is below the target ${money(s.target)} (${s.targetSource === 'cover-page' ? 'Cover Page' : "statement's target line"}).`);
  }
  if (lines.length) lines.push('');
  for (const f of errors) lines.push(`${f.ruleId} ${f.message}`);
  const one = unreconciled.length === 1 ? unreconciled[0] : undefined;
  return {
    ...base(v),
    id: alertId('errors', v.firmId, v.endDate, v.versionKey),
    kind: 'reconciliation-errors',
    severity: critical ? 'critical' : ALERT_SEVERITY['reconciliation-errors'],
    statement: one?.statement ?? null,
    excess: one ? lower(one.filedExcess, one.computedExcess) : null,
    target: one?.target ?? null,
    targetSource: one?.targetSource ?? null,
    shortfall: null,
    detail: lines.join('\n'),
  };
}

const ZERO_D = new Decimal(0);
function lower(a: Decimal | null, b: Decimal | null): Decimal | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.lt(a) ? b : a;
}

/**
 * The 25% rule compares with the previous business day. Holidays are not known here, so one
 * skipped business day (a holiday) still counts as "previous"; a longer gap does not.
 */
export function isPreviousBusinessDay(previous: string, current: string): boolean {
  if (previous >= current) return false;
  const next = nextBusinessDay(previous);
  return next === current || nextBusinessDay(next) === current;
}

/** Notices that an amendment cured the shortfalls the previously effective version had. */
export function resolvedAlerts(v: VersionRef, previous: AlertRecord[], current: AlertRecord[]): AlertRecord[] {
  const out: AlertRecord[] = [];
  for (const p of previous) {
    if (p.kind !== 'deficiency' && p.kind !== 'below-target') continue;
    const still = current.some((c) => c.statement === p.statement && (c.kind === 'deficiency' || c.kind === 'below-target'));
    if (still) continue;
    out.push({
      ...base(v),
      id: alertId('resolved', p.id, v.versionKey),
      kind: 'resolved',
      severity: ALERT_SEVERITY.resolved,
      statement: p.statement,
      excess: null,
      target: null,
      targetSource: null,
      shortfall: p.shortfall,
      detail: `The ${p.kind} of ${p.endDate} (${p.filingType} submitted ${p.submitDate}, excess ${p.excess ? usd(p.excess) : '-'}) is cured by this ${v.filingType.toLowerCase()}.`,
    });
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
  return s
    .normalize('NFKD')
    // Drop the accents NFKD splits off ("é" -> "e" + U+0301); as spaces they read "Socie te Ge ne rale".
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const LABEL: Record<AlertKind, string> = {
  deficiency: 'DEFICIENCY',
  'below-target': 'BELOW TARGET',
  'excess-drop': 'EXCESS DROP',
  'late-filing': 'LATE FILING',
  'reconciliation-errors': 'DATA ERROR',
  rejected: 'REJECTED',
  resolved: 'RESOLVED',
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
        return `${statementName(a.statement)} ${a.endDate} shortfall cured by amendment`;
      case 'rejected':
        return `${a.source.key}`;
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
export function alertBody(a: AlertRecord, result?: Pick<StatementResult, 'required' | 'funds'> & Partial<StatementResult>): string {
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
    if (a.targetSource) lines.push(`Target from: ${a.targetSource === 'statement' ? "the statement's management target line" : 'the Cover Page (the statement has no target line)'}`);
    lines.push(`Shortfall:   ${money(a.shortfall)} (target - excess)`);
    if (a.excess && a.excess.isNegative()) lines.push(`Below zero:  ${money(a.excess.negated())}`);
  }
  if (a.kind === 'excess-drop') {
    lines.push(`Previous:    ${money(a.previousExcess)} on ${a.previousDate}`);
    lines.push(`Drop:        ${money(a.shortfall)}`);
  }
  lines.push('');
  lines.push(`Rule: ${ALERT_RULE[a.kind]}`);
  if (a.detail) {
    lines.push('');
    // Line by line: a control character has the length of the space ascii() turns it into, so a
    // length comparison of the whole text let "a\u0007b" through raw.
    lines.push(a.detail.split('\n').map((l) => (/^[\x20-\x7e]*$/.test(l) ? l : ascii(l))).join('\n'));
  }
  lines.push('');
  // The key as uploaded, but with control, line-separator and direction characters escaped (\u0007):
  // an S3 key may hold any of them, and raw they would break or disguise the email.
  // eslint-disable-next-line no-control-regex
  const key = a.source.key.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  lines.push(`Filing object: s3://${a.source.bucket}/${key}`);
  lines.push(`Alert id: ${a.id}`);
  return lines.join('\n');
}

export function alertAttributes(a: AlertRecord): Record<string, string> {
  const attrs: Record<string, string> = { severity: a.severity, kind: a.kind };
  if (a.firmId) attrs.firmId = a.firmId;
  if (a.statement) attrs.statement = a.statement;
  return attrs;
}
