/**
 * reconcile: new filing versions from the table's stream -> result, effective version, alerts
 * in the outbox. Records are handled in stream order; a failure reports that record (and the
 * stream retries from it), the rest of the batch is kept.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { documentClient } from '../../shared/adapters/clients';
import { Store, versionFromItem } from '../../shared/adapters/store';
import { tableName } from '../../shared/config';
import { StreamEventSchema, StreamRecordSchema } from '../../shared/events';
import { reconcileVersion, type ReconcileDeps } from '../../shared/pipeline/reconcile-version';

const logger = new Logger({ serviceName: 'segwatch-reconcile' });
const deps: ReconcileDeps = { store: new Store(documentClient(), tableName()), now: () => new Date() };
const processor = new BatchProcessor(EventType.DynamoDBStreams);

async function recordHandler(record: DynamoDBRecord): Promise<void> {
  const r = StreamRecordSchema.parse(record);
  if (!r.dynamodb.NewImage) return;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const image = unmarshall(r.dynamodb.NewImage as any, { wrapNumbers: true }) as Record<string, unknown>;
  if (image.type !== 'filing' || image.state !== 'pending') return;
  const outcome = await reconcileVersion(deps, versionFromItem(image));
  logger.info('filing reconciled', {
    firmId: image.firmId,
    endDate: image.endDate,
    versionKey: outcome.versionKey,
    effective: outcome.effective,
    status: outcome.status,
    alerts: outcome.alerts.map((a) => a.kind),
  });
}

export const handler = async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
  StreamEventSchema.parse(event);
  return processPartialResponse(event, recordHandler, processor, { context, processInParallel: false, throwOnFullBatchFailure: false });
};
