/**
 * `segwatch redrive --local`: move the local dead-letter queue's messages back onto the local
 * queue (the next `segwatch run` processes them), and ask the next run to replay the stream
 * records reconcile/notify gave up on.
 * `segwatch redrive --queue-url URL --dlq-url URL [--region R]` on AWS: move the DLQ's messages
 * back to the queue (StartMessageMoveTask; receive + send + delete with --manual).
 */
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { redriveFiles } from './queue';
import { readJson, statePaths, writeJsonAtomic } from './state';
import { deadLetterKeys } from './stack';
import type { OnFailureRecord } from './streams';

type Out = NodeJS.WritableStream;
const USAGE = 'usage: segwatch redrive --local [--state DIR]\n       segwatch redrive --queue-url URL --dlq-url URL [--region R] [--manual]\n';

export async function redriveCommand(args: string[], out: Out, err: Out): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        local: { type: 'boolean', default: false },
        state: { type: 'string' },
        'queue-url': { type: 'string' },
        'dlq-url': { type: 'string' },
        region: { type: 'string' },
        manual: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    err.write(`segwatch redrive: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.local) return redriveLocal(values.state ?? '.segwatch', out, err);
  if (values['queue-url'] && values['dlq-url']) return redriveAws(values['queue-url'], values['dlq-url'], values.region, values.manual!, out, err);
  err.write(`segwatch redrive: say --local, or give --queue-url and --dlq-url\n${USAGE}`);
  return 2;
}

function redriveLocal(stateDir: string, out: Out, err: Out): number {
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
  const moved = redriveFiles(paths.queue, paths.dlq);
  for (const m of moved) out.write(`moved ${m.messageId} (${deadLetterKeys(m).join(', ') || 'not an S3 event'}; ${m.receiveCount} receives${m.lastError ? `; last error: ${m.lastError}` : ''})\n`);
  const failures = readJson<OnFailureRecord[]>(paths.streamFailures, []);
  if (failures.length) {
    const redrivePath = join(dirname(paths.streamFailures), 'redrive.json');
    writeJsonAtomic(redrivePath, [...readJson<OnFailureRecord[]>(redrivePath, []), ...failures]);
    writeJsonAtomic(paths.streamFailures, []);
    for (const f of failures) out.write(`replay ${f.batchSize} ${f.consumer} stream record(s) of shard ${f.shardId} (${f.reason})\n`);
  }
  const records = failures.reduce((n, f) => n + f.batchSize, 0);
  out.write(
    moved.length || failures.length
      ? `redrive: ${moved.length} message(s) moved from the local dead-letter queue to the local queue${failures.length ? `, ${records} stream record(s) to replay` : ''}; the next \`segwatch run\` processes them\n`
      : 'redrive: nothing to move (the local dead-letter queue and the stream on-failure list are empty)\n',
  );
  return 0;
}

async function redriveAws(queueUrl: string, dlqUrl: string, region: string | undefined, manual: boolean, out: Out, err: Out): Promise<number> {
  const sqs = new SQSClient(region ? { region } : {});
  try {
    if (!manual) {
      const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'] }));
      const src = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
      const dlqArn = attrs.Attributes?.QueueArn;
      const queueArn = src.Attributes?.QueueArn;
      if (!dlqArn || !queueArn) throw new Error('could not read the queues\' ARNs');
      const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: queueArn }));
      out.write(`redrive: started moving ${attrs.Attributes?.ApproximateNumberOfMessages ?? '?'} message(s) from ${dlqArn} to ${queueArn} (task ${task.TaskHandle})\n`);
      return 0;
    }
    let moved = 0;
    for (;;) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
      const msgs = r.Messages ?? [];
      if (msgs.length === 0) break;
      const sent = await sqs.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: msgs.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? '', MessageAttributes: m.MessageAttributes })) }),
      );
      const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
      const del = msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })).filter((e) => ok.has(e.Id));
      if (del.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: dlqUrl, Entries: del }));
      for (const m of msgs.filter((_, i) => ok.has(String(i)))) out.write(`moved ${m.MessageId} (${deadLetterKeys({ body: m.Body ?? '' }).join(', ') || 'not an S3 event'})\n`);
      moved += del.length;
      if (sent.Failed?.length) err.write(`segwatch redrive: ${sent.Failed.length} message(s) could not be sent back; they stay in the dead-letter queue\n`);
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
