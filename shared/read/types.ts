/**
 * The read side's JSON shapes: what `segwatch history|board|alerts|show --json` print and what the
 * dashboard's `/api/*` routes answer (one shape for both). Amounts, ratios and percentages are
 * decimal strings, never JS numbers; null where there is nothing to say (no target, no previous
 * day). Dates are ISO (YYYY-MM-DD); times ISO-8601.
 *
 * The contract between the read model (shared/read, issue "History you can ask") and its users
 * (the CLI, the daily digest, the dashboard).
 */
import type { StatementKey } from '../domain/forms';
import type { FilingJson } from '../domain/model';
import type { Finding } from '../domain/reconcile';

export type DecimalString = string;

/** `unreconciled`: the statement's lines do not add up (or could not be read), so no status is given from its figures. */
export type ReadStatus = 'ok' | 'below-target' | 'deficiency' | 'unreconciled';

export type { TargetSource } from '../domain/reconcile';
import type { TargetSource } from '../domain/reconcile';

/** One statement of one firm on one filing day, from the effective version. */
export interface StatementDay {
  required: DecimalString | null;
  funds: DecimalString | null;
  excess: DecimalString | null;
  /**
   * The excess is not the excess line as filed but funds - required: the statement does not
   * reconcile, and its excess line was unreadable or missing, or higher than funds - required.
   * Always false on a reconciled statement.
   */
  excessRecomputed: boolean;
  target: DecimalString | null;
  targetSource: TargetSource | null;
  /** excess - target (null without a target). Derived values (this, the change, cushion, headroom) are null when the statement is unreconciled. */
  overTarget: DecimalString | null;
  status: ReadStatus;
  /** excess - the excess of the previous filing day of this statement (null when there is none). */
  changeFromPrevious: DecimalString | null;
  /** changeFromPrevious / |previous excess| x 100, rounded away from zero to 2 places, always 2 places ("-12.50"); null when there is no previous day or it was 0. */
  changePct: DecimalString | null;
  /** excess / target, or excess / required when there is no target, floored to 4 places, always 4 places ("1.2500"); null when the divisor is 0 or missing. */
  cushion: DecimalString | null;
  /** min(25% of excess, excess - target), never below 0; 25% of excess with no target. Exact, rounded down to whole cents ("308641.75"). */
  headroom: DecimalString | null;
}

export type StatementsDay = Partial<Record<StatementKey, StatementDay>>;

export interface HistoryDay {
  endDate: string;
  filingType: 'INITIAL' | 'AMENDMENT';
  submitDate: string;
  /** How many versions the firm filed for this day. */
  versions: number;
  late: boolean;
  statements: StatementsDay;
}

/** `segwatch history FIRM --json`, `/api/firms/{id}/history`: oldest first. */
export interface HistoryJson {
  firmId: string;
  firmName: string;
  days: HistoryDay[];
}

export interface BoardFirm {
  firmId: string;
  firmName: string;
  /** false: a watched firm with no filing for this day (missing). */
  filed: boolean;
  late: boolean;
  statements: StatementsDay;
  /** The alerts the table holds for this firm and day (every kind), newest first. Optional in the contract (added by the read side; its queries always fill it). */
  alerts?: AlertRow[];
}

/** `segwatch board [DATE] --json`, `/api/board?date=`: worst first (deficiency, unreconciled, below target, then the smallest cushion). */
export interface BoardJson {
  date: string;
  firms: BoardFirm[];
}

export interface AlertRow {
  id: string;
  kind: string;
  severity: 'critical' | 'warning' | 'info';
  firmId: string | null;
  firmName: string | null;
  endDate: string | null;
  /** null for filing-level kinds (late-filing, missing-filing, rejected, digest). */
  statement: StatementKey | null;
  excess: DecimalString | null;
  target: DecimalString | null;
  shortfall: DecimalString | null;
  subject: string;
  state: 'pending' | 'sent';
  sentAt: string | null;
}

/** `segwatch alerts --json`, `/api/alerts`: newest first. */
export interface AlertsJson {
  alerts: AlertRow[];
}

export interface VersionRow {
  versionKey: string;
  filingType: 'INITIAL' | 'AMENDMENT';
  submitDate: string;
  /** When its object first arrived (the S3 event time). */
  arrivedAt: string;
  source: { bucket: string; key: string };
  effective: boolean;
  /** Why it is or is not effective, in words ("latest submitted amendment", "superseded by ..."). */
  status: string;
}

/** `segwatch show FIRM DATE --json`, `/api/firms/{id}/days/{date}`. `filing` as in `check --json`. */
export interface ShowJson {
  firmId: string;
  firmName: string;
  endDate: string;
  /** The effective version's key. */
  effective: string;
  versions: VersionRow[];
  filing: FilingJson;
  findings: Finding[];
  alerts: AlertRow[];
}

export interface HistoryQuery {
  from?: string;
  to?: string;
  statement?: StatementKey;
}

export interface AlertsQuery {
  from?: string;
  to?: string;
  firm?: string;
  kind?: string;
  severity?: 'critical' | 'warning' | 'info';
}

/**
 * The one query module the CLI, the digest and the dashboard use. Implemented over the table's
 * keys and indexes (no Scan), paginated underneath, whole results on top. `firm` is a firm id or
 * an unambiguous, case-insensitive name prefix; an unknown or ambiguous one is a ReadError.
 */
export interface ReadQueries {
  history(firm: string, q?: HistoryQuery): Promise<HistoryJson>;
  /** Default date: the latest filing day with any filing. */
  board(date?: string): Promise<BoardJson>;
  alerts(q?: AlertsQuery): Promise<AlertsJson>;
  show(firm: string, date: string): Promise<ShowJson>;
}

export type ReadErrorCode = 'unknown-firm' | 'ambiguous-firm' | 'no-filing' | 'bad-date' | 'bad-query';

/** A query that cannot be answered; `message` is one line, fit for a person (the CLI prints it, the API answers 404/400). */
export class ReadError extends Error {
  constructor(
    readonly code: ReadErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReadError';
  }
}
