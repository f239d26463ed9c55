/**
 * `segwatch redrive`: put what the pipeline gave up on back in front of it.
 *
 *   segwatch redrive --local [--state DIR] [--since YYYY-MM-DD] [--firm ID]... [--dry-run]
 *       the local stack (no `segwatch run` may be using DIR): the local dead-letter queue's
 *       messages back onto the local queue, and the stream failure records redriven through the
 *       same code as on AWS (DynamoDB Local is started on DIR for it); the next run processes them.
 *   segwatch redrive --stream-failures --stack NAME [--region R] [--since YYYY-MM-DD] [--firm ID]... [--dry-run]
 *       AWS: Lambda's failure records in the stream-failure queue; the filing versions and alerts
 *       they point at are set back to pending (shared/pipeline/stream-redrive.ts).
 *   segwatch redrive --stack NAME [--region R] [--manual]
 *   segwatch redrive --queue-url URL --dlq-url URL [--region R] [--manual]
 *       AWS: the ingest dead-letter queue's messages back to the ingest queue (StartMessageMoveTask;
 *       receive + send + delete with --manual).
 * The stack's outputs (CloudFormation DescribeStacks) name the queues, the table and its stream.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { documentClient, SDK_LOGGER } from '../../shared/adapters/clients';
import { Store } from '../../shared/adapters/store';
import { SqsFailureQueue } from '../../shared/adapters/stream-failures';
import {
  redriveExitCode,
  redriveStreamFailures,
  renderStreamRedrive,
  type Consumer,
} from '../../shared/pipeline/stream-redrive';
import { TABLE } from '../../shared/table';
import { LocalPipelineError, startDynamoDbLocal } from './dynamodb-local';
import { redriveFiles } from './queue';
import { S3RVER_CREDENTIALS } from './s3';
import { deadLetterKeys } from './stack';
import { readJson, statePaths } from './state';
import { LocalFailureQueue } from './streams';
import { ensureTable } from './table';

type Out = NodeJS.WritableStream;
const USAGE = `usage: segwatch redrive --local [--state DIR] [--since YYYY-MM-DD] [--firm ID]... [--dry-run]
       segwatch redrive --stream-failures --stack NAME [--region R] [--since YYYY-MM-DD] [--firm ID]... [--dry-run]
       segwatch redrive --stack NAME [--region R] [--manual]
       segwatch redrive --queue-url URL --dlq-url URL [--region R] [--manual]
`;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export async function redriveCommand(args: string[], out: Out, err: Out): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        local: { type: 'boolean', default: false },
        state: { type: 'string' },
        'stream-failures': { type: 'boolean', default: false },
        stack: { type: 'string' },
        'queue-url': { type: 'string' },
        'dlq-url': { type: 'string' },
        region: { type: 'string' },
        manual: { type: 'boolean', default: false },
        since: { type: 'string' },
        firm: { type: 'string', multiple: true },
        'dry-run': { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    err.write(`segwatch redrive: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.since !== undefined && !DAY.test(values.since)) {
    err.write(`segwatch redrive: --since must be a day, YYYY-MM-DD (got "${values.since}")\n${USAGE}`);
    return 2;
  }
  const dryRun = values['dry-run']!;
  const search = { since: values.since, firms: values.firm, dryRun };
  if (values.local) return redriveLocal(values.state ?? '.segwatch', search, out, err);
  if (values['stream-failures']) {
    if (!values.stack) {
      err.write(
        `segwatch redrive: --stream-failures needs --stack NAME (the CloudFormation stack, e.g. Segwatch)\n${USAGE}`,
      );
      return 2;
    }
    return redriveStreamFailuresAws(values.stack, values.region, search, out, err);
  }
  if (values.stack) {
    const outputs = await stackOutputs(
      values.stack,
      values.region,
      ['IngestQueueUrl', 'IngestDeadLetterQueueUrl'],
      err,
    );
    if (!outputs) return 1;
    return redriveAws(
      outputs.IngestQueueUrl!,
      outputs.IngestDeadLetterQueueUrl!,
      values.region,
      values.manual!,
      out,
      err,
    );
  }
  if (values['queue-url'] && values['dlq-url'])
    return redriveAws(values['queue-url'], values['dlq-url'], values.region, values.manual!, out, err);
  err.write(
    `segwatch redrive: say --local, --stack NAME (with --stream-failures for stream failures), or give --queue-url and --dlq-url\n${USAGE}`,
  );
  return 2;
}

/** The stack's outputs, or undefined (and the reason on err) when it or one of `needed` is missing. */
async function stackOutputs(
  stack: string,
  region: string | undefined,
  needed: string[],
  err: Out,
): Promise<Record<string, string> | undefined> {
  const cfn = new CloudFormationClient({ ...(region ? { region } : {}), logger: SDK_LOGGER });
  try {
    const r = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
    const outputs: Record<string, string> = {};
    for (const o of r.Stacks?.[0]?.Outputs ?? [])
      if (o.OutputKey && o.OutputValue) outputs[o.OutputKey] = o.OutputValue;
    const missing = needed.filter((k) => !outputs[k]);
    if (missing.length) {
      err.write(
        `segwatch redrive: stack ${stack} has no output ${missing.join(', ')} (deploy this version of the stack first)\n`,
      );
      return undefined;
    }
    return outputs;
  } catch (e) {
    err.write(`segwatch redrive: could not read stack ${stack}: ${(e as Error).message}\n`);
    return undefined;
  } finally {
    cfn.destroy();
  }
}

interface Search {
  since?: string;
  firms?: string[];
  dryRun: boolean;
}

async function redriveStreamFailuresAws(
  stack: string,
  region: string | undefined,
  o: Search,
  out: Out,
  err: Out,
): Promise<number> {
  const outputs = await stackOutputs(
    stack,
    region,
    ['StreamFailureQueueUrl', 'TableName', 'ReconcileFunctionName', 'NotifyFunctionName'],
    err,
  );
  if (!outputs) return 1;
  const config = { ...(region ? { region } : {}), logger: SDK_LOGGER };
  const sqs = new SQSClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const ddb = new DynamoDBClient(config);
  try {
    const functions: Record<string, Consumer> = {
      [outputs.ReconcileFunctionName!]: 'reconcile',
      [outputs.NotifyFunctionName!]: 'notify',
    };
    const report = await redriveStreamFailures({
      failures: new SqsFailureQueue(sqs, outputs.StreamFailureQueueUrl!),
      streams,
      store: new Store(documentClient(ddb), outputs.TableName!),
      functions,
      now: () => new Date(),
      since: o.since,
      firms: o.firms,
      dryRun: o.dryRun,
    });
    out.write(renderStreamRedrive(report, { dryRun: o.dryRun }));
    return redriveExitCode(report, o.dryRun);
  } catch (e) {
    err.write(`segwatch redrive: ${(e as Error).message}\n`);
    return 1;
  } finally {
    sqs.destroy();
    streams.destroy();
    ddb.destroy();
  }
}

async function redriveLocal(stateDir: string, o: Search, out: Out, err: Out): Promise<number> {
  const paths = statePaths(stateDir);
  const lock = readJson<{ pid?: number } | null>(join(paths.root, 'lock'), null);
  if (lock?.pid && lock.pid !== process.pid) {
    try {
      process.kill(lock.pid, 0);
      err.write(`segwatch redrive: a segwatch run (pid ${lock.pid}) is using ${paths.root}; stop it first (Ctrl-C)\n`);
      return 1;
    } catch {
      // stale lock
    }
  }
  const moved = o.dryRun ? [] : redriveFiles(paths.queue, paths.dlq);
  for (const m of moved)
    out.write(
      `moved ${m.messageId} (${deadLetterKeys(m).join(', ') || 'not an S3 event'}; ${m.receiveCount} receives${m.lastError ? `; last error: ${m.lastError}` : ''})\n`,
    );
  if (moved.length)
    out.write(
      `redrive: ${moved.length} message(s) moved from the local dead-letter queue to the local queue; the next \`segwatch run\` processes them\n`,
    );

  const failures = new LocalFailureQueue(paths.streamFailures);
  if (failures.depth === 0) {
    if (!moved.length)
      out.write(
        'redrive: nothing to move or redrive (the local dead-letter queue and the stream on-failure queue are empty)\n',
      );
    return 0;
  }
  // The stream and the table are in DynamoDB Local's files: start it on them for the redrive.
  let dynamo;
  try {
    dynamo = await startDynamoDbLocal({ dbPath: paths.dynamodb, sharedDb: true });
  } catch (e) {
    err.write(`segwatch redrive: ${(e as Error).message}\n`);
    return e instanceof LocalPipelineError ? 2 : 1;
  }
  const config = {
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: S3RVER_CREDENTIALS,
    logger: SDK_LOGGER,
  };
  const ddb = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  try {
    await ensureTable(ddb, TABLE.localName);
    const report = await redriveStreamFailures({
      failures: failures.reader(),
      streams,
      store: new Store(documentClient(ddb), TABLE.localName),
      functions: { reconcile: 'reconcile', notify: 'notify' },
      now: () => new Date(),
      since: o.since,
      firms: o.firms,
      dryRun: o.dryRun,
    });
    out.write(renderStreamRedrive(report, { dryRun: o.dryRun }));
    if (report.records.some((r) => r.deleted)) out.write('redrive: the next `segwatch run` runs the re-queued items\n');
    return redriveExitCode(report, o.dryRun);
  } catch (e) {
    err.write(`segwatch redrive: ${(e as Error).message}\n`);
    return 1;
  } finally {
    ddb.destroy();
    streams.destroy();
    await dynamo.stop();
  }
}

async function redriveAws(
  queueUrl: string,
  dlqUrl: string,
  region: string | undefined,
  manual: boolean,
  out: Out,
  err: Out,
): Promise<number> {
  const sqs = new SQSClient(region ? { region } : {});
  try {
    if (!manual) {
      const attrs = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: dlqUrl,
          AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'],
        }),
      );
      const src = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
      const dlqArn = attrs.Attributes?.QueueArn;
      const queueArn = src.Attributes?.QueueArn;
      if (!dlqArn || !queueArn) throw new Error("could not read the queues' ARNs");
      const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: queueArn }));
      out.write(
        `redrive: started moving ${attrs.Attributes?.ApproximateNumberOfMessages ?? '?'} message(s) from ${dlqArn} to ${queueArn} (task ${task.TaskHandle})\n`,
      );
      return 0;
    }
    let moved = 0;
    for (;;) {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
        }),
      );
      const msgs = r.Messages ?? [];
      if (msgs.length === 0) break;
      const sent = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: msgs.map((m, i) => ({
            Id: String(i),
            MessageBody: m.Body ?? '',
            MessageAttributes: m.MessageAttributes,
          })),
        }),
      );
      const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
      const del = msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })).filter((e) => ok.has(e.Id));
      if (del.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: dlqUrl, Entries: del }));
      for (const m of msgs.filter((_, i) => ok.has(String(i))))
        out.write(`moved ${m.MessageId} (${deadLetterKeys({ body: m.Body ?? '' }).join(', ') || 'not an S3 event'})\n`);
      moved += del.length;
      if (sent.Failed?.length)
        err.write(
          `segwatch redrive: ${sent.Failed.length} message(s) could not be sent back; they stay in the dead-letter queue\n`,
        );
    }
    out.write(`redrive: ${moved} message(s) moved from ${dlqUrl} to ${queueUrl}\n`);
    return 0;
  } catch (e) {
    err.write(`segwatch redrive: ${(e as Error).message}\n`);
    return 1;
  } finally {
    sqs.destroy();
  }
}
