/**
 * Links to a filing's original object: a presigned S3 GET, made when the user clicks (so the link
 * in the page never expires, and the URL it redirects to lives one minute). Only objects under the
 * filings bucket's incoming/ prefix, which is all the function may read; the object comes as a
 * download (never rendered in the browser: a filing may be HTML).
 *
 * The S3 client and the presigner are loaded on the first link, not at cold start: in the api's
 * bundle they are lazy packages (infra/bundling.ts FUNCTION_LAZY_PACKAGES), files of their own
 * beside index.js, 150 KB of code that every page but this redirect would compile for nothing.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { s3ClientConfig } from '../../shared/adapters/clients';

export interface ObjectLinks {
  /** A short-lived URL for the object, or null when it is not one the dashboard may link to. */
  url(source: { bucket: string; key: string }): Promise<string | null>;
}

export const LINK_SECONDS = 60;

/** The S3 client, or how to make it when the first link is asked for. */
export type S3ClientSource = S3Client | (() => S3Client | Promise<S3Client>);

/** An S3 client with segwatch's settings (shared/adapters/clients.ts), made from the lazily loaded SDK. */
export async function loadS3Client(): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client(s3ClientConfig());
}

export function presignedLinks(
  s3: S3ClientSource,
  opts: { bucket: string; prefix: string; expiresIn?: number },
): ObjectLinks {
  let client: Promise<S3Client> | undefined;
  const clientOnce = () => {
    client ??= Promise.resolve(typeof s3 === 'function' ? s3() : s3).catch((e: unknown) => {
      client = undefined;
      throw e;
    });
    return client;
  };
  return {
    async url(source) {
      if (source.bucket !== opts.bucket || !source.key.startsWith(opts.prefix) || source.key.includes('..'))
        return null;
      const name = source.key.slice(source.key.lastIndexOf('/') + 1).replace(/[^A-Za-z0-9._-]/g, '_') || 'filing';
      const [{ GetObjectCommand }, { getSignedUrl }, s3client] = await Promise.all([
        import('@aws-sdk/client-s3'),
        import('@aws-sdk/s3-request-presigner'),
        clientOnce(),
      ]);
      return getSignedUrl(
        s3client,
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
