/**
 * schedule: EventBridge Scheduler, every weekday at 12:30 New York time, with the input
 * `{ "scheduledTime": "<aws.scheduler.scheduled-time>" }`. On a business day: the missing-filing
 * check and the daily digest into the alert outbox (notify publishes them); on any other day,
 * nothing. The scheduled time, not the clock, is the time checked, so a retry checks the same.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { documentClient } from '../../shared/adapters/clients';
import { Store } from '../../shared/adapters/store';
import { tableName } from '../../shared/config';
import { ScheduleEventSchema } from './event';
import { runScheduledCheck, type ScheduleDeps, type ScheduleOutcome } from '../../shared/pipeline/schedule';

const logger = new Logger({ serviceName: 'segwatch-schedule' });
const deps: ScheduleDeps = { store: new Store(documentClient(), tableName()), now: () => new Date() };

export const handler = async (event: unknown, _context?: Context): Promise<ScheduleOutcome> => {
  const { scheduledTime } = ScheduleEventSchema.parse(event);
  const outcome = await runScheduledCheck(deps, new Date(scheduledTime).toISOString());
  if (outcome.skipped) logger.info('not a business day', { at: outcome.at, reason: outcome.skipped });
  else
    logger.info('scheduled check done', {
      at: outcome.at,
      businessDay: outcome.businessDay,
      window: `${outcome.window[0]}..${outcome.window[outcome.window.length - 1]}`,
      missing: outcome.missing.length,
      newAlerts: outcome.alerts
        .filter((a) => a.created)
        .map((a) => `${a.kind} ${a.firmId ?? ''} ${a.endDate ?? ''}`.trim()),
      digest: outcome.digest?.headline,
    });
  return outcome;
};
