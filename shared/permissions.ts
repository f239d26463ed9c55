/**
 * Least privilege, as data. Each function keeps a list of what its code calls beside it
 * (`functions/<name>/permissions.ts`); `roleGrants` expands that list into the exact IAM grants
 * its role gets (the KMS key use that goes with each call, and what Lambda itself does for the
 * function's event source). infra/grants.ts turns the grants into policy statements; the tests
 * in test/infra/permissions.test.ts hold the synthesized template to the list (nothing more,
 * nothing less) and the list to the code (every Store method and SDK command the function's
 * modules use, see shared/adapters/store-actions.ts). No AWS imports: plain data.
 */

/** DynamoDB data actions a function may be given. */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:ConditionCheckItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:Scan';

/**
 * Actions no role gets unless some code truly needs them (and says why, in FORBIDDEN_ALLOWED):
 * deleting or bulk-writing records that 17 CFR 1.31 says must be kept, or reading the whole table.
 */
export const FORBIDDEN_ACTIONS = ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:Scan'] as const;

/** Exceptions to FORBIDDEN_ACTIONS: `<function> <action>` -> the code reason. None today. */
export const FORBIDDEN_ALLOWED: Readonly<Record<string, string>> = {};

/** Object actions on the filings bucket. */
export type ObjectAction = 's3:GetObject' | 's3:GetObjectVersion' | 's3:PutObject';

export type TopicAction = 'sns:Publish';

/** How Lambda feeds a function: its poller's permissions are on the function's role. */
export type EventSource =
  /** The S3 event queue (SQS event source mapping). */
  | 'ingest-queue'
  /** The table's stream (DynamoDB stream event source mapping). */
  | 'table-stream';

/** What a function's code calls, and how Lambda runs it. */
export interface FunctionPermissions {
  /** The function's short name (SegwatchFunction `name`, the folder under functions/). */
  readonly function: string;
  /** Calls the code makes (held to the code by the permissions test). */
  readonly calls: {
    /** DynamoDB actions on the table itself (items by primary key, queries of the base table). */
    readonly table?: readonly TableAction[];
    /** DynamoDB actions on named global secondary indexes (in practice only Query). */
    readonly indexes?: Readonly<Record<string, readonly TableAction[]>>;
    /** Actions on objects of the filings bucket whose keys match the pattern (e.g. `incoming/*`). */
    readonly objects?: Readonly<Record<string, readonly ObjectAction[]>>;
    /** Actions on the alert topic. */
    readonly topic?: readonly TopicAction[];
  };
  /** The event source Lambda polls for the function, if any (a schedule or an HTTP front needs none on the role). */
  readonly source?: EventSource;
  /** Where Lambda puts the stream records it gave up on (a stream source only). */
  readonly onFailure?: 'stream-failure-queue';
}

/** Check a list's shape at the definition site (and keep its literal types). */
export function definePermissions<const P extends FunctionPermissions>(p: P): P {
  if (p.onFailure && p.source !== 'table-stream')
    throw new Error(`${p.function}: onFailure needs source 'table-stream'`);
  return p;
}

/**
 * What a grant is on, by name (infra/grants.ts maps each to the resource's ARN):
 * the table, one index, its stream; filings-bucket objects by key pattern; a queue; the topic;
 * the CloudFormation stack itself; one of the stack's KMS keys; or `*` (actions that have no
 * resource-level permissions).
 */
export type ResourceName =
  | 'table'
  | `table/index/${string}`
  | 'table/stream'
  | `objects/${string}`
  | 'queue/ingest'
  | 'queue/ingest-dlq'
  | 'queue/stream-failures'
  | 'topic/alerts'
  | 'stack'
  | KeyName
  | '*';

/** The stack's customer-managed KMS keys (infra/stack.ts). */
export type KeyName = 'key/table' | 'key/queues' | 'key/filings' | 'key/alerts';

/** The AWS service through which a KMS key may be used (kms:ViaService `<service>.<region>.amazonaws.com`). */
export type ViaService = 'dynamodb' | 'sqs' | 's3' | 'sns';

export interface Grant {
  readonly resource: ResourceName;
  readonly actions: readonly string[];
  /** KMS grants only: usable only in requests that reach KMS through this service. */
  readonly viaService?: ViaService;
}

/** What Lambda's poller calls for each event source (AWS Lambda Developer Guide, execution role permissions). */
export const EVENT_SOURCE_ACTIONS = {
  'ingest-queue': ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
  /** ListStreams has no resource-level permissions: it is granted on `*`. */
  'table-stream': ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
  'table-stream-unscoped': ['dynamodb:ListStreams'],
  'stream-failure-queue': ['sqs:SendMessage'],
} as const;

/**
 * The KMS actions each use of an encrypted resource needs, in the caller's own authorization:
 *  - DynamoDB (table, index or stream, read or write) decrypts the table key with the caller's
 *    credentials when it first serves that caller (and every 5 minutes after): kms:Decrypt;
 *  - reading an SSE-KMS object (with an S3 Bucket Key): kms:Decrypt; writing one: kms:GenerateDataKey;
 *  - receiving from an SSE-KMS queue: kms:Decrypt; sending to one: kms:GenerateDataKey and kms:Decrypt;
 *  - publishing to an SSE-KMS topic: kms:GenerateDataKey and kms:Decrypt.
 */
export const KMS_FOR = {
  tableUse: ['kms:Decrypt'],
  objectRead: ['kms:Decrypt'],
  objectWrite: ['kms:GenerateDataKey'],
  queueReceive: ['kms:Decrypt'],
  queueSend: ['kms:GenerateDataKey', 'kms:Decrypt'],
  topicPublish: ['kms:GenerateDataKey', 'kms:Decrypt'],
} as const;

/**
 * Every grant a function's role gets from its list, merged per resource and sorted: the calls,
 * the KMS key use each implies (conditioned on the service it goes through), and the event
 * source's. Logs are not here: SegwatchFunction lets each function write only its own log group.
 */
export function roleGrants(p: FunctionPermissions): Grant[] {
  const out = new Map<string, { resource: ResourceName; actions: Set<string>; viaService?: ViaService }>();
  const add = (resource: ResourceName, actions: readonly string[], viaService?: ViaService) => {
    if (actions.length === 0) return;
    const k = `${resource} ${viaService ?? ''}`;
    const g = out.get(k) ?? { resource, actions: new Set<string>(), viaService };
    for (const a of actions) g.actions.add(a);
    out.set(k, g);
  };
  const c = p.calls;
  add('table', c.table ?? []);
  for (const [index, actions] of Object.entries(c.indexes ?? {})) add(`table/index/${index}`, actions);
  const usesTable = (c.table?.length ?? 0) > 0 || Object.values(c.indexes ?? {}).some((a) => a.length > 0);
  if (usesTable) add('key/table', KMS_FOR.tableUse, 'dynamodb');
  for (const [pattern, actions] of Object.entries(c.objects ?? {})) {
    add(`objects/${pattern}`, actions);
    if (actions.some((a) => a !== 's3:PutObject')) add('key/filings', KMS_FOR.objectRead, 's3');
    if (actions.includes('s3:PutObject')) add('key/filings', KMS_FOR.objectWrite, 's3');
  }
  if (c.topic?.length) {
    add('topic/alerts', c.topic);
    add('key/alerts', KMS_FOR.topicPublish, 'sns');
  }
  if (p.source === 'ingest-queue') {
    add('queue/ingest', EVENT_SOURCE_ACTIONS['ingest-queue']);
    add('key/queues', KMS_FOR.queueReceive, 'sqs');
  }
  if (p.source === 'table-stream') {
    add('table/stream', EVENT_SOURCE_ACTIONS['table-stream']);
    add('*', EVENT_SOURCE_ACTIONS['table-stream-unscoped']);
    add('key/table', KMS_FOR.tableUse, 'dynamodb');
  }
  if (p.onFailure === 'stream-failure-queue') {
    add('queue/stream-failures', EVENT_SOURCE_ACTIONS['stream-failure-queue']);
    add('key/queues', KMS_FOR.queueSend, 'sqs');
  }
  return [...out.values()]
    .map((g) => ({
      resource: g.resource,
      actions: [...g.actions].sort(),
      ...(g.viaService ? { viaService: g.viaService } : {}),
    }))
    .sort((a, b) =>
      a.resource < b.resource
        ? -1
        : a.resource > b.resource
          ? 1
          : (a.viaService ?? '').localeCompare(b.viaService ?? ''),
    );
}

/** `resource action` pairs (with `via:<service>` for KMS), the form the tests compare. */
export function grantPairs(grants: readonly Grant[]): string[] {
  return grants
    .flatMap((g) => g.actions.map((a) => `${g.resource} ${a}${g.viaService ? ` via:${g.viaService}` : ''}`))
    .sort();
}

/**
 * What a person running `segwatch redrive --stack` / `--stream-failures --stack` needs (the stack's
 * RedriveOperatorPolicy, a managed policy to attach to whoever is on call): read the stack's
 * outputs; for the stream failures, receive, hand back and delete failure records, read the
 * stream range, read the table and set items back to pending (shared/pipeline/stream-redrive.ts,
 * held to its code by test/infra/permissions.test.ts); for the ingest dead letters, move them
 * back (StartMessageMoveTask, or --manual: receive, send, delete).
 */
export const REDRIVE_OPERATOR_GRANTS: readonly Grant[] = [
  { resource: 'stack', actions: ['cloudformation:DescribeStacks'] },
  {
    resource: 'queue/stream-failures',
    actions: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage'],
  },
  { resource: 'table/stream', actions: ['dynamodb:GetRecords', 'dynamodb:GetShardIterator'] },
  { resource: 'table', actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'] },
  { resource: 'table/index/gsi2', actions: ['dynamodb:Query'] },
  { resource: 'key/table', actions: ['kms:Decrypt'], viaService: 'dynamodb' },
  // StartMessageMoveTask reads and deletes from the dead-letter queue and sends to the ingest queue as the caller.
  {
    resource: 'queue/ingest-dlq',
    actions: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage', 'sqs:StartMessageMoveTask'],
  },
  { resource: 'queue/ingest', actions: ['sqs:GetQueueAttributes', 'sqs:SendMessage'] },
  { resource: 'key/queues', actions: [...KMS_FOR.queueSend], viaService: 'sqs' },
];
