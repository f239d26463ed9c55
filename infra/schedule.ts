/**
 * The scheduled missing-filing check and daily digest: EventBridge Scheduler invokes the schedule
 * function every weekday at 12:30 New York time (the function skips days that are not business
 * days by the filing calendar) with `{ "scheduledTime": "<aws.scheduler.scheduled-time>" }`.
 * The function reads the table's gsi2 and puts alerts into the outbox (the table), from which
 * notify publishes them: no SNS permission here. Permissions come from
 * functions/schedule/permissions.ts, one statement per entry.
 */
import { Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { TimeZone } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SCHEDULE_PERMISSIONS, type TablePermission } from '../functions/schedule/permissions';
import { ENV } from '../shared/table';
import { SegwatchFunction } from './function';

/** When the check runs: 12:30 New York time, Monday to Friday (the function skips holidays). */
export const SCHEDULE_CRON = { minute: '30', hour: '12', weekDay: 'MON-FRI' } as const;
export const SCHEDULE_TIME_ZONE = TimeZone.AMERICA_NEW_YORK;
/** Retries of a failed invocation (by Scheduler, then by Lambda's asynchronous invocation), within this age. */
export const SCHEDULE_RETRY_ATTEMPTS = 3;
export const SCHEDULE_MAX_EVENT_AGE = Duration.hours(6);
export const SCHEDULE_FUNCTION_TIMEOUT = Duration.seconds(120);

/** KMS actions DynamoDB needs of the caller for a table encrypted with a customer managed key (as CDK's table grants). */
const KEY_READ = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_WRITE = ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];
const WRITES = new Set(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']);

export interface SegwatchScheduleProps {
  readonly table: dynamodb.ITable;
  /** Alarms (function errors, dead letters) publish here. */
  readonly alarmTopic?: sns.ITopic;
}

export class SegwatchSchedule extends Construct {
  readonly fn: SegwatchFunction;
  readonly schedule: scheduler.Schedule;
  /** The role EventBridge Scheduler assumes (may only invoke the function and dead-letter to the queue). */
  readonly schedulerRole: iam.Role;
  /** Invocations that failed after every retry (Scheduler's and Lambda's). */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SegwatchScheduleProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.fn = new SegwatchFunction(this, 'Check', {
      name: 'schedule',
      entry: 'functions/schedule/index.ts',
      description: 'Every business day at 12:30 New York time: missing-filing alerts and the daily digest into the alert outbox',
      environment: { [ENV.table]: props.table.tableName },
      timeout: SCHEDULE_FUNCTION_TIMEOUT,
    });
    grantTable(this.fn, props.table, SCHEDULE_PERMISSIONS);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // Lambda invokes asynchronously for Scheduler: its own retries, then this queue.
    this.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: SCHEDULE_MAX_EVENT_AGE, onFailure: new SqsDestination(this.deadLetterQueue) });

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'EventBridge Scheduler: invoke the segwatch schedule function',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'segwatch: missing-filing check and daily digest, 12:30 New York time on weekdays (the function skips holidays)',
      schedule: scheduler.ScheduleExpression.cron({ ...SCHEDULE_CRON, timeZone: SCHEDULE_TIME_ZONE }),
      target: new LambdaInvoke(this.fn, {
        role: this.schedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledTime: scheduler.ContextAttribute.scheduledTime }),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
        maxEventAge: SCHEDULE_MAX_EVENT_AGE,
      }),
    });

    if (props.alarmTopic) {
      const action = new SnsAction(props.alarmTopic);
      new cloudwatch.Alarm(this, 'ErrorsAlarm', {
        alarmDescription: 'segwatch: the schedule function failed (the missing-filing check or the digest may not have gone out today).',
        metric: this.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
      new cloudwatch.Alarm(this, 'DeadLetterQueueDepthAlarm', {
        alarmDescription: 'segwatch: a scheduled check could not run after its retries (it is in the schedule dead-letter queue). Run it again with the time it names.',
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
    }

    this.acknowledge(stack);
  }

  private acknowledge(stack: Stack): void {
    const ack = (scope: Construct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    ack(
      this.fn,
      'AwsSolutions-L1',
      'nodejs22.x is the runtime this project pins, bundles for (esbuild target node22) and tests against; moving to a newer Node.js runtime is a deliberate upgrade, not a drift.',
    );
    ack(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself a dead-letter destination: failed invocations of the schedule function (by EventBridge Scheduler and by Lambda asynchronous invocation). It is alarmed on depth > 0.',
    );
    const fnArn = `<${stack.getLogicalId(this.fn.node.defaultChild as CfnElement)}.Arn>`;
    ack(
      this.schedulerRole,
      `AwsSolutions-IAM5[Resource::${fnArn}:*]`,
      'LambdaInvoke grants lambda:InvokeFunction on the function and its versions (ARN:*): only this one function, nothing else.',
    );
  }
}

/** One IAM statement per permission entry: the table's ARN, or one index's ARN, never a wildcard. */
function grantTable(fn: SegwatchFunction, table: dynamodb.ITable, permissions: readonly TablePermission[]): void {
  let reads = false;
  let writes = false;
  permissions.forEach((p, i) => {
    const resource = p.on === 'table' ? table.tableArn : `${table.tableArn}/index/${p.on.slice('index:'.length)}`;
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: `Table${i}`, actions: [...p.actions], resources: [resource] }));
    for (const a of p.actions) (WRITES.has(a) ? (writes = true) : (reads = true));
  });
  if (table.encryptionKey) {
    const actions = [...(reads || writes ? KEY_READ : []), ...(writes ? KEY_WRITE : [])];
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'TableKey', actions, resources: [table.encryptionKey.keyArn] }));
  }
}
