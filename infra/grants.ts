/**
 * Grants exactly a permission list (shared/permissions.ts), and nothing CDK would add on its own:
 * `table.grantReadWriteData` gives DeleteItem, BatchWriteItem and Scan; `SqsEventSource` and
 * `SqsDlq` give ChangeMessageVisibility, GetQueueUrl and kms:Encrypt/ReEncrypt*; so no construct
 * here calls them. Every KMS statement names one key and is conditioned on kms:ViaService, so a
 * role can use a key only through the service the data lives in.
 *
 * For other constructs (infra/schedule.ts, infra/api.ts):
 *   grantPermissions(fn, PERMISSIONS, stack.resources)        the whole list of functions/<name>/permissions.ts
 *   grantTableActions(fn, stack.resources, { table: [...], indexes: { gsi1: [...] } })
 *   grantObjectActions(fn, stack.resources, 'incoming/*', ['s3:GetObject'])
 *   grantTopicPublish(fn, stack.resources)
 */
import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  roleGrants,
  type FunctionPermissions,
  type Grant,
  type ObjectAction,
  type ResourceName,
  type TableAction,
  type ViaService,
} from '../shared/permissions';

/** What the stack's functions can be granted, and the keys that protect it. */
export interface SegwatchResources {
  readonly table: dynamodb.ITable;
  readonly tableKey: kms.IKey;
  readonly bucket: s3.IBucket;
  readonly filingsKey: kms.IKey;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly streamFailureQueue: sqs.IQueue;
  readonly queueKey: kms.IKey;
  readonly topic: sns.ITopic;
  readonly topicKey: kms.IKey;
}

/** The ARN (a token) a resource name stands for. */
export function resourceArn(r: SegwatchResources, name: ResourceName): string {
  if (name === '*') return '*';
  if (name === 'table') return r.table.tableArn;
  if (name === 'table/stream') {
    if (!r.table.tableStreamArn) throw new Error('the table has no stream');
    return r.table.tableStreamArn;
  }
  if (name.startsWith('table/index/')) return `${r.table.tableArn}/index/${name.slice('table/index/'.length)}`;
  if (name.startsWith('objects/')) return r.bucket.arnForObjects(name.slice('objects/'.length));
  switch (name) {
    case 'queue/ingest':
      return r.queue.queueArn;
    case 'queue/ingest-dlq':
      return r.deadLetterQueue.queueArn;
    case 'stack':
      return Stack.of(r.table).stackId;
    case 'queue/stream-failures':
      return r.streamFailureQueue.queueArn;
    case 'topic/alerts':
      return r.topic.topicArn;
    case 'key/table':
      return r.tableKey.keyArn;
    case 'key/queues':
      return r.queueKey.keyArn;
    case 'key/filings':
      return r.filingsKey.keyArn;
    case 'key/alerts':
      return r.topicKey.keyArn;
  }
  throw new Error(`unknown resource name ${name}`);
}

/** `kms:ViaService` for a service in the stack's region. */
export function viaServiceCondition(scope: Stack, service: ViaService): Record<string, Record<string, string>> {
  return { StringEquals: { 'kms:ViaService': `${service}.${scope.region}.amazonaws.com` } };
}

const sidOf = (g: Grant) =>
  g.resource === '*'
    ? 'ActionsWithoutResourceLevelPermissions'
    : g.resource
        .split(/[^A-Za-z0-9]+/)
        .filter(Boolean)
        .map((w) => w[0]!.toUpperCase() + w.slice(1))
        .join('') + (g.viaService ? `Via${g.viaService[0]!.toUpperCase()}${g.viaService.slice(1)}` : '');

/** Sids given per principal (a Sid must be unique within a policy). */
const sidsGiven = new WeakMap<iam.IPrincipal, Set<string>>();
function uniqueSid(principal: iam.IPrincipal, sid: string): string {
  const given = sidsGiven.get(principal) ?? new Set<string>();
  sidsGiven.set(principal, given);
  let out = sid;
  for (let n = 2; given.has(out); n++) out = `${sid}${n}`;
  given.add(out);
  return out;
}

/** The policy statements of these grants, one per resource (sids made unique with `sidFor`). */
export function policyStatements(
  r: SegwatchResources,
  grants: readonly Grant[],
  sidFor: (sid: string) => string = (x) => x,
): iam.PolicyStatement[] {
  const stack = Stack.of(r.table);
  return grants.map(
    (g) =>
      new iam.PolicyStatement({
        sid: sidFor(sidOf(g)),
        actions: [...g.actions],
        resources: [resourceArn(r, g.resource)],
        ...(g.viaService ? { conditions: viaServiceCondition(stack, g.viaService) } : {}),
      }),
  );
}

/** Add exactly these grants to the grantee's policy: one statement per resource. */
export function grant(grantee: iam.IGrantable, r: SegwatchResources, grants: readonly Grant[]): void {
  for (const st of policyStatements(r, grants, (sid) => uniqueSid(grantee.grantPrincipal, sid)))
    grantee.grantPrincipal.addToPrincipalPolicy(st);
}

/** A function's whole list: its calls, the key use they need, its event source's. */
export function grantPermissions(grantee: iam.IGrantable, p: FunctionPermissions, r: SegwatchResources): void {
  grant(grantee, r, roleGrants(p));
}

/** Exactly these actions on the table and on the named indexes, and kms:Decrypt on the table key via DynamoDB. */
export function grantTableActions(
  grantee: iam.IGrantable,
  r: SegwatchResources,
  access: { table?: readonly TableAction[]; indexes?: Readonly<Record<string, readonly TableAction[]>> },
): void {
  grant(grantee, r, roleGrants({ function: '-', calls: access }));
}

/** Exactly these actions on the filings-bucket objects matching `pattern`, and the filings key use they need via S3. */
export function grantObjectActions(
  grantee: iam.IGrantable,
  r: SegwatchResources,
  pattern: string,
  actions: readonly ObjectAction[],
): void {
  grant(grantee, r, roleGrants({ function: '-', calls: { objects: { [pattern]: actions } } }));
}

/** sns:Publish on the alert topic, and the topic key use it needs via SNS. */
export function grantTopicPublish(grantee: iam.IGrantable, r: SegwatchResources): void {
  grant(grantee, r, roleGrants({ function: '-', calls: { topic: ['sns:Publish'] } }));
}
