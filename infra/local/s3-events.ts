/**
 * s3rver's event records -> the records real S3 puts on an SQS queue.
 *
 * s3rver emits eventVersion 2.0, the key as stored (not URL-encoded), an ARN with spaces, a
 * millisecond sequencer and no eTag for copies. Real S3 (event notification structure, version
 * 2.1) URL-encodes the key form-style ("red flower.jpg" -> "red+flower.jpg", "+" -> "%2B",
 * "=" -> "%3D", UTF-8 bytes as %XX; "/" kept), gives the bucket ARN `arn:aws:s3:::bucket`, the
 * size, the eTag without quotes and a hex sequencer that grows per key. The converted records go
 * through the handler's production key decoding.
 */
import { randomBytes, createHash } from 'node:crypto';
import { INCOMING_PREFIX } from '../../shared/table';

/** What s3rver 3.7 emits (one record per event). */
export interface S3rverEvent {
  Records: {
    eventVersion?: string;
    eventName: string;
    eventTime?: string;
    awsRegion?: string;
    requestParameters?: { sourceIPAddress?: string };
    s3: {
      bucket: { name: string };
      object: { key: string; size?: number; eTag?: string; sequencer?: string };
    };
  }[];
}

export interface RealS3EventRecord {
  eventVersion: '2.1';
  eventSource: 'aws:s3';
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: { 'x-amz-request-id': string; 'x-amz-id-2': string };
  s3: {
    s3SchemaVersion: '1.0';
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size: number; eTag: string; versionId?: string; sequencer: string };
  };
}

/**
 * Encode an object key the way S3 writes it into event notifications. S3's documentation: "The
 * object key name value is URL encoded. For example, "red flower.jpg" becomes "red+flower.jpg"
 * (Amazon S3 returns "application/x-www-form-urlencoded" as the content type in the response)".
 * That is the WHATWG application/x-www-form-urlencoded serializer (URLSearchParams): A-Z a-z 0-9
 * `*` `-` `.` `_` kept, a space as `+`, everything else as %XX of its UTF-8 bytes (`~` too); S3
 * keeps the `/` between key segments. The only encoder in the project: the local pipeline and
 * the tests' fixture events both use it.
 */
export function encodeS3EventKey(key: string): string {
  return new URLSearchParams([['k', key]]).toString().slice(2).replace(/%2F/g, '/');
}

/** The production decoding (shared/events.ts decodeS3Key does the same). */
export function decodeS3EventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

let lastSequencer = 0n;
/** A hex sequencer that only grows in this process (S3's are per key, 18 hex digits here). */
export function nextSequencer(now = Date.now()): string {
  let v = BigInt(now) * 1_000_000n;
  if (v <= lastSequencer) v = lastSequencer + 1n;
  lastSequencer = v;
  return v.toString(16).toUpperCase().padStart(18, '0');
}

const EVENT_NAMES: Record<string, string> = {
  'ObjectCreated:Put': 'ObjectCreated:Put',
  'ObjectCreated:Post': 'ObjectCreated:Post',
  'ObjectCreated:Copy': 'ObjectCreated:Copy',
  'ObjectCreated:CompleteMultipartUpload': 'ObjectCreated:CompleteMultipartUpload',
};

export interface ConvertOptions {
  region?: string;
  /** Only keys under this prefix are delivered (the bucket notification's filter). */
  prefix?: string;
  configurationId?: string;
  /** eTag for records that lack one (s3rver copies): looked up by the caller. */
  eTagOf?: (bucket: string, key: string) => string | undefined;
}

/**
 * Convert one s3rver event to the records real S3 would send for it: only object-created events
 * under the notification prefix (s3rver also emits deletes, which the stack does not subscribe to).
 */
export function toRealS3Records(event: S3rverEvent, options: ConvertOptions = {}): RealS3EventRecord[] {
  const prefix = options.prefix ?? INCOMING_PREFIX;
  const out: RealS3EventRecord[] = [];
  for (const r of event.Records ?? []) {
    const eventName = EVENT_NAMES[r.eventName];
    if (!eventName) continue;
    const { bucket, object } = r.s3;
    if (!object.key.startsWith(prefix)) continue;
    const eTag = (object.eTag ?? options.eTagOf?.(bucket.name, object.key) ?? '').replace(/"/g, '');
    out.push({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: options.region ?? 'us-east-1',
      eventTime: r.eventTime ?? new Date().toISOString(),
      eventName,
      userIdentity: { principalId: 'AWS:AIDALOCALSEGWATCH' },
      requestParameters: { sourceIPAddress: r.requestParameters?.sourceIPAddress ?? '127.0.0.1' },
      responseElements: {
        'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
        'x-amz-id-2': createHash('sha256').update(randomBytes(16)).digest('base64'),
      },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: options.configurationId ?? 'segwatch-incoming',
        bucket: {
          name: bucket.name,
          ownerIdentity: { principalId: 'A3LOCALSEGWATCH' },
          arn: `arn:aws:s3:::${bucket.name}`,
        },
        object: { key: encodeS3EventKey(object.key), size: object.size ?? 0, eTag, sequencer: nextSequencer() },
      },
    });
  }
  return out;
}

/** The SQS message body S3 sends: one record per message. */
export function s3QueueBody(record: RealS3EventRecord): string {
  return JSON.stringify({ Records: [record] });
}

/** The test event S3 sends to a queue when the notification is configured. */
export function s3TestEventBody(bucket: string): string {
  return JSON.stringify({
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: new Date().toISOString(),
    Bucket: bucket,
    RequestId: randomBytes(8).toString('hex').toUpperCase(),
    HostId: createHash('sha256').update(randomBytes(16)).digest('base64'),
  });
}
