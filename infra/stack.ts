/**
 * SegwatchStack: S3 incoming/ -> SQS (+ DLQ) -> parse -> DynamoDB -> stream -> reconcile
 * -> DynamoDB (results + alert outbox) -> stream -> notify -> SNS (email).
 *
 * The table design, stream filters, environment names and pipeline tuning come from
 * shared/table.ts, which the local stack (infra/local) uses as well.
 */
import {
  Annotations,
  Aws,
  type CfnElement,
  CfnOutput,
  type CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import { MAX_FILING_BYTES } from '../shared/domain/parser';
import { ENV, INCOMING_PREFIX, PIPELINE, STREAM_FILTERS, TABLE } from '../shared/table';
import { PERMISSIONS as NOTIFY_PERMISSIONS } from '../functions/notify/permissions';
import { PERMISSIONS as PARSE_PERMISSIONS } from '../functions/parse/permissions';
import { PERMISSIONS as RECONCILE_PERMISSIONS } from '../functions/reconcile/permissions';
import { LOG_RETENTION, SegwatchFunction } from './function';
import { grantPermissions, policyStatements, type SegwatchResources } from './grants';
import { REDRIVE_OPERATOR_GRANTS } from '../shared/permissions';
import { SegwatchApi } from './api';
import { SegwatchSchedule } from './schedule';

/** 17 CFR 1.31: keep records five years. 5 * 365 + 2 leap days, so never a day short (1,827). */
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

/** Server access logs (their bucket must be SSE-S3: S3 log delivery does not write SSE-KMS). */
export const ACCESS_LOGS_PREFIX = 'filings-bucket/';

/**
 * The id CDK gives the singleton Lambda behind Custom::S3BucketNotifications (aws-s3,
 * NotificationsResourceHandler): its log group and role are set up here.
 */
export const NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/**
 * The role of CDK's bucket-notifications handler. CDK attaches the AWS managed basic execution
 * role to it (logs:CreateLogGroup, CreateLogStream and PutLogEvents on every log group); this
 * role refuses managed policies, and the stack lets it write only to the handler's own log group.
 */
class NotificationsHandlerRole extends iam.Role {
  override addManagedPolicy(_policy: iam.IManagedPolicy): void {
    // Deliberately none: see the class comment.
  }
}

export class SegwatchStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly streamFailureQueue: sqs.Queue;
  readonly table: dynamodb.Table;
  readonly topic: sns.Topic;
  /** Customer-managed keys, rotated yearly, retained: the table (with its indexes, stream, backups), the three queues, the filings, the alert topic. */
  readonly tableKey: kms.Key;
  readonly queueKey: kms.Key;
  readonly filingsKey: kms.Key;
  readonly topicKey: kms.Key;
  readonly parseFn: SegwatchFunction;
  readonly reconcileFn: SegwatchFunction;
  readonly notifyFn: SegwatchFunction;
  /** The log group of CDK's bucket-notifications handler (kept as long as the functions' logs). */
  readonly notificationsHandlerLogGroup: LogGroup;
  /** What functions may be granted (infra/grants.ts); other constructs grant through it too. */
  readonly resources: SegwatchResources;
  /** What `segwatch redrive --stack` needs: attach it to whoever is on call (shared/permissions.ts REDRIVE_OPERATOR_GRANTS). */
  readonly redriveOperatorPolicy: iam.ManagedPolicy;
  readonly dashboard: SegwatchApi;

  constructor(scope: Construct, id: string, props: SegwatchStackProps = {}) {
    super(scope, id, props);

    const alertEmail = props.alertEmail ?? (this.node.tryGetContext(ALERT_EMAIL_CONTEXT) as string | undefined);
    if (alertEmail !== undefined && !EMAIL.test(alertEmail)) {
      throw new Error(`${ALERT_EMAIL_CONTEXT} must be one email address, got "${alertEmail}"`);
    }

    // ---- Keys the account controls ------------------------------------------------------------
    // CDK's default key policy lets the account's IAM policies govern each key (the root
    // statement); the functions' roles get exactly the key use their calls need (infra/grants.ts,
    // conditioned on kms:ViaService). AWS services that use a key as themselves (S3 sending
    // events into the encrypted queue, CloudWatch alarms publishing to the encrypted topic) get
    // only that use, only for this account's source (aws:SourceAccount, aws:SourceArn).
    const key = (keyId: string, description: string) =>
      new kms.Key(this, keyId, {
        description,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
        pendingWindow: Duration.days(30),
      });
    this.tableKey = key('TableKey', 'segwatch: encrypts the table, its indexes, its stream and its backups');
    this.queueKey = key(
      'QueueKey',
      'segwatch: encrypts the ingest queue, its dead-letter queue and the stream-failure queue',
    );
    this.filingsKey = key('FilingsKey', 'segwatch: encrypts the filings bucket (objects under S3 Bucket Keys)');
    this.topicKey = key('AlertTopicKey', 'segwatch: encrypts the alert topic');

    // ---- Storage of filings -------------------------------------------------------------------
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // S3 server access logging delivers only to buckets encrypted with SSE-S3 (not SSE-KMS),
      // and to buckets without Object Lock: this bucket keeps the default encryption and no lock.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-access-logs-after-retention', expiration: Duration.days(RECORDS_RETENTION_DAYS) }],
    });
    // cdk-nag S1 accepts a bucket that is itself the access-log target of another bucket.

    // Bucket-notifications handler (CDK's): its own role and log group, no managed policy.
    this.notificationsHandlerLogGroup = new LogGroup(this, 'BucketNotificationsHandlerLogGroup', {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const notificationsHandlerRole = new NotificationsHandlerRole(this, 'BucketNotificationsHandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: "Execution role of CDK's bucket-notifications handler (deploy time only)",
    });
    this.notificationsHandlerLogGroup.grantWrite(notificationsHandlerRole);

    this.bucket = new s3.Bucket(this, 'FilingsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.filingsKey,
      // One data key per bucket, not one KMS call per object (the encryption context is the bucket ARN).
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      // Records rule (17 CFR 1.31): every version of every filing is locked for five years from
      // its creation. Governance mode: nobody deletes or overwrites a locked version unless they
      // hold s3:BypassGovernanceRetention and say so on the request (README, "Filings are locked").
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(RECORDS_RETENTION_DAYS)),
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: ACCESS_LOGS_PREFIX,
      notificationsHandlerRole,
      // Current versions never expire; a replaced or deleted version is kept five more years (by
      // then its lock, which counts from its creation, has run out), then expires.
      lifecycleRules: [
        {
          id: 'records-retention',
          transitions: [
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(365) },
          ],
          noncurrentVersionTransitions: [
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(30) },
          ],
          noncurrentVersionExpiration: Duration.days(RECORDS_RETENTION_DAYS),
        },
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });

    // ---- Queues -------------------------------------------------------------------------------
    const queueEncryption = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      enforceSSL: true,
    };
    this.deadLetterQueue = new sqs.Queue(this, 'IngestDeadLetterQueue', {
      ...queueEncryption,
      retentionPeriod: QUEUE_RETENTION,
    });
    this.queue = new sqs.Queue(this, 'IngestQueue', {
      ...queueEncryption,
      retentionPeriod: QUEUE_RETENTION,
      visibilityTimeout: Duration.seconds(QUEUE_VISIBILITY_TIMEOUT_SECONDS),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: PIPELINE.queueMaxReceiveCount },
    });
    // S3 sends this bucket's events, as itself, into the encrypted queue: the queue policy and
    // the queue key's policy admit it for this bucket of this account only.
    const fromThisBucket = {
      StringEquals: { 'aws:SourceAccount': this.account },
      ArnLike: { 'aws:SourceArn': this.bucket.bucketArn },
    };
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowTheFilingsBucketToSendItsEvents',
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: fromThisBucket,
      }),
    );
    this.queueKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowTheFilingsBucketToEncryptItsEvents',
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: fromThisBucket,
      }),
    );
    // Every kind of object creation (PUT, POST, COPY, multipart upload completion), under incoming/ only.
    // (A destination of our own, not SqsDestination: that one adds an unconditioned s3.amazonaws.com
    // statement to the key policy. S3 validates the destination when the configuration is put, so
    // it waits for the queue, its policy and the key.)
    this.bucket.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      {
        bind: () => ({
          arn: this.queue.queueArn,
          type: s3.BucketNotificationDestinationType.QUEUE,
          dependencies: [this.queue, this.queueKey],
        }),
      },
      { prefix: INCOMING_PREFIX },
    );
    const notificationsHandler = this.node.findChild(NOTIFICATIONS_HANDLER_ID);
    (notificationsHandler.node.defaultChild as CfnResource).addPropertyOverride('LoggingConfig', {
      LogGroup: this.notificationsHandlerLogGroup.logGroupName,
    });

    // Where the stream event sources put Lambda's failure records (shard and sequence range of
    // what they gave up on): `segwatch redrive --stream-failures` reads them.
    this.streamFailureQueue = new sqs.Queue(this, 'StreamFailureQueue', {
      ...queueEncryption,
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
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
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
    // CloudWatch alarms publish to the topic as cloudwatch.amazonaws.com: the topic policy (which
    // replaces SNS's default one) and the topic key's policy admit them, for alarms of this
    // account and region only. Without both, every alarm would be silent.
    const fromThisAccountsAlarms = {
      StringEquals: { 'aws:SourceAccount': this.account },
      ArnLike: { 'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*` },
    };
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisAccountsCloudWatchAlarmsToPublishToTheAlertTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromThisAccountsAlarms,
      }),
    );
    this.topic = new sns.Topic(this, 'AlertTopic', {
      displayName: 'segwatch alerts',
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisAccountsCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromThisAccountsAlarms,
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

    this.resources = {
      table: this.table,
      tableKey: this.tableKey,
      bucket: this.bucket,
      filingsKey: this.filingsKey,
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      streamFailureQueue: this.streamFailureQueue,
      queueKey: this.queueKey,
      topic: this.topic,
      topicKey: this.topicKey,
    };

    // ---- Functions (each role is exactly its list, functions/<name>/permissions.ts) ------------
    this.parseFn = new SegwatchFunction(this, 'Parse', {
      name: 'parse',
      entry: 'functions/parse/index.ts',
      description: 'Reads a new filing from incoming/, parses it and stores it in the table',
      environment: {
        [ENV.table]: this.table.tableName,
        [ENV.incomingPrefix]: INCOMING_PREFIX,
        [ENV.maxBytes]: String(MAX_FILING_BYTES),
      },
    });
    grantPermissions(this.parseFn, PARSE_PERMISSIONS, this.resources);
    this.reconcileFn = new SegwatchFunction(this, 'Reconcile', {
      name: 'reconcile',
      entry: 'functions/reconcile/index.ts',
      description: 'Reconciles a pending filing version and writes its result and alerts',
      environment: { [ENV.table]: this.table.tableName },
    });
    grantPermissions(this.reconcileFn, RECONCILE_PERMISSIONS, this.resources);
    this.notifyFn = new SegwatchFunction(this, 'Notify', {
      name: 'notify',
      entry: 'functions/notify/index.ts',
      description: 'Publishes pending alerts to the alert topic and marks them sent',
      environment: { [ENV.table]: this.table.tableName, [ENV.topic]: this.topic.topicArn },
    });
    grantPermissions(this.notifyFn, NOTIFY_PERMISSIONS, this.resources);

    // ---- Event sources ------------------------------------------------------------------------
    // Plain event source mappings: CDK's SqsEventSource / DynamoEventSource / SqsDlq would add
    // their own, wider grants; the lists above already hold what Lambda's pollers need.
    this.parseFn.addEventSourceMapping('IngestQueueSource', {
      eventSourceArn: this.queue.queueArn,
      batchSize: PIPELINE.queueBatchSize,
      maxBatchingWindow: QUEUE_MAX_BATCHING_WINDOW,
      reportBatchItemFailures: true,
    });
    const streamFailures = { bind: () => ({ destination: this.streamFailureQueue.queueArn }) };
    for (const [fn, filter] of [
      [this.reconcileFn, STREAM_FILTERS.reconcile],
      [this.notifyFn, STREAM_FILTERS.notify],
    ] as const) {
      fn.addEventSourceMapping('TableStreamSource', {
        eventSourceArn: this.table.tableStreamArn!,
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: PIPELINE.streamBatchSize,
        retryAttempts: PIPELINE.streamMaxRetryAttempts,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        onFailure: streamFailures,
        filters: [FilterCriteria.filter(filter)],
      });
    }

    // ---- People: what `segwatch redrive` needs, to attach to whoever is on call --------------
    this.redriveOperatorPolicy = new iam.ManagedPolicy(this, 'RedriveOperatorPolicy', {
      description:
        'segwatch redrive --stack / --stream-failures --stack: read the outputs, redrive stream failures and ingest dead letters',
      statements: policyStatements(this.resources, REDRIVE_OPERATOR_GRANTS),
    });

    new SegwatchSchedule(this, 'Schedule', { resources: this.resources, alarmTopic: this.topic });

    // ---- Alarms (to the alert topic) ----------------------------------------------------------
    const alarmAction = new SnsAction(this.topic);
    const alarm = (alarmId: string, props: cloudwatch.AlarmProps) =>
      new cloudwatch.Alarm(this, alarmId, props).addAlarmAction(alarmAction);
    for (const [name, queue, meaning] of [
      [
        'IngestDeadLetterQueue',
        this.deadLetterQueue,
        `S3 events of filings that parse failed on; each one's reason is in the table (pk DLQ#ingest). Fix the cause, then run \`segwatch redrive --stack ${Aws.STACK_NAME}\` (moves them back to the ingest queue)`,
      ],
      [
        'StreamFailureQueue',
        this.streamFailureQueue,
        `Lambda's failure records (shard and sequence range) of table stream records that reconcile or notify gave up on. Fix the cause, then run \`segwatch redrive --stream-failures --stack ${Aws.STACK_NAME}\` (sets those filings and alerts back to pending). Never move these messages to the ingest queue`,
      ],
    ] as const) {
      alarm(`${name}DepthAlarm`, {
        alarmDescription: `segwatch: ${name} holds messages: ${meaning}.`,
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
    output('TableStreamArn', this.table.tableStreamArn!, 'The table stream reconcile and notify read');
    output('TopicArn', this.topic.topicArn, 'Alert topic');
    output('IngestQueueUrl', this.queue.queueUrl, 'S3 event queue read by parse');
    output('IngestQueueArn', this.queue.queueArn, 'S3 event queue read by parse');
    output('IngestDeadLetterQueueUrl', this.deadLetterQueue.queueUrl, 'Dead-letter queue of the S3 event queue');
    output('IngestDeadLetterQueueArn', this.deadLetterQueue.queueArn, 'Dead-letter queue of the S3 event queue');
    output(
      'StreamFailureQueueUrl',
      this.streamFailureQueue.queueUrl,
      "Lambda's failure records of stream records reconcile or notify gave up on",
    );
    output(
      'StreamFailureQueueArn',
      this.streamFailureQueue.queueArn,
      "Lambda's failure records of stream records reconcile or notify gave up on",
    );
    output('ParseFunctionName', this.parseFn.functionName, 'parse function');
    output('ReconcileFunctionName', this.reconcileFn.functionName, 'reconcile function');
    output('NotifyFunctionName', this.notifyFn.functionName, 'notify function');
    output(
      'TableKeyArn',
      this.tableKey.keyArn,
      'KMS key of the table and its stream (kms:Decrypt for readers, via DynamoDB)',
    );
    output('QueueKeyArn', this.queueKey.keyArn, 'KMS key of the three queues');
    output(
      'FilingsKeyArn',
      this.filingsKey.keyArn,
      'KMS key of the filings bucket (uploaders need kms:GenerateDataKey, via S3)',
    );
    output('AlertTopicKeyArn', this.topicKey.keyArn, 'KMS key of the alert topic');
    output(
      'RedriveOperatorPolicyArn',
      this.redriveOperatorPolicy.managedPolicyArn,
      'Attach to whoever runs segwatch redrive',
    );

    this.dashboard = new SegwatchApi(this, 'Dashboard', { resources: this.resources });

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
