/**
 * Test helper: a LocalStack on the run's shared DynamoDB Local (a table of its own, its own
 * s3rver, SNS stand-in and queue; fast retries).
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { LocalStack, type LocalStackOptions } from '../../infra/local/stack';

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export async function startTestStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  return LocalStack.start({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: uniqueName('segwatch-test'),
    bucket: uniqueName('filings').toLowerCase(),
    queue: { failedVisibilityMs: 50, ...options.queue },
    stream: { retryBaseDelayMs: 10, ...options.stream },
    ...options,
  });
}

export { makeFiling, SAMPLE_2014, SAMPLE_2013_AMENDMENT, type FilingSpec } from './filings';
