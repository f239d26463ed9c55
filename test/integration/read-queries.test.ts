/**
 * The read queries on DynamoDB Local: the scenario of test/support/read-scenario.ts written
 * through the real Store into a table made from the shared definition, read back through the
 * DynamoDB adapter (shared/read/store-source.ts); every request the adapter makes is a Query.
 */
import { documentClient } from '../../shared/adapters/clients';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, expect, it } from 'vitest';
import { Store } from '../../shared/adapters/store';
import { StoreSource } from '../../shared/read/store-source';
import { ensureTable } from '../../infra/local/table';
import { dynamodbEndpoint, uniqueName } from '../support/local-stack';
import { queryScenarioTests, writeScenario } from '../support/read-scenario';

let ddb: DynamoDBClient | undefined;
const sent: string[] = [];
afterAll(() => ddb?.destroy());

queryScenarioTests('DynamoDB Local', async () => {
  ddb = new DynamoDBClient({
    endpoint: dynamodbEndpoint(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const table = uniqueName('segwatch-read');
  await ensureTable(ddb, table);
  const doc = documentClient(ddb);
  await writeScenario(new Store(doc, table));
  // A second document client for the reads, so only the adapter's requests are recorded.
  const readDoc = documentClient(ddb);
  readDoc.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize' },
  );
  return new StoreSource(readDoc, table);
});

it('the adapter sent Query requests only (no Scan, no Get)', () => {
  expect(sent.length).toBeGreaterThan(20);
  expect(new Set(sent)).toEqual(new Set(['QueryCommand']));
});
