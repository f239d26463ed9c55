/**
 * The scheduled missing-filing check and daily digest: EventBridge Scheduler invokes the schedule
 * function every weekday at 12:30 New York time (the function skips days that are not business
 * days by the filing calendar) with `{ "scheduledTime": "<aws.scheduler.scheduled-time>" }`.
 * The function reads the table's gsi2 and puts alerts into the outbox (the table), from which
 * notify publishes them: no SNS permission here. Its role is exactly
 * functions/schedule/permissions.ts (infra/grants.ts grantPermissions); the schedule has a role
 * of its own that may invoke this function and dead-letter to the schedule's queue.
 */
import { Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { TimeZone } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PERMISSIONS } from '../functions/schedule/permissions';
import { KMS_FOR } from '../shared/permissions';
import { ENV } from '../shared/table';
import { SegwatchFunction } from './function';
import { grant, grantPermissions, type SegwatchResources } from './grants';

/** When the check runs: 12:30 New York time, Monday to Friday (the function skips holidays). */
export const SCHEDULE_CRON = { minute: '30', hour: '12', weekDay: 'MON-FRI' } as const;
export const SCHEDULE_TIME_ZONE = TimeZone.AMERICA_NEW_YORK;
/** Retries of a failed invocation (by Scheduler, then by Lambda's asynchronous invocation), within this age. */
export const SCHEDULE_RETRY_ATTEMPTS = 3;
export const SCHEDULE_MAX_EVENT_AGE = Duration.hours(6);
export const SCHEDULE_FUNCTION_TIMEOUT = Duration.seconds(120);

export interface SegwatchScheduleProps {
  /** The stack's table, keys and topic (infra/grants.ts). */
  readonly resources: SegwatchResources;
  /** Alarms (function errors, dead letters) publish here. */
  readonly alarmTopic?: sns.ITopic;
}

export class SegwatchSchedule extends Construct {
  readonly fn: SegwatchFunction;
  readonly schedule: scheduler.Schedule;
  /** The role EventBridge Scheduler assumes (may only invoke the function and dead-letter to the queue). */
  readonly schedulerRole: iam.Role;
  /** Invocations EventBridge Scheduler could not deliver after its retries. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SegwatchScheduleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const r = props.resources;

    this.fn = new SegwatchFunction(this, 'Check', {
      name: 'schedule',
      entry: 'functions/schedule/index.ts',
      description:
        'Every business day at 12:30 New York time: missing-filing alerts and the daily digest into the alert outbox',
      environment: { [ENV.table]: r.table.tableName },
      timeout: SCHEDULE_FUNCTION_TIMEOUT,
    });
    grantPermissions(this.fn, PERMISSIONS, r);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: r.queueKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // Scheduler invokes Lambda asynchronously: a run that fails is retried by Lambda (the check is
    // idempotent), then it is an error (alarmed below); the digest that does not arrive says so too.
    this.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: SCHEDULE_MAX_EVENT_AGE });

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'EventBridge Scheduler: invoke the segwatch schedule function',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description:
        'segwatch: missing-filing check and daily digest, 12:30 New York time on weekdays (the function skips holidays)',
      schedule: scheduler.ScheduleExpression.cron({ ...SCHEDULE_CRON, timeZone: SCHEDULE_TIME_ZONE }),
      target: new LambdaInvoke(this.fn, {
        role: this.schedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject({ scheduledTime: scheduler.ContextAttribute.scheduledTime }),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
        maxEventAge: SCHEDULE_MAX_EVENT_AGE,
      }),
    });
    // Dead-lettering to the queue encrypts with the queues' key, through SQS only.
    grant(this.schedulerRole, r, [{ resource: 'key/queues', actions: [...KMS_FOR.queueSend], viaService: 'sqs' }]);

    if (props.alarmTopic) {
      const action = new SnsAction(props.alarmTopic);
      new cloudwatch.Alarm(this, 'ErrorsAlarm', {
        alarmDescription:
          'segwatch: the schedule function failed (the missing-filing check or the digest may not have gone out today).',
        metric: this.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(action);
      new cloudwatch.Alarm(this, 'DeadLetterQueueDepthAlarm', {
        alarmDescription:
          'segwatch: a scheduled check could not run after its retries (it is in the schedule dead-letter queue). Run it again with the time it names.',
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
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
      'This queue is itself a dead-letter destination: invocations of the schedule function that EventBridge Scheduler could not deliver after its retries. It is alarmed on depth > 0.',
    );
    const fnArn = `<${stack.getLogicalId(this.fn.node.defaultChild as CfnElement)}.Arn>`;
    ack(
      this.schedulerRole,
      `AwsSolutions-IAM5[Resource::${fnArn}:*]`,
      'LambdaInvoke grants lambda:InvokeFunction on the function and its versions (ARN:*): only this one function, nothing else.',
    );
  }
}
