/** The Store contract (test/support/store-contract.ts) on DynamoDB Local, in a table of its own made from the shared definition. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll } from 'vitest';
import { Store } from '../../shared/adapters/store';
import { documentClient } from '../../shared/adapters/clients';
import { ensureTable } from '../../infra/local/table';
import { dynamodbEndpoint, uniqueName } from '../support/local-stack';
import { storeContract } from '../support/store-contract';

let ddb: DynamoDBClient | undefined;
afterAll(() => ddb?.destroy());

storeContract('DynamoDB Local', async () => {
  ddb = new DynamoDBClient({
    endpoint: dynamodbEndpoint(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const table = uniqueName('segwatch-contract');
  await ensureTable(ddb, table);
  // The production document client options (shared/adapters/clients.ts).
  const doc = documentClient(ddb);
  return { store: new Store(doc, table), doc, table };
});
