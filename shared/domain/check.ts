/**
 * One file, start to finish, with no I/O: bytes in, the parsed filing, its findings and alerts
 * out, or the reason it is not a filing. The CLI, the parse function and the tests share it.
 */
import { rule } from './rules';
import { FilingError, parseFiling, type ParserOptions } from './parser';
import { filingToJson, type Filing, type FilingJson } from './model';
import { reconcile, type Alert, type Finding, type Reconciliation } from './reconcile';
import { str } from './money';

export interface Analysis {
  filing: Filing;
  reconciliation: Reconciliation;
}

export type AnalysisOutcome =
  | { ok: true; analysis: Analysis }
  | { ok: false; error: { code: string; message: string } };

/** Parse (any format: PDF, text, HTML) and reconcile one file's bytes. */
export async function analyze(
  bytes: Uint8Array,
  options: ParserOptions & { maxBytes?: number } = {},
): Promise<AnalysisOutcome> {
  try {
    const { filing, unreadable, notes } = await parseFiling(bytes, options);
    return {
      ok: true,
      analysis: { filing, reconciliation: reconcile(filing, { forms: options.forms, unreadable, notes }) },
    };
  } catch (e) {
    if (e instanceof FilingError) return { ok: false, error: { code: e.code, message: e.message } };
    throw e;
  }
}

export interface AlertJson {
  statement: string;
  kind: Alert['kind'];
  excess: string;
  target: string | null;
  /** Where the target comes from: the statement's own target line, or the Cover Page. */
  targetSource: Alert['targetSource'];
  shortfall: string;
}

export function alertToJson(a: Alert): AlertJson {
  return {
    statement: a.statement,
    kind: a.kind,
    excess: str(a.excess),
    target: a.target === null ? null : str(a.target),
    targetSource: a.targetSource,
    shortfall: str(a.shortfall),
  };
}

export interface CheckJson {
  file: string;
  filing: FilingJson | null;
  findings: Finding[];
  alerts: AlertJson[];
  error: { code: string; message: string } | null;
}

export function checkJson(file: string, outcome: AnalysisOutcome): CheckJson {
  if (!outcome.ok) return { file, filing: null, findings: [], alerts: [], error: outcome.error };
  const { filing, reconciliation } = outcome.analysis;
  return {
    file,
    filing: filingToJson(filing),
    findings: reconciliation.findings,
    alerts: reconciliation.alerts.map(alertToJson),
    error: null,
  };
}

/** Anything the pipeline would alert on from this filing alone: a shortfall, an error finding, a late filing (SW130). */
export function hasProblems(r: Reconciliation): boolean {
  return r.alerts.length > 0 || r.findings.some((f) => f.severity === 'error' || f.ruleId === rule('late-filing').id);
}
