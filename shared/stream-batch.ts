/**
 * Partial-batch processing of a DynamoDB stream batch, concurrent across items and in stream
 * order within one key: records of the same key (a firm's day for reconcile, one alert for
 * notify) run one after another, different keys at the same time. When a record fails, it and
 * the later records of its key are reported in batchItemFailures (the stream retries from the
 * lowest one; every step is idempotent, so records retried after a success change nothing).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';

export async function processStreamByKey(
  records: DynamoDBRecord[],
  keyOf: (r: DynamoDBRecord) => string,
  handle: (r: DynamoDBRecord) => Promise<void>,
  onError: (r: DynamoDBRecord, e: unknown) => void = () => undefined,
): Promise<DynamoDBBatchResponse> {
  const groups = new Map<string, DynamoDBRecord[]>();
  for (const r of records) {
    const k = keyOf(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const failed = new Set<DynamoDBRecord>();
  await Promise.all(
    [...groups.values()].map(async (group) => {
      let broken = false;
      for (const r of group) {
        if (broken) {
          failed.add(r);
          continue;
        }
        try {
          await handle(r);
        } catch (e) {
          onError(r, e);
          failed.add(r);
          broken = true;
        }
      }
    }),
  );
  return {
    batchItemFailures: records
      .filter((r) => failed.has(r))
      .map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? '' })),
  };
}

/** The item key of a stream record (`pk`, or `pk`+`sk`), from Keys or NewImage. */
export function streamKey(r: DynamoDBRecord, withSort: boolean): string {
  const keys = r.dynamodb?.Keys ?? r.dynamodb?.NewImage ?? {};
  const pk = keys.pk?.S ?? '';
  return withSort ? `${pk}\u0000${keys.sk?.S ?? ''}` : pk;
}

/**
 * The new image of a stream record as a document (amounts as NumberValue), when it is an item of
 * `type` still in state `pending` (what the stream filters let through); undefined otherwise.
 */
export function pendingImage(r: DynamoDBRecord, type: string): Record<string, unknown> | undefined {
  const newImage = r.dynamodb?.NewImage;
  if (!newImage) return undefined;
  const image = unmarshall(newImage as Record<string, AttributeValue>, { wrapNumbers: true }) as Record<
    string,
    unknown
  >;
  return image.type === type && image.state === 'pending' ? image : undefined;
}
