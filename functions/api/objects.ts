/**
 * Links to a filing's original object: a presigned S3 GET, made when the user clicks (so the link
 * in the page never expires, and the URL it redirects to lives one minute). Only objects under the
 * filings bucket's incoming/ prefix, which is all the function may read; the object comes as a
 * download (never rendered in the browser: a filing may be HTML).
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export interface ObjectLinks {
  /** A short-lived URL for the object, or null when it is not one the dashboard may link to. */
  url(source: { bucket: string; key: string }): Promise<string | null>;
}

export const LINK_SECONDS = 60;

export function presignedLinks(
  s3: S3Client,
  opts: { bucket: string; prefix: string; expiresIn?: number },
): ObjectLinks {
  return {
    async url(source) {
      if (source.bucket !== opts.bucket || !source.key.startsWith(opts.prefix) || source.key.includes('..'))
        return null;
      const name = source.key.slice(source.key.lastIndexOf('/') + 1).replace(/[^A-Za-z0-9._-]/g, '_') || 'filing';
      return getSignedUrl(
        s3,
        new GetObjectCommand({
          Bucket: source.bucket,
          Key: source.key,
          ResponseContentDisposition: `attachment; filename="${name}"`,
        }),
        { expiresIn: opts.expiresIn ?? LINK_SECONDS },
      );
    },
  };
}
