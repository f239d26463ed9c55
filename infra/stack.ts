/**
 * SegwatchStack: S3 incoming/ -> SQS (+ DLQ) -> parse -> DynamoDB -> stream -> reconcile
 * -> DynamoDB (results + alert outbox) -> stream -> notify -> SNS (email).
 *
 * The table design, stream filters, environment names and pipeline tuning come from
 * shared/table.ts, which the local stack (infra/local) uses as well.
 */
import { Annotations, type CfnElement, CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import { MAX_FILING_BYTES } from '../shared/domain/parser';
import { ENV, INCOMING_PREFIX, PIPELINE, STREAM_FILTERS, TABLE } from '../shared/table';
import { SegwatchFunction } from './function';
import { SegwatchSchedule } from './schedule';

/** 17 CFR 1.31: keep records five years. 5 * 365 + 2 leap days, so never a day short. */
export const RECORDS_RETENTION_DAYS = 5 * 365 + 2;

/** The longest SQS allows; on a standard queue it counts from the message's first enqueue. */
export const QUEUE_RETENTION = Duration.days(14);

/** A short wait to fill SQS batches, without delaying a lone filing noticeably. */
export const QUEUE_MAX_BATCHING_WINDOW = Duration.seconds(2);

/**
 * AWS: the source queue's visibility timeout should be at least six times the function timeout
 * (plus the batching window), so a message is not redelivered while a batch is still retrying.
 */
export const QUEUE_VISIBILITY_TIMEOUT_SECONDS = Math.max(
  PIPELINE.queueVisibilityTimeoutSeconds,
  6 * PIPELINE.functionTimeoutSeconds + QUEUE_MAX_BATCHING_WINDOW.toSeconds(),
);

/** Alarm when a stream function falls this far behind (stream records live 24 hours). */
export const ITERATOR_AGE_ALARM = Duration.minutes(15);

/** Context key for the alert email address: `npx cdk deploy -c alertEmail=treasury@example.com`. */
export const ALERT_EMAIL_CONTEXT = 'alertEmail';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface SegwatchStackProps extends StackProps {
  /** Subscribe this address to the alert topic. @default the `alertEmail` context value, else none */
  readonly alertEmail?: string;
}

export class SegwatchStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly streamFailureQueue: sqs.Queue;
  readonly table: dynamodb.Table;
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;
  readonly parseFn: SegwatchFunction;
  readonly reconcileFn: SegwatchFunction;
  readonly notifyFn: SegwatchFunction;

  constructor(scope: Construct, id: string, props: SegwatchStackProps = {}) {
    super(scope, id, props);

    const alertEmail = props.alertEmail ?? (this.node.tryGetContext(ALERT_EMAIL_CONTEXT) as string | undefined);
    if (alertEmail !== undefined && !EMAIL.test(alertEmail)) {
      throw new Error(`${ALERT_EMAIL_CONTEXT} must be one email address, got "${alertEmail}"`);
    }

    // ---- Storage of filings -------------------------------------------------------------------
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // S3 server access logging delivers only to buckets encrypted with SSE-S3.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-access-logs-after-retention', expiration: Duration.days(RECORDS_RETENTION_DAYS) }],
    });
    // cdk-nag S1 accepts a bucket that is itself the access-log target of another bucket.

    this.bucket = new s3.Bucket(this, 'FilingsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'filings-bucket/',
      // Records rule (17 CFR 1.31): filings are kept at least five years and never expire sooner.
      // Current versions never expire; a replaced or deleted version is kept five more years.
      lifecycleRules: [
        {
          id: 'records-retention',
          transitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(365) }],
          noncurrentVersionTransitions: [
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(30) },
          ],
          noncurrentVersionExpiration: Duration.days(RECORDS_RETENTION_DAYS),
        },
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });

    // ---- Ingest queue -------------------------------------------------------------------------
    this.deadLetterQueue = new sqs.Queue(this, 'IngestDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_RETENTION,
    });
    this.queue = new sqs.Queue(this, 'IngestQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_RETENTION,
      visibilityTimeout: Duration.seconds(QUEUE_VISIBILITY_TIMEOUT_SECONDS),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: PIPELINE.queueMaxReceiveCount },
    });
    // Every kind of object creation (PUT, POST, COPY, multipart upload completion), under incoming/ only.
    this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new SqsDestination(this.queue), {
      prefix: INCOMING_PREFIX,
    });

    // Where the stream event sources put records they gave up on (after retries and bisection).
    this.streamFailureQueue = new sqs.Queue(this, 'StreamFailureQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_RETENTION,
    });
    Validations.of(this.streamFailureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter destination: the on-failure destination of the reconcile and notify stream event sources. It is alarmed on depth > 0.',
    });

    // ---- Table --------------------------------------------------------------------------------
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      stream: dynamodb.StreamViewType[TABLE.streamView],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // ---- Alert topic --------------------------------------------------------------------------
    this.topicKey = new kms.Key(this, 'AlertTopicKey', {
      description: 'Encrypts the segwatch alert topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms publish to the topic; an encrypted topic needs the key to let them.
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToTheAlertTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'AlertTopic', {
      displayName: 'segwatch alerts',
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one, which is what lets same-account CloudWatch alarms
    // publish: allow them explicitly, only for alarms of this account and region.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisAccountsCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*` },
        },
      }),
    );
    if (alertEmail !== undefined) {
      // Retained: a later deploy that forgets -c alertEmail must not silently unsubscribe anyone.
      this.topic.addSubscription(new EmailSubscription(alertEmail)).applyRemovalPolicy(RemovalPolicy.RETAIN);
    } else {
      Annotations.of(this).addWarningV2(
        'segwatch:noAlertEmail',
        `No ${ALERT_EMAIL_CONTEXT} given: the alert topic gets no email subscription from this deploy (deploy with -c ${ALERT_EMAIL_CONTEXT}=<address>).`,
      );
    }

    // ---- Functions ----------------------------------------------------------------------------
    this.parseFn = new SegwatchFunction(this, 'Parse', {
      name: 'parse',
      entry: 'functions/parse/index.ts',
      description: 'Reads a new filing from incoming/, parses it and stores it in the table',
      environment: {
        [ENV.table]: this.table.tableName,
        [ENV.bucket]: this.bucket.bucketName,
        [ENV.incomingPrefix]: INCOMING_PREFIX,
        [ENV.maxBytes]: String(MAX_FILING_BYTES),
      },
    });
    this.reconcileFn = new SegwatchFunction(this, 'Reconcile', {
      name: 'reconcile',
      entry: 'functions/reconcile/index.ts',
      description: 'Reconciles a pending filing version and writes its result and alerts',
      environment: { [ENV.table]: this.table.tableName },
    });
    this.notifyFn = new SegwatchFunction(this, 'Notify', {
      name: 'notify',
      entry: 'functions/notify/index.ts',
      description: 'Publishes pending alerts to the alert topic and marks them sent',
      environment: { [ENV.table]: this.table.tableName, [ENV.topic]: this.topic.topicArn },
    });

    // ---- Permissions (each function gets only what it uses) -----------------------------------
    const incomingObjects = this.bucket.arnForObjects(`${INCOMING_PREFIX}*`);
    this.parseFn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadIncomingFilings',
        // GetObject also answers HeadObject (the object's size); GetObjectVersion reads the exact
        // version an event names (the bucket is versioned).
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [incomingObjects],
      }),
    );
    for (const fn of [this.parseFn, this.reconcileFn, this.notifyFn]) this.table.grantReadWriteData(fn);
    this.notifyFn.addToRolePolicy(
      new iam.PolicyStatement({ sid: 'PublishAlerts', actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
    );
    this.notifyFn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'EncryptAlertsForTheTopic',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.topicKey.keyArn],
      }),
    );

    // ---- Event sources ------------------------------------------------------------------------
    this.parseFn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: PIPELINE.queueBatchSize,
        maxBatchingWindow: QUEUE_MAX_BATCHING_WINDOW,
        reportBatchItemFailures: true,
      }),
    );
    const streamSource = (filter: (typeof STREAM_FILTERS)[keyof typeof STREAM_FILTERS]) =>
      new DynamoEventSource(this.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: PIPELINE.streamBatchSize,
        retryAttempts: PIPELINE.streamMaxRetryAttempts,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.streamFailureQueue),
        filters: [FilterCriteria.filter(filter)],
      });
    this.reconcileFn.addEventSource(streamSource(STREAM_FILTERS.reconcile));
    this.notifyFn.addEventSource(streamSource(STREAM_FILTERS.notify));

    new SegwatchSchedule(this, 'Schedule', { table: this.table, alarmTopic: this.topic });

    // ---- Alarms (to the alert topic) ----------------------------------------------------------
    const alarmAction = new SnsAction(this.topic);
    const alarm = (alarmId: string, props: cloudwatch.AlarmProps) =>
      new cloudwatch.Alarm(this, alarmId, props).addAlarmAction(alarmAction);
    for (const [name, queue, meaning] of [
      ['IngestDeadLetterQueue', this.deadLetterQueue, 'S3 events for filings that parse failed on'],
      ['StreamFailureQueue', this.streamFailureQueue, 'table stream records that reconcile or notify gave up on'],
    ] as const) {
      alarm(`${name}DepthAlarm`, {
        alarmDescription: `segwatch: ${name} holds messages (${meaning}). Inspect, fix, then run \`segwatch redrive\`.`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    for (const [name, fn] of [
      ['Parse', this.parseFn],
      ['Reconcile', this.reconcileFn],
      ['Notify', this.notifyFn],
    ] as const) {
      alarm(`${name}ErrorsAlarm`, {
        alarmDescription: `segwatch: the ${name.toLowerCase()} function failed (Errors >= 1 in 5 minutes).`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    for (const [name, fn] of [
      ['Reconcile', this.reconcileFn],
      ['Notify', this.notifyFn],
    ] as const) {
      alarm(`${name}IteratorAgeAlarm`, {
        alarmDescription: `segwatch: the ${name.toLowerCase()} function is over ${ITERATOR_AGE_ALARM.toMinutes()} minutes behind the table stream.`,
        metric: fn.metric('IteratorAge', { period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: ITERATOR_AGE_ALARM.toMilliseconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    // ---- Outputs (read by `segwatch redrive` and people) --------------------------------------
    const output = (outputId: string, value: string, description: string) =>
      new CfnOutput(this, outputId, { value, description });
    output('BucketName', this.bucket.bucketName, `Filings bucket; upload filings under ${INCOMING_PREFIX}`);
    output('TableName', this.table.tableName, 'DynamoDB table');
    output('TopicArn', this.topic.topicArn, 'Alert topic');
    output('IngestQueueUrl', this.queue.queueUrl, 'S3 event queue read by parse');
    output('IngestQueueArn', this.queue.queueArn, 'S3 event queue read by parse');
    output('IngestDeadLetterQueueUrl', this.deadLetterQueue.queueUrl, 'Dead-letter queue of the S3 event queue');
    output('IngestDeadLetterQueueArn', this.deadLetterQueue.queueArn, 'Dead-letter queue of the S3 event queue');
    output('StreamFailureQueueUrl', this.streamFailureQueue.queueUrl, 'Stream records reconcile or notify gave up on');
    output('StreamFailureQueueArn', this.streamFailureQueue.queueArn, 'Stream records reconcile or notify gave up on');
    output('ParseFunctionName', this.parseFn.functionName, 'parse function');
    output('ReconcileFunctionName', this.reconcileFn.functionName, 'reconcile function');
    output('NotifyFunctionName', this.notifyFn.functionName, 'notify function');

    this.acknowledgeRequiredWildcards();
  }

  /**
   * cdk-nag findings that are inherent to the design, each acknowledged on the narrowest construct.
   */
  private acknowledgeRequiredWildcards(): void {
    const arn = (resource: IConstruct) => `<${this.getLogicalId(resource.node.defaultChild as CfnElement)}.Arn>`;
    const ack = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });

    for (const fn of [this.parseFn, this.reconcileFn, this.notifyFn]) {
      ack(
        fn,
        'AwsSolutions-L1',
        'nodejs22.x is the runtime this project pins, bundles for (esbuild target node22) and tests against; moving to a newer Node.js runtime is a deliberate upgrade, not a drift.',
      );
      ack(
        fn.role!,
        `AwsSolutions-IAM5[Resource::${arn(this.table)}/index/*]`,
        `table.grantReadWriteData: the function may query this table's own global secondary indexes (${TABLE.indexes.map((i) => i.name).join(', ')}); the wildcard covers only indexes of this one table.`,
      );
    }
    ack(
      this.parseFn.role!,
      `AwsSolutions-IAM5[Resource::${arn(this.bucket)}/${INCOMING_PREFIX}*]`,
      `parse reads whichever filing arrives, so it may read any object under ${INCOMING_PREFIX} of the filings bucket, and nothing else in it.`,
    );
    for (const fn of [this.reconcileFn, this.notifyFn]) {
      ack(
        fn.role!,
        'AwsSolutions-IAM5[Resource::*]',
        'dynamodb:ListStreams, which the DynamoDB stream event source mapping needs, has no resource-level permissions: AWS requires Resource "*". Reading records is limited to this table\'s stream ARN.',
      );
    }
    const notificationsHandler = this.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
    if (notificationsHandler) {
      ack(
        notificationsHandler,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "The CDK-provided custom resource that configures the bucket's S3 event notifications uses the AWS managed basic execution role for its own logs; it runs only during deployments and may only put this bucket's notification configuration.",
      );
    }
  }
}

/** Every cdk-nag acknowledgement under `scope`: [construct path, rule id, reason]. */
export function acknowledgements(scope: IConstruct): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const c of scope.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push([c.node.path, id.replace(/^annotation::/i, ''), reason]);
      }
    }
  }
  return out;
}
