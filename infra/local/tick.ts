/**
 * `segwatch tick [--at ISO-8601] [--json] [--state DIR] [--dynamodb-port N]`: run the scheduled
 * function (functions/schedule, the real handler) against the local state that `segwatch run`
 * keeps, as of a time (default: now), let notify publish what it put in the outbox, and print
 * the missing filings, the alerts (each with whether this invocation published it) and the digest.
 * The state is the table as it is now: a filing stored after --at counts as filed.
 */
import { parseArgs } from 'node:util';
import { LocalPipeline, LocalPipelineError } from './stack';
import type { StoredAlert } from '../../shared/adapters/store';
import { alertSubject } from '../../shared/domain/alerts';
import { newYorkTime, parseAt, TimeError } from '../../shared/domain/schedule/time';
import { CalendarError } from '../../shared/domain/calendar';
import { checkWindow } from '../../shared/domain/schedule/missing';
import type { ScheduleOutcome } from '../../shared/pipeline/schedule';
import type { DigestJson } from '../../shared/domain/schedule/digest';
import type { MissingJson } from '../../shared/domain/schedule/digest';

type Out = NodeJS.WritableStream;

/** An alert as `tick --json` (and `run --json`) print it. */
export interface TickAlertJson {
  id: string;
  kind: string;
  severity: string;
  firmId: string | null;
  firmName: string | null;
  endDate: string | null;
  statement: null;
  excess: string | null;
  target: string | null;
  shortfall: string | null;
  subject: string;
  state: 'pending' | 'sent';
  /** Published by this invocation (false: by an earlier one, or not yet). */
  sentThisRun: boolean;
}

export interface TickJson {
  at: string;
  /** Only when nothing was checked: why (not a business day). */
  skipped?: string;
  missing: MissingJson[];
  alerts: TickAlertJson[];
  digest: (DigestJson & { text: string }) | null;
}

type ScheduleHandler = (event: unknown) => Promise<ScheduleOutcome>;
let loadedFor: string | undefined;
let loaded: ScheduleHandler | undefined;

/** The real handler, loaded after the stack has set the environment (its Store is made at module load). */
async function scheduleHandler(stack: LocalPipeline): Promise<ScheduleHandler> {
  const signature = JSON.stringify([stack.dynamodbEndpoint, stack.tableName]);
  if (loaded && loadedFor !== signature)
    throw new LocalPipelineError(
      'the schedule handler was already loaded for another local stack in this process (its SDK client is created once)',
    );
  if (!loaded) {
    const specifier = '../../functions/schedule/index';
    const mod = (
      typeof require === 'function' && require.extensions && '.ts' in require.extensions
        ? require(specifier)
        : await import(specifier)
    ) as typeof import('../../functions/schedule/index');
    loaded = mod.handler as ScheduleHandler;
    loadedFor = signature;
  }
  return loaded;
}

/** Run the scheduled function on a started local stack as of `at` (an instant), wait for notify, report. */
export async function runTick(stack: LocalPipeline, at: string, timeoutMs = 60_000): Promise<TickJson> {
  const before = new Set(stack.published().map((p) => p.messageId));
  const handler = await scheduleHandler(stack);
  const outcome = await handler({ scheduledTime: at });
  // The stream driver polls: tell it there is work, then wait until notify has sent every alert
  // the outbox holds for this check (or the pipeline has nothing left that could send them).
  stack.streams.noteActivity();
  const deadline = Date.now() + timeoutMs;
  let stored: (StoredAlert | undefined)[] = [];
  for (;;) {
    await stack.waitForIdle(Math.max(1000, deadline - Date.now()));
    stored = await Promise.all(outcome.alerts.map((a) => stack.store.getAlert(a.pk, a.sk)));
    if (stored.every((s) => s?.state === 'sent') || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const now = new Set(
    stack
      .published()
      .map((p) => p.messageId)
      .filter((id) => !before.has(id)),
  );
  const alerts: TickAlertJson[] = [];
  for (const [i, a] of outcome.alerts.entries()) {
    const s = stored[i];
    alerts.push({
      id: a.id,
      kind: a.kind,
      severity: s?.severity ?? a.severity,
      firmId: a.firmId,
      firmName: a.firmName,
      endDate: a.endDate,
      statement: null,
      excess: null,
      target: null,
      shortfall: null,
      subject: s ? alertSubject(s) : a.subject,
      state: s?.state ?? 'pending',
      sentThisRun: !!s?.messageId && now.has(s.messageId),
    });
  }
  return {
    at: outcome.at,
    ...(outcome.skipped ? { skipped: outcome.skipped } : {}),
    missing: outcome.missing,
    alerts,
    digest: outcome.digest,
  };
}

export function renderTick(t: TickJson): string {
  const ny = newYorkTime(t.at);
  const out: string[] = [];
  out.push(`Scheduled check as of ${ny.date} ${ny.time} New York time (${t.at})`);
  if (t.skipped) {
    out.push(`  ${t.skipped}`);
    return out.join('\n');
  }
  const d = t.digest;
  if (d)
    out.push(
      `  window: ${d.window.days} filing days${d.window.from ? `, ${d.window.from} to ${d.window.to}` : ''}; ${d.watchedFirms} firm(s) watched, ${d.filedFirms} filed as of ${d.day ?? '-'}`,
    );
  out.push('');
  out.push(`Missing filings (${t.missing.length})`);
  if (t.missing.length === 0) out.push('  none');
  for (const m of t.missing)
    out.push(
      `  ${m.severity.padEnd(8)} ${m.firmName} (${m.firmId}) as of ${m.endDate}, due ${m.due} noon New York time${m.inARow > 1 ? `, ${m.inARow} filing days in a row` : ''}`,
    );
  out.push('');
  out.push(`Alerts (${t.alerts.length})`);
  for (const a of t.alerts) {
    const state = a.sentThisRun ? 'sent now' : a.state === 'sent' ? 'sent by an earlier run' : 'NOT SENT (pending)';
    out.push(`  ${a.severity.padEnd(8)} ${a.kind.padEnd(15)} ${a.subject}  (${state})`);
  }
  if (d) {
    out.push('');
    out.push('Digest');
    out.push(...d.text.split('\n').map((l) => `  ${l}`.trimEnd()));
  }
  return out.join('\n');
}

const USAGE = 'usage: segwatch tick [--at ISO-8601] [--json] [--state DIR] [--dynamodb-port N]';

export async function tickCommand(args: string[], out: Out, err: Out): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      options: {
        at: { type: 'string' },
        json: { type: 'boolean', default: false },
        state: { type: 'string' },
        'dynamodb-port': { type: 'string' },
      },
    });
  } catch (e) {
    err.write(`segwatch tick: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values } = parsed;
  let at: string;
  try {
    at = values.at === undefined ? new Date().toISOString() : parseAt(values.at);
  } catch (e) {
    if (e instanceof TimeError) {
      err.write(`segwatch tick: --at: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  let port: number | undefined;
  if (values['dynamodb-port'] !== undefined) {
    port = Number(values['dynamodb-port']);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      err.write(
        `segwatch tick: --dynamodb-port must be a port number (1-65535), not ${JSON.stringify(values['dynamodb-port'])}\n`,
      );
      return 2;
    }
  }
  if (!process.env.SEGWATCH_DEBUG) process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const log = (line: string): void => void err.write(`segwatch: ${line}\n`);
  // Not a business day: the function does nothing (it reads nothing); no need to start the stack.
  const window = checkWindow(at);
  if (window.skipped) {
    const t: TickJson = { at, skipped: window.skipped, missing: [], alerts: [], digest: null };
    out.write(values.json ? `${JSON.stringify(t, null, 2)}\n` : `${renderTick(t)}\n`);
    return 0;
  }
  let stack: LocalPipeline | undefined;
  try {
    stack = await LocalPipeline.start({
      stateDir: values.state ?? '.segwatch',
      dynamodbPort: port,
      detachJava: true,
      log,
    });
    // Work left by an earlier run (a queued file, a pending alert) is finished first, so the check sees it.
    await stack.waitForIdle(120_000);
    const t = await runTick(stack, at);
    out.write(values.json ? `${JSON.stringify(t, null, 2)}\n` : `${renderTick(t)}\n`);
    return t.alerts.some((a) => a.state !== 'sent') ? 1 : 0;
  } catch (e) {
    if (e instanceof LocalPipelineError || e instanceof CalendarError) {
      err.write(`segwatch tick: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    await stack?.stop().catch((e: unknown) => log(`while stopping: ${(e as Error).message}`));
  }
}
