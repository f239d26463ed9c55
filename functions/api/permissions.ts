/**
 * What the api function may do, and nothing more: read the table (GetItem and Query, on the table
 * and the indexes the read queries use; no Scan, no write) and read filing objects under
 * incoming/ (the presigned links to the originals are signed with this role). infra/api.ts turns
 * this list into the role's policy; test/infra/api.test.ts holds the template to it.
 */
import { INCOMING_PREFIX, TABLE } from '../../shared/table';

export const API_PERMISSIONS = {
  table: { actions: ['dynamodb:GetItem', 'dynamodb:Query'], indexes: TABLE.indexes.map((i) => i.name) },
  objects: { actions: ['s3:GetObject'], prefix: INCOMING_PREFIX },
} as const;
