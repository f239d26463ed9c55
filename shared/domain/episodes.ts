/**
 * What to tell subscribers about one firm's day, decided from the day's effective version, the
 * previous filing day of each statement, and what was said before (the outbox). Pure: the
 * pipeline (shared/pipeline/reconcile-version.ts) reads the inputs, writes what this returns.
 *
 * The one place where a day is evaluated. It runs when a version of the day is reconciled, and
 * again when something it depends on changes: a version of the day arriving or changing place in
 * the order, or the previous filing day's effective figures (then the pipeline re-runs it for the
 * next filing day: the days after an earlier day or its amendment are re-evaluated).
 *
 * **Channels.** A per-statement alert is a *word* said on a channel, one channel per kind family
 * and statement: `shortfall:<statement>` (deficiency, below-target) and `drop:<statement>`
 * (excess-drop). On each channel the words are numbered (`seq`); the subscriber's last word is the
 * highest. An evaluation compares the word the effective filings call for with the last word said:
 *   - a different word (or figures): say it (seq + 1);
 *   - the same word and figures (an amendment repeating the shortfall, a retry, a duplicate, a
 *     redrive): say nothing;
 *   - nothing to say after a word: `resolved` (seq + 1), so silence never stands for a shortfall;
 *   - cannot tell (the statement does not reconcile, so its figures are in doubt): say nothing
 *     new; the reconciliation-errors alert speaks for the version.
 * A shortfall that comes back after a `resolved` is a new episode: the same figures again are a
 * new word (a new seq, a new id), alerted again. Ids are derived from firm, day, channel, seq and
 * word, so a retry of the same evaluation puts the same alerts (conditional puts keep them single)
 * and the outbox, read before deciding, is the record of everything said.
 *
 * **Recent-days channels** (issue 12): `target:<statement>` (target-changed) and
 * `trend:<statement>` (trend-to-target) are decided by shared/domain/day-alerts.ts from the day and
 * the firm's effective days of its window (`recent`: day-alerts.ts windowDays). Same rules: the
 * word is the alert dayAlerts gives for the statement (its figures: both targets; excess, target,
 * slope and projection), nothing (null) when it gives none, no opinion when the day's statement
 * does not reconcile. When an earlier day arrives late or is amended, the pipeline evaluates the
 * days whose window holds it again (reconcile-version.ts); a word said before and no longer called
 * for is taken back with `resolved` (for both kinds, info and warning alike: the subscriber's last
 * word on every channel is what the final effective filings call for, and a warning withdrawn is
 * never silent). Without `recent` (callers that do not read the window) these channels say nothing.
 */
import { createHash } from 'node:crypto';
import {
  alertId,
  errorsAlert,
  isExcessDrop,
  resolvedAlert,
  statementAlert,
  type AlertKind,
  type AlertRecord,
  type StatementAlertKind,
  type StatementFigures,
  type VersionRef,
} from './alerts';
import { STATEMENT_KEYS, type StatementKey } from './forms';
import { str, ZERO, type Decimal } from './money';
import type { Finding, StatementStatus } from './reconcile';
import type { StatementsSummary, StatementSummary } from './versions';
import { dayAlerts, type DayFigures } from './day-alerts';

/** The effective version of the day, reconciled. */
export interface EffectiveDay {
  ref: VersionRef;
  statements: StatementsSummary;
  /** Findings as stored (capped: shared/domain/limits.ts) and how many errors there are in all. */
  findings: readonly Finding[];
  errorCount: number;
}

/** A statement on the previous day on which it was required, from that day's effective version. */
export interface PreviousStatement {
  endDate: string;
  excess: Decimal | null;
  status: StatementStatus;
}

/** What was said on a channel before (an alert of the outbox). */
export interface Spoken {
  id: string;
  kind: AlertKind;
  channel: string;
  seq: number;
  /** For ties of legacy alerts without seq. */
  raisedAt?: string;
  key: string;
  statement: StatementKey | null;
  endDate: string | null;
  filingType: AlertRecord['filingType'];
  submitDate: string | null;
  excess: Decimal | null;
  shortfall: Decimal | null;
  previousExcess: Decimal | null;
  previousDate: string | null;
}

export interface DayInput {
  effective: EffectiveDay;
  /** Per statement: the previous filing day's statement, null when there is no filing (or no such statement) that day. */
  previous: Partial<Record<StatementKey, PreviousStatement | null>>;
  /** The day's outbox (every alert of the firm's day). */
  outbox: readonly AlertRecord[];
  /** The firm's effective days of the day's window (day-alerts.ts windowDays), for the recent-days channels; absent: those channels say nothing. */
  recent?: readonly DayFigures[];
}

/** A word a channel calls for. */
export interface Word {
  kind: StatementAlertKind;
  figures: StatementFigures;
}

/**
 * A per-statement channel. `word` returns the word the day's filings call for, null for nothing
 * to say, undefined when it cannot tell (figures in doubt: keep the last word).
 */
export interface DayChannel {
  family: string;
  kinds: readonly AlertKind[];
  /** Depends on the previous filing day (re-evaluated when that day's effective figures change). */
  dayToDay: boolean;
  /** Say `resolved` when the word goes away. */
  clearable: boolean;
  word(
    statement: StatementKey,
    now: StatementSummary,
    previous: PreviousStatement | null | undefined,
  ): Word | null | undefined;
}

/** Statuses whose figures are in doubt (the statement does not reconcile). */
const DOUBTFUL: ReadonlySet<string> = new Set(['error', 'unreconciled']);

export const SHORTFALL: DayChannel = {
  family: 'shortfall',
  kinds: ['deficiency', 'below-target'],
  dayToDay: false,
  clearable: true,
  word(statement, now) {
    if (DOUBTFUL.has(now.status)) return undefined;
    if ((now.status !== 'deficiency' && now.status !== 'below-target') || now.excess === null) return null;
    // As the reconciler computes it: target - excess (no target on the form: 0 - excess).
    const shortfall = (now.target ?? ZERO).minus(now.excess);
    return {
      kind: now.status,
      figures: { statement, excess: now.excess, target: now.target, targetSource: now.targetSource, shortfall },
    };
  },
};

export const DROP: DayChannel = {
  family: 'drop',
  kinds: ['excess-drop'],
  dayToDay: true,
  clearable: true,
  word(statement, now, previous) {
    if (DOUBTFUL.has(now.status)) return undefined;
    if (previous === undefined) return undefined;
    if (previous === null) return null;
    if (DOUBTFUL.has(previous.status)) return undefined;
    if (now.excess === null || previous.excess === null) return null;
    if (!isExcessDrop(now.excess, previous.excess)) return null;
    return {
      kind: 'excess-drop',
      figures: {
        statement,
        excess: now.excess,
        target: now.target,
        targetSource: now.targetSource,
        shortfall: previous.excess.minus(now.excess),
        previousExcess: previous.excess,
        previousDate: previous.endDate,
      },
    };
  },
};

/** Every per-statement channel, in the order their alerts are put. */
export const DAY_CHANNELS: DayChannel[] = [SHORTFALL, DROP];

/** The channels decided from the firm's recent days (day-alerts.ts), after DAY_CHANNELS. */
export const RECENT_CHANNELS = [
  { family: 'target', kind: 'target-changed' },
  { family: 'trend', kind: 'trend-to-target' },
] as const satisfies readonly { family: string; kind: AlertKind }[];

/** The day's figures as day-alerts.ts reads them. */
export function dayFiguresOf(
  endDate: string,
  statements: Partial<Record<StatementKey, Pick<StatementSummary, 'excess' | 'target' | 'status'> | undefined>>,
): DayFigures {
  const out: DayFigures['statements'] = {};
  for (const k of STATEMENT_KEYS) {
    const st = statements[k];
    if (st) out[k] = { excess: st.excess, target: st.target, status: st.status };
  }
  return { endDate, statements: out };
}

export const channelId = (family: string, statement: StatementKey) => `${family}:${statement}`;

/** The recent-days words the day calls for, per channel: the alert (id and channel still to set), null for none; absent: no opinion. */
function recentWords(
  v: VersionRef,
  statements: StatementsSummary,
  recent: readonly DayFigures[],
): Map<string, AlertRecord | null> {
  const found = dayAlerts(v, dayFiguresOf(v.endDate, statements), recent);
  const out = new Map<string, AlertRecord | null>();
  for (const ch of RECENT_CHANNELS)
    for (const statement of STATEMENT_KEYS) {
      const now = statements[statement];
      if (!now || DOUBTFUL.has(now.status)) continue;
      out.set(
        channelId(ch.family, statement),
        found.find((a) => a.kind === ch.kind && a.statement === statement) ?? null,
      );
    }
  return out;
}

/** The channel a (possibly legacy, pre-channel) alert was said on, or undefined for one-off alerts. */
export function channelOf(a: Pick<AlertRecord, 'kind' | 'statement' | 'channel' | 'resolves'>): string | undefined {
  if (a.channel) return a.channel;
  if (!a.statement) return undefined;
  const kind = a.kind === 'resolved' ? (a.resolves ?? 'deficiency') : a.kind;
  const ch = DAY_CHANNELS.find((c) => c.kinds.includes(kind));
  return ch ? channelId(ch.family, a.statement) : undefined;
}

const s = (d: Decimal | null | undefined) => (d === null || d === undefined ? '' : str(d));

/** A word's identity on its channel: kind and figures (not the version: the same figures again say nothing new). */
export function wordKey(
  kind: AlertKind,
  f: Pick<StatementFigures, 'excess' | 'target' | 'shortfall' | 'previousExcess' | 'previousDate'> &
    Partial<Pick<AlertRecord, 'previousTarget' | 'slope' | 'projectedExcess' | 'filingDaysToTarget'>>,
): string {
  if (kind === 'resolved') return 'resolved';
  if (kind === 'excess-drop') return `${kind}|${s(f.excess)}|${s(f.previousExcess)}|${f.previousDate ?? ''}`;
  if (kind === 'target-changed') return `${kind}|${s(f.previousTarget)}|${s(f.target)}|${f.previousDate ?? ''}`;
  if (kind === 'trend-to-target')
    return `${kind}|${s(f.excess)}|${s(f.target)}|${s(f.slope)}|${s(f.projectedExcess)}|${f.filingDaysToTarget ?? ''}`;
  return `${kind}|${s(f.excess)}|${s(f.target)}|${s(f.shortfall)}`;
}

/** The outbox as words said, per channel (legacy alerts without seq come first, by time raised). */
export function spokenOf(outbox: readonly (AlertRecord & { raisedAt?: string })[]): Map<string, Spoken[]> {
  const out = new Map<string, Spoken[]>();
  for (const a of outbox) {
    const channel = channelOf(a);
    if (!channel) continue;
    const list = out.get(channel) ?? [];
    list.push({
      id: a.id,
      kind: a.kind,
      channel,
      seq: a.seq ?? 0,
      raisedAt: a.raisedAt,
      key: wordKey(a.kind, a),
      statement: a.statement,
      endDate: a.endDate,
      filingType: a.filingType,
      submitDate: a.submitDate,
      excess: a.excess,
      shortfall: a.shortfall,
      previousExcess: a.previousExcess,
      previousDate: a.previousDate,
    });
    out.set(channel, list);
  }
  for (const list of out.values())
    list.sort(
      (x, y) => x.seq - y.seq || (x.raisedAt ?? '').localeCompare(y.raisedAt ?? '') || x.id.localeCompare(y.id),
    );
  return out;
}

/** The last word said on a channel (undefined: nothing yet). */
export function lastWord(spoken: Map<string, Spoken[]>, channel: string): Spoken | undefined {
  const list = spoken.get(channel);
  return list?.[list.length - 1];
}

/** The id of a channel word: firm, day, channel, seq and the word. */
export function wordId(v: Pick<VersionRef, 'firmId' | 'endDate'>, channel: string, seq: number, key: string): string {
  return alertId('word', v.firmId, v.endDate, channel, String(seq), key);
}

/**
 * The alerts to put for the day, in order: the effective version's reconciliation-errors alert
 * (once per version), then each channel's new word. Same inputs, same alerts, same ids.
 */
export function planDay(input: DayInput): AlertRecord[] {
  const { effective } = input;
  const v = effective.ref;
  const out: AlertRecord[] = [];
  const errors = errorsAlert(v, effective.findings, effective.errorCount, effective.statements);
  if (errors && !input.outbox.some((a) => a.id === errors.id)) out.push(errors);
  const spoken = spokenOf(input.outbox);
  for (const channel of DAY_CHANNELS) {
    for (const statement of STATEMENT_KEYS) {
      const id = channelId(channel.family, statement);
      const last = lastWord(spoken, id);
      const now = effective.statements[statement];
      // A statement the effective filing does not have: nothing can be said from it (the
      // missing-statement finding raises the reconciliation-errors alert).
      const want = now ? channel.word(statement, now, input.previous[statement]) : undefined;
      if (want === undefined) continue;
      const seq = (last?.seq ?? 0) + 1;
      if (want === null) {
        if (!last || last.kind === 'resolved' || !channel.clearable) continue;
        out.push(
          resolvedAlert(
            v,
            last,
            wordId(v, id, seq, 'resolved'),
            now ? { excess: now.excess, target: now.target, targetSource: now.targetSource } : undefined,
            { channel: id, seq },
          ),
        );
        continue;
      }
      const key = wordKey(want.kind, want.figures);
      if (last && last.kind !== 'resolved' && last.key === key) continue;
      out.push(statementAlert(v, want.kind, want.figures, wordId(v, id, seq, key), { channel: id, seq }));
    }
  }
  if (input.recent) {
    for (const [id, want] of recentWords(v, effective.statements, input.recent)) {
      const last = lastWord(spoken, id);
      const seq = (last?.seq ?? 0) + 1;
      const now = want?.statement ? effective.statements[want.statement] : undefined;
      if (want === null) {
        if (!last || last.kind === 'resolved') continue;
        const st = effective.statements[last.statement!];
        out.push(
          resolvedAlert(
            v,
            last,
            wordId(v, id, seq, 'resolved'),
            st ? { excess: st.excess, target: st.target, targetSource: st.targetSource } : undefined,
            { channel: id, seq },
          ),
        );
        continue;
      }
      const key = wordKey(want.kind, want);
      if (last && last.kind !== 'resolved' && last.key === key) continue;
      out.push({ ...want, targetSource: now?.targetSource ?? null, id: wordId(v, id, seq, key), channel: id, seq });
    }
  }
  return out;
}

/** The words the effective filings call for, per channel (what the last words must be once all is said): for tests and the read side. */
export function wantedWords(input: Omit<DayInput, 'outbox'>): Map<string, { kind: AlertKind; key: string } | null> {
  const out = new Map<string, { kind: AlertKind; key: string } | null>();
  for (const channel of DAY_CHANNELS)
    for (const statement of STATEMENT_KEYS) {
      const now = input.effective.statements[statement];
      const want = now ? channel.word(statement, now, input.previous[statement]) : undefined;
      if (want === undefined) continue;
      out.set(
        channelId(channel.family, statement),
        want ? { kind: want.kind, key: wordKey(want.kind, want.figures) } : null,
      );
    }
  return out;
}

/**
 * The figures a later day's evaluation reads from this one (each statement's excess, target and
 * status: the excess drop reads the excess, the recent-days channels the target too): when they
 * change, the later days that read them are evaluated again. A hash of them (16 hex digits).
 */
export function basisOf(
  endDate: string,
  statements: Partial<Record<StatementKey, Pick<StatementSummary, 'excess' | 'status'> & { target?: Decimal | null }>>,
): string {
  const parts = STATEMENT_KEYS.map((k) => {
    const st = statements[k];
    return st ? `${k}=${s(st.excess)}/${s(st.target)}/${st.status}` : `${k}=-`;
  });
  return createHash('sha256')
    .update(`${endDate};${parts.join(';')}`)
    .digest('hex')
    .slice(0, 16);
}
