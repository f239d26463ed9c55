/**
 * SegwatchStack resources, wiring and settings, asserted on the synthesized template (no bundling).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { MAX_FILING_BYTES } from '../../shared/domain/parser';
import { ENV, INCOMING_PREFIX, PIPELINE, STREAM_FILTERS, TABLE } from '../../shared/table';
import { RECORDS_RETENTION_DAYS } from '../../infra/stack';
import type { SegwatchSchedule } from '../../infra/schedule';
import { list, logicalId, resourcesOfType, removeScratch, synth, type CfnResource, type Synth } from './support';

const FIVE_YEARS_DAYS = 5 * 365;

let s: Synth;
let ids: {
  bucket: string;
  logsBucket: string;
  queue: string;
  dlq: string;
  streamFailures: string;
  table: string;
  topic: string;
  key: string;
  parse: string;
  reconcile: string;
  notify: string;
};
const res = (id: string): CfnResource => s.json.Resources[id]!;

afterAll(removeScratch);

beforeAll(() => {
  s = synth();
  const { stack } = s;
  ids = {
    bucket: logicalId(stack, stack.bucket),
    logsBucket: logicalId(stack, stack.accessLogsBucket),
    queue: logicalId(stack, stack.queue),
    dlq: logicalId(stack, stack.deadLetterQueue),
    streamFailures: logicalId(stack, stack.streamFailureQueue),
    table: logicalId(stack, stack.table),
    topic: logicalId(stack, stack.topic),
    key: logicalId(stack, stack.topicKey),
    parse: logicalId(stack, stack.parseFn),
    reconcile: logicalId(stack, stack.reconcileFn),
    notify: logicalId(stack, stack.notifyFn),
  };
});

describe('filings bucket', () => {
  it('blocks all public access, encrypts, versions and is retained', () => {
    const b = res(ids.bucket);
    expect(b.Properties?.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(
      b.Properties?.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault
        ?.SSEAlgorithm,
    ).toMatch(/^(AES256|aws:kms|aws:kms:dsse)$/);
    expect(b.Properties?.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(b.DeletionPolicy).toBe('Retain');
    expect(b.UpdateReplacePolicy).toBe('Retain');
  });

  it('keeps filings at least five years (17 CFR 1.31): no earlier expiration of any version', () => {
    expect(RECORDS_RETENTION_DAYS).toBeGreaterThanOrEqual(FIVE_YEARS_DAYS);
    const rules = list<any>(res(ids.bucket).Properties?.LifecycleConfiguration?.Rules);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.ExpirationDate, rule.Id).toBeUndefined();
      if (rule.ExpirationInDays !== undefined)
        expect(rule.ExpirationInDays, rule.Id).toBeGreaterThanOrEqual(FIVE_YEARS_DAYS);
      if (rule.NoncurrentVersionExpiration !== undefined) {
        expect(rule.NoncurrentVersionExpiration.NoncurrentDays, rule.Id).toBeGreaterThanOrEqual(FIVE_YEARS_DAYS);
      }
      expect(rule.NoncurrentVersionExpirationInDays, rule.Id).toBeUndefined();
      // Transitions only to classes that keep objects immediately readable.
      for (const t of [...list<any>(rule.Transitions), ...list<any>(rule.NoncurrentVersionTransitions)]) {
        expect(['STANDARD_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR']).toContain(t.StorageClass);
      }
    }
    // Noncurrent (replaced or deleted) versions are kept, then expire no sooner than five years.
    expect(rules.some((r) => r.NoncurrentVersionExpiration?.NoncurrentDays === RECORDS_RETENTION_DAYS)).toBe(true);
    expect(rules.some((r) => r.AbortIncompleteMultipartUpload?.DaysAfterInitiation > 0)).toBe(true);
  });

  it('logs server access to a separate, private, TLS-only, retained logs bucket', () => {
    expect(res(ids.bucket).Properties?.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: ids.logsBucket },
      LogFilePrefix: expect.any(String),
    });
    const logs = res(ids.logsBucket);
    expect(logs.Properties?.PublicAccessBlockConfiguration?.RestrictPublicBuckets).toBe(true);
    expect(
      logs.Properties?.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault
        ?.SSEAlgorithm,
    ).toBe('AES256');
    expect(logs.DeletionPolicy).toBe('Retain');
    // S3 log delivery is granted by bucket policy, scoped to the filings bucket as source.
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: ids.logsBucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: Match.objectLike({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [ids.bucket, 'Arn'] } } }),
          }),
        ]),
      },
    });
  });

  it('sends every object-created event under incoming/ (not only PUT) to the ingest queue', () => {
    s.template.resourceCountIs('Custom::S3BucketNotifications', 1);
    s.template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: ids.bucket },
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: INCOMING_PREFIX }] } },
            QueueArn: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
          },
        ],
      },
    });
    // The queue lets S3 send, but only on behalf of this bucket of this account.
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: ids.queue }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: {
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [ids.bucket, 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ]),
      },
    });
  });
});

describe('queues', () => {
  it('ingest queue: encrypted, dead-letters after PIPELINE.queueMaxReceiveCount receives', () => {
    const q = res(ids.queue).Properties!;
    expect(q.SqsManagedSseEnabled === true || q.KmsMasterKeyId !== undefined).toBe(true);
    expect(q.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [ids.dlq, 'Arn'] },
      maxReceiveCount: PIPELINE.queueMaxReceiveCount,
    });
  });

  it('ingest queue visibility timeout is at least 6x the function timeout plus the batching window', () => {
    const esm = resourcesOfType(s.json, 'AWS::Lambda::EventSourceMapping').find(([, r]) =>
      JSON.stringify(r.Properties?.EventSourceArn).includes(ids.queue),
    )![1];
    const timeout = res(ids.parse).Properties!.Timeout as number;
    expect(timeout).toBe(PIPELINE.functionTimeoutSeconds);
    const visibility = res(ids.queue).Properties!.VisibilityTimeout as number;
    expect(visibility).toBeGreaterThanOrEqual(6 * timeout + (esm.Properties!.MaximumBatchingWindowInSeconds ?? 0));
    expect(visibility).toBeGreaterThanOrEqual(PIPELINE.queueVisibilityTimeoutSeconds);
  });

  it('both dead-letter queues are encrypted and keep messages 14 days', () => {
    for (const id of [ids.dlq, ids.streamFailures]) {
      const q = res(id).Properties!;
      expect(q.SqsManagedSseEnabled === true || q.KmsMasterKeyId !== undefined, id).toBe(true);
      expect(q.MessageRetentionPeriod, id).toBe(14 * 24 * 3600);
    }
    // A standard queue's retention counts from the first enqueue: the source must not expire sooner.
    expect(res(ids.queue).Properties!.MessageRetentionPeriod).toBeGreaterThanOrEqual(4 * 24 * 3600);
  });

  it('every queue is encrypted and denies requests without TLS', () => {
    const queues = resourcesOfType(s.json, 'AWS::SQS::Queue');
    const scheduleDlq = logicalId(s.stack, (s.stack.node.findChild('Schedule') as SegwatchSchedule).deadLetterQueue);
    expect(queues.map(([id]) => id).sort()).toEqual([ids.dlq, ids.queue, ids.streamFailures, scheduleDlq].sort());
    for (const [id, q] of queues) {
      expect(q.Properties?.SqsManagedSseEnabled === true || q.Properties?.KmsMasterKeyId !== undefined, id).toBe(true);
      s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });
});

describe('table', () => {
  it('is built from TABLE: keys, both GSIs with ALL projection, NEW_IMAGE stream', () => {
    const t = res(ids.table).Properties!;
    expect(t.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    expect(t.GlobalSecondaryIndexes).toEqual(
      TABLE.indexes.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' },
          { AttributeName: i.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
    expect(t.StreamSpecification).toEqual({ StreamViewType: TABLE.streamView });
    for (const name of [
      TABLE.partitionKey,
      TABLE.sortKey,
      ...TABLE.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
    ]) {
      expect(t.AttributeDefinitions).toContainEqual({ AttributeName: name, AttributeType: 'S' });
    }
  });

  it('is on-demand, has point-in-time recovery and deletion protection, and is retained', () => {
    s.template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    s.template.resourceCountIs('AWS::DynamoDB::Table', 1);
  });
});

describe('alert topic', () => {
  it('is encrypted with a rotating, retained customer managed key', () => {
    expect(res(ids.topic).Properties?.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [ids.key, 'Arn'] });
    expect(res(ids.key).Properties?.EnableKeyRotation).toBe(true);
    expect(res(ids.key).DeletionPolicy).toBe('Retain');
  });

  it('denies publishing without TLS', () => {
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: ids.topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it("lets this account's CloudWatch alarms publish (topic policy and key policy), or alarms would be silent", () => {
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: ids.topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: ids.topic },
            Condition: { ArnLike: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
    const sourceArn = JSON.stringify(
      list<any>(resourcesOfType(s.json, 'AWS::SNS::TopicPolicy')[0]![1].Properties!.PolicyDocument.Statement).find(
        (st) => st.Principal?.Service === 'cloudwatch.amazonaws.com',
      ).Condition.ArnLike['aws:SourceArn'],
    );
    expect(sourceArn).toContain(':cloudwatch:');
    expect(sourceArn).toContain('AWS::AccountId');
    expect(sourceArn).toContain(':alarm:*');
    s.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: Match.arrayWith(['kms:Decrypt', 'kms:GenerateDataKey*']),
          }),
        ]),
      },
    });
  });

  it('has no subscription unless alertEmail is given', () => {
    s.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('functions', () => {
  const FNS = ['parse', 'reconcile', 'notify'] as const;

  it('are nodejs22.x on arm64 with memory, timeout and handler from the one construct', () => {
    for (const name of FNS) {
      const p = res(ids[name]).Properties!;
      expect(p.Runtime, name).toBe('nodejs22.x');
      expect(p.Architectures, name).toEqual(['arm64']);
      expect(p.Handler, name).toBe('index.handler');
      expect(p.Timeout, name).toBe(PIPELINE.functionTimeoutSeconds);
      expect(p.MemorySize, name).toBeGreaterThanOrEqual(256);
    }
    // The three pipeline functions, the dashboard's (test/infra/api.test.ts), the scheduled check's (test/infra/schedule.test.ts) and CDK's bucket-notifications helper, nothing else.
    s.template.resourceCountIs('AWS::Lambda::Function', 6);
  });

  it('run without --enable-source-maps (errors are mapped when logged: shared/adapters/stacks.ts), name the Powertools service and read the table name', () => {
    for (const name of FNS) {
      const env = res(ids[name]).Properties!.Environment.Variables;
      expect(env.NODE_OPTIONS, name).toBeUndefined();
      expect(env.POWERTOOLS_SERVICE_NAME, name).toBe(`segwatch-${name}`);
      expect(env[ENV.table], name).toEqual({ Ref: ids.table });
    }
  });

  it('get exactly the environment each one needs', () => {
    const env = (name: keyof typeof ids) => res(ids[name]).Properties!.Environment.Variables;
    const base = (name: string) => ({
      POWERTOOLS_SERVICE_NAME: `segwatch-${name}`,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      [ENV.table]: { Ref: ids.table },
    });
    // parse reads the bucket from each event, not from its environment.
    expect(env('parse')).toEqual({
      ...base('parse'),
      [ENV.incomingPrefix]: INCOMING_PREFIX,
      [ENV.maxBytes]: String(MAX_FILING_BYTES),
    });
    expect(env('reconcile')).toEqual(base('reconcile'));
    expect(env('notify')).toEqual({ ...base('notify'), [ENV.topic]: { Ref: ids.topic } });
    expect(env('parse')[ENV.maxBytes]).toBe('5242880');
    expect(env('notify')[ENV.topic]).toEqual({ Ref: ids.topic });
    expect(env('parse')[ENV.topic]).toBeUndefined();
    expect(env('reconcile')[ENV.topic]).toBeUndefined();
    expect(env('reconcile')[ENV.bucket]).toBeUndefined();
    expect(env('notify')[ENV.bucket]).toBeUndefined();
  });

  it('log to their own log group with a retention, kept after the stack', () => {
    for (const name of FNS) {
      const lg = res(ids[name]).Properties!.LoggingConfig?.LogGroup;
      expect(lg, name).toEqual({ Ref: expect.any(String) });
      const group = res(lg.Ref);
      expect(group.Type).toBe('AWS::Logs::LogGroup');
      expect(group.Properties?.RetentionInDays, name).toBeGreaterThanOrEqual(90);
      expect(group.DeletionPolicy, name).toBe('Retain');
    }
  });
});

describe('event sources', () => {
  const mappingOf = (fnId: string) => {
    const found = resourcesOfType(s.json, 'AWS::Lambda::EventSourceMapping').filter(
      ([, r]) => r.Properties?.FunctionName?.Ref === fnId,
    );
    expect(found, fnId).toHaveLength(1);
    return found[0]![1].Properties!;
  };

  it('parse reads the ingest queue in batches, reporting item failures, with a small batching window', () => {
    const m = mappingOf(ids.parse);
    expect(m.EventSourceArn).toEqual({ 'Fn::GetAtt': [ids.queue, 'Arn'] });
    expect(m.BatchSize).toBe(PIPELINE.queueBatchSize);
    expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(m.MaximumBatchingWindowInSeconds).toBeGreaterThanOrEqual(1);
    expect(m.MaximumBatchingWindowInSeconds).toBeLessThanOrEqual(5);
  });

  for (const name of ['reconcile', 'notify'] as const) {
    it(`${name} reads the table stream with its filter, retries, bisects and dead-letters failures`, () => {
      const m = mappingOf(ids[name]);
      expect(m.EventSourceArn).toEqual({ 'Fn::GetAtt': [ids.table, 'StreamArn'] });
      expect(m.StartingPosition).toBe('TRIM_HORIZON');
      expect(m.BatchSize).toBe(PIPELINE.streamBatchSize);
      expect(m.MaximumRetryAttempts).toBe(PIPELINE.streamMaxRetryAttempts);
      expect(m.BisectBatchOnFunctionError).toBe(true);
      expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(m.DestinationConfig).toEqual({
        OnFailure: { Destination: { 'Fn::GetAtt': [ids.streamFailures, 'Arn'] } },
      });
      const filters = m.FilterCriteria.Filters as { Pattern: string }[];
      expect(filters).toHaveLength(1);
      expect(JSON.parse(filters[0]!.Pattern)).toEqual(STREAM_FILTERS[name]);
    });
  }

  it('there are exactly three event source mappings', () => {
    s.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 3);
  });
});

describe('alarms', () => {
  const alarms = () => resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties!);

  it('alarm when either dead-letter queue holds a message', () => {
    for (const q of [ids.dlq, ids.streamFailures]) {
      const a = alarms().find(
        (p) => p.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(p.Dimensions).includes(`"${q}"`),
      );
      expect(a, q).toBeDefined();
      expect(a).toMatchObject({
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [q, 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        AlarmActions: [{ Ref: ids.topic }],
      });
    }
  });

  it("alarm on each function's Errors", () => {
    for (const fn of [ids.parse, ids.reconcile, ids.notify]) {
      const a = alarms().find((p) => p.MetricName === 'Errors' && p.Dimensions?.[0]?.Value?.Ref === fn);
      expect(a, fn).toMatchObject({
        Namespace: 'AWS/Lambda',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Statistic: 'Sum',
        AlarmActions: [{ Ref: ids.topic }],
      });
    }
  });

  it('the dead-letter alarms say what to run: the stream-failure one never says to hand its records to the ingest queue', () => {
    const text = (q: string) =>
      JSON.stringify(
        alarms().find(
          (p) =>
            p.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(p.Dimensions).includes(`"${q}"`),
        )!.AlarmDescription,
      );
    const streamAlarm = text(ids.streamFailures);
    expect(streamAlarm).toContain('segwatch redrive --stream-failures --stack ');
    expect(streamAlarm).toContain('AWS::StackName');
    expect(streamAlarm).toMatch(/Never move these messages to the ingest queue/);
    expect(streamAlarm).not.toMatch(/--queue-url|--dlq-url/);
    const ingestAlarm = text(ids.dlq);
    expect(ingestAlarm).toContain('segwatch redrive --stack ');
    expect(ingestAlarm).not.toContain('--stream-failures');
    expect(ingestAlarm).toContain('DLQ#ingest');
  });

  it('every alarm notifies the alert topic', () => {
    expect(alarms().length).toBeGreaterThanOrEqual(5);
    for (const a of alarms()) expect(a.AlarmActions, a.AlarmDescription).toEqual([{ Ref: ids.topic }]);
  });
});

describe('outputs', () => {
  it('name the bucket, table, topic and every queue so `segwatch redrive` can find them', () => {
    const o = s.json.Outputs!;
    expect(o.BucketName?.Value).toEqual({ Ref: ids.bucket });
    expect(o.TableName?.Value).toEqual({ Ref: ids.table });
    expect(o.TopicArn?.Value).toEqual({ Ref: ids.topic });
    expect(o.IngestQueueUrl?.Value).toEqual({ Ref: ids.queue });
    expect(o.IngestDeadLetterQueueUrl?.Value).toEqual({ Ref: ids.dlq });
    expect(o.StreamFailureQueueUrl?.Value).toEqual({ Ref: ids.streamFailures });
    expect(o.IngestDeadLetterQueueArn?.Value).toEqual({ 'Fn::GetAtt': [ids.dlq, 'Arn'] });
    expect(o.StreamFailureQueueArn?.Value).toEqual({ 'Fn::GetAtt': [ids.streamFailures, 'Arn'] });
    // What the stream-failure redrive reads: the table's stream and which function is which.
    expect(o.TableStreamArn?.Value).toEqual({ 'Fn::GetAtt': [ids.table, 'StreamArn'] });
    expect(o.ReconcileFunctionName?.Value).toEqual({ Ref: ids.reconcile });
    expect(o.NotifyFunctionName?.Value).toEqual({ Ref: ids.notify });
    expect(o.RedriveOperatorPolicyArn?.Value).toEqual({ Ref: logicalId(s.stack, s.stack.redriveOperatorPolicy) });
    for (const k of ['TableKeyArn', 'QueueKeyArn', 'FilingsKeyArn', 'AlertTopicKeyArn'])
      expect(JSON.stringify(o[k]?.Value), k).toMatch(/Fn::GetAtt.*Arn/);
  });
});
