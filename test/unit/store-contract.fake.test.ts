/** The Store contract (test/support/store-contract.ts) on the in-memory fake DynamoDB the handler, fault and property tests use. */
import { Store } from '../../shared/adapters/store';
import { FakeDynamo } from '../support/mock-dynamodb';
import { storeContract } from '../support/store-contract';

storeContract('the fake DynamoDB', async () => {
  // Pages of 3 items (the default), so the store's paging is exercised as DynamoDB's 1 MB pages would.
  const fake = new FakeDynamo();
  const table = 'segwatch-contract';
  return { store: new Store(fake.client(), table), doc: fake.client(), table };
});
