/**
 * Links to a filing's original object: a presigned S3 GET, made when the user clicks (so the link
 * in the page never expires, and the URL it redirects to lives one minute). Only objects under the
 * filings bucket's incoming/ prefix, which is all the function may read; the object comes as a
 * download (never rendered in the browser: a filing may be HTML).
 */

export interface ObjectLinks {
  /** A short-lived URL for the object, or null when it is not one the dashboard may link to. */
  url(source: { bucket: string; key: string }): Promise<string | null>;
}

export const LINK_SECONDS = 60;

/**
 * presignedLinks with the S3 client and the presigner loaded on the first link asked for (the api
 * function's cold start does not pay for them: most requests are pages, not downloads).
 */
export function lazyPresignedLinks(opts: { bucket: string; prefix: string; expiresIn?: number }): ObjectLinks {
  let links: Promise<ObjectLinks> | undefined;
  return {
    async url(source) {
      links ??= Promise.all([import('./presign'), import('../../shared/adapters/s3')]).then(
        ([p, s]) => p.presignedLinks(s.s3Client(), opts),
        (e) => {
          links = undefined; // the next link tries again
          throw e;
        },
      );
      return (await links).url(source);
    },
  };
}
