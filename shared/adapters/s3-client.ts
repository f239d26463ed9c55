/**
 * The S3 client, for parse, the CLI and the local stack: a file of its own, so that importing the
 * other clients (./clients.ts) does not load the S3 SDK. The api loads it only on its first link to
 * an original filing (functions/api/objects.ts; infra/bundling.ts FUNCTION_LAZY_PACKAGES).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { s3ClientConfig } from './clients';

export function s3Client(): S3Client {
  return new S3Client(s3ClientConfig());
}
