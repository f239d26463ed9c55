/**
 * aws-sdk-client-mock for the handlers: every DynamoDBDocumentClient, S3Client and SNSClient the
 * handlers create is mocked (prototype-wide); DynamoDB commands are answered by the in-memory
 * table (test/support/mock-dynamodb.ts), so conditions and reads behave, and the mock still
 * records every command for assertions. Set the handlers' environment before importing them.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { vi } from 'vitest';
import { ENV } from '../../shared/table';
import type { FakeDynamo } from './mock-dynamodb';

export const TABLE_NAME = 'segwatch-SegwatchTable-1A2B3C4D5E6F';
export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:segwatch-alerts';

export function stubHandlerEnv(): void {
  vi.stubEnv(ENV.table, TABLE_NAME);
  vi.stubEnv(ENV.topic, TOPIC_ARN);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
}

export const ddbMock = mockClient(DynamoDBDocumentClient);
export const s3Mock = mockClient(S3Client);
export const snsMock = mockClient(SNSClient);

/** Reset every mock and answer DynamoDB commands from `table`. */
export function routeDynamo(table: FakeDynamo): void {
  ddbMock.reset();
  ddbMock.on(PutCommand).callsFake((input) => table.send(new PutCommand(input)));
  ddbMock.on(UpdateCommand).callsFake((input) => table.send(new UpdateCommand(input)));
  ddbMock.on(GetCommand).callsFake((input) => table.send(new GetCommand(input)));
  ddbMock.on(QueryCommand).callsFake((input) => table.send(new QueryCommand(input)));
  ddbMock.on(BatchGetCommand).callsFake((input) => table.send(new BatchGetCommand(input)));
}

/** Serve objects from a map of `bucket/key` -> bytes (a fresh body stream per GetObject). */
export function serveObjects(objects: Map<string, Uint8Array>): void {
  s3Mock.reset();
  s3Mock.on(GetObjectCommand).callsFake(async (input: { Bucket: string; Key: string }) => {
    const bytes = objects.get(`${input.Bucket}/${input.Key}`);
    if (!bytes)
      throw Object.assign(new Error('The specified key does not exist.'), {
        name: 'NoSuchKey',
        $metadata: { httpStatusCode: 404 },
      });
    return { Body: sdkStreamMixin(Readable.from([Buffer.from(bytes)])), ContentLength: bytes.length };
  });
}

/** SNS answers with sequential message ids (and records the input in snsMock's calls). */
export function acceptPublishes(): void {
  snsMock.reset();
  let n = 0;
  snsMock.on(PublishCommand).callsFake(async () => ({ MessageId: `0000000${++n}-aaaa-bbbb-cccc-dddddddddddd` }));
}
