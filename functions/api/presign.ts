/** The presigned links of ./objects.ts, with the S3 client and presigner (loaded lazily by the api function). */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { LINK_SECONDS, type ObjectLinks } from './objects';

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
