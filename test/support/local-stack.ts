/**
 * Test helper: a LocalPipeline on the run's shared DynamoDB Local (a table of its own, its own
 * s3rver, SNS stand-in and queue; fast retries).
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { LocalPipeline, type LocalPipelineOptions } from '../../infra/local/stack';

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** The test run's DynamoDB Local (test/support/global-setup.ts). */
export function dynamodbEndpoint(): string {
  const endpoint = inject('dynamodbEndpoint');
  if (!endpoint)
    throw new Error(
      'no DynamoDB Local in this run: test/support/global-setup.ts starts it only when test/integration files are selected',
    );
  return endpoint;
}

export async function startTestStack(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  return LocalPipeline.start({
    dynamodbEndpoint: dynamodbEndpoint(),
    tableName: uniqueName('segwatch-test'),
    bucket: uniqueName('filings').toLowerCase(),
    queue: { failedVisibilityMs: 50, ...options.queue },
    stream: { retryBaseDelayMs: 10, ...options.stream },
    log: process.env.SEGWATCH_DEBUG ? (line) => process.stderr.write(`[local stack] ${line}\n`) : undefined,
    ...options,
  });
}

export { makeFiling, SAMPLE_2014, SAMPLE_2013_AMENDMENT, type FilingSpec } from './filings';
