/**
 * SDK client factories. Each handler calls the ones it needs once, at module load, so a warm
 * Lambda reuses its clients. Endpoints come from the standard AWS_ENDPOINT_URL_* variables
 * (the local stack points them at DynamoDB Local, s3rver and its SNS stand-in).
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';

const region = () => process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';

/**
 * The SDK's logger, as quiet as its default but without `info` and `error`. The default (a no-op
 * logger) has `info`, and for it the SDK builds a redacted copy of every request and response,
 * walking their schemas, only to throw it away: 3% of the local pipeline's CPU in the bench's
 * profile. The SDK calls `info` and `error` only where they exist; `debug`, `warn` and `trace` it
 * calls directly, so they stay (no-ops, as before). Failures still reach the handlers as errors.
 */
export const SDK_LOGGER = { debug() {}, warn() {}, trace() {} } as unknown as NonNullable<
  DynamoDBClientConfig['logger']
>;

/** An SDK plugin (middleware) for the DynamoDB clients made here. */
export type DynamoPlugin = Parameters<DynamoDBClient['middlewareStack']['use']>[0];
const dynamoPlugins: DynamoPlugin[] = [];

/**
 * Use `plugin` in every DynamoDB client made from now on (instrumentation: the benchmark installs
 * its capacity meter, bench/cost.ts, before it loads the handlers). None in production.
 */
export function useDynamoPlugin(plugin: DynamoPlugin): () => void {
  dynamoPlugins.push(plugin);
  return () => {
    const i = dynamoPlugins.indexOf(plugin);
    if (i >= 0) dynamoPlugins.splice(i, 1);
  };
}

export function dynamoClient(): DynamoDBClient {
  const client = new DynamoDBClient({ region: region(), logger: SDK_LOGGER });
  for (const p of dynamoPlugins) client.middlewareStack.use(p);
  return client;
}

/** Document client: money goes in as NumberValue and comes back as NumberValue (never a JS number). */
export function documentClient(client: DynamoDBClient = dynamoClient()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    unmarshallOptions: { wrapNumbers: true },
  });
}

/**
 * The S3 clients' settings: s3Client (./s3-client.ts) and the api's client, made on its first link
 * (functions/api/objects.ts). The S3 SDK is not imported here: the api's bundle leaves it out of
 * index.js (infra/bundling.ts FUNCTION_LAZY_PACKAGES), and this file is in every bundle.
 */
export function s3ClientConfig(): S3ClientConfig {
  return {
    region: region(),
    logger: SDK_LOGGER,
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

export function snsClient(): SNSClient {
  return new SNSClient({ region: region(), logger: SDK_LOGGER });
}

export function requiredEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}
