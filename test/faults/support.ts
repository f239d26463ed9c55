/** Shared by the fault tests: the scenario every fault is injected into, and its invariants. */
import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { expect } from 'vitest';
import { makeFiling } from '../support/filings';
import type { FaultDecision, Request } from '../support/mock-dynamodb';
import { awsError, type World } from '../support/mock-pipeline';

export const FIRM = 'Acme Futures LLC';
export const FIRM_ID = 'acme-futures-llc';
export const DAY = '2014-11-06';

/** An initial with a cleared-swaps deficiency, an amendment that cures it, and a file that is not a filing. */
export const INITIAL_SHORT = makeFiling({ firmName: FIRM, swapsCashCut: 400_000_000n });
export const AMENDMENT_CURED = makeFiling({ firmName: FIRM, filingType: 'AMENDMENT' });
export const JUNK = 'Dear FCM desk,\nplease find attached nothing at all.\n';

export async function runScenario(w: World): Promise<void> {
  const i = w.upload('acme/2014-11-06 initial.txt', INITIAL_SHORT);
  const a = w.upload('acme/2014-11-06 amendment (cured).txt', AMENDMENT_CURED);
  const j = w.upload('notes.txt', JUNK);
  await w.run(i, a, j);
}

/** What must hold after the scenario, whatever failed on the way (independent of any other run). */
export function checkScenario(w: World, opts: { duplicateOf?: string } = {}): void {
  const filings = w.itemsOfType('filing');
  expect(filings).toHaveLength(2);
  const initial = filings.find((f) => f.filingType === 'INITIAL')!;
  const amendment = filings.find((f) => f.filingType === 'AMENDMENT')!;
  expect(initial).toMatchObject({ state: 'done', superseded: true, supersededBy: amendment.versionKey });
  expect(amendment).toMatchObject({ state: 'pending', superseded: false });
  expect(w.itemsOfType('result')).toHaveLength(2);
  const heads = w.itemsOfType('head');
  expect(heads).toHaveLength(1);
  expect(heads[0].effective).toBe(amendment.versionKey);
  expect(
    w
      .itemsOfType('object')
      .map((o) => o.status)
      .sort(),
  ).toEqual(['rejected', 'stored', 'stored']);

  const alerts = w.itemsOfType('alert');
  expect(alerts.map((a) => a.kind).sort()).toEqual(['deficiency', 'rejected', 'resolved']);
  expect(alerts.every((a) => a.state === 'sent')).toBe(true);
  // Every alert published exactly once; the one allowed exception is a duplicate of `duplicateOf`.
  const counts = w.publishCounts();
  expect([...counts.keys()].sort()).toEqual(alerts.map((a) => a.id as string).sort());
  for (const a of alerts)
    expect(counts.get(a.id as string), `publishes of ${a.kind} ${a.id}`).toBe(a.id === opts.duplicateOf ? 2 : 1);
  // The alert names the message id SNS returned for a publish of it.
  for (const a of alerts)
    expect(w.published.some((p) => p.messageId === a.messageId && p.input.Message?.includes(a.id as string))).toBe(
      true,
    );
}

export type FaultKind =
  | 'provisioned-throughput'
  | 'throttling'
  | 'internal-server-error'
  | 'timeout-not-applied'
  | 'timeout-applied';
export const FAULT_KINDS: FaultKind[] = [
  'provisioned-throughput',
  'throttling',
  'internal-server-error',
  'timeout-not-applied',
  'timeout-applied',
];

export function dynamoFault(kind: FaultKind): FaultDecision {
  const meta = { $metadata: { httpStatusCode: 400, attempts: 10 } };
  switch (kind) {
    case 'provisioned-throughput':
      return {
        throwBefore: new ProvisionedThroughputExceededException({
          message: 'The level of configured provisioned throughput for the table was exceeded.',
          ...meta,
        }),
      };
    case 'throttling':
      return {
        throwBefore: new ThrottlingException({
          message: 'Throughput exceeds the current capacity of your table or index.',
          ...meta,
        }),
      };
    case 'internal-server-error':
      return {
        throwBefore: new InternalServerError({
          message: 'Internal server error',
          $metadata: { httpStatusCode: 500, attempts: 3 },
        }),
      };
    case 'timeout-not-applied':
      return { throwBefore: awsError('TimeoutError', 'Connection timed out after 1000 ms', 0) };
    case 'timeout-applied':
      // The request reached DynamoDB and was applied; the response was lost.
      return {
        throwAfter: awsError('TimeoutError', 'Socket timed out without establishing a connection (response lost)', 0),
      };
  }
}

/** Fail the n-th request matching `which`, once. */
export function failOnce(
  which: (r: Request) => boolean,
  n: number,
  kind: FaultKind,
): { hook: (r: Request) => FaultDecision; fired: () => boolean; request: () => Request | undefined } {
  let seen = -1;
  let hit: Request | undefined;
  return {
    hook: (r) => {
      if (!which(r)) return undefined;
      seen++;
      if (seen !== n) return undefined;
      hit = r;
      return dynamoFault(kind);
    },
    fired: () => hit !== undefined,
    request: () => hit,
  };
}

export const isMarkSent = (r: Request) => r.kind === 'update' && r.describe.includes(':sent');
