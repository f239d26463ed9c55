/**
 * reconcile's role, as a list (shared/permissions.ts): what its code calls, and its event source.
 * test/infra/permissions.test.ts holds the synthesized role to exactly this, and this to the code
 * (the Store methods reachable from functions/reconcile/index.ts).
 */
import { definePermissions } from '../../shared/permissions';

export const PERMISSIONS = definePermissions({
  function: 'reconcile',
  calls: {
    // getHeads (BatchGetItem: the previous and next filing days' heads, and those of the recent-days window
    // and of the later days that read it); getResult (GetItem); readDay, listAlerts
    // (Query); putResult, putAlert, putFirm, putRecheck (PutItem); markSuperseded, markEffective, putHead (UpdateItem).
    table: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    // previousHead: whether the firm has an earlier effective filing (the registry).
    indexes: { gsi1: ['dynamodb:Query'] },
  },
  source: 'table-stream',
  onFailure: 'stream-failure-queue',
});
