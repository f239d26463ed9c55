/**
 * schedule's role, as a list (shared/permissions.ts): what its code calls. No event source on the
 * role (EventBridge Scheduler invokes it with a role of its own, infra/schedule.ts), and no SNS:
 * notify publishes what it puts in the outbox. test/infra/permissions.test.ts holds the
 * synthesized role to exactly this, and this to the code (the Store methods reachable from
 * functions/schedule/index.ts).
 */
import { definePermissions } from '../../shared/permissions';

export const PERMISSIONS = definePermissions({
  function: 'schedule',
  calls: {
    // putAlert (the missing-filing alerts), putAlertUnder (the daily digest): conditional PutItem into the outbox.
    table: ['dynamodb:PutItem'],
    // firmsOnDay: every firm's effective filing on each day of the window.
    indexes: { gsi2: ['dynamodb:Query'] },
  },
});
