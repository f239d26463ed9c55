/**
 * Lambda events in the shapes AWS delivers them: S3 event notifications (URL-encoded keys, `+`
 * for a space) wrapped in SQS messages, DynamoDB stream records with NEW_IMAGE, and a context.
 */
import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import type { S3EventRecord } from '../../shared/events';
import { encodeS3EventKey } from '../../infra/local/s3-events';

export const REGION = 'us-east-1';
export const BUCKET = 'segwatch-filings-123456789012';

export const md5 = (b: Uint8Array | string) => createHash('md5').update(b).digest('hex');

export interface S3RecordSpec {
  key: string;
  bucket?: string;
  size?: number;
  eTag?: string;
  versionId?: string;
  sequencer?: string;
  eventName?: string;
  /** ISO-8601 (default 2014-11-07T13:05:09.123Z). */
  eventTime?: string;
}

/** One record of an S3 event notification, as S3 writes it (key encoded). */
export function s3Record(spec: S3RecordSpec): S3EventRecord & Record<string, unknown> {
  const bucket = spec.bucket ?? BUCKET;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: REGION,
    eventTime: spec.eventTime ?? '2014-11-07T13:05:09.123Z',
    eventName: spec.eventName ?? 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
    requestParameters: { sourceIPAddress: '198.51.100.7' },
    responseElements: {
      'x-amz-request-id': 'C3D13FE58DE4C810',
      'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'segwatch-incoming',
      bucket: { name: bucket, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodeS3EventKey(spec.key),
        size: spec.size ?? 0,
        eTag: spec.eTag ?? md5(spec.key),
        ...(spec.versionId ? { versionId: spec.versionId } : {}),
        sequencer: spec.sequencer ?? '0055AED6DCD90281E5',
      },
    },
  } as S3EventRecord & Record<string, unknown>;
}

let messageSeq = 0;

export function sqsMessage(body: string, messageId = `m-${++messageSeq}`): SQSRecord {
  return {
    messageId,
    receiptHandle: `AQEB${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1415365509123',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1415365509130',
    },
    messageAttributes: {},
    md5OfBody: md5(body),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:123456789012:segwatch-incoming`,
    awsRegion: REGION,
  };
}

export function s3Message(records: S3RecordSpec[], messageId?: string): SQSRecord {
  return sqsMessage(JSON.stringify({ Records: records.map(s3Record) }), messageId);
}

export function s3TestEventMessage(bucket = BUCKET): SQSRecord {
  return sqsMessage(
    JSON.stringify({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: '2014-11-07T13:00:00.000Z',
      Bucket: bucket,
      RequestId: '5582815E1AEA5ADF',
      HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE',
    }),
  );
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

let streamSeq = 0;

export function streamRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  image: Record<string, AttributeValue>,
): DynamoDBRecord {
  const seq = String(++streamSeq).padStart(21, '0');
  return {
    eventID: `e${seq}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: REGION,
    dynamodb: {
      ApproximateCreationDateTime: 1415365510,
      Keys: { pk: image.pk, sk: image.sk } as never,
      ...(eventName === 'REMOVE' ? {} : { NewImage: image as never }),
      SequenceNumber: seq,
      SizeBytes: JSON.stringify(image).length,
      StreamViewType: 'NEW_IMAGE',
    },
    eventSourceARN: `arn:aws:dynamodb:${REGION}:123456789012:table/segwatch/stream/2014-11-07T00:00:00.000`,
  };
}

export const streamEvent = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

export function lambdaContext(name: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:123456789012:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: '2014/11/07/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
