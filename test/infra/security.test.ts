/**
 * Security of SegwatchStack: least privilege per function read from the synthesized template,
 * wildcards only where acknowledged, cdk-nag AwsSolutions clean, TLS and public access, and no
 * account id or email address in source-generated templates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { INCOMING_PREFIX } from '../../shared/table';
import { acknowledgements } from '../../infra/stack';
import { list, logicalId, refersTo, resourcesOfType, roleStatements, removeScratch, synth, type Statement, type Synth } from './support';

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
const DYNAMO_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
/** A table resource: the table, its indexes (table/index/...), or its stream. */
const isTableResource = (r: unknown) => refersTo(r, ids.table);

describe('least privilege, read from the synthesized policies', () => {
  it('the functions have no AWS managed policies and no inline wildcard admin', () => {
    for (const role of Object.values(roles)) {
      expect(s.json.Resources[role]!.Properties?.ManagedPolicyArns, role).toBeUndefined();
      expect(allows(role).length, role).toBeGreaterThan(0);
    }
  });

  it('parse may read only incoming/* objects of the filings bucket, nothing else in S3', () => {
    const s3 = forService(roles.parse, 's3');
    expect(s3).toHaveLength(1);
    expect(actions(s3[0]!).sort()).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    expect(resources(s3[0]!)).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, `/${INCOMING_PREFIX}*`]] }]);
  });

  it('parse writes only the table, consumes only the ingest queue, and has no SNS or KMS', () => {
    for (const st of allows(roles.parse)) {
      if (actions(st).some((a) => DYNAMO_WRITES.includes(a))) {
        for (const r of resources(st)) expect(isTableResource(r), JSON.stringify(r)).toBe(true);
      }
      if (actions(st).some((a) => a.startsWith('sqs:'))) {
        expect(resources(st)).toEqual([{ 'Fn::GetAtt': [ids.queue, 'Arn'] }]);
        expect(actions(st)).not.toContain('sqs:SendMessage');
      }
    }
    expect(forService(roles.parse, 'sns')).toEqual([]);
    expect(forService(roles.parse, 'kms')).toEqual([]);
    expect(forService(roles.parse, 'dynamodb').length).toBeGreaterThan(0);
  });

  it('reconcile reaches only the table (and its stream), plus sending failures to the stream-failure queue', () => {
    expect(forService(roles.reconcile, 's3')).toEqual([]);
    expect(forService(roles.reconcile, 'sns')).toEqual([]);
    expect(forService(roles.reconcile, 'kms')).toEqual([]);
    for (const st of forService(roles.reconcile, 'dynamodb')) {
      for (const r of resources(st)) {
        if (r === '*') expect(actions(st)).toEqual(['dynamodb:ListStreams']);
        else expect(isTableResource(r), JSON.stringify(r)).toBe(true);
      }
    }
    for (const st of forService(roles.reconcile, 'sqs')) {
      expect(resources(st)).toEqual([{ 'Fn::GetAtt': [ids.streamFailures, 'Arn'] }]);
    }
  });

  it('notify publishes only to the alert topic (with its key) and reads/writes only the table', () => {
    const sns = forService(roles.notify, 'sns');
    expect(sns).toHaveLength(1);
    expect(actions(sns[0]!)).toEqual(['sns:Publish']);
    expect(resources(sns[0]!)).toEqual([{ Ref: ids.topic }]);
    const kms = forService(roles.notify, 'kms');
    expect(kms).toHaveLength(1);
    expect(actions(kms[0]!).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(resources(kms[0]!)).toEqual([{ 'Fn::GetAtt': [ids.key, 'Arn'] }]);
    expect(forService(roles.notify, 's3')).toEqual([]);
    for (const st of forService(roles.notify, 'dynamodb')) {
      for (const r of resources(st)) {
        if (r === '*') expect(actions(st)).toEqual(['dynamodb:ListStreams']);
        else expect(isTableResource(r), JSON.stringify(r)).toBe(true);
      }
    }
    expect(forService(roles.notify, 'dynamodb').some((st) => actions(st).includes('dynamodb:UpdateItem'))).toBe(true);
  });

  it("each function may write logs only to its own log group", () => {
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
    for (const [id, r] of [...resourcesOfType(s.json, 'AWS::IAM::Policy'), ...resourcesOfType(s.json, 'AWS::IAM::Role')]) {
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
        const fn = [s.stack.parseFn, s.stack.reconcileFn, s.stack.notifyFn].find((f) => logicalId(s.stack, f.role!) === role);
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
        (st) => st.Effect === 'Deny' && JSON.stringify(st.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
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

  it('the only Allow statements in resource policies name AWS service principals, each with a source condition', () => {
    for (const type of ['AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy']) {
      for (const [id, p] of resourcesOfType(s.json, type)) {
        for (const st of list<Statement>(p.Properties!.PolicyDocument.Statement)) {
          if (st.Effect !== 'Allow') continue;
          expect(Object.keys(st.Principal as object), id).toEqual(['Service']);
          expect(JSON.stringify(st.Condition), id).toMatch(/aws:SourceArn/);
        }
      }
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged findings', () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.stack);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
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
      const hit = raw.find((v) => v.ruleName === id && v.violatingResources.some((r) => (r.constructPath ?? "").startsWith(path)));
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
    withEmail.template.hasResource('AWS::SNS::Subscription', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
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
