/**
 * The api function's role, as a list (shared/permissions.ts): read the table (GetItem and Query on
 * the table and the indexes the read queries use; no Scan, no write) and read filing objects under
 * incoming/ (the presigned links to the originals are signed with this role). HTTP API in front,
 * so no event source on the role. test/infra/permissions.test.ts holds the synthesized role to
 * exactly this, and this to the code.
 */
import { definePermissions } from '../../shared/permissions';

export const PERMISSIONS = definePermissions({
  function: 'api',
  calls: {
    table: ['dynamodb:GetItem', 'dynamodb:Query'],
    indexes: { gsi1: ['dynamodb:Query'], gsi2: ['dynamodb:Query'] },
    objects: { 'incoming/*': ['s3:GetObject'] },
  },
});
