/**
 * api: the dashboard behind API Gateway (HTTP API, payload v2), the same app `segwatch serve` runs
 * locally (./app.ts), with Cognito sign-in, read-only access to the table and presigned links to
 * the original filings. Clients and configuration are made once per cold start.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { handle } from 'hono/aws-lambda';
import { documentClient } from '../../shared/adapters/clients';
import { incomingPrefix, tableName } from '../../shared/config';
import { ENV } from '../../shared/table';
import { requiredEnv } from '../../shared/adapters/clients';
import { createApp } from './app';
import { cognitoAuth } from './auth';
import { cognitoConfig } from './config';
import { readQueries } from '../../shared/read/queries';
import { StoreSource } from '../../shared/read/store-source';
import { loadS3Client, presignedLinks } from './objects';

const logger = new Logger({ serviceName: 'segwatch-api' });
// The read queries (shared/read) over the table: Query requests only, on the table and its indexes.
const queries = readQueries(new StoreSource(documentClient(), tableName()));

const log = (level: 'warn' | 'error', message: string, details?: Record<string, unknown>) =>
  logger[level](message, details ?? {});

/** Links to the original filings; the S3 SDK is loaded on the first one (./objects.ts). */
export const objects = presignedLinks(loadS3Client, { bucket: requiredEnv(ENV.bucket), prefix: incomingPrefix() });

export const app = createApp({
  queries,
  auth: cognitoAuth(cognitoConfig(), { log: (m, d) => logger.info(m, d ?? {}) }),
  objects,
  https: true,
  log,
});

export const handler = handle(app);
