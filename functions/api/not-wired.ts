/**
 * Stands in for the read queries (shared/read) until they merge: every data page answers 503
 * saying so. Wiring the real queries replaces one line in functions/api/index.ts and one in
 * infra/local/serve.ts.
 */
import type { ReadQueries } from '../../shared/read/types';
import { HttpError } from './app';

export function notWiredQueries(): ReadQueries {
  const notYet = async (): Promise<never> => {
    throw new HttpError(503, 'not-wired', 'the read queries (shared/read) are not wired into the dashboard yet');
  };
  return { history: notYet, board: notYet, alerts: notYet, show: notYet };
}
