/**
 * Calling a handler the way the Lambda runtime does: a Context with a deadline, the function
 * timeout enforced (the invocation fails; the handler's promise is left to finish on its own),
 * errors caught and returned (never thrown to the poller).
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export type Handler<E, R> = (event: E, context: Context) => Promise<R>;

export type InvokeOutcome<R> = { ok: true; result: R; ms: number } | { ok: false; error: Error; ms: number };

export function lambdaContext(functionName: string, timeoutMs: number, region = 'us-east-1'): Context {
  const deadline = Date.now() + timeoutMs;
  const fail = () => {
    throw new Error('callback-style completion is not supported by the local stack');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${process.pid}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}

export async function invoke<E, R>(
  functionName: string,
  handler: Handler<E, R>,
  event: E,
  timeoutMs: number,
): Promise<InvokeOutcome<R>> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${functionName} timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    const result = await Promise.race([
      Promise.resolve().then(() => handler(event, lambdaContext(functionName, timeoutMs))),
      timeout,
    ]);
    return { ok: true, result, ms: Date.now() - started };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e : new Error(String(e)), ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The ids a batch response reports as failed, as Lambda reads them: `undefined` means the whole
 * batch failed (an identifier that is missing, empty or not in the batch fails it all, as Lambda does).
 */
export function failedIdentifiers(response: unknown, batchIds: string[]): Set<string> | undefined {
  if (response === null || response === undefined) return new Set();
  if (typeof response !== 'object') return new Set();
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return undefined;
  const ids = new Set<string>();
  const known = new Set(batchIds);
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown })?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !known.has(id)) return undefined;
    ids.add(id);
  }
  return ids;
}
