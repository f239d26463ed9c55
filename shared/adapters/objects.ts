/** Reading filing objects from S3, never more than the size limit. */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export type ObjectRead = { ok: true; bytes: Uint8Array } | { ok: false; tooLarge: number } | { ok: false; gone: true };

export interface ObjectSource {
  read(bucket: string, key: string, maxBytes: number, versionId?: string): Promise<ObjectRead>;
}

export class S3ObjectSource implements ObjectSource {
  constructor(private readonly s3: S3Client) {}

  async read(bucket: string, key: string, maxBytes: number, versionId?: string): Promise<ObjectRead> {
    let out;
    try {
      out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    } catch (e) {
      // Deleted before it was read (the bucket is versioned, so with a versionId this is rare).
      // Anything else (throttling, 5xx, AccessDenied) throws: the message is retried.
      if ((e as { name?: string }).name === 'NoSuchKey' || (e as { name?: string }).name === 'NoSuchVersion')
        return { ok: false, gone: true };
      throw e;
    }
    const declared = out.ContentLength;
    const body = out.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
    if (declared !== undefined && declared > maxBytes) {
      body?.destroy?.();
      return { ok: false, tooLarge: declared };
    }
    if (!body) return { ok: true, bytes: new Uint8Array(0) };
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of body) {
      total += chunk.length;
      if (total > maxBytes) {
        body.destroy?.();
        return { ok: false, tooLarge: total };
      }
      chunks.push(chunk);
    }
    return { ok: true, bytes: Buffer.concat(chunks, total) };
  }
}
