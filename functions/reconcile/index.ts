/**
 * reconcile: new filing versions (and recheck requests) from the table's stream -> result,
 * effective version, alerts in the outbox, head. Records of one firm's day are handled in stream
 * order, different days at the same time; a failure reports that record and the later ones of its
 * day (the stream retries from the lowest), the rest of the batch is kept.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { errorDetails } from '../../shared/adapters/stacks';
import { documentClient } from '../../shared/adapters/clients';
import { Store, versionFromItem } from '../../shared/adapters/store';
import { tableName } from '../../shared/config';
import { StreamEventSchema } from '../../shared/events';
import { pendingImage, processStreamByKey, streamKey } from '../../shared/stream-batch';
import { recheckDay, reconcileVersion, type ReconcileDeps } from '../../shared/pipeline/reconcile-version';

const logger = new Logger({ serviceName: 'segwatch-reconcile' });
const deps: ReconcileDeps = { store: new Store(documentClient(), tableName()), now: () => new Date() };

async function recordHandler(record: DynamoDBRecord): Promise<void> {
  const recheck = pendingImage(record, 'recheck');
  if (recheck) {
    const day = await recheckDay(deps, recheck.firmId as string, recheck.endDate as string);
    logger.info('day evaluated again', {
      firmId: recheck.firmId,
      endDate: recheck.endDate,
      from: recheck.from,
      status: day.status,
      alerts: day.alerts.map((a) => a.kind),
    });
    return;
  }
  const image = pendingImage(record, 'filing');
  if (!image) return;
  const outcome = await reconcileVersion(deps, versionFromItem(image), { inserted: record.eventName === 'INSERT' });
  logger.info('filing reconciled', {
    firmId: image.firmId,
    endDate: image.endDate,
    versionKey: outcome.versionKey,
    effective: outcome.effective,
    status: outcome.status,
    alerts: outcome.alerts.map((a) => a.kind),
    rechecked: outcome.day.rechecked,
  });
}

export const handler = async (event: DynamoDBStreamEvent, _context: Context): Promise<DynamoDBBatchResponse> => {
  StreamEventSchema.parse(event);
  return processStreamByKey(
    event.Records,
    (r) => streamKey(r, false),
    recordHandler,
    (r, e) =>
      logger.error('record failed, will be retried', {
        sequenceNumber: r.dynamodb?.SequenceNumber,
        ...errorDetails(e),
      }),
  );
};
