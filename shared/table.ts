/**
 * The one DynamoDB table: its key schema, indexes, stream and the stream filters, as plain data
 * shared by the CDK stack (infra/stack.ts) and the local stack (infra/local). No AWS imports.
 *
 * Items (pk / sk):
 *   FIRM#<firmId>#DAY#<endDate> / V#<rank>#<submitDate>#<hash>   a filing version (type=filing)
 *   FIRM#<firmId>#DAY#<endDate> / R#<rank>#<submitDate>#<hash>   its reconciliation result (type=result)
 *   FIRM#<firmId>#DAY#<endDate> / HEAD                           the day's effective version + summary (type=head)
 *   FIRM#<firmId>#DAY#<endDate> / RECHECK                        evaluate the day again: its previous filing day changed (type=recheck)
 *   FIRM#<firmId>#DAY#<endDate> / A#<alertId>                    an alert in the outbox (type=alert)
 *   OBJ#<bucket>/<key>          / E#<eTag or versionId>          the record of one S3 object (type=object)
 *   OBJ#<bucket>/<key>          / A#<alertId>                    a rejected-file alert (type=alert)
 *   FIRMS                       / FIRM#<firmId>                  the firm registry (type=firm)
 * Indexes:
 *   gsi1: gsi1pk FIRM#<firmId> / gsi1sk DAY#<endDate>            a firm's history (HEAD items)
 *   gsi2: gsi2pk DAY#<endDate> / gsi2sk FIRM#<firmId>            every firm on a day (HEAD items)
 *         gsi2pk DAY#<date>    / gsi2sk ALERT#<severity>#...     alerts by day and severity
 */

export const TABLE = {
  /** Default physical name for the local stack; the CDK stack lets CloudFormation name it. */
  localName: 'segwatch',
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
  streamView: 'NEW_IMAGE',
} as const;

/**
 * Stream filters, in Lambda's filter-criteria pattern syntax. The local stack applies the same
 * patterns (infra/local) so both run each function for exactly the same records.
 * A new or redriven (state = pending) filing version goes to reconcile (marking it superseded sets
 * state = done, so that update does not), and so does a recheck item (a day whose previous filing
 * day changed); a pending alert to notify.
 */
export const STREAM_FILTERS = {
  reconcile: {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: { NewImage: { type: { S: ['filing', 'recheck'] }, state: { S: ['pending'] } } },
  },
  notify: {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: { NewImage: { type: { S: ['alert'] }, state: { S: ['pending'] } } },
  },
} as const;

/** Environment variables the functions read. */
export const ENV = {
  table: 'TABLE_NAME',
  topic: 'TOPIC_ARN',
  bucket: 'BUCKET_NAME',
  incomingPrefix: 'INCOMING_PREFIX',
  maxBytes: 'MAX_FILING_BYTES',
} as const;

export const INCOMING_PREFIX = 'incoming/';

/** Pipeline tuning shared by the CDK stack and the local stack. */
export const PIPELINE = {
  queueBatchSize: 10,
  queueMaxReceiveCount: 5,
  queueVisibilityTimeoutSeconds: 180,
  streamBatchSize: 25,
  streamMaxRetryAttempts: 8,
  functionTimeoutSeconds: 30,
} as const;
