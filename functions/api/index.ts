/**
 * api: the dashboard behind API Gateway (HTTP API, payload v2), the same app `segwatch serve` runs
 * locally (./app.ts), with Cognito sign-in, read-only access to the table and presigned links to
 * the original filings. Clients and configuration are made once per cold start.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { handle } from 'hono/aws-lambda';
import { documentClient, s3Client } from '../../shared/adapters/clients';
import { Store } from '../../shared/adapters/store';
import { incomingPrefix, tableName } from '../../shared/config';
import { ENV } from '../../shared/table';
import { requiredEnv } from '../../shared/adapters/clients';
import { createApp } from './app';
import { cognitoAuth } from './auth';
import { cognitoConfig } from './config';
import { notWiredQueries } from './not-wired';
import { presignedLinks } from './objects';

const logger = new Logger({ serviceName: 'segwatch-api' });
const store = new Store(documentClient(), tableName());
// THE SEAM: the read queries over `store` (shared/read) replace this line when they merge.
void store;
const queries = notWiredQueries();

const log = (level: 'warn' | 'error', message: string, details?: Record<string, unknown>) => logger[level](message, details ?? {});

export const app = createApp({
  queries,
  auth: cognitoAuth(cognitoConfig(), { log: (m, d) => logger.info(m, d ?? {}) }),
  objects: presignedLinks(s3Client(), { bucket: requiredEnv(ENV.bucket), prefix: incomingPrefix() }),
  https: true,
  log,
});

export const handler = handle(app);
