/**
 * notify: pending alerts from the table's stream -> SNS, then marked sent. A failed publish
 * reports the record; the stream retries it and the alert stays pending until it is sent.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { errorDetails } from '../../shared/adapters/stacks';
import { documentClient, snsClient } from '../../shared/adapters/clients';
import { SnsPublisher } from '../../shared/adapters/publisher';
import { Store } from '../../shared/adapters/store';
import { tableName, topicArn } from '../../shared/config';
import { StreamEventSchema } from '../../shared/events';
import { pendingImage, processStreamByKey, streamKey } from '../../shared/stream-batch';
import { notifyAlert, type NotifyDeps } from '../../shared/pipeline/notify-alert';

const logger = new Logger({ serviceName: 'segwatch-notify' });
const deps: NotifyDeps = {
  store: new Store(documentClient(), tableName()),
  publisher: new SnsPublisher(snsClient(), topicArn()),
  now: () => new Date(),
};

async function recordHandler(record: DynamoDBRecord): Promise<void> {
  const image = pendingImage(record, 'alert');
  if (!image) return;
  const outcome = await notifyAlert(deps, image.pk as string, image.sk as string);
  logger.info('alert processed', { status: outcome.status, id: image.id, kind: image.kind, severity: image.severity });
}

export const handler = async (event: DynamoDBStreamEvent, _context: Context): Promise<DynamoDBBatchResponse> => {
  StreamEventSchema.parse(event);
  // By firm-day (not by alert): the words of a channel go out in the order they were said.
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
