/**
 * The api function's role, as a list (shared/permissions.ts): read the table (Query on the table and
 * the indexes the read queries use, shared/read/store-source.ts READ_SOURCE_ACTIONS; no GetItem is
 * needed, no Scan, no write) and read filing objects under
 * incoming/ (the presigned links to the originals are signed with this role). HTTP API in front,
 * so no event source on the role. test/infra/permissions.test.ts holds the synthesized role to
 * exactly this, and this to the code.
 */
import { definePermissions } from '../../shared/permissions';

export const PERMISSIONS = definePermissions({
  function: 'api',
  calls: {
    table: ['dynamodb:Query'],
    indexes: { gsi1: ['dynamodb:Query'], gsi2: ['dynamodb:Query'] },
    objects: { 'incoming/*': ['s3:GetObject'] },
  },
});
