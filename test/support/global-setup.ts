/**
 * vitest globalSetup: one DynamoDB Local for the whole test run (in memory, -sharedDb, a free
 * port on 127.0.0.1), its endpoint provided to test files as inject('dynamodbEndpoint').
 * Test files create their own uniquely named tables (test/support/local-stack.ts), so files can
 * run in parallel against it. Killed in teardown (and on exit, whatever happens).
 * Started only when the run includes test/integration files or a browser test (test/web/*.browser.test.ts,
 * which loads a local stack): `vitest run test/unit` costs no Java.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../infra/local/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    /** '' when this run has no test that needs it. */
    dynamodbEndpoint: string;
  }
}

let dynamo: DynamoDbLocal | undefined;

async function runNeedsDynamo(project: TestProject): Promise<boolean> {
  try {
    // The CLI's file filters (set before global setups run; not in the public types).
    const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
    const specs = await project.vitest.getRelevantTestSpecifications(filters);
    return specs.some(
      (s) => s.moduleId.replace(/\\/g, '/').includes('/test/integration/') || /\.browser\.test\.ts$/.test(s.moduleId),
    );
  } catch {
    return true;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (!(await runNeedsDynamo(project))) {
    project.provide('dynamodbEndpoint', '');
    return async () => undefined;
  }
  dynamo = await startDynamoDbLocal({ sharedDb: true });
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo?.stop();
    dynamo = undefined;
  };
}
