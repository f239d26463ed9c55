/** zod schemas of the events the functions receive (only the fields they use). */
import * as z from './zod';

export const S3EventRecordSchema = z.object({
  eventName: z.string(),
  eventTime: z.string().optional(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      eTag: z.string().optional(),
      versionId: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});
export type S3EventRecord = z.infer<typeof S3EventRecordSchema>;

/** The body S3 puts on the queue: an event notification, or the test event sent on setup. */
export const S3QueueBodySchema = z.object({ Records: z.array(S3EventRecordSchema) });

/** The test event S3 sends when a notification is set up: nothing to do. */
export function isS3TestEvent(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { Event?: unknown }).Event === 's3:TestEvent';
}

export const SqsRecordSchema = z.object({ messageId: z.string(), body: z.string() }).loose();
export const SqsEventSchema = z.object({ Records: z.array(SqsRecordSchema) });

export const StreamRecordSchema = z
  .object({
    eventID: z.string().optional(),
    eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
    dynamodb: z
      .object({
        SequenceNumber: z.string().optional(),
        NewImage: z.record(z.string(), z.any()).optional(),
        Keys: z.record(z.string(), z.any()).optional(),
      })
      .loose(),
  })
  .loose();
export const StreamEventSchema = z.object({ Records: z.array(StreamRecordSchema) });

/** Real S3 event keys are URL-encoded with "+" for a space. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}
