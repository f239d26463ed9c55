/**
 * Security of SegwatchStack, read from the synthesized template: wildcards only where
 * acknowledged; customer-managed keys (rotated, retained) on the table, the queues, the filings and
 * the topic, key and resource policies that admit a service only for this account's source;
 * Object Lock; every function's logs kept; cdk-nag AwsSolutions clean; TLS and public access; no
 * account id or email address in the template. (Each function's exact actions: permissions.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgements } from '../../infra/stack';
import {
  list,
  logicalId,
  resourcesOfType,
  roleStatements,
  removeScratch,
  synth,
  type Statement,
  type Synth,
} from './support';

let s: Synth;
let ids: Record<'bucket' | 'queue' | 'streamFailures' | 'table' | 'topic' | 'key', string>;
let roles: Record<'parse' | 'reconcile' | 'notify', string>;
let logGroups: Record<'parse' | 'reconcile' | 'notify', string>;

afterAll(removeScratch);

beforeAll(() => {
  s = synth();
  const { stack } = s;
  ids = {
    bucket: logicalId(stack, stack.bucket),
    queue: logicalId(stack, stack.queue),
    streamFailures: logicalId(stack, stack.streamFailureQueue),
    table: logicalId(stack, stack.table),
    topic: logicalId(stack, stack.topic),
    key: logicalId(stack, stack.topicKey),
  };
  roles = {
    parse: logicalId(stack, stack.parseFn.role!),
    reconcile: logicalId(stack, stack.reconcileFn.role!),
    notify: logicalId(stack, stack.notifyFn.role!),
  };
  logGroups = {
    parse: logicalId(stack, stack.parseFn.logGroupRef),
    reconcile: logicalId(stack, stack.reconcileFn.logGroupRef),
    notify: logicalId(stack, stack.notifyFn.logGroupRef),
  };
});

const actions = (st: Statement) => list(st.Action);
const resources = (st: Statement) => list(st.Resource);
const allows = (role: string) => roleStatements(s.json, role).filter((st) => st.Effect === 'Allow');
/** Statements granting any action of `service` (e.g. 's3'). */
const forService = (role: string, service: string) =>
  allows(role).filter((st) => actions(st).some((a) => a.startsWith(`${service}:`)));

// Each function's exact actions are held to its list and its code in permissions.test.ts.
describe('least privilege, read from the synthesized policies', () => {
  it('the functions have no AWS managed policies and no inline wildcard admin', () => {
    for (const role of Object.values(roles)) {
      expect(s.json.Resources[role]!.Properties?.ManagedPolicyArns, role).toBeUndefined();
      expect(allows(role).length, role).toBeGreaterThan(0);
    }
  });

  it('each function may write logs only to its own log group', () => {
    for (const [name, role] of Object.entries(roles)) {
      const logs = forService(role, 'logs');
      expect(logs.length, name).toBeGreaterThan(0);
      for (const st of logs) {
        expect(actions(st).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
        expect(resources(st)).toEqual([{ 'Fn::GetAtt': [logGroups[name as keyof typeof logGroups], 'Arn'] }]);
      }
    }
  });

  it('no IAM statement anywhere allows Action "*" or "service:*"', () => {
    for (const [id, r] of [
      ...resourcesOfType(s.json, 'AWS::IAM::Policy'),
      ...resourcesOfType(s.json, 'AWS::IAM::Role'),
    ]) {
      const docs = [r.Properties?.PolicyDocument, ...list<any>(r.Properties?.Policies).map((p) => p.PolicyDocument)];
      for (const doc of docs.filter(Boolean)) {
        for (const st of list<Statement>(doc.Statement)) {
          if (st.Effect !== 'Allow') continue;
          for (const a of actions(st)) expect(a === '*' || /:\*$/.test(a), `${id}: ${a}`).toBe(false);
        }
      }
    }
  });

  it('Resource "*" appears only for dynamodb:ListStreams, and that is acknowledged with a reason', () => {
    const acked = acknowledgements(s.stack);
    let starStatements = 0;
    for (const [id, r] of resourcesOfType(s.json, 'AWS::IAM::Policy')) {
      for (const st of list<Statement>(r.Properties?.PolicyDocument?.Statement)) {
        if (st.Effect !== 'Allow' || !resources(st).includes('*')) continue;
        starStatements++;
        expect(actions(st), id).toEqual(['dynamodb:ListStreams']);
        const role = (r.Properties!.Roles as { Ref: string }[])[0]!.Ref;
        const fn = [s.stack.parseFn, s.stack.reconcileFn, s.stack.notifyFn].find(
          (f) => logicalId(s.stack, f.role!) === role,
        );
        expect(fn, id).toBeDefined();
        const path = fn!.role!.node.path;
        const ack = acked.find(([p, rule]) => p === path && rule === 'AwsSolutions-IAM5[Resource::*]');
        expect(ack?.[2], `${id}: Resource * needs an acknowledgement`).toMatch(/ListStreams/);
      }
    }
    expect(starStatements).toBe(2); // reconcile and notify, the two stream consumers
  });
});

describe('transport and exposure', () => {
  it('every bucket blocks public access and denies non-TLS requests on bucket and objects', () => {
    const buckets = resourcesOfType(s.json, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    for (const [id, b] of buckets) {
      expect(b.Properties?.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties?.AccessControl, id).toBeUndefined();
      const policy = resourcesOfType(s.json, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties?.Bucket?.Ref === id);
      expect(policy, id).toBeDefined();
      const deny = list<Statement>(policy![1].Properties!.PolicyDocument.Statement).find(
        (st) =>
          st.Effect === 'Deny' &&
          JSON.stringify(st.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
      );
      expect(deny, id).toBeDefined();
      expect(deny!.Action).toBe('s3:*');
      expect(resources(deny!)).toEqual([
        { 'Fn::GetAtt': [id, 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/*']] },
      ]);
      // No bucket policy statement allows anyone ("*") in.
      for (const st of list<Statement>(policy![1].Properties!.PolicyDocument.Statement)) {
        if (st.Effect === 'Allow') expect(JSON.stringify(st.Principal), id).not.toMatch(/"\*"/);
      }
    }
  });

  it('every resource policy that admits a service principal conditions it on this account and the source ARN (queues, topic, buckets, keys)', () => {
    const { problems, servicePrincipals } = servicePrincipalProblems(s.json);
    expect(problems).toEqual([]);
    // S3 -> ingest queue (queue policy and key policy), log delivery -> logs bucket, alarms -> topic (topic and key policy).
    expect(servicePrincipals).toBe(5);
  });

  it('the check fails a service principal admitted without its source conditions', () => {
    const wrong = synth({
      mutate: (stack) => {
        stack.streamFailureQueue.addToResourcePolicy(
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
            actions: ['sqs:SendMessage'],
            resources: [stack.streamFailureQueue.queueArn],
          }),
        );
        stack.queueKey.addToResourcePolicy(
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
            actions: ['kms:Decrypt'],
            resources: ['*'],
            conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
          }),
        );
      },
    });
    expect(servicePrincipalProblems(wrong.json).problems).toEqual([
      expect.stringMatching(/StreamFailureQueuePolicy.*: no aws:SourceAccount/),
      expect.stringMatching(/StreamFailureQueuePolicy.*: no aws:SourceArn/),
      expect.stringMatching(/QueueKey.*: no aws:SourceArn/),
    ]);
  });
});

/** Statements of resource policies (buckets, queues, topics, keys) that admit a service without aws:SourceAccount and aws:SourceArn. */
function servicePrincipalProblems(json: typeof s.json): { problems: string[]; servicePrincipals: number } {
  const problems: string[] = [];
  let servicePrincipals = 0;
  for (const type of ['AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy', 'AWS::KMS::Key']) {
    for (const [id, p] of resourcesOfType(json, type)) {
      const doc = type === 'AWS::KMS::Key' ? p.Properties!.KeyPolicy : p.Properties!.PolicyDocument;
      for (const st of list<Statement>(doc.Statement)) {
        if (st.Effect !== 'Allow') continue;
        if (type === 'AWS::KMS::Key' && isAccountRootStatement(st)) continue;
        const where = `${id} ${st.Sid ?? ''}`.trim();
        if (JSON.stringify(Object.keys(st.Principal as object)) !== JSON.stringify(['Service'])) {
          problems.push(`${where}: admits ${JSON.stringify(st.Principal)}, not an AWS service`);
          continue;
        }
        servicePrincipals++;
        const c = (st.Condition ?? {}) as Record<string, Record<string, unknown>>;
        if (JSON.stringify(c.StringEquals?.['aws:SourceAccount']) !== JSON.stringify({ Ref: 'AWS::AccountId' }))
          problems.push(`${where}: no aws:SourceAccount = this account`);
        const sourceArn = c.ArnLike?.['aws:SourceArn'] ?? c.ArnEquals?.['aws:SourceArn'];
        // The source is one of this stack's resources, or this account's alarms: never a bare wildcard.
        if (!sourceArn || !/Fn::GetAtt|AWS::AccountId/.test(JSON.stringify(sourceArn)))
          problems.push(`${where}: no aws:SourceArn naming this stack's source`);
      }
    }
  }
  return { problems, servicePrincipals };
}

describe('service principals elsewhere (for the functions other constructs add)', () => {
  it('every Lambda permission for a service names the source account and the source ARN', () => {
    for (const [id, p] of resourcesOfType(s.json, 'AWS::Lambda::Permission')) {
      if (!String(p.Properties?.Principal ?? '').endsWith('.amazonaws.com')) continue;
      expect(p.Properties?.SourceAccount, `${id}: SourceAccount`).toEqual({ Ref: 'AWS::AccountId' });
      expect(p.Properties?.SourceArn, `${id}: SourceArn`).toBeDefined();
    }
  });

  it('every role a service other than Lambda may assume conditions its trust on this account', () => {
    for (const [id, r] of resourcesOfType(s.json, 'AWS::IAM::Role')) {
      for (const st of list<Statement>(r.Properties?.AssumeRolePolicyDocument?.Statement)) {
        const services = list<string>((st.Principal as { Service?: string | string[] } | undefined)?.Service);
        if (st.Effect !== 'Allow' || services.length === 0 || services.every((x) => x === 'lambda.amazonaws.com'))
          continue;
        expect(
          JSON.stringify(st.Condition ?? {}),
          `${id}: ${services.join(', ')} may assume it from any account`,
        ).toMatch(/aws:SourceAccount/);
      }
    }
  });
});

/** The key-policy statement that lets the account's IAM policies govern the key (CDK's default). */
function isAccountRootStatement(st: Statement): boolean {
  return (
    st.Action === 'kms:*' &&
    JSON.stringify(st.Principal) ===
      JSON.stringify({
        AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] },
      }) &&
    st.Condition === undefined
  );
}

describe('keys the account controls', () => {
  const keyIds = () => ({
    table: logicalId(s.stack, s.stack.tableKey),
    queues: logicalId(s.stack, s.stack.queueKey),
    filings: logicalId(s.stack, s.stack.filingsKey),
    topic: logicalId(s.stack, s.stack.topicKey),
  });
  const keyArn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

  it('four customer-managed keys, each rotated yearly, retained, with a 30-day deletion window', () => {
    const keys = resourcesOfType(s.json, 'AWS::KMS::Key');
    expect(keys.map(([id]) => id).sort()).toEqual(Object.values(keyIds()).sort());
    for (const [id, k] of keys) {
      expect(k.Properties?.EnableKeyRotation, id).toBe(true);
      expect(k.Properties?.PendingWindowInDays, id).toBe(30);
      expect(k.DeletionPolicy, id).toBe('Retain');
      expect(k.UpdateReplacePolicy, id).toBe('Retain');
      expect(k.Properties?.KeySpec ?? 'SYMMETRIC_DEFAULT', id).toBe('SYMMETRIC_DEFAULT');
    }
  });

  it('the table (and so its indexes, stream and backups) is encrypted with the table key', () => {
    const t = s.json.Resources[logicalId(s.stack, s.stack.table)]!.Properties!;
    expect(t.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn(keyIds().table) });
  });

  it('the three queues are encrypted with the queue key', () => {
    for (const q of [s.stack.queue, s.stack.deadLetterQueue, s.stack.streamFailureQueue]) {
      const p = s.json.Resources[logicalId(s.stack, q)]!.Properties!;
      expect(p.KmsMasterKeyId, q.node.id).toEqual(keyArn(keyIds().queues));
      expect(p.SqsManagedSseEnabled, q.node.id).toBeUndefined();
    }
  });

  it('the filings bucket is SSE-KMS with the filings key and an S3 Bucket Key', () => {
    const enc = s.json.Resources[ids.bucket]!.Properties!.BucketEncryption.ServerSideEncryptionConfiguration;
    expect(enc).toEqual([
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn(keyIds().filings) },
      },
    ]);
  });

  it('the access-logs bucket stays SSE-S3: S3 server access logging delivers only to SSE-S3 buckets', () => {
    const enc =
      s.json.Resources[logicalId(s.stack, s.stack.accessLogsBucket)]!.Properties!.BucketEncryption
        .ServerSideEncryptionConfiguration;
    expect(enc).toEqual([{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }]);
  });

  it('the alert topic is encrypted with its own key', () => {
    expect(s.json.Resources[ids.topic]!.Properties?.KmsMasterKeyId).toEqual(keyArn(keyIds().topic));
  });

  it('each key policy: the account root (IAM governs use), plus only the service use the design needs', () => {
    const policy = (id: string) => list<Statement>(s.json.Resources[id]!.Properties!.KeyPolicy.Statement);
    const services = (id: string) =>
      policy(id)
        .filter((st) => !isAccountRootStatement(st))
        .map((st) => `${(st.Principal as { Service: string }).Service} ${list(st.Action).sort().join(',')}`);
    const k = keyIds();
    for (const id of Object.values(k)) expect(policy(id).filter(isAccountRootStatement), id).toHaveLength(1);
    expect(services(k.table)).toEqual([]);
    expect(services(k.filings)).toEqual([]);
    // S3 encrypts the events it sends into the ingest queue (and S3's destination check decrypts).
    expect(services(k.queues)).toEqual(['s3.amazonaws.com kms:Decrypt,kms:GenerateDataKey']);
    // CloudWatch alarms publish to the encrypted topic.
    expect(services(k.topic)).toEqual(['cloudwatch.amazonaws.com kms:Decrypt,kms:GenerateDataKey*']);
    const s3Statement = policy(k.queues).find((st) => !isAccountRootStatement(st))!;
    expect((s3Statement.Condition as any).ArnLike['aws:SourceArn']).toEqual({ 'Fn::GetAtt': [ids.bucket, 'Arn'] });
  });

  it('S3 may send only to the ingest queue, only as this bucket of this account, and only SendMessage', () => {
    const queuePolicies = resourcesOfType(s.json, 'AWS::SQS::QueuePolicy');
    const s3Allows = queuePolicies.flatMap(([, p]) =>
      list<Statement>(p.Properties!.PolicyDocument.Statement)
        .filter((st) => st.Effect === 'Allow')
        .map((st) => ({ queues: p.Properties!.Queues, st })),
    );
    expect(s3Allows).toHaveLength(1);
    expect(s3Allows[0]!.queues).toEqual([{ Ref: ids.queue }]);
    expect(s3Allows[0]!.st).toMatchObject({
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [ids.bucket, 'Arn'] } },
      },
    });
  });

  it("the bucket notification waits for the queue's policy and the queue key (S3 validates the destination when it is set)", () => {
    const [, n] = resourcesOfType(s.json, 'Custom::S3BucketNotifications')[0]!;
    const deps = list<string>((n as { DependsOn?: string[] }).DependsOn);
    const queuePolicy = resourcesOfType(s.json, 'AWS::SQS::QueuePolicy').find(
      ([, p]) => JSON.stringify(p.Properties?.Queues) === JSON.stringify([{ Ref: ids.queue }]),
    )![0];
    expect(deps).toEqual(expect.arrayContaining([queuePolicy, keyIds().queues]));
  });
});

describe('filings locked against deletion', () => {
  it('Object Lock, governance mode, default retention 1,827 days (5 years), on a versioned bucket', () => {
    const b = s.json.Resources[ids.bucket]!.Properties!;
    expect(b.ObjectLockEnabled).toBe(true);
    expect(b.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1827 } },
    });
    expect(b.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('lifecycle rules agree with the lock: current versions never expire, a noncurrent one no sooner than its lock ends', () => {
    const rules = list<any>(s.json.Resources[ids.bucket]!.Properties!.LifecycleConfiguration.Rules);
    const lockDays = s.json.Resources[ids.bucket]!.Properties!.ObjectLockConfiguration.Rule.DefaultRetention
      .Days as number;
    for (const r of rules) {
      expect(r.ExpirationInDays, r.Id).toBeUndefined();
      expect(r.ExpirationDate, r.Id).toBeUndefined();
      // A version's lock runs from its creation; it becomes noncurrent no sooner, so this many days after that its lock is over.
      if (r.NoncurrentVersionExpiration)
        expect(r.NoncurrentVersionExpiration.NoncurrentDays, r.Id).toBeGreaterThanOrEqual(lockDays);
    }
  });

  it('no function role may delete objects, change retention or bypass governance', () => {
    for (const [id, st] of resourcesOfType(s.json, 'AWS::IAM::Policy').flatMap(([pid, r]) =>
      list<Statement>(r.Properties?.PolicyDocument?.Statement).map((x) => [pid, x] as const),
    )) {
      for (const a of list(st.Action))
        expect(a, id).not.toMatch(
          /^s3:(Delete|PutObjectRetention|PutObjectLegalHold|BypassGovernanceRetention|PutBucketObjectLockConfiguration|PutLifecycleConfiguration|\*)/,
        );
    }
  });
});

describe("every function's logs are kept", () => {
  it('every Lambda in the template (the bucket-notifications handler too) logs to its own retained log group, kept one year', () => {
    const fns = resourcesOfType(s.json, 'AWS::Lambda::Function');
    // parse, reconcile, notify, api (the dashboard), schedule and the bucket-notifications handler.
    expect(fns.length).toBe(6);
    const groups = new Set<string>();
    for (const [id, f] of fns) {
      const ref = f.Properties?.LoggingConfig?.LogGroup?.Ref as string | undefined;
      expect(ref, `${id} has no log group of its own`).toBeDefined();
      const g = s.json.Resources[ref!]!;
      expect(g.Type, id).toBe('AWS::Logs::LogGroup');
      expect(g.Properties?.RetentionInDays, id).toBe(365);
      expect(g.DeletionPolicy, id).toBe('Retain');
      groups.add(ref!);
    }
    expect(groups.size).toBe(fns.length);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged findings', () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.stack);
    expect(
      report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every acknowledgement names an AwsSolutions rule and gives a real reason', () => {
    const acked = acknowledgements(s.stack);
    expect(acked.length).toBeGreaterThan(0);
    for (const [path, id, reason] of acked) {
      expect(id, path).toMatch(/^AwsSolutions-[A-Z0-9]+(\[.+\])?$/);
      expect(typeof reason, `${path} ${id}`).toBe('string');
      expect(reason.trim().length, `${path} ${id}`).toBeGreaterThanOrEqual(40);
    }
  });

  it('every acknowledgement silences a finding that would otherwise be reported (no stale acknowledgements)', () => {
    const pack = new AwsSolutionsChecks(s.app);
    // Look at the raw findings: pretend nothing is acknowledged.
    (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const raw = pack.validateScope(s.stack).violations;
    expect(raw.length).toBeGreaterThan(0);
    for (const [path, id] of acknowledgements(s.stack)) {
      const hit = raw.find(
        (v) => v.ruleName === id && v.violatingResources.some((r) => (r.constructPath ?? '').startsWith(path)),
      );
      expect(hit, `${id} on ${path} acknowledges nothing`).toBeDefined();
    }
  });
});

describe('no secrets or personal data in the template', () => {
  const ACCOUNT_ID = /(?<![A-Za-z0-9])\d{12}(?![A-Za-z0-9])/;
  const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

  it('contains no 12-digit account id and no email address', () => {
    const text = JSON.stringify(s.json);
    expect(text.match(ACCOUNT_ID)).toBeNull();
    expect(text.match(EMAIL)).toBeNull();
  });

  it('subscribes the email given with -c alertEmail=..., and only that', () => {
    const withEmail = synth({ context: { alertEmail: 'risk-desk@example.com' } });
    withEmail.template.resourceCountIs('AWS::SNS::Subscription', 1);
    withEmail.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'risk-desk@example.com',
      TopicArn: { Ref: logicalId(withEmail.stack, withEmail.stack.topic) },
    });
    // Kept if a later deploy forgets -c alertEmail: nobody is unsubscribed by omission.
    withEmail.template.hasResource('AWS::SNS::Subscription', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(JSON.stringify(withEmail.json).match(ACCOUNT_ID)).toBeNull();
    Annotations.fromStack(withEmail.stack).hasNoWarning('*', Match.stringLikeRegexp('alertEmail'));
    Annotations.fromStack(s.stack).hasWarning('*', Match.stringLikeRegexp('No alertEmail given'));
    // The default synth (beforeAll) has no subscription at all.
    s.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('rejects an alertEmail that is not one address', () => {
    expect(() => synth({ context: { alertEmail: 'a@example.com,b@example.com' } })).toThrow(/alertEmail/);
    expect(() => synth({ context: { alertEmail: 'not an address' } })).toThrow(/alertEmail/);
  });
});
