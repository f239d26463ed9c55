/**
 * The read queries on the in-memory source (with and without the head's `versions` and `late`),
 * and on the DynamoDB adapter over the fake table (3 items a page, so every read follows
 * LastEvaluatedKey; only Query requests, never Scan). The same scenario runs on DynamoDB Local in
 * test/integration/read-queries.test.ts.
 */
import { expect, it } from 'vitest';
import { Store } from '../../shared/adapters/store';
import { MemorySource } from '../../shared/read/source';
import { READ_SOURCE_ACTIONS, StoreSource } from '../../shared/read/store-source';
import { FakeDynamo } from '../support/mock-dynamodb';
import { queryScenarioTests, writeScenario } from '../support/read-scenario';

queryScenarioTests('the in-memory source (heads without versions and late)', async () => {
  const m = new MemorySource();
  await writeScenario(m);
  return m;
});

queryScenarioTests('the in-memory source (heads with versions and late)', async () => {
  const m = new MemorySource();
  await writeScenario(m, { headFacts: true });
  return m;
});

queryScenarioTests(
  "the in-memory source (missing firms found from the window's days, not firm by firm)",
  async () => {
    const m = new MemorySource();
    await writeScenario(m);
    return m;
  },
  { missingByFirm: 0 },
);

const fake = new FakeDynamo({ pageSize: 3 });
let readsBefore = 0;
queryScenarioTests('the DynamoDB adapter on a fake table (3 items a page)', async () => {
  await writeScenario(new Store(fake.client(), 'segwatch-test'));
  readsBefore = fake.reads;
  return new StoreSource(fake.client(), 'segwatch-test');
});

it('the DynamoDB adapter made only Query requests, on the table and the indexes READ_SOURCE_ACTIONS names, following pages', () => {
  const reads = fake.log.filter((r) => !r.write && r.index >= readsBefore);
  expect(reads.length).toBeGreaterThan(0);
  expect(new Set(reads.map((r) => r.kind))).toEqual(new Set(['query']));
  // The fake logs a query's index (or "table") as its pk.
  const where = new Set(reads.map((r) => r.pk));
  expect(where).toEqual(new Set(['table', ...Object.keys(READ_SOURCE_ACTIONS.indexes)]));
  expect(READ_SOURCE_ACTIONS.table).toEqual(['dynamodb:Query']);
});
