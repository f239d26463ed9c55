/**
 * parse: S3 `incoming/` events from SQS -> a stored filing version, or a recorded rejection.
 * Partial batch failures: only the messages that failed come back to the queue; after
 * PIPELINE.queueMaxReceiveCount receives a message goes to the dead-letter queue.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { errorDetails } from '../../shared/adapters/stacks';
import { documentClient } from '../../shared/adapters/clients';
import { s3Client } from '../../shared/adapters/s3-client';
import { S3ObjectSource } from '../../shared/adapters/objects';
import { Store } from '../../shared/adapters/store';
import { incomingPrefix, maxFilingBytes, tableName } from '../../shared/config';
import { PIPELINE } from '../../shared/table';
import { isS3TestEvent, S3QueueBodySchema, SqsEventSchema } from '../../shared/events';
import { ingestS3Record, type IngestDeps } from '../../shared/pipeline/ingest';

const logger = new Logger({ serviceName: 'segwatch-parse' });
const deps: IngestDeps = {
  store: new Store(documentClient(), tableName()),
  objects: new S3ObjectSource(s3Client()),
  maxBytes: maxFilingBytes(),
  incomingPrefix: incomingPrefix(),
  now: () => new Date(),
};
const processor = new BatchProcessor(EventType.SQS);

async function ingestMessage(record: SQSRecord): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new Error(`message ${record.messageId} is not JSON: not an S3 event notification`);
  }
  if (isS3TestEvent(body)) return;
  const parsed = S3QueueBodySchema.safeParse(body);
  if (!parsed.success)
    throw new Error(`message ${record.messageId} is not an S3 event notification: ${parsed.error.issues[0]?.message}`);
  for (const r of parsed.data.Records) {
    const outcome = await ingestS3Record(deps, r);
    logger.info('object processed', { messageId: record.messageId, ...outcome });
  }
}

/** On the last receive before the dead-letter queue, record why, so the DLQ message carries a reason. */
async function recordHandler(record: SQSRecord): Promise<void> {
  try {
    await ingestMessage(record);
  } catch (e) {
    const reason = (e as Error)?.message ?? String(e);
    const receiveCount = Number.parseInt(record.attributes?.ApproximateReceiveCount ?? '1', 10);
    logger.error('message failed', { messageId: record.messageId, receiveCount, ...errorDetails(e) });
    if (receiveCount >= PIPELINE.queueMaxReceiveCount) {
      await deps.store
        .putDeadLetterReason({
          queue: 'ingest',
          messageId: record.messageId,
          receiveCount,
          reason,
          body: record.body,
          at: deps.now().toISOString(),
        })
        .catch((err: unknown) =>
          logger.error('could not record the dead-letter reason', { messageId: record.messageId, error: String(err) }),
        );
    }
    throw e;
  }
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  SqsEventSchema.parse(event);
  const response = await processPartialResponse(event, recordHandler, processor, {
    context,
    throwOnFullBatchFailure: false,
  });
  for (const f of response.batchItemFailures)
    logger.warn('message failed, will be retried', { messageId: f.itemIdentifier });
  return response;
};
