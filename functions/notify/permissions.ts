/**
 * notify's role, as a list (shared/permissions.ts): what its code calls, and its event source.
 * test/infra/permissions.test.ts holds the synthesized role to exactly this, and this to the code
 * (the Store methods and SDK commands reachable from functions/notify/index.ts).
 */
import { definePermissions } from '../../shared/permissions';

export const PERMISSIONS = definePermissions({
  function: 'notify',
  calls: {
    // getAlert, getResult (GetItem); listAlertsOf (Query: a later word of the channel sent already?);
    // markAlertSent, markAlertSuppressed (UpdateItem).
    table: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    // SnsPublisher.publish.
    topic: ['sns:Publish'],
  },
  source: 'table-stream',
  onFailure: 'stream-failure-queue',
});
