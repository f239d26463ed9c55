/**
 * vitest globalSetup: one DynamoDB Local for the whole test run (in memory, -sharedDb, a free
 * port on 127.0.0.1), its endpoint provided to test files as inject('dynamodbEndpoint').
 * Test files create their own uniquely named tables (test/support/local-stack.ts), so files can
 * run in parallel against it. Killed in teardown (and on exit, whatever happens).
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../infra/local/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

let dynamo: DynamoDbLocal | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  dynamo = await startDynamoDbLocal({ sharedDb: true });
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo?.stop();
    dynamo = undefined;
  };
}
