/**
 * parse's work for one S3 object: read it (size checked first), parse it, store the filing
 * version and the object's record, or record the rejection and raise a `rejected` alert.
 * Idempotent: a repeated event finds its object record and stops; the same filing from two
 * objects is one version (its key holds a content hash), whose arrival is the earliest S3 event
 * time of the objects that carried it. Nothing is written that DynamoDB could not hold: a file with
 * far more cells than any real filing, or whose version item would exceed the item limit, is
 * rejected with that reason.
 */
import { FilingError, parseFiling, type ParseResult } from '../domain/parser';
import { filingToJson } from '../domain/model';
import { rejectedAlert } from '../domain/alerts';
import { decodeS3Key, type S3EventRecord } from '../events';
import type { ObjectSource } from '../adapters/objects';
import type { Store } from '../adapters/store';
import { DYNAMODB_ITEM_LIMIT } from '../adapters/item-size';
import { arrivalTime, contentHash, versionKeyOf } from '../domain/versions';
import { tooManyCells } from '../domain/limits';

export interface IngestDeps {
  store: Store;
  objects: ObjectSource;
  maxBytes: number;
  incomingPrefix: string;
  now: () => Date;
}

export type IngestOutcome =
  | { status: 'skipped'; reason: string; key: string }
  | { status: 'already-processed'; key: string }
  | { status: 'stored'; key: string; firmId: string; endDate: string; versionKey: string; duplicate: boolean }
  | { status: 'rejected'; key: string; code: string; reason: string };

export async function ingestS3Record(deps: IngestDeps, record: S3EventRecord): Promise<IngestOutcome> {
  const bucket = record.s3.bucket.name;
  const key = decodeS3Key(record.s3.object.key);
  if (!record.eventName.startsWith('ObjectCreated:'))
    return { status: 'skipped', reason: `event ${record.eventName}`, key };
  if (!key.startsWith(deps.incomingPrefix)) return { status: 'skipped', reason: `outside ${deps.incomingPrefix}`, key };
  if (key.endsWith('/') && (record.s3.object.size ?? 0) === 0)
    return { status: 'skipped', reason: 'folder marker', key };
  const objectId = record.s3.object.versionId ?? record.s3.object.eTag ?? record.s3.object.sequencer ?? 'unversioned';

  if (await deps.store.getObjectRecord(bucket, key, objectId)) return { status: 'already-processed', key };

  const receivedAt = deps.now().toISOString();
  const arrivedAt = arrivalTime(record.eventTime, receivedAt);
  const reject = async (code: string, reason: string, size: number): Promise<IngestOutcome> => {
    const alert = rejectedAlert({ bucket, key }, objectId, code, reason);
    // The alert first: if we stop between the two writes, the retry writes the record and the
    // alert's conditional put keeps it single.
    await deps.store.putAlert(alert, receivedAt, receivedAt.slice(0, 10));
    await deps.store.putObjectRecord({
      bucket,
      key,
      objectId,
      status: 'rejected',
      size,
      receivedAt,
      arrivedAt,
      reasonCode: code,
      reason,
      alertId: alert.id,
    });
    return { status: 'rejected', key, code, reason };
  };

  const declared = record.s3.object.size;
  if (declared !== undefined && declared > deps.maxBytes)
    return reject('too-large', `the file is ${declared} bytes, over the ${deps.maxBytes}-byte limit`, declared);

  const read = await deps.objects.read(bucket, key, deps.maxBytes, record.s3.object.versionId);
  if (!read.ok) {
    if ('gone' in read) return reject('gone', 'the object was deleted before it could be read', declared ?? 0);
    return reject(
      'too-large',
      `the file is over the ${deps.maxBytes}-byte limit (${read.tooLarge}+ bytes read)`,
      read.tooLarge,
    );
  }

  let parsed: ParseResult;
  try {
    parsed = await parseFiling(read.bytes, { maxBytes: deps.maxBytes });
  } catch (e) {
    if (e instanceof FilingError) return reject(e.code, e.message, read.bytes.length);
    throw e;
  }
  // Reconciliation happens downstream, from the table's stream; here only the parse.
  const cells = tooManyCells(parsed);
  if (cells) return reject('too-many-cells', cells, read.bytes.length);
  const { filing, unreadable, notes } = parsed;
  const hash = contentHash(filingToJson(filing));
  const versionKey = versionKeyOf(filing, hash);
  const version = {
    firmId: filing.firmId,
    firmName: filing.firmName,
    endDate: filing.endDate,
    submitDate: filing.submitDate,
    filingType: filing.filingType,
    versionKey,
    contentHash: hash,
    source: { bucket, key, objectId },
    receivedAt,
    arrivedAt,
    filing,
    unreadable,
    notes,
  };
  const bytes = deps.store.versionItemSize(version);
  if (bytes > DYNAMODB_ITEM_LIMIT - 1024)
    return reject(
      'too-large-for-store',
      `the parsed filing would take ${bytes} bytes in the table, over DynamoDB's ${DYNAMODB_ITEM_LIMIT}-byte item limit: not stored`,
      read.bytes.length,
    );
  const created = await deps.store.putVersion(version);
  // Not created: the version was stored before, by another object holding the same filing (a
  // duplicate), or by this very object on an earlier attempt that failed after the put (a retry,
  // or a concurrent delivery of the same event): not a duplicate.
  const stored = created ? undefined : await deps.store.getVersion(filing.firmId, filing.endDate, versionKey);
  const earlier = stored?.source;
  const duplicate = !created && !(earlier?.bucket === bucket && earlier.key === key && earlier.objectId === objectId);
  // A copy whose object arrived before the stored version's first arrival (events processed out
  // of order): the version's arrival moves back to it, and its day is evaluated again.
  if (stored && arrivedAt < stored.arrivedAt)
    await deps.store.lowerArrival(filing.firmId, filing.endDate, versionKey, arrivedAt, { bucket, key, objectId });
  await deps.store.putObjectRecord({
    bucket,
    key,
    objectId,
    status: 'stored',
    size: read.bytes.length,
    receivedAt,
    arrivedAt,
    firmId: filing.firmId,
    endDate: filing.endDate,
    versionKey,
    duplicate,
  });
  return { status: 'stored', key, firmId: filing.firmId, endDate: filing.endDate, versionKey, duplicate };
}
