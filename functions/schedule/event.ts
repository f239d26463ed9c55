/** The input EventBridge Scheduler is configured to send (infra/schedule.ts): the scheduled time, as ISO-8601. */
import * as z from '../../shared/zod';

export const ScheduleEventSchema = z.object({ scheduledTime: z.iso.datetime({ offset: true }) });
