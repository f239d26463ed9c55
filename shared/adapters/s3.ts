/**
 * The S3 client, made once per module by the functions that read objects (parse; the api's links
 * to originals, which loads this module only when a link is asked for: the S3 client is about a
 * sixth of the api bundle and of its cold start). Its own module, beside clients.ts, so a function
 * that imports clients.ts does not load the S3 client with it.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { region, SDK_LOGGER } from './clients';

export function s3Client(): S3Client {
  return new S3Client({
    region: region(),
    logger: SDK_LOGGER,
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
