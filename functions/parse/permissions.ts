/**
 * parse's role, as a list (shared/permissions.ts): what its code calls, and its event source.
 * test/infra/permissions.test.ts holds the synthesized role to exactly this, and this to the code
 * (the Store methods and SDK commands reachable from functions/parse/index.ts).
 */
import { definePermissions } from '../../shared/permissions';

export const PERMISSIONS = definePermissions({
  function: 'parse',
  calls: {
    // getObjectRecord, getVersion (GetItem); putObjectRecord, putVersion, putAlert, putDeadLetterReason (PutItem);
    // lowerArrival (UpdateItem: a copy of a stored filing that arrived earlier).
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    // S3ObjectSource.read: the object an event names, by version when the event has one (the bucket is versioned).
    objects: { 'incoming/*': ['s3:GetObject', 's3:GetObjectVersion'] },
  },
  source: 'ingest-queue',
});
