/**
 * SDK client factories. Each handler calls the ones it needs once, at module load, so a warm
 * Lambda reuses its clients. Endpoints come from the standard AWS_ENDPOINT_URL_* variables
 * (the local stack points them at DynamoDB Local, s3rver and its SNS stand-in).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';

const region = () => process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';

export function dynamoClient(): DynamoDBClient {
  return new DynamoDBClient({ region: region() });
}

/** Document client: money goes in as NumberValue and comes back as NumberValue (never a JS number). */
export function documentClient(client: DynamoDBClient = dynamoClient()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    unmarshallOptions: { wrapNumbers: true },
  });
}

export function s3Client(): S3Client {
  return new S3Client({
    region: region(),
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function snsClient(): SNSClient {
  return new SNSClient({ region: region() });
}

export function requiredEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}
