/**
 * The DynamoDB actions each public Store method sends, on the table and on which index. The type
 * makes a new Store method a compile error until it is listed here; test/unit/store-actions.test.ts
 * calls every method against a recording client and holds each entry to the commands it really
 * sends; test/infra/permissions.test.ts maps the Store methods a function's modules call through
 * this to the actions its permission list must hold (functions/<name>/permissions.ts).
 */
import type { TableAction } from '../permissions';
import type { Store } from './store';

/** The names of Store's public methods. */
export type StoreMethod = {
  [K in keyof Store]: Store[K] extends (...args: never[]) => unknown ? K : never;
}[keyof Store];

export interface TableAccess {
  readonly table?: readonly TableAction[];
  readonly indexes?: Readonly<Record<string, readonly TableAction[]>>;
}

export const STORE_ACTIONS = {
  getObjectRecord: { table: ['dynamodb:GetItem'] },
  listObjectRecords: { table: ['dynamodb:Query'] },
  putObjectRecord: { table: ['dynamodb:PutItem'] },
  putVersion: { table: ['dynamodb:PutItem'] },
  versionItem: {},
  versionItemSize: {},
  getVersion: { table: ['dynamodb:GetItem'] },
  listVersions: { table: ['dynamodb:Query'] },
  listVersionMeta: { table: ['dynamodb:Query'] },
  readDay: { table: ['dynamodb:Query'] },
  listVersionKeys: { table: ['dynamodb:Query'] },
  lowerArrival: { table: ['dynamodb:UpdateItem'] },
  markSuperseded: { table: ['dynamodb:UpdateItem'] },
  markEffective: { table: ['dynamodb:UpdateItem'] },
  fitResult: {},
  putResult: { table: ['dynamodb:PutItem'] },
  getResult: { table: ['dynamodb:GetItem'] },
  getHead: { table: ['dynamodb:GetItem'] },
  getHeads: { table: ['dynamodb:BatchGetItem'] },
  putHead: { table: ['dynamodb:UpdateItem'] },
  advanceHead: { table: ['dynamodb:UpdateItem'] },
  putRecheck: { table: ['dynamodb:PutItem'] },
  previousHead: { indexes: { gsi1: ['dynamodb:Query'] } },
  firmHistory: { indexes: { gsi1: ['dynamodb:Query'] } },
  firmsOnDay: { indexes: { gsi2: ['dynamodb:Query'] } },
  putFirm: { table: ['dynamodb:PutItem'] },
  listFirms: { table: ['dynamodb:Query'] },
  putDeadLetterReason: { table: ['dynamodb:PutItem'] },
  putAlert: { table: ['dynamodb:PutItem'] },
  getAlert: { table: ['dynamodb:GetItem'] },
  listAlerts: { table: ['dynamodb:Query'] },
  listAlertsOf: { table: ['dynamodb:Query'] },
  listObjectAlerts: { table: ['dynamodb:Query'] },
  alertsByDay: { indexes: { gsi2: ['dynamodb:Query'] } },
  markAlertSent: { table: ['dynamodb:UpdateItem'] },
  markAlertSuppressed: { table: ['dynamodb:UpdateItem'] },
  touchAlert: { table: ['dynamodb:UpdateItem'] },
  touchVersion: { table: ['dynamodb:UpdateItem'] },
  putAlertUnder: { table: ['dynamodb:PutItem'] },
} as const satisfies Record<StoreMethod, TableAccess>;

/** The AWS action an SDK command class sends (DynamoDB document and low-level clients, S3, SNS, SQS, Streams). */
export const COMMAND_ACTIONS: Readonly<Record<string, string>> = {
  GetCommand: 'dynamodb:GetItem',
  GetItemCommand: 'dynamodb:GetItem',
  BatchGetCommand: 'dynamodb:BatchGetItem',
  BatchGetItemCommand: 'dynamodb:BatchGetItem',
  QueryCommand: 'dynamodb:Query',
  PutCommand: 'dynamodb:PutItem',
  PutItemCommand: 'dynamodb:PutItem',
  UpdateCommand: 'dynamodb:UpdateItem',
  UpdateItemCommand: 'dynamodb:UpdateItem',
  DeleteCommand: 'dynamodb:DeleteItem',
  DeleteItemCommand: 'dynamodb:DeleteItem',
  BatchWriteCommand: 'dynamodb:BatchWriteItem',
  BatchWriteItemCommand: 'dynamodb:BatchWriteItem',
  ScanCommand: 'dynamodb:Scan',
  GetObjectCommand: 's3:GetObject',
  HeadObjectCommand: 's3:GetObject',
  PutObjectCommand: 's3:PutObject',
  PublishCommand: 'sns:Publish',
  GetShardIteratorCommand: 'dynamodb:GetShardIterator',
  GetRecordsCommand: 'dynamodb:GetRecords',
  DescribeStreamCommand: 'dynamodb:DescribeStream',
  ReceiveMessageCommand: 'sqs:ReceiveMessage',
  DeleteMessageCommand: 'sqs:DeleteMessage',
  DeleteMessageBatchCommand: 'sqs:DeleteMessage',
  ChangeMessageVisibilityCommand: 'sqs:ChangeMessageVisibility',
  SendMessageCommand: 'sqs:SendMessage',
  SendMessageBatchCommand: 'sqs:SendMessage',
  GetQueueAttributesCommand: 'sqs:GetQueueAttributes',
  StartMessageMoveTaskCommand: 'sqs:StartMessageMoveTask',
  DescribeStacksCommand: 'cloudformation:DescribeStacks',
};

/** DynamoDB Streams actions (on the stream, not the table). */
export const STREAM_ACTIONS: readonly string[] = [
  'dynamodb:GetShardIterator',
  'dynamodb:GetRecords',
  'dynamodb:DescribeStream',
  'dynamodb:ListStreams',
];
