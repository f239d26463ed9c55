/**
 * The schedule construct (infra/schedule.ts) in the synthesized template: the EventBridge
 * Scheduler schedule (12:30 New York time on weekdays, the scheduled time as input, retries and a
 * dead-letter queue), its own role, the function's role exactly functions/schedule/permissions.ts
 * (test/infra/permissions.test.ts checks every function so; here the list itself), alarms,
 * cdk-nag clean.
 */
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../functions/schedule/permissions';
import type { SegwatchSchedule } from '../../infra/schedule';
import { acknowledgements } from '../../infra/stack';
import { grantPairs, roleGrants } from '../../shared/permissions';
import { ENV } from '../../shared/table';
import { templatePairs } from './permissions-check';
import {
  list,
  logicalId,
  removeScratch,
  roleStatements,
  synth,
  type CfnResource,
  type Statement,
  type Synth,
} from './support';

let s: Synth;
let c: SegwatchSchedule;
let ids: Record<'fn' | 'fnRole' | 'logGroup' | 'schedulerRole' | 'dlq' | 'table' | 'topic' | 'queueKey', string>;
const res = (id: string): CfnResource => s.json.Resources[id]!;
const allows = (role: string) => roleStatements(s.json, role).filter((st) => st.Effect === 'Allow');
const actions = (st: Statement) => list(st.Action);

afterAll(removeScratch);
beforeAll(() => {
  s = synth();
  c = s.stack.node.findChild('Schedule') as SegwatchSchedule;
  ids = {
    fn: logicalId(s.stack, c.fn),
    fnRole: logicalId(s.stack, c.fn.role!),
    logGroup: logicalId(s.stack, c.fn.logGroupRef),
    schedulerRole: logicalId(s.stack, c.schedulerRole),
    dlq: logicalId(s.stack, c.deadLetterQueue),
    table: logicalId(s.stack, s.stack.table),
    topic: logicalId(s.stack, s.stack.topic),
    queueKey: logicalId(s.stack, s.stack.queueKey),
  };
});

describe('the schedule', () => {
  it('runs at 12:30 New York time Monday to Friday, exactly on time, and hands the function its scheduled time', () => {
    const schedules = Object.entries(s.json.Resources).filter(([, r]) => r.Type === 'AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    const p = schedules[0]![1].Properties!;
    expect(p.ScheduleExpression).toBe('cron(30 12 ? * MON-FRI *)');
    expect(p.ScheduleExpressionTimezone).toBe('America/New_York');
    expect(p.State).toBe('ENABLED');
    expect(p.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(JSON.parse(p.Target.Input)).toEqual({ scheduledTime: '<aws.scheduler.scheduled-time>' });
    expect(p.Target.Arn).toEqual({ 'Fn::GetAtt': [ids.fn, 'Arn'] });
    expect(p.Target.RoleArn).toEqual({ 'Fn::GetAtt': [ids.schedulerRole, 'Arn'] });
    expect(p.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 21600 });
    expect(p.Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [ids.dlq, 'Arn'] } });
  });

  it('has a role of its own that EventBridge Scheduler of this account alone may assume, to invoke this function and dead-letter (with the queues key, through SQS), nothing else', () => {
    const role = res(ids.schedulerRole).Properties!;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    const st = allows(ids.schedulerRole);
    expect(st.map((x) => actions(x).sort())).toEqual([
      ['lambda:InvokeFunction'],
      ['sqs:SendMessage'],
      ['kms:Decrypt', 'kms:GenerateDataKey'],
    ]);
    expect(list(st[0]!.Resource)).toEqual([
      { 'Fn::GetAtt': [ids.fn, 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.fn, 'Arn'] }, ':*']] },
    ]);
    expect(st[1]!.Resource).toEqual({ 'Fn::GetAtt': [ids.dlq, 'Arn'] });
    expect(st[2]!.Resource).toEqual({ 'Fn::GetAtt': [ids.queueKey, 'Arn'] });
    expect(st[2]!.Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sqs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
    });
    // Its own: no other schedule or function uses it.
    const users = Object.entries(s.json.Resources).filter(
      ([id, r]) => id !== ids.schedulerRole && JSON.stringify(r).includes(`"${ids.schedulerRole}"`),
    );
    expect(users.map(([, r]) => r.Type).sort()).toEqual(['AWS::IAM::Policy', 'AWS::Scheduler::Schedule']);
  });

  it('undeliverable invocations go to a dead-letter queue encrypted with the queues key, TLS only; failed runs are retried by Lambda and alarmed', () => {
    const cfg = Object.values(s.json.Resources).find(
      (r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && JSON.stringify(r.Properties?.FunctionName).includes(ids.fn),
    )!;
    expect(cfg.Properties).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 });
    expect(res(ids.dlq).Properties).toMatchObject({
      KmsMasterKeyId: { 'Fn::GetAtt': [ids.queueKey, 'Arn'] },
      MessageRetentionPeriod: 14 * 86400,
    });
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', { Queues: [{ Ref: ids.dlq }] });
    const alarms = Object.values(s.json.Resources).filter(
      (r) =>
        r.Type === 'AWS::CloudWatch::Alarm' &&
        JSON.stringify(r.Properties?.Dimensions ?? []).match(new RegExp(`"(${ids.fn}|${ids.dlq})"`)),
    );
    expect(alarms.map((a) => a.Properties!.MetricName).sort()).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'Errors',
    ]);
    for (const a of alarms) expect(a.Properties!.AlarmActions).toEqual([{ Ref: ids.topic }]);
  });
});

describe('the schedule function', () => {
  it('is a SegwatchFunction (nodejs22.x, arm64) with only the table name in its environment: no topic, notify publishes', () => {
    const p = res(ids.fn).Properties!;
    expect(p.Runtime).toBe('nodejs22.x');
    expect(p.Architectures).toEqual(['arm64']);
    expect(p.Timeout).toBe(120);
    expect(p.Environment.Variables).toEqual({
      POWERTOOLS_SERVICE_NAME: 'segwatch-schedule',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      [ENV.table]: { Ref: ids.table },
    });
  });

  it('may do exactly what functions/schedule/permissions.ts lists (PutItem on the table, Query on gsi2, the table key through DynamoDB) and write its logs: no SNS, no S3, no queue', () => {
    expect(res(ids.fnRole).Properties!.ManagedPolicyArns).toBeUndefined();
    expect(PERMISSIONS.calls).toEqual({ table: ['dynamodb:PutItem'], indexes: { gsi2: ['dynamodb:Query'] } });
    const t = templatePairs(s, c.fn);
    expect(t.problems).toEqual([]);
    expect(t.pairs).toEqual(grantPairs(roleGrants(PERMISSIONS)));
    expect(t.pairs).toEqual([
      'key/table kms:Decrypt via:dynamodb',
      'table dynamodb:PutItem',
      'table/index/gsi2 dynamodb:Query',
    ]);
    expect(t.logs.map((x) => [actions(x).sort(), x.Resource])).toEqual([
      [['logs:CreateLogStream', 'logs:PutLogEvents'], { 'Fn::GetAtt': [ids.logGroup, 'Arn'] }],
    ]);
    for (const x of allows(ids.fnRole))
      expect(
        actions(x).some((a) => /^(sns|s3|sqs):|\*/.test(a)),
        JSON.stringify(x),
      ).toBe(false);
  });
});

describe('cdk-nag', () => {
  const underSchedule = (path: string | undefined) => (path ?? '').startsWith('Segwatch/Schedule/');

  it('no unacknowledged finding in the construct', () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.stack);
    expect(
      report.violations
        .filter((v) => v.violatingResources.some((r) => underSchedule(r.constructPath)))
        .map((v) => v.ruleName),
    ).toEqual([]);
  });

  it('every acknowledgement of the construct silences a real finding, with a reason', () => {
    const pack = new AwsSolutionsChecks(s.app);
    (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
    const raw = pack.validateScope(s.stack).violations;
    const mine = acknowledgements(s.stack).filter(([path]) => underSchedule(`${path}/`));
    expect(mine.map(([, id]) => id.replace(/\[.*\]$/, '')).sort()).toEqual([
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-SQS3',
    ]);
    for (const [path, id, reason] of mine) {
      expect(reason.length).toBeGreaterThanOrEqual(40);
      expect(
        raw.find(
          (v) => v.ruleName === id && v.violatingResources.some((r) => (r.constructPath ?? '').startsWith(path)),
        ),
        `${id} on ${path}`,
      ).toBeDefined();
    }
  });
});
